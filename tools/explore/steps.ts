/**
 * What explore does, as data: the six operations with their inputs, for
 * either OAuth client, and the fast-check arbitraries that generate them.
 * Bodies are generated from the contract document's request schemas: valid
 * values from each property's schema (enums, known field meanings), edge and
 * invalid values from the rule catalogue (fixtures/contract/rules.ts: the same
 * accepting and rejecting cases the named checks use). Users are named by
 * slot (the n-th user this sequence created), resolved when the step runs, so
 * a shrunk sequence still means something.
 */
import fc from 'fast-check';
import { fieldSamples } from '../../fixtures/contract/rules';
import { rawRequestSchema, resolveRaw, type OperationId } from '../../fixtures/contract/openapi';
import { TIME_ZONES } from '../../fixtures/contract/inputs';

export type ClientName = 'A' | 'B';
export type Auth = 'ok' | 'none' | 'wrong';
/** A user of this sequence: slot `pick` modulo the slots created so far. */
export interface SlotPick {
  slot: number;
}
/** The e-mail a create or PATCH sends: a new one of this run, or one this sequence already used (a duplicate), in capitals or not. */
export type EmailChoice = { kind: 'new' } | { kind: 'reuse'; pick: number; upper: boolean };
export type ListEmails = { kind: 'some'; picks: number[]; suffixed: boolean } | { kind: 'invalid' };

export type Step =
  | { op: 'create'; client: ClientName; auth: Auth; email: EmailChoice | null; fields: Record<string, unknown> }
  | { op: 'list'; client: ClientName; auth: Auth; limit?: string; offset?: string; emails?: ListEmails }
  | { op: 'get'; client: ClientName; auth: Auth; who: SlotPick | 'unknown' | 'malformed' }
  | { op: 'update'; client: ClientName; auth: Auth; who: SlotPick; email: EmailChoice | null; fields: Record<string, unknown> }
  | { op: 'delete'; client: ClientName; auth: Auth; who: SlotPick }
  | { op: 'forceRefresh'; client: ClientName; auth: Auth; who: SlotPick };

/** A value filled in per side when the step runs: the user's own default schedule id (target and model each have theirs). */
export const OWN_SCHEDULE = '$ownDefaultScheduleId';

const short = (v: unknown) => {
  const s = JSON.stringify(v) ?? 'undefined';
  return s.length > 40 ? `${s.slice(0, 37)}…${s.at(-1)}` : s;
};

