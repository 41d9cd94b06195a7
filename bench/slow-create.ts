/**
 * The whole contract suite against a server whose successful create takes
 * 700 ms (a real Cal.com API v2 makes event types and a schedule with each
 * managed user), everything else at loopback speed. Figures: wall time (goal
 * ≤ 25 s) and how many users a run creates (the creates that answered 201).
 */
import { createServer, type Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createHandler } from '../server';
import { Child } from './procs';
import { BENCH_SEED } from './suite';
import { childEnv } from '../fixtures/run/env';
import { targetEnv } from '../selftest/support';

export interface SlowCreateFigures {
  createMs: number;
  wallMs: number;
  exitCode: number | null;
  /** POST …/users that answered 201: users the run created. */
  created: number;
  /** Every POST …/users (rejected ones included). */
  createRequests: number;
  requests: number;
  tail?: string;
}

export async function runSlowCreate(root: string, tmp: string, createMs = 700): Promise<SlowCreateFigures> {
  const clients = [0, 1].map(() => ({ id: `c${randomBytes(12).toString('hex')}`, secret: randomBytes(24).toString('hex') }));
  const handler = createHandler({ clients });
  let requests = 0;
  let createRequests = 0;
  let created = 0;
  const server: Server = createServer((req, res) => {
    if (!req.url?.includes('/v2/')) return handler(req, res);
    requests++;
    const isCreate = req.method === 'POST' && /\/users\/?(\?|$)/.test(req.url);
    if (isCreate) createRequests++;
    // Only a create that succeeds is slow: the server then makes the user's event types and schedule.
    const end = res.end.bind(res) as (...args: unknown[]) => typeof res;
    res.end = ((...args: unknown[]) => {
      if (isCreate && res.statusCode === 201) {
        created++;
        setTimeout(() => end(...args), createMs);
        return res;
      }
      return end(...args);
    }) as typeof res.end;
    handler(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  try {
    const env = childEnv({ ...BENCH_SEED, ...targetEnv(url, clients), CONTRACT_STATE_DIR: join(tmp, 'state-slow-create') });
    const cli = join(root, 'node_modules', '@playwright', 'test', 'cli.js');
    const started = performance.now();
    const child = new Child('slow create', process.execPath, [cli, 'test', '--project=contract', '--reporter=./fixtures/run/redact-reporter.ts,dot', `--output=${join(tmp, 'test-results-slow-create')}`], { cwd: root, env, group: true });
    const exit = await child.exited;
    const wallMs = performance.now() - started;
    return { createMs, wallMs, exitCode: exit.code, created, createRequests, requests, ...(exit.code !== 0 ? { tail: child.stdout.split('\n').slice(-15).join('\n') } : {}) };
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
}
