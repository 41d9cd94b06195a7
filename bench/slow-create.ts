/**
 * The whole contract suite against a server whose successful create takes
 * 700 ms (a real Cal.com API v2 makes event types and a schedule with each
 * managed user), everything else at loopback speed. Figures: wall time (goal
 * ≤ 25 s) and how many users a run creates (the creates that answered 201).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { runAgainst } from './against';

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
  const counts = { requests: 0, createRequests: 0, created: 0 };
  const r = await runAgainst(root, tmp, 'slow-create', {}, slowCreates(createMs, counts));
  return { createMs, wallMs: r.wallMs, exitCode: r.exitCode, ...counts, ...(r.tail ? { tail: r.tail } : {}) };
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** Wraps a handler: a create that answers 201 takes `createMs`; `counts` counts API requests, creates and users created. */
export function slowCreates(createMs: number, counts: { requests: number; createRequests: number; created: number }): (handler: Handler) => Handler {
  return (handler) => (req, res) => {
    if (!req.url?.includes('/v2/')) return handler(req, res);
    counts.requests++;
    const isCreate = req.method === 'POST' && /\/users\/?(\?|$)/.test(req.url);
    if (isCreate) counts.createRequests++;
    // Only a create that succeeds is slow: the server then makes the user's event types and schedule.
    const end = res.end.bind(res) as (...args: unknown[]) => typeof res;
    res.end = ((...args: unknown[]) => {
      if (isCreate && res.statusCode === 201) {
        counts.created++;
        setTimeout(() => end(...args), createMs);
        return res;
      }
      return end(...args);
    }) as typeof res.end;
    handler(req, res);
  };
}
