/**
 * The smoke project against a distant host: the reference server with a fixed
 * 100 ms latency on every request, reached through CAL_API_URL as staging
 * would be. Goal: well under 15 s.
 */

import { runAgainst } from './against';

export interface SmokeFigures {
  wallMs: number;
  exitCode: number | null;
  requests: number;
  latencyMs: number;
  tail?: string;
}

export async function runSmoke(root: string, tmp: string, latencyMs = 100): Promise<SmokeFigures> {
  let requests = 0;
  const r = await runAgainst(root, tmp, 'smoke', { latencyMs }, (handler) => (req, res) => {
    requests++;
    handler(req, res);
  }, 'smoke');
  return { wallMs: r.wallMs, exitCode: r.exitCode, requests, latencyMs, ...(r.tail ? { tail: r.tail } : {}) };
}
