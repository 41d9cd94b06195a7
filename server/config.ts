/** Instance options checked and resolved once: what every part of an instance reads. */
import type { FaultId } from './faults';
import { isFaultId } from './faults';
import { LEGAL_MESSAGES, type Messages, STANDARD_MESSAGES } from './messages';
import { MAX_LOOKALIKES } from './population';
import type { RateLimitOptions } from './ratelimit';
import type { ClientCredentials, InstanceOptions } from './types';
import { isVariant, type Variant, VARIANTS } from './variants';

export const DEFAULT_SEED = 20240401;

export interface InstanceConfig {
  clients: readonly ClientCredentials[];
  fault: FaultId | null;
  /** The variant whose layers are laid over the legal seams (server/variants/). */
  variant: Variant;
  /** The variant's presentation is the legal one: ids, order, formats, wording, extra fields, timing. */
  legal: boolean;
  prefix: string;
  seed: number;
  jitterMs: number;
  latencyMs: number;
  preexistingPerClient: number;
  /** Lookalikes among each client's pre-existing users. */
  lookalikesPerClient: number;
  rateLimit: RateLimitOptions | undefined;
  msgs: Messages;
  /** Content type of every JSON answer. */
  jsonType: string;
}

export function normalisePrefix(prefix: string | undefined): string {
  if (!prefix) return '';
  let p = prefix.trim();
  if (!p.startsWith('/')) p = `/${p}`;
  while (p.endsWith('/')) p = p.slice(0, -1);
  return p;
}

export function resolveConfig(opts: InstanceOptions): InstanceConfig {
  if (!Array.isArray(opts.clients) || opts.clients.length === 0) throw new Error('at least one OAuth client is required');
  for (const c of opts.clients) {
    if (!c || typeof c.id !== 'string' || c.id === '' || typeof c.secret !== 'string' || c.secret === '') {
      throw new Error('every client needs a non-empty string id and secret');
    }
  }
  const injected = opts.fault ?? null;
  if (injected !== null && !isFaultId(injected)) throw new Error(`unknown fault id: ${String(injected)}`);
  const variant = opts.variant ?? 'standard';
  if (!isVariant(variant)) throw new Error(`unknown variant: ${String(variant)}`);
  const legal = VARIANTS[variant].presentation === 'legal';
  const msgs: Messages = legal ? LEGAL_MESSAGES : STANDARD_MESSAGES;
  const preexistingPerClient = Math.max(0, Math.floor(opts.preexistingUsers ?? (legal ? 40 : 0)));
  const lookalikes = opts.lookalikes ?? 0;
  if (!Number.isInteger(lookalikes) || lookalikes < 0 || lookalikes > MAX_LOOKALIKES) {
    throw new Error(`lookalikes must be an integer from 0 to ${MAX_LOOKALIKES}, got ${String(lookalikes)}`);
  }
  return {
    clients: opts.clients,
    fault: injected,
    variant,
    legal,
    prefix: normalisePrefix(opts.prefix),
    seed: (opts.seed ?? DEFAULT_SEED) >>> 0,
    jitterMs: Math.max(0, opts.jitterMs ?? (legal ? 15 : 0)),
    latencyMs: Math.max(0, opts.latencyMs ?? 0),
    preexistingPerClient,
    lookalikesPerClient: Math.min(lookalikes, preexistingPerClient),
    rateLimit: opts.rateLimit,
    msgs,
    jsonType: legal ? 'application/json' : 'application/json; charset=utf-8',
  };
}
