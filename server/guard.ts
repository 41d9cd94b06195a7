/**
 * What runs before any handler: the throttler (Cal.com's global rate-limit
 * guard, first) and the OAuth-client guard (the x-cal-secret-key check, a
 * seam).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { InstanceConfig } from './config';
import { createRateLimiter, type RateLimiter } from './ratelimit';
import type { SeamsOf } from './seams';

export interface RateLimitReport {
  /** API requests seen (every request that matched one of the six routes). */
  requests: number;
  /** 429 answers sent. */
  throttled: number;
  /** Times a tracker key got blocked. */
  blocks: number;
}

export interface Throttle {
  /**
   * Counts the request at arrival and, with a rate limit, sets the rate-limit
   * headers on the answer to come. False when it must be answered 429 (when
   * the answer is due).
   */
  hit(req: IncomingMessage, res: ServerResponse): boolean;
  /** The answer of GET /__control/ratelimit. */
  report(): RateLimitReport;
}

export function createThrottle(cfg: InstanceConfig): Throttle {
  const limiter: RateLimiter | null = cfg.rateLimit ? createRateLimiter(cfg.rateLimit) : null;
  let requests = 0;
  return {
    hit(req, res) {
      requests++;
      if (limiter === null) return true;
      const decision = limiter.hit(req);
      for (const name in decision.headers) res.setHeader(name, decision.headers[name] as string);
      return decision.allowed;
    },
    report() {
      const { throttled, blocks } = limiter?.stats() ?? { throttled: 0, blocks: 0 };
      return { requests, throttled, blocks };
    },
  };
}

export const guardSeams: SeamsOf<'authorise' | 'secretOk'> = ({ cfg, answers }, self) => {
  const clients = new Map(cfg.clients.map((c) => [c.id, c.secret] as const));
  return {
    authorise(ctx) {
      const header = ctx.req.headers['x-cal-secret-key'];
      const secret = typeof header === 'string' && header !== '' ? header : undefined;
      const expected = clients.get(ctx.clientId);
      if (expected !== undefined && self.secretOk(ctx, secret, expected)) return null;
      return answers.unauthorised(secret === undefined ? cfg.msgs.missingSecret : cfg.msgs.invalidCredentials);
    },
    secretOk: (_ctx, secret, expected) => secret === expected,
  };
};
