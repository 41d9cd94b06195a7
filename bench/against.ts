/**
 * One suite run against a server the bench shapes: the reference server's
 * handler for two fresh clients, behind whatever wrapper a figure needs
 * (latency, rate limits, slow creates, a broken server), on a loopback port,
 * reached through CAL_API_URL as staging would be; timed from spawn to exit.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createHandler } from '../server';
import type { InstanceOptions } from '../server/types';
import { childEnv } from '../fixtures/settings/env';
import { targetEnv } from '../selftest/support';
import { Child } from './procs';
import { BENCH_SEED } from './suite';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export interface AgainstRun {
  wallMs: number;
  exitCode: number | null;
  stdout: string;
  /** The server's throttler, read from /__control/ratelimit after the run (with a rate limit only). */
  rateLimit?: { requests: number; throttled: number; blocks: number };
  /** The last lines of the output, when the run did not pass. */
  tail?: string;
}

/**
 * `name` names the run's state and output dirs; `options` go to the reference server; `wrap` puts a
 * handler around it (default: none); `project`: contract or smoke.
 */
export async function runAgainst(root: string, tmp: string, name: string, options: Omit<InstanceOptions, 'clients'>, wrap: (handler: Handler) => Handler = (h) => h, project = 'contract'): Promise<AgainstRun> {
  const clients = [0, 1].map(() => ({ id: `c${randomBytes(12).toString('hex')}`, secret: randomBytes(24).toString('hex') }));
  const server: Server = createServer(wrap(createHandler({ clients, ...options })));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  try {
    const env = childEnv({ ...BENCH_SEED, ...targetEnv(url, clients), CONTRACT_STATE_DIR: join(tmp, `state-${name}`) });
    const cli = join(root, 'node_modules', '@playwright', 'test', 'cli.js');
    const started = performance.now();
    const child = new Child(name, process.execPath, [cli, 'test', `--project=${project}`, '--reporter=./fixtures/report/redact-reporter.ts,dot,./fixtures/report/run-reporter.ts', `--output=${join(tmp, `test-results-${name}`)}`], { cwd: root, env, group: true });
    const exit = await child.exited;
    const wallMs = performance.now() - started;
    const rateLimit = options.rateLimit ? ((await (await fetch(`${url}/__control/ratelimit`)).json()) as AgainstRun['rateLimit']) : undefined;
    return { wallMs, exitCode: exit.code, stdout: child.stdout, ...(rateLimit ? { rateLimit } : {}), ...(exit.code !== 0 ? { tail: child.stdout.split('\n').slice(-15).join('\n') } : {}) };
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
}

/** Checks a run ran, as Playwright counts them (passed, failed, flaky: the cleanup project's one test included). */
export function checksRun(stdout: string): number {
  const count = (what: string) => Number(new RegExp(`(\\d+) ${what}\\b`).exec(stdout)?.[1] ?? 0);
  return count('passed') + count('failed') + count('flaky');
}

/** The pacer's end-of-run line (kept by fixtures/harness/global-setup.ts, printed by the run reporter), or null when the run printed none. */
export function pacerLine(stdout: string): string | null {
  return /requests: \d+ sent \(.*waiting for the rate budget.*/.exec(stdout)?.[0] ?? null;
}