export function describeStep(s: Step): string {
  const who = (w: SlotPick | 'unknown' | 'malformed') => (typeof w === 'string' ? (w === 'unknown' ? 'an unknown id' : 'id "abc"') : `user #${w.slot}`);
  const auth = s.auth === 'ok' ? '' : s.auth === 'none' ? ' (no secret)' : ' (wrong secret)';
  const email = (e: EmailChoice | null) => (e === null ? '' : e.kind === 'new' ? 'email: <new>' : `email: <e-mail #${e.pick}${e.upper ? ', upper-case' : ''}>`);
  const fields = (f: Record<string, unknown>, e: EmailChoice | null) => `{${[email(e), ...Object.entries(f).map(([k, v]) => `${k}: ${short(v)}`)].filter(Boolean).join(', ')}}`;
  switch (s.op) {
    case 'create':
      return `create as ${s.client}${auth} ${fields(s.fields, s.email)}`;
    case 'list': {
      const q = [s.limit !== undefined ? `limit=${s.limit}` : '', s.offset !== undefined ? `offset=${s.offset}` : '', s.emails ? (s.emails.kind === 'invalid' ? 'emails=<invalid>' : `emails=<e-mails ${s.emails.picks.map((p) => `#${p}`).join(',')}${s.emails.suffixed ? ', suffixed' : ''}>`) : ''].filter(Boolean);
      return `list as ${s.client}${auth}${q.length ? ` ?${q.join('&')}` : ''}`;
    }
    case 'get':
      return `get ${who(s.who)} as ${s.client}${auth}`;
    case 'update':
      return `update ${who(s.who)} as ${s.client}${auth} ${fields(s.fields, s.email)}`;
    case 'delete':
      return `delete ${who(s.who)} as ${s.client}${auth}`;
    case 'forceRefresh':
      return `force-refresh ${who(s.who)} as ${s.client}${auth}`;
  }
}

type Schema = { [k: string]: any };

const resolve = resolveRaw;

/** The request body schema of an operation, by operationId, in the raw document. */
function bodySchema(doc: any, operationId: OperationId): Schema {
  return rawRequestSchema(doc, operationId) ?? {};
}

const NAMES = ['Ada Lovelace', 'Grace Hopper', 'Émilie du Châtelet', 'Zhang Wei', 'O\'Brien', 'x'];
const URLS = ['https://cal.com/api/avatar/a.png', 'http://example.com/b.png', 'https://example.org/p?q=1'];
const ZONES = [...TIME_ZONES, 'UTC', 'Europe/London', 'america/new_york', 'Asia/Kolkata'];

/** A valid value for a body property: known fields by meaning, the rest by schema. */
function validValue(doc: any, name: string, s: Schema, op: 'create' | 'update'): fc.Arbitrary<unknown> | null {
  const r = resolve(doc, s);
  if (Array.isArray(r.enum) && r.enum.length) return fc.constantFrom(...r.enum.filter((v: unknown) => v !== null));
  switch (name) {
    case 'email':
      return null; // e-mails are chosen by EmailChoice, always this run's own
    case 'name':
      return fc.oneof(fc.constantFrom(...NAMES), fc.string({ maxLength: 16 }));
    case 'bio':
      return fc.oneof(fc.lorem({ maxCount: 6 }), fc.string({ maxLength: 24 }));
    case 'timeZone':
      return fc.constantFrom(...ZONES);
    case 'avatarUrl':
      return fc.constantFrom(...URLS);
    case 'defaultScheduleId':
      return op === 'update' ? fc.constant(OWN_SCHEDULE) : null;
    case 'metadata':
      return fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9]{0,9}$/), fc.oneof(fc.string({ maxLength: 12 }), fc.integer({ min: -1000, max: 1000 }), fc.boolean()), { maxKeys: 4 });
  }
  const t = Array.isArray(r.type) ? r.type.find((x: string) => x !== 'null') : r.type;
  switch (t) {
    case 'string':
      return fc.string({ minLength: r.minLength ?? 0, maxLength: Math.min(r.maxLength ?? 16, 16) });
    case 'integer':
      return fc.integer({ min: r.minimum ?? 0, max: r.maximum ?? 1000 });
    case 'number':
      return fc.double({ min: r.minimum ?? 0, max: r.maximum ?? 1000, noNaN: true });
    case 'boolean':
      return fc.boolean();
    default:
      return null; // objects and arrays without a known meaning: not generated
  }
}

/** Inputs a version behaviour decides, sent only where the run settled it (behaviours.ts): create with timeFormat "24", with timeZone null. */
export interface VersionInputs {
  timeFormatString: boolean;
  timeZoneNull: boolean;
}

/**
 * The steps explore draws from: weighted by repetition (fc.commands picks one
 * arbitrary uniformly). `twoClients`: whether the target has a second OAuth client.
 */
