/**
 * What runs before any handler: the throttler (Cal.com's global rate-limit
 * guard, first) and the OAuth-client guard (the x-cal-secret-key check). The
 * auth faults are decided here.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { InstanceConfig } from './config';
import { createRateLimiter, type RateLimiter } from './ratelimit';
import type { Serialiser } from './serialise';
import type { Operation } from './types';

export interface RateLimitReport {
  /** API requests seen (every request that matched one of the six routes). */
  requests: number;
  /** 429 answers sent. */
  throttled: number;
  /** Times a tracker key got blocked. */
  blocks: number;
}

export interface Guard {
  /**
   * Counts the request at arrival and, with a rate limit, sets the rate-limit
   * headers on the answer to come. False when it must be answered 429 (call
   * `out.tooManyRequests` when the answer is due).
   */
  throttle(req: IncomingMessage, res: ServerResponse): boolean;
  /** True when the request may proceed; otherwise the 401/403 has been sent. */
  authorise(req: IncomingMessage, res: ServerResponse, op: Operation, clientId: string): boolean;
  /** The answer of GET /__control/ratelimit. */
  rateLimitReport(): RateLimitReport;
}

export function createGuard(cfg: InstanceConfig, out: Serialiser): Guard {
  const { fault, msgs } = cfg;
  const clients = new Map(cfg.clients.map((c) => [c.id, c.secret] as const));
  const knownSecrets = new Set(cfg.clients.map((c) => c.secret));
  const limiter: RateLimiter | null = cfg.rateLimit ? createRateLimiter(cfg.rateLimit) : null;
  let requests = 0;

  function throttle(req: IncomingMessage, res: ServerResponse): boolean {
    requests++;
    if (limiter === null) return true;
    const decision = limiter.hit(req);
    for (const name in decision.headers) res.setHeader(name, decision.headers[name] as string);
    return decision.allowed;
  }

  function authorise(req: IncomingMessage, res: ServerResponse, op: Operation, clientId: string): boolean {
    const header = req.headers['x-cal-secret-key'];
    const secret = typeof header === 'string' && header !== '' ? header : undefined;
    const expected = clients.get(clientId);
    let ok = false;
    if (expected !== undefined) {
      if (secret === undefined) ok = (op === 'delete' && fault === 'auth-ignored-delete') || (op === 'get' && fault === 'auth-ignored-get');
      else
        ok =
          secret === expected ||
          fault === 'wrong-secret-accepted' ||
          (fault === 'other-client-secret-accepted' && knownSecrets.has(secret));
    }
    if (ok) return true;
    const message = secret === undefined ? msgs.missingSecret : msgs.invalidCredentials;
    if (fault === 'auth-403') out.sendError(req, res, 403, 'ForbiddenException', message);
    else out.sendError(req, res, 401, 'UnauthorizedException', message);
    return false;
  }

  return {
    throttle,
    authorise,
    rateLimitReport() {
      const { throttled, blocks } = limiter?.stats() ?? { throttled: 0, blocks: 0 };
      return { requests, throttled, blocks };
    },
  };
}
