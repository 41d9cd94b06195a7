/**
 * The reference model: the reference server's logic (its standard variant),
 * a fresh instance per sequence, with a patch of its seams that makes it
 * answer what the document and the profile in force promise:
 *   - each version behaviour the run settled (the profile's, or the one the
 *     target showed where the profile leaves a choice: behaviours.ts),
 *   - each request deviation the profile accepts (a value outside an enum
 *     taken, an allowed value refused), so that it is no divergence.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ClientCredentials } from '../../fixtures/settings/target';
import type { Accepted } from '../../fixtures/contract/deviations';
import type { BehaviourName } from '../../fixtures/contract/profile';
import { operation } from '../../fixtures/contract/operations';
import { createHandler } from '../../server';
import type { Patch, Seams } from '../../server/seams';
import { CREATE_FIELDS, fail, type FieldRule, ok, PATCH_FIELDS } from '../../server/validation';

/** The version behaviours the model follows (a behaviour left out: the reference server's own). */
export type Settled = Partial<Record<BehaviourName, string>>;

export interface Model {
  url: string;
  /** A new, empty instance: the next sequence starts from nothing. */
  reset(): void;
  close(): Promise<void>;
}

export async function startModel(clients: ClientCredentials[], patch?: Patch): Promise<Model> {
  const fresh = () => createHandler({ clients: clients.map((c) => ({ id: c.id, secret: c.secret })), variant: 'standard', preexistingUsers: 0, jitterMs: 0, ...(patch ? { patch } : {}) });
  let handler = fresh();
  const server: Server = createServer((req, res) => handler(req, res));
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    reset: () => {
      handler = fresh();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * The model's patch: the settled behaviours (timeFormat "24" on create: the reference server coerces it; timeZone
 * null on create: it takes it as absent), then the accepted request deviations. E-mail case needs no patch: where
 * a target keeps it, explore sends no e-mail in other letter case (steps.ts).
 */
export function modelPatch(settled: Settled, accepted: Accepted[]): Patch {
  return (s, env) => {
    const msgs = env.cfg.msgs;
    const rules: Rules = { createRules: { ...s.createRules }, patchRules: { ...s.patchRules } };
    if (settled['timeZone-null-on-create'] === 'rejected') rules.createRules.timeZone = refuseNull(s.createRules.timeZone, msgs.mustBeString('timeZone'));
    for (const a of accepted.filter((x) => x.in === 'request')) applyDeviation(rules, a, msgs.mustBeOneOf(a.pointer.slice(1), []));
    const out: Partial<Seams> = { createRules: rules.createRules as Seams['createRules'], patchRules: rules.patchRules as Seams['patchRules'] };
    if (settled['timeFormat-numeric-string'] === 'rejected') out.transformCreate = (body) => body;
    return out;
  };
}

const refuseNull = (base: FieldRule, message: string): FieldRule => (v) => (v === null ? fail('timeZone', 'type', message) : base(v));

type Rules = { createRules: Record<string, FieldRule>; patchRules: Record<string, FieldRule> };

/**
 * One accepted request deviation, in the rules of the operations it names: `reject` (the server takes what the
 * rule forbids) keeps only the type check of the field; `accept` with a value (the server refuses an allowed one)
 * refuses that value. Other shapes change nothing here.
 */
function applyDeviation(rules: Rules, a: Accepted, message: string): void {
  const field = a.pointer.replace(/^\//, '');
  const sets = [
    ...(matches(a.operation, 'create') && (CREATE_FIELDS as readonly string[]).includes(field) ? [rules.createRules] : []),
    ...(matches(a.operation, 'update') && (PATCH_FIELDS as readonly string[]).includes(field) ? [rules.patchRules] : []),
  ];
  for (const set of sets) {
    const base = set[field]!;
    if (a.side === 'reject' && a.kind !== 'type' && a.kind !== 'required' && a.value === undefined) set[field] = typeOnly(base);
    else if (a.side === 'accept' && a.value !== undefined) set[field] = (v) => (v === a.value ? fail(field, 'value', message) : base(v));
  }
}

const matches = (entry: string, key: 'create' | 'update') => entry === '*' || entry === key || entry === operation(key).id;

/** The rule with every value error dropped: only the type is checked. */
const typeOnly = (base: FieldRule): FieldRule => (v) => {
  const verdict = base(v);
  return verdict && !verdict.ok && verdict.errors.every((e) => e.kind === 'value') ? ok(v) : verdict;
};