export function stepArbitraries(doc: any, twoClients: boolean, versions: VersionInputs = { timeFormatString: true, timeZoneNull: true }): fc.Arbitrary<Step>[] {
  const client: fc.Arbitrary<ClientName> = twoClients ? fc.oneof({ weight: 3, arbitrary: fc.constant<ClientName>('A') }, { weight: 1, arbitrary: fc.constant<ClientName>('B') }) : fc.constant<ClientName>('A');
  const auth: fc.Arbitrary<Auth> = fc.oneof({ weight: 30, arbitrary: fc.constant<Auth>('ok') }, { weight: 1, arbitrary: fc.constant<Auth>('none') }, { weight: 1, arbitrary: fc.constant<Auth>('wrong') });
  const pick = fc.nat({ max: 15 });
  const who = pick.map((slot) => ({ slot }));
  const newOrReused: fc.Arbitrary<EmailChoice> = fc.oneof({ weight: 5, arbitrary: fc.constant<EmailChoice>({ kind: 'new' }) }, { weight: 3, arbitrary: fc.record({ kind: fc.constant('reuse' as const), pick, upper: fc.boolean() }) });

  const body = (op: 'create' | 'update') => {
    const schema = bodySchema(doc, op === 'create' ? 'OAuthClientUsersController_createUser' : 'OAuthClientUsersController_updateUser');
    const required = new Set<string>(schema.required ?? []);
    const samples = fieldSamples(doc, op);
    const parts: Record<string, fc.Arbitrary<unknown>> = {};
    for (const [name, s] of Object.entries<Schema>(schema.properties ?? {})) {
      const valid = validValue(doc, name, s, op);
      if (!valid) continue;
      const edge = [...(samples.get(name)?.edge ?? []), ...(op === 'create' && name === 'timeFormat' && versions.timeFormatString ? ['24'] : []), ...(op === 'create' && name === 'timeZone' && versions.timeZoneNull ? [null] : [])];
      const invalid = samples.get(name)?.invalid ?? [];
      const value = fc.oneof(
        { weight: 8, arbitrary: valid },
        ...(edge.length ? [{ weight: 3, arbitrary: fc.constantFrom(...edge) }] : []),
        ...(invalid.length ? [{ weight: 1, arbitrary: fc.constantFrom(...invalid) }] : []),
      );
      // Required fields are sent almost always; optional ones now and then (a time zone more often: it gives a user its schedule).
      // Cross-shrinking lets a shrunk sequence drop the optional fields its divergence does not need.
      parts[name] = required.has(name)
        ? fc.oneof({ weight: 30, arbitrary: value }, { weight: 1, arbitrary: fc.constant(undefined) })
        : fc.oneof({ withCrossShrink: true }, { weight: name === 'timeZone' ? 1 : 2, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: value });
    }
    return fc.record(parts).map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)));
  };

  const create = fc.record({ op: fc.constant('create' as const), client, auth, email: newOrReused, fields: body('create') });
  const update = fc.record({
    op: fc.constant('update' as const),
    client,
    auth,
    who,
    email: fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: newOrReused }),
    fields: body('update'),
  });
  const bound = (valid: fc.Arbitrary<string>, invalid: string[]) =>
    fc.oneof({ weight: 5, arbitrary: fc.constant(undefined) }, { weight: 4, arbitrary: valid }, { weight: 1, arbitrary: fc.constantFrom(...invalid) });
  const list = fc.record({
    op: fc.constant('list' as const),
    client,
    auth,
    limit: bound(fc.constantFrom('1', '2', '3', '50', '250'), ['0', '251', 'abc']),
    offset: bound(fc.constantFrom('0', '1', '2', '3', '250'), ['-1', '251']),
    emails: fc.oneof(
      { weight: 2, arbitrary: fc.constant(undefined) },
      { weight: 5, arbitrary: fc.record({ kind: fc.constant('some' as const), picks: fc.uniqueArray(pick, { minLength: 1, maxLength: 4 }), suffixed: fc.boolean() }) },
      { weight: 1, arbitrary: fc.constant({ kind: 'invalid' as const }) },
    ),
  }).map((s) => Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined)) as Step);
  const get = fc.record({
    op: fc.constant('get' as const),
    client,
    auth,
    who: fc.oneof({ weight: 8, arbitrary: who }, { weight: 1, arbitrary: fc.constant('unknown' as const) }, { weight: 1, arbitrary: fc.constant('malformed' as const) }),
  });
  const remove = fc.record({ op: fc.constant('delete' as const), client, auth, who });
  const refresh = fc.record({ op: fc.constant('forceRefresh' as const), client, auth, who });
  // Weights by repetition: creates and updates build up state, reads observe it.
  return [create, create, create, create, update, update, update, list, list, get, get, refresh, remove] as fc.Arbitrary<Step>[];
}
