/**
 * The smoke project against a distant host: the reference server with a fixed
 * 100 ms latency on every request, reached through CAL_API_URL as staging
 * would be. Goal: well under 15 s.
 */
import { createServer, type Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createHandler } from '../server';
import { Child } from './procs';
import { BENCH_SEED } from './suite';
import { childEnv } from '../fixtures/run/env';
import { targetEnv } from '../selftest/support';

export interface SmokeFigures {
  wallMs: number;
  exitCode: number | null;
  requests: number;
  latencyMs: number;
  tail?: string;
}

export async function runSmoke(root: string, tmp: string, latencyMs = 100): Promise<SmokeFigures> {
  const clients = [0, 1].map(() => ({ id: `c${randomBytes(12).toString('hex')}`, secret: randomBytes(24).toString('hex') }));
  const handler = createHandler({ clients, latencyMs });
  let requests = 0;
  const server: Server = createServer((req, res) => {
    requests++;
    handler(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  try {
    const env = childEnv({ ...BENCH_SEED, ...targetEnv(url, clients), CONTRACT_STATE_DIR: join(tmp, 'state-smoke') });
    const cli = join(root, 'node_modules', '@playwright', 'test', 'cli.js');
    const started = performance.now();
    const child = new Child('smoke', process.execPath, [cli, 'test', '--project=smoke', '--reporter=./fixtures/run/redact-reporter.ts,dot', `--output=${join(tmp, 'test-results-smoke')}`], { cwd: root, env, group: true });
    const exit = await child.exited;
    const wallMs = performance.now() - started;
    return { wallMs, exitCode: exit.code, requests, latencyMs, ...(exit.code !== 0 ? { tail: child.stdout.split('\n').slice(-15).join('\n') } : {}) };
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
}
