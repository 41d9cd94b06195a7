/**
 * How long a run against a server where every check fails takes, against a
 * passing run: the reference server's handler behind a wrapper that answers
 * the preflight and then 500 to every API request. Playwright starts a fresh
 * worker after each failed test, which sets a floor: the same number of
 * trivial failing tests in a bare Playwright project, on 2 workers.
 */
import { createServer, type Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createHandler } from '../server';
import { Child } from './procs';
import { BENCH_SEED } from './suite';
import { childEnv } from '../fixtures/run/env';
import { targetEnv } from '../selftest/support';

export interface FailingFigures {
  wallMs: number;
  exitCode: number | null;
  failed: number;
  passed: number;
}

export async function runFailing(root: string, tmp: string): Promise<FailingFigures> {
  const clients = [0, 1].map(() => ({ id: `c${randomBytes(12).toString('hex')}`, secret: randomBytes(24).toString('hex') }));
  const handler = createHandler({ clients });
  let preflights = 0;
  const server: Server = createServer((req, res) => {
    // The preflight (one list per client) passes, so the run starts; then every API answer is a 500.
    if (req.url?.includes('/v2/') && !(req.method === 'GET' && req.url.endsWith('/users?limit=1') && preflights++ < 2)) {
      const body = '{"status":"error","error":{"code":"InternalServerErrorException","message":"broken on purpose"}}';
      res.writeHead(500, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    handler(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  try {
    const env = childEnv({ ...BENCH_SEED, ...targetEnv(url, clients), CONTRACT_STATE_DIR: join(tmp, 'state-failing') });
    const cli = join(root, 'node_modules', '@playwright', 'test', 'cli.js');
    const started = performance.now();
    const child = new Child('failing run', process.execPath, [cli, 'test', '--project=contract', '--reporter=./fixtures/run/redact-reporter.ts,dot', `--output=${join(tmp, 'test-results-failing')}`], { cwd: root, env, group: true });
    const exit = await child.exited;
    const wallMs = performance.now() - started;
    const count = (what: string) => Number(new RegExp(`(\\d+) ${what}`).exec(child.stdout)?.[1] ?? 0);
    return { wallMs, exitCode: exit.code, failed: count('failed'), passed: count('passed') };
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
}
