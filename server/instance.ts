/**
 * One stateful reference-server instance, wired from its parts:
 *
 *   config.ts       options checked and resolved
 *   store.ts        the user table: records, indexes, ids, insert/remove/find
 *   preexisting.ts  users that exist before the run, and the watch on them
 *   serialise.ts    user and token JSON, envelopes, the write
 *   pipes.ts        body reading/parsing and userId parsing
 *   guard.ts        the throttler hook and the OAuth-client guard
 *   handlers.ts     the six operations
 *   routing.ts      route match and the request pipeline (NestJS order)
 *
 * Pure node:http request/response handling; no framework. Each fault's branch
 * lives in the part where such a bug would.
 */
import { resolveConfig } from './config';
import { createGuard } from './guard';
import { createHandlers } from './handlers';
import { createPipes } from './pipes';
import { seedPreexisting } from './preexisting';
import { createRouter, type RequestHandler } from './routing';
import { createSerialiser } from './serialise';
import { createStore } from './store';
import type { InstanceOptions } from './types';

export { DEFAULT_SEED, normalisePrefix } from './config';
export { suffixEmail } from './store';

export interface Instance {
  handler: RequestHandler;
  prefix: string;
  /** Cancels pending jitter timers. */
  dispose(): void;
}

export function createInstance(opts: InstanceOptions): Instance {
  const cfg = resolveConfig(opts);
  const store = createStore(cfg);
  const preexisting = seedPreexisting(cfg, store);
  const out = createSerialiser(cfg);
  const pipes = createPipes(cfg, out);
  const guard = createGuard(cfg, out);
  const handlers = createHandlers(cfg, store, out, preexisting);
  const router = createRouter(cfg, { out, pipes, guard, handlers, preexisting });
  return { handler: router.handler, prefix: cfg.prefix, dispose: router.dispose };
}
