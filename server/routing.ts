/**
 * From request to handler, in NestJS order: route match → path decoding →
 * throttler → (latency) → the `dispatch` seam: guard → userId parsing → body
 * reading/parsing → operation. Also the endpoints outside the API (health,
 * control).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from './answers';
import type { Throttle } from './guard';
import type { Preexisting } from './preexisting';
import { createRng, subSeed } from './rng';
import type { Ctx, Env, Seams, SeamsOf } from './seams';
import { write } from './serialise';
import type { Operation } from './types';

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

export interface Route {
  op: Operation;
  /** Still percent-encoded. */
  clientSegment: string;
  /** Still percent-encoded; undefined on the collection routes. */
  userSegment: string | undefined;
}

const ROUTE_BASE = '/v2/oauth-clients/';
const noop = () => {};

/** The operation a method and raw path (without query) name under the prefix, or null (404). One trailing slash is tolerated. */
export function matchRoute(method: string, path: string, prefix: string): Route | null {
  let rest: string | null = null;
  if (prefix === '') rest = path;
  else if (path.startsWith(prefix) && path.charCodeAt(prefix.length) === 47 /* / */) rest = path.slice(prefix.length);
  if (rest === null || !rest.startsWith(ROUTE_BASE)) return null;
  let tail = rest.slice(ROUTE_BASE.length);
  if (tail.endsWith('/')) tail = tail.slice(0, -1);
  const parts = tail.split('/');
  const [c, users, u, action] = parts;
  if (!c || users !== 'users') return null;
  let op: Operation | null = null;
  let userSegment: string | undefined;
  if (parts.length === 2) op = method === 'GET' ? 'list' : method === 'POST' ? 'create' : null;
  else if (parts.length === 3 && u) {
    userSegment = u;
    op = method === 'GET' ? 'get' : method === 'PATCH' ? 'update' : method === 'DELETE' ? 'delete' : null;
  } else if (parts.length === 4 && u && action === 'force-refresh') {
    userSegment = u;
    op = method === 'POST' ? 'refresh' : null;
  }
  return op === null ? null : { op, clientSegment: c, userSegment };
}

export const routingSeams: SeamsOf<'dispatch' | 'crashed'> = ({ answers }, self) => ({
  // An error that carries its answer gets it; anything else is the internal-error envelope.
  crashed: (err) => (err instanceof HttpError ? err.answer : answers.internalError()),

  dispatch(ctx, userSegment, rawQuery) {
    const refusal = self.authorise(ctx);
    if (refusal !== null) return self.send(ctx, refusal);
    let id = 0;
    if (userSegment !== undefined) {
      const parsed = self.parseUserId(ctx, userSegment);
      if (parsed === undefined) return;
      id = parsed;
    }
    switch (ctx.op) {
      case 'get':
        return self.send(ctx, self.get(ctx, id));
      case 'list':
        return self.send(ctx, self.list(ctx, rawQuery));
      case 'delete':
        return self.send(ctx, self.delete(ctx, id));
      case 'refresh':
        return self.send(ctx, self.refresh(ctx, id));
      case 'create':
      case 'update':
        return self.readBody(ctx, (buf) => {
          const body = self.parseBody(ctx, buf);
          if (body === undefined) return;
          self.send(ctx, ctx.op === 'create' ? self.create(ctx, body) : self.update(ctx, id, body));
        });
    }
  },
});

export interface RouterParts {
  seams: Seams;
  throttle: Throttle;
  preexisting: Preexisting;
}

export function createRouter({ cfg, answers }: Env, { seams, throttle, preexisting }: RouterParts): { handler: RequestHandler; dispose: () => void } {
  const { prefix, jitterMs, latencyMs, jsonType } = cfg;
  const jitterRng = createRng(subSeed(cfg.seed, 'jitter'));
  const timers = new Set<NodeJS.Timeout>();
  let disposed = false;
  const crashed = (req: IncomingMessage, res: ServerResponse, err: unknown) => {
    if (!res.headersSent) seams.send({ req, res }, seams.crashed(err));
  };

  /** The throttler runs before the guard and counts every request at arrival; the answer may be delayed. */
  function api(ctx: Ctx, userSegment: string | undefined, rawQuery: string): void {
    const allowed = throttle.hit(ctx.req, ctx.res);
    const proceed = () => (allowed ? seams.dispatch(ctx, userSegment, rawQuery) : seams.send(ctx, answers.tooManyRequests()));
    if (jitterMs <= 0 && latencyMs <= 0) return proceed();
    const delay = latencyMs + (jitterMs > 0 ? Math.floor(jitterRng() * (jitterMs + 1)) : 0);
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (disposed) return;
      try {
        proceed();
      } catch (err) {
        crashed(ctx.req, ctx.res, err);
      }
    }, delay);
    timers.add(timer);
  }

  function route(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const rawQuery = q < 0 ? '' : url.slice(q + 1);
    const method = req.method === 'HEAD' ? 'GET' : (req.method ?? 'GET');

    if (method === 'GET') {
      if (path === '/__health') return write(res, 200, '{"status":"ok"}', jsonType);
      if (path === '/__control/preexisting') return write(res, 200, JSON.stringify(preexisting.report()), jsonType);
      if (path === '/__control/ratelimit') return write(res, 200, JSON.stringify(throttle.report()), jsonType);
    }

    const match = matchRoute(method, path, prefix);
    if (match === null) return seams.send({ req, res }, answers.routeNotFound(req.method ?? 'GET', path));
    let clientId: string;
    try {
      clientId = decodeURIComponent(match.clientSegment);
    } catch {
      return seams.send({ req, res }, answers.badRequest(cfg.msgs.badPathEncoding));
    }
    api({ req, res, op: match.op, clientId }, match.userSegment, rawQuery);
  }

  const handler: RequestHandler = (req, res) => {
    req.on('error', noop);
    try {
      route(req, res);
    } catch (err) {
      // Never let a request take the process down.
      if (!res.headersSent) crashed(req, res, err);
      else res.destroy();
    }
  };

  return {
    handler,
    dispose() {
      disposed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}
