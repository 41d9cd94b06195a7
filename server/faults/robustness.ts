/**
 * Faults that answer 5xx to a request the document forbids or allows: a value
 * no layer checks reaches the database or the framework's transform, which
 * fails. Each is a bug a real Cal.com API v2 (2025-05) showed
 * (research/real-server-findings.md, R1–R10); the sweep's probes are what
 * should see them (null, U+0000, very long strings, large ids, odd shapes).
 */
import type { Body, Patch } from '../seams';
import type { NewUser } from '../store';
import { type FieldRule, ok, type PatchFields } from '../validation';
import { integerSegment } from '../pipes';
import type { FaultDef } from './fault';
import * as pg from './postgres';

/** @IsOptional() lets null through: the rule takes it as a value. */
const nullPasses = (rule: FieldRule): FieldRule => (v) => (v === null ? ok(null) : rule(v));

/** The text columns of a row or a PATCH, and its jsonb one, as the database checks them. */
function storable(o: Partial<NewUser> | PatchFields): void {
  for (const column of ['email', 'name', 'bio', 'weekStart', 'timeZone', 'locale', 'avatarUrl'] as const) pg.text(o[column], column);
  pg.jsonb(o.metadata, 'metadata');
}

/** How many levels of the body class-transformer can walk before the stack runs out (about 10 000 frames, 6 a level). */
const TRANSFORM_LEVELS = 1666;

/** The deepest nesting of objects and arrays in a value, walked without recursion. */
function depthOf(value: unknown): number {
  let deepest = 0;
  const pending: [unknown, number][] = [[value, 0]];
  while (pending.length > 0) {
    const [v, depth] = pending.pop() as [unknown, number];
    if (typeof v !== 'object' || v === null) continue;
    deepest = Math.max(deepest, depth + 1);
    for (const child of Object.values(v)) pending.push([child, depth + 1]);
  }
  return deepest;
}

/** class-transformer's walk of a create or PATCH body before validation: `check` sees the body first and may throw. */
const transformed = (check: (body: Body) => void): Patch => (s) => ({
  transformCreate(body) {
    check(body);
    return s.transformCreate(body);
  },
  validatePatch(body) {
    check(body);
    return s.validatePatch(body);
  },
});

/** Whether an object or an object inside it has an own `constructor` that is not a function. */
function ownConstructor(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (Object.hasOwn(value, 'constructor') && typeof (value as { constructor: unknown }).constructor !== 'function') return true;
  return Object.values(value).some(ownConstructor);
}

