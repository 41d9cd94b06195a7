/**
 * Faults the robustness sweep (tests/robustness.spec.ts) and the checks of
 * cross-operation consequences must be seen killing: small models of bugs a
 * real Cal.com API v2 (2025-05) showed (research/real-server-findings.md:
 * R2/R6, R7, R8, R9, S1) and of two consequences the document implies. The
 * server work models the same real bugs at their seams more fully
 * (faults/robustness.ts, faults/stored.ts): where both exist, theirs stand and
 * these go.
 */
import type { Body, Patch } from '../seams';
import { suffixEmail } from '../store';
import { bothRules, type FaultDef } from './fault';
import { ok, type FieldRule } from '../validation';

const INT4_MAX = 2147483647;

/** The deepest nesting of objects and arrays in a value, walked without recursion. */
function depthOf(value: unknown): number {
  let deepest = 0;
  const pending: [unknown, number][] = [[value, 0]];
  while (pending.length > 0) {
    const [v, depth] = pending.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    deepest = Math.max(deepest, depth + 1);
    for (const child of Object.values(v)) pending.push([child, depth + 1]);
  }
  return deepest;
}

/** create and update answer 500 to a body `crashes` says the framework cannot take. */
const bodyCrash = (crashes: (body: Body) => boolean): Patch => (s, { answers }) => ({
  create: (ctx, body) => (crashes(body) ? answers.internalError() : s.create(ctx, body)),
  update: (ctx, id, body) => (crashes(body) ? answers.internalError() : s.update(ctx, id, body)),
});

const ownConstructor = (v: unknown) => typeof v === 'object' && v !== null && Object.hasOwn(v, 'constructor');

/** Cal.com's capitalizeTimezone: every '_'-separated word capitalised, the rest lower-cased. */
const capitalised = (zone: string) => zone.split('/').map((part) => part.split('_').map((w) => w.charAt(0).toUpperCase() + w.slice(1).toLowerCase()).join('_')).join('/');
const storedCapitalised = (base: FieldRule): FieldRule => (v) => {
  const verdict = base(v);
  return verdict?.ok && typeof verdict.value === 'string' ? ok(capitalised(verdict.value)) : verdict;
};

/** The list answers 500 when its raw query matches. */
const decoded = (raw: string) => {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
};
const listCrash = (query: RegExp): Patch => (s, { answers }) => ({ list: (ctx, raw) => (query.test(decoded(raw)) ? answers.internalError() : s.list(ctx, raw)) });

export const SWEEP_FAULTS = [
  {
    id: 'sweep-deep-body-500', operation: 'all', kind: 'robustness', description: 'A create or PATCH body nested more than 1 000 levels deep is a 500 (the framework recurses over it before validation).',
    patch: bodyCrash((body) => depthOf(body) > 1000),
  },
  {
    id: 'sweep-metadata-constructor-500', operation: 'all', kind: 'robustness', description: 'A metadata key named constructor is a 500 on create and PATCH (the framework takes it for the value\'s class).',
    patch: bodyCrash((body) => ownConstructor(body.metadata)),
  },
  {
    id: 'sweep-int4-500', operation: 'all', kind: 'robustness', description: 'Integers past 32 bits reach an int4 column: GET of user 2147483648 and PATCH defaultScheduleId 2147483648 are a 500.',
    patch: (s, { answers }) => ({
      get: (ctx, id) => (id > INT4_MAX ? answers.internalError() : s.get(ctx, id)),
      update: (ctx, id, body) => (typeof body.defaultScheduleId === 'number' && body.defaultScheduleId > INT4_MAX ? answers.internalError() : s.update(ctx, id, body)),
    }),
  },
  {
    id: 'sweep-list-bracket-emails-500', operation: 'list', kind: 'robustness', description: 'The list parses its query qs-style and calls a string method on each emails item: emails[0][a]=x is a 500.',
    patch: listCrash(/(^|&)emails\[\d+\]\[/),
  },
  {
    id: 'sweep-list-negative-500', operation: 'list', kind: 'robustness', description: 'A negative limit or offset reaches the query (LIMIT/OFFSET must not be negative): a 500 instead of a 400.',
    patch: listCrash(/(^|&)(limit|offset)=-\d/),
  },
  {
    id: 'sweep-timezone-capitalised', operation: 'all', kind: 'stored', description: 'timeZone is stored with every word capitalised (create and PATCH): America/Port_of_Spain becomes America/Port_Of_Spain.',
    patch: bothRules('timeZone', storedCapitalised),
  },
  {
    id: 'sweep-patch-email-across-clients', operation: 'update', kind: 'writes', description: 'A PATCH checks its e-mail against every client\'s users: the raw e-mail a user of another client has is a 409.',
    patch: (s, { store }) => ({
      patchConflict(ctx, rec, stored) {
        const raw = stored.replace(`+${rec.clientId}@`, '@');
        return s.patchConflict(ctx, rec, stored) ?? [...store.all()].find((u) => u !== rec && u.email === suffixEmail(raw, u.clientId));
      },
    }),
  },
] as const satisfies readonly FaultDef[];
