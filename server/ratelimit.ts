/**
 * Rate limiting as Cal.com's API v2 applies it (NestJS throttler, named
 * throttler "default"): a fixed window per tracker key that starts at the
 * key's first hit; going over the budget blocks the key for a while, and every
 * request of a blocked key answers 429 until the block ends.
 *
 * Tracker keys: the `x-cal-client-id` request header when present (budget
 * `limit`), otherwise the caller's address (budget `addressLimit`). With
 * `clientIdTracker: false` the header is ignored and every request is counted
 * per address with the address budget.
 */
import type { IncomingMessage } from 'node:http';

export interface RateLimitOptions {
  /** Budget per window of a tracker keyed by the `x-cal-client-id` header (Cal.com: 500). */
  limit: number;
  /** Window length in ms (Cal.com: 60 000). */
  windowMs: number;
  /** How long a key that went over its budget is blocked, in ms (Cal.com: 60 000). */
  blockMs: number;
  /** Budget per window for requests without the header, keyed by address. Default round(limit × 120 / 500), at least 1. */
  addressLimit?: number;
  /** Default true. false: ignore the header, count every request per address with the address budget. */
  clientIdTracker?: boolean;
  /** Default true. false: answers carry no X-RateLimit-* headers (a 429 keeps Retry-After): a server that does not show its budget. */
  showHeaders?: boolean;
}

export const CLIENT_ID_HEADER = 'x-cal-client-id';

export interface RateDecision {
  allowed: boolean;
  /** Headers every API answer carries (the 429 too, which also has Retry-After). */
  headers: Record<string, string>;
}

export interface RateLimitStats {
  /** 429 answers sent. */
  throttled: number;
  /** Times a key got blocked. */
  blocks: number;
}

export interface RateLimiter {
  /** Counts one API request at arrival and decides it. */
  hit(req: IncomingMessage): RateDecision;
  stats(): RateLimitStats;
}

interface KeyState {
  windowEnd: number;
  hits: number;
  /** 0 when not blocked. */
  blockedUntil: number;
}

/** Cal.com's ratio: 120/min per address against 500/min for the client id header. */
export function defaultAddressLimit(limit: number): number {
  return Math.max(1, Math.round((limit * 120) / 500));
}

function positiveInteger(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new Error(`rateLimit.${name} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

/** Above this many keys, expired ones are swept on the next hit. */
const SWEEP_AT = 10_000;

export function createRateLimiter(opts: RateLimitOptions, now: () => number = Date.now): RateLimiter {
  const limit = positiveInteger('limit', opts.limit);
  const windowMs = positiveInteger('windowMs', opts.windowMs);
  const blockMs = positiveInteger('blockMs', opts.blockMs);
  const addressLimit = opts.addressLimit === undefined ? defaultAddressLimit(limit) : positiveInteger('addressLimit', opts.addressLimit);
  const byHeader = opts.clientIdTracker !== false;

  const keys = new Map<string, KeyState>();
  let throttled = 0;
  let blocks = 0;
  let sweepAt = SWEEP_AT;

  const sweep = (t: number) => {
    for (const [k, s] of keys) if (t >= s.windowEnd && t >= s.blockedUntil) keys.delete(k);
    sweepAt = Math.max(SWEEP_AT, keys.size * 2);
  };

  return {
    hit(req) {
      const t = now();
      const header = byHeader ? req.headers[CLIENT_ID_HEADER] : undefined;
      const clientId = Array.isArray(header) ? header[0] : header;
      const [key, budget] =
        clientId !== undefined && clientId !== '' ? [`c:${clientId}`, limit] : [`a:${req.socket.remoteAddress ?? ''}`, addressLimit];

      if (keys.size >= sweepAt) sweep(t);
      let s = keys.get(key);
      if (s === undefined) {
        s = { windowEnd: t + windowMs, hits: 0, blockedUntil: 0 };
        keys.set(key, s);
      }
      // A block that has ended gives the key a fresh start.
      if (s.blockedUntil !== 0 && t >= s.blockedUntil) {
        s.blockedUntil = 0;
        s.hits = 0;
        s.windowEnd = t + windowMs;
      }
      if (t >= s.windowEnd) {
        s.windowEnd = t + windowMs;
        s.hits = 0;
      }
      if (s.blockedUntil === 0) {
        if (s.hits + 1 > budget) {
          s.blockedUntil = t + blockMs;
          blocks++;
        } else {
          s.hits++;
        }
      }
      const headers: Record<string, string> = {
        'X-RateLimit-Limit-Default': String(budget),
        'X-RateLimit-Remaining-Default': String(Math.max(0, budget - s.hits)),
        'X-RateLimit-Reset-Default': String(Math.ceil(s.windowEnd / 1000)),
      };
      if (opts.showHeaders === false) for (const name in headers) delete headers[name];
      if (s.blockedUntil === 0) return { allowed: true, headers };
      throttled++;
      if (opts.showHeaders !== false) headers['X-RateLimit-Remaining-Default'] = '0';
      headers['Retry-After'] = String(Math.max(1, Math.ceil((s.blockedUntil - t) / 1000)));
      return { allowed: false, headers };
    },
    stats: () => ({ throttled, blocks }),
  };
}