export const ROBUSTNESS_FAULTS = [
  // ── ids ───────────────────────────────────────────────────────────────────
  {
    id: 'user-id-int4-500', operation: 'all', kind: 'robustness', description: 'A userId past 32 bits (2147483648, 9007199254740993) passes the ParseIntPipe and reaches the int4 column: 500 on get, PATCH, delete and force-refresh.',
    patch: (s) => ({
      parseUserId: (ctx, segment) => {
        const digits = integerSegment(segment);
        return digits === null ? s.parseUserId(ctx, segment) : Number.parseInt(digits, 10);
      },
      findUser: (ctx, id) => s.findUser(ctx, pg.int4(id, 'id')),
    }),
  },
  {
    id: 'user-id-unary-plus', operation: 'all', kind: 'robustness', description: "The userId has no ParseIntPipe: Nest's transform makes it +value, so ' 7', '7.0', '0x7' and '+7' address user 7, and 'abc', 'Infinity' or '%00' reach the query as NaN: 500.",
    patch: (s) => ({
      parseUserId(_ctx, segment) {
        try {
          return +decodeURIComponent(segment);
        } catch {
          return Number.NaN;
        }
      },
      findUser: (ctx, id) => (Number.isInteger(id) ? s.findUser(ctx, id) : s.findUser(ctx, pg.int4(id, 'id'))),
    }),
  },
  {
    id: 'schedule-id-int4-500', operation: 'update', kind: 'robustness', description: 'PATCH defaultScheduleId is checked with @IsNumber() only: 2147483648 or 1e20 reaches the int4 column: 500.',
    patch: (s) => ({
      patchRules: { ...s.patchRules, defaultScheduleId: (v) => (typeof v === 'number' && Number.isFinite(v) ? ok(v) : s.patchRules.defaultScheduleId(v)) },
      applyPatch(ctx, rec, p) {
        if (typeof p.defaultScheduleId === 'number') pg.int4(p.defaultScheduleId, 'defaultScheduleId');
        s.applyPatch(ctx, rec, p);
      },
    }),
  },

  // ── null where the column is NOT NULL ─────────────────────────────────────
  {
    id: 'create-null-optional-500', operation: 'create', kind: 'robustness', description: 'Create with weekStart or timeZone null: @IsOptional() lets null through to the insert, whose NOT NULL column refuses it: 500.',
    patch: (s) => ({
      createRules: { ...s.createRules, weekStart: nullPasses(s.createRules.weekStart), timeZone: nullPasses(s.createRules.timeZone) },
      newUser(ctx, f, stored) {
        const row = s.newUser(ctx, f, stored);
        return { ...row, weekStart: f.weekStart === null ? (null as unknown as string) : row.weekStart, timeZone: f.timeZone === null ? (null as unknown as string) : row.timeZone };
      },
      insertUser(ctx, row, body) {
        pg.notNull(row.weekStart, 'weekStart');
        pg.notNull(row.timeZone, 'timeZone');
        return s.insertUser(ctx, row, body);
      },
    }),
  },
  {
    id: 'patch-null-500', operation: 'update', kind: 'robustness', description: "PATCH with email, weekStart or timeZone null: @IsOptional() lets null through to the update, whose NOT NULL column refuses it: 500; a new e-mail sent with it has had its username written already (its own statement).",
    patch: (s, { store }) => ({
      patchRules: { ...s.patchRules, email: nullPasses(s.patchRules.email), weekStart: nullPasses(s.patchRules.weekStart), timeZone: nullPasses(s.patchRules.timeZone) },
      // `if (body.email)`: a null e-mail skips the suffixing and the conflict check.
      normaliseEmail: (email) => (email === null ? email : s.normaliseEmail(email)),
      storedEmail: (ctx, raw, rec) => (raw === null ? raw : s.storedEmail(ctx, raw, rec)),
      applyPatch(ctx, rec, p) {
        if (typeof p.email === 'string') Object.assign(rec, { username: store.usernameOf(s.storedEmail(ctx, s.normaliseEmail(p.email), rec)), json: null });
        for (const column of ['email', 'weekStart', 'timeZone'] as const) pg.notNull(p[column], column);
        s.applyPatch(ctx, rec, p);
      },
    }),
  },

  // ── what text columns cannot hold ─────────────────────────────────────────
  {
    id: 'nul-in-text-500', operation: 'all', kind: 'robustness', description: 'A string holding U+0000 (e-mail, name, bio, a metadata key or value) reaches PostgreSQL, whose text and jsonb cannot hold it: 500 on create and PATCH.',
    patch: (s) => ({
      insertUser(ctx, row, body) {
        storable(row);
        return s.insertUser(ctx, row, body);
      },
      applyPatch(ctx, rec, p) {
        storable(p);
        s.applyPatch(ctx, rec, p);
      },
    }),
  },
  {
    id: 'client-id-nul-500', operation: 'all', kind: 'robustness', description: "The guard looks the path's client id up in the database before it checks the secret: a client id holding U+0000 (%00) is a 500 on every operation, whatever the secret.",
    patch: (s) => ({
      authorise(ctx) {
        pg.text(ctx.clientId, 'PlatformOAuthClient.id');
        return s.authorise(ctx);
      },
    }),
  },
  {
    id: 'long-email-500', operation: 'all', kind: 'robustness', description: 'The e-mail has no length limit: one whose stored form and username outgrow a btree index row (a local part of 2000 characters) is a 500 on create and PATCH.',
    patch: (s, { store }) => ({
      insertUser(ctx, row, body) {
        pg.uniqueEmailIndexes(row.email, store.usernameOf(row.email));
        return s.insertUser(ctx, row, body);
      },
      setEmail(ctx, rec, stored) {
        pg.uniqueEmailIndexes(stored, store.usernameOf(stored));
        s.setEmail(ctx, rec, stored);
      },
    }),
  },

  // ── the framework's transform, before validation ──────────────────────────
  {
    id: 'metadata-constructor-500', operation: 'all', kind: 'robustness', description: "A metadata key named constructor (create or PATCH) is taken by class-transformer for the value's class: TypeError, 500 with the framework's body instead of the envelope.",
    patch: transformed((body) => {
      if (ownConstructor(body.metadata)) throw pg.frameworkCrash("TypeError: Cannot read properties of undefined (reading 'constructor')");
    }),
  },
  {
    id: 'deep-nesting-500', operation: 'all', kind: 'robustness', description: "A create or PATCH body nested about 2000 levels deep exhausts class-transformer's recursion before validation: RangeError, 500 with the framework's body.",
    patch: transformed((body) => {
      if (depthOf(body) > TRANSFORM_LEVELS) throw pg.frameworkCrash('RangeError: Maximum call stack size exceeded');
    }),
  },
  {
    id: 'list-emails-object-500', operation: 'list', kind: 'robustness', description: "The list's query is parsed qs-style: emails[0][a]=x makes an array holding an object, which the input passes on unchecked and the service calls .includes on: TypeError, 500 with the framework's body.",
    patch: (s) => ({
      parseListQuery(rawQuery) {
        const keys = [...new URLSearchParams(rawQuery).keys()];
        if (keys.some((k) => /^emails\[\d*\]\[/.test(k))) throw pg.frameworkCrash('TypeError: email.includes is not a function');
        return s.parseListQuery(rawQuery);
      },
    }),
  },
  {
    id: 'list-negative-500', operation: 'list', kind: 'robustness', description: 'A negative limit or offset reaches the query (LIMIT/OFFSET must not be negative): a 500 instead of a 400.',
    patch: (s) => ({
      parseListQuery(rawQuery) {
        const params = new URLSearchParams(rawQuery);
        if (['limit', 'offset'].some((k) => /^-\d/.test(params.get(k) ?? ''))) throw pg.prismaError('LIMIT must not be negative');
        return s.parseListQuery(rawQuery);
      },
    }),
  },
  {
    id: 'patch-array-body-500', operation: 'update', kind: 'robustness', description: 'A PATCH body that is a JSON array passes validation (every field is optional) and becomes the update\'s data: 500.',
    patch: (s, { answers }) => ({
      asBody: (ctx, parsed) => (ctx.op === 'update' && Array.isArray(parsed) ? (parsed as unknown as Body) : s.asBody(ctx, parsed)),
      update(ctx, id, body) {
        if (!Array.isArray(body)) return s.update(ctx, id, body);
        if (s.findUser(ctx, id) === undefined) return answers.notFound(id);
        throw pg.prismaError('Argument `data`: Invalid value provided. Expected UserUpdateInput, provided ().');
      },
    }),
  },
] as const satisfies readonly FaultDef[];
