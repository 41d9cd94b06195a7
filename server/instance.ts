/**
 * One stateful reference-server instance, wired from its parts:
 *
 *   config.ts       options checked and resolved
 *   store.ts        the user table: records, indexes, ids, insert/remove
 *   preexisting.ts  users that exist before the run, and the watch on them
 *   seams.ts        the replaceable functions a request flows through, written by:
 *     routing.ts      dispatch (guard → userId → body → operation)
 *     guard.ts        the OAuth-client guard (and, outside the seams, the throttler)
 *     pipes.ts        body reading/parsing and userId parsing
 *     validation.ts   body rules, metadata bounds, list query
 *     handlers.ts     the six operations
 *     repository.ts   the data layer's queries
 *     tokens.ts       token pairs
 *     serialise.ts    user and token JSON, envelopes, the write
 *   faults/         the fault catalogue: each fault a patch of a few seams
 *   variants/       the variants: stacks of version behaviours and faults laid over the legal seams
 *
 * Pure node:http request/response handling; no framework.
 */
import { createAnswers } from './answers';
import { resolveConfig } from './config';
import { faultPatch } from './faults';
import { createThrottle, guardSeams } from './guard';
import { operationSeams } from './handlers';
import { pipeSeams } from './pipes';
import { seedPreexisting } from './preexisting';
import { repositorySeams } from './repository';
import { createRouter, type RequestHandler, routingSeams } from './routing';
import { composePatches, type Env, type Patch, type Seams } from './seams';
import { serialiseSeams } from './serialise';
import { createStore } from './store';
import { tokenSeams } from './tokens';
import type { InstanceOptions } from './types';
import { validationSeams } from './validation';
import { variantPatch } from './variants';

export { DEFAULT_SEED, normalisePrefix } from './config';
export { suffixEmail } from './store';

export interface Instance {
  handler: RequestHandler;
  prefix: string;
  /** Cancels pending jitter timers. */
  dispose(): void;
}

/** The legal seams of every module, calling each other through `self`. */
export function legalSeams(env: Env, self: Seams): Seams {
  return {
    ...routingSeams(env, self),
    ...guardSeams(env, self),
    ...pipeSeams(env, self),
    ...validationSeams(env, self),
    ...operationSeams(env, self),
    ...repositorySeams(env, self),
    ...tokenSeams(env, self),
    ...serialiseSeams(env, self),
  };
}

/** The legal seams with the patch (if any) laid over them; every seam calls the others through the result. */
export function assembleSeams(env: Env, patch: Patch | undefined): Seams {
  const self = {} as Seams;
  const legal = legalSeams(env, self);
  return Object.assign(self, legal, patch?.(legal, env));
}

export function createInstance(opts: InstanceOptions): Instance {
  const cfg = resolveConfig(opts);
  const store = createStore(cfg);
  const preexisting = seedPreexisting(cfg, store);
  const env: Env = { cfg, store, preexisting, answers: createAnswers(cfg.msgs) };
  // The variant's layers, then the injected fault over them, then a caller's patch (explore's model).
  const layers = [variantPatch(cfg.variant), faultPatch(cfg.fault), opts.patch].filter((p): p is Patch => p !== undefined);
  const seams = assembleSeams(env, layers.length === 0 ? undefined : composePatches(layers));
  const router = createRouter(env, { seams, throttle: createThrottle(cfg), preexisting });
  return { handler: router.handler, prefix: cfg.prefix, dispose: router.dispose };
}
