/**
 * The whole contract suite against a correct server that applies Cal.com's
 * rate limits, with time scaled 10× (a 6 s window and a 6 s block for Cal.com's
 * 60 s and 60 s): 500 per window for the x-cal-client-id tracker, and 120 per
 * window when the server counts by address only. The figure is the wall time
 * as a ratio to the least time the limit allows: requests ÷ limit × window.
 */
import { createServer, type Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createHandler } from '../server';
import { Child } from './procs';
import { BENCH_SEED } from './suite';
import { childEnv } from '../fixtures/run/env';
import { targetEnv } from '../selftest/support';

export interface RateLimitFigures {
  name: string;
  limit: number;
  windowMs: number;
  wallMs: number;
  exitCode: number | null;
  /** API requests the server counted (429s included). */
  requests: number;
  throttled: number;
  /** requests ÷ limit × window. */
  leastMs: number;
  tail?: string;
}

export const SCALED_WINDOW_MS = 6000;

export async function runRateLimited(root: string, tmp: string, name: string, limit: number, byAddressOnly: boolean): Promise<RateLimitFigures> {
  const clients = [0, 1].map(() => ({ id: `c${randomBytes(12).toString('hex')}`, secret: randomBytes(24).toString('hex') }));
  const rateLimit = byAddressOnly
    ? { limit, windowMs: SCALED_WINDOW_MS, blockMs: SCALED_WINDOW_MS, addressLimit: limit, clientIdTracker: false }
    : { limit, windowMs: SCALED_WINDOW_MS, blockMs: SCALED_WINDOW_MS };
  const handler = createHandler({ clients, rateLimit });
  let requests = 0;
  let throttled = 0;
  const server: Server = createServer((req, res) => {
    if (req.url?.includes('/v2/')) {
      requests++;
      res.on('finish', () => {
        if (res.statusCode === 429) throttled++;
      });
    }
    handler(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  try {
    const env = childEnv({ ...BENCH_SEED, ...targetEnv(url, clients), CONTRACT_STATE_DIR: join(tmp, `state-rl-${name}`) });
    const cli = join(root, 'node_modules', '@playwright', 'test', 'cli.js');
    const started = performance.now();
    const child = new Child(`rate-limited ${name}`, process.execPath, [cli, 'test', '--project=contract', '--reporter=./fixtures/run/redact-reporter.ts,dot', `--output=${join(tmp, `test-results-rl-${name}`)}`], { cwd: root, env, group: true });
    const exit = await child.exited;
    const wallMs = performance.now() - started;
    return {
      name,
      limit,
      windowMs: SCALED_WINDOW_MS,
      wallMs,
      exitCode: exit.code,
      requests,
      throttled,
      leastMs: (requests / limit) * SCALED_WINDOW_MS,
      ...(exit.code !== 0 ? { tail: child.stdout.split('\n').slice(-15).join('\n') } : {}),
    };
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
}
