/**
 * The smoke project against a distant host: the reference server with a fixed
 * 100 ms latency on every request, reached through CAL_API_URL as staging
 * would be. Goal: well under 15 s.
 */

import { checksRun, runAgainst } from './against';
import { newTally, tallied, type Tally } from './budget';

export interface SmokeFigures {
  wallMs: number;
  exitCode: number | null;
  requests: number;
  /** API requests by operation. */
  tally: Tally;
  /** Checks Playwright ran (the cleanup test included). */
  checks: number;
  latencyMs: number;
  tail?: string;
}

export async function runSmoke(root: string, tmp: string, latencyMs = 100): Promise<SmokeFigures> {
  let requests = 0;
  const tally = newTally();
  const r = await runAgainst(root, tmp, 'smoke', { latencyMs }, (handler) => {
    const counted = tallied(tally)(handler);
    return (req, res) => {
      requests++;
      counted(req, res);
    };
  }, 'smoke');
  return { wallMs: r.wallMs, exitCode: r.exitCode, requests, tally, checks: checksRun(r.stdout), latencyMs, ...(r.tail ? { tail: r.tail } : {}) };
}
