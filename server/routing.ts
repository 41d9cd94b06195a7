/**
 * From request to handler, in NestJS order: route match → path decoding →
 * throttler → (latency) → guard → userId parsing → body reading/parsing →
 * operation. Also the endpoints outside the API (health, control) and the
 * pipeline-order fault (validation-before-auth).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { InstanceConfig } from './config';
import type { Guard } from './guard';
import type { Handlers } from './handlers';
import type { Pipes } from './pipes';
import type { Preexisting } from './preexisting';
import { createRng, subSeed } from './rng';
import type { Serialiser } from './serialise';
import type { Operation } from './types';
import { validateCreate, validatePatch } from './validation';

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

export interface Parts {
  out: Serialiser;
  pipes: Pipes;
  guard: Guard;
  handlers: Handlers;
  preexisting: Preexisting;
}

export function createRouter(cfg: InstanceConfig, { out, pipes, guard, handlers, preexisting }: Parts): { handler: RequestHandler; dispose: () => void } {
  const { fault, msgs, vctx, prefix, jitterMs, latencyMs } = cfg;
  const jitterRng = createRng(subSeed(cfg.seed, 'jitter'));

  function dispatch(req: IncomingMessage, res: ServerResponse, op: Operation, clientId: string, userSegment: string | undefined, rawQuery: string): void {
    const needsBody = op === 'create' || op === 'update';
    if (needsBody && fault === 'validation-before-auth') {
      // The bug: body validation wired ahead of the guard.
      pipes.readBody(req, res, (buf) => {
        const body = pipes.parseBody(req, res, buf);
        if (body === undefined) return;
        const errors = op === 'create' ? validateCreate(body, vctx).errors : validatePatch(body, vctx).errors;
        if (errors.length > 0) return out.validationFailed(req, res, errors);
        if (!guard.authorise(req, res, op, clientId)) return;
        if (op === 'create') return handlers.create(req, res, clientId, body);
        const id = pipes.parseUserId(req, res, userSegment ?? '');
        if (id !== undefined) handlers.update(req, res, clientId, id, body);
      });
      return;
    }

    if (!guard.authorise(req, res, op, clientId)) return;
    let id = 0;
    if (userSegment !== undefined) {
      const parsed = pipes.parseUserId(req, res, userSegment);
      if (parsed === undefined) return;
      id = parsed;
    }
    switch (op) {
      case 'get':
        return handlers.get(req, res, clientId, id);
      case 'list':
        return handlers.list(req, res, clientId, rawQuery);
      case 'delete':
        return handlers.delete(req, res, clientId, id);
      case 'refresh':
        return handlers.refresh(req, res, clientId, id);
      case 'create':
      case 'update':
        return pipes.readBody(req, res, (buf) => {
          const body = pipes.parseBody(req, res, buf);
          if (body === undefined) return;
          if (op === 'create') handlers.create(req, res, clientId, body);
          else handlers.update(req, res, clientId, id, body);
        });
    }
  }

  const timers = new Set<NodeJS.Timeout>();
  let disposed = false;

  const handler: RequestHandler = (req, res) => {
    req.on('error', noop);
    try {
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const path = q < 0 ? url : url.slice(0, q);
      const rawQuery = q < 0 ? '' : url.slice(q + 1);
      const method = req.method === 'HEAD' ? 'GET' : (req.method ?? 'GET');

      if (method === 'GET') {
        if (path === '/__health') return out.sendJson(res, 200, '{"status":"ok"}');
        if (path === '/__control/preexisting') return out.sendJson(res, 200, JSON.stringify(preexisting.report()));
        if (path === '/__control/ratelimit') return out.sendJson(res, 200, JSON.stringify(guard.rateLimitReport()));
      }

      const route = matchRoute(method, path, prefix);
      if (route === null) return out.sendError(req, res, 404, 'NotFoundException', msgs.routeNotFound(req.method ?? 'GET', path));
      const { op, userSegment } = route;

      let clientId: string;
      try {
        clientId = decodeURIComponent(route.clientSegment);
      } catch {
        return out.badRequest(req, res, msgs.badPathEncoding);
      }

      // The throttler runs before the guard and counts every request at arrival.
      const allowed = guard.throttle(req, res);

      if (jitterMs > 0 || latencyMs > 0) {
        const delay = latencyMs + (jitterMs > 0 ? Math.floor(jitterRng() * (jitterMs + 1)) : 0);
        const timer = setTimeout(() => {
          timers.delete(timer);
          if (disposed) return;
          try {
            if (allowed) dispatch(req, res, op, clientId, userSegment, rawQuery);
            else out.tooManyRequests(req, res);
          } catch {
            if (!res.headersSent) out.internalError(req, res);
          }
        }, delay);
        timers.add(timer);
        return;
      }
      if (!allowed) return out.tooManyRequests(req, res);
      dispatch(req, res, op, clientId, userSegment, rawQuery);
    } catch {
      // Defensive: never let a request take the process down.
      if (!res.headersSent) out.internalError(req, res);
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
