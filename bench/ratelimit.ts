/**
 * The whole contract suite against a correct server that applies Cal.com's
 * rate limits, with time scaled 10× (a 6 s window and a 6 s block for Cal.com's
 * 60 s and 60 s): 500 per window for the x-cal-client-id tracker, and 120 per
 * window when the server counts by address only. The figure is the wall time
 * as a ratio to the least time the limit allows: requests ÷ limit × window.
 */
import { runAgainst } from './against';

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
  const rateLimit = byAddressOnly
    ? { limit, windowMs: SCALED_WINDOW_MS, blockMs: SCALED_WINDOW_MS, addressLimit: limit, clientIdTracker: false }
    : { limit, windowMs: SCALED_WINDOW_MS, blockMs: SCALED_WINDOW_MS };
  let requests = 0;
  let throttled = 0;
  const r = await runAgainst(root, tmp, `rl-${name}`, { rateLimit }, (handler) => (req, res) => {
    if (req.url?.includes('/v2/')) {
      requests++;
      res.on('finish', () => {
        if (res.statusCode === 429) throttled++;
      });
    }
    handler(req, res);
  });
  return { name, limit, windowMs: SCALED_WINDOW_MS, wallMs: r.wallMs, exitCode: r.exitCode, requests, throttled, leastMs: (requests / limit) * SCALED_WINDOW_MS, ...(r.tail ? { tail: r.tail } : {}) };
}
