/**
 * Deviations from the published document that real Cal.com versions show
 * (research/real-server-findings.md, D1–D11; calcom-versions.md): each a
 * fault against the published profile, and a layer of the version variants
 * (server/variants/) that reproduce those versions. A version profile may
 * accept one (schemas/profiles/); the published one accepts none.
 */
import { failure } from '../answers';
import type { Answer } from '../answers';
import type { Patch } from '../seams';
import { LIST_BOUNDS, ok } from '../validation';
import { accepts, createRule, type FaultDef, isString } from './fault';

/** checkInputEmailIsValid, as create's service calls it: something, '@', and a dotted domain; no spaces. */
const CALCOM_EMAIL = /^\S+@[^\s@]+\.[^\s@]+$/;

/** body-parser's default limit of the JSON middleware. */
const JSON_LIMIT = 100 * 1024;
const BARE_413: Answer = { kind: 'raw', status: 413, body: '{"statusCode":413,"message":"request entity too large"}' };

/** The create's and PATCH's timeFormat, and the PATCH's locale: null taken as a value and stored. */
const nullStored: Patch = (s) => ({
  createRules: { ...s.createRules, timeFormat: (v) => (v === null ? ok(null) : s.createRules.timeFormat(v)) },
  patchRules: { ...s.patchRules, locale: (v) => (v === null ? ok(null) : s.patchRules.locale(v)) },
  newUser(ctx, f, stored) {
    const row = s.newUser(ctx, f, stored);
    return (f.timeFormat as unknown) === null ? { ...row, timeFormat: null } : row;
  },
  userObject: (rec) => ({ ...s.userObject(rec), ...((rec.locale as unknown) === null ? { locale: null } : {}) }),
});

/** null taken where the document's types have none: create as absent (every optional field), PATCH as "clear" (the columns that may be null). */
const CLEARABLE = ['name', 'timeFormat', 'defaultScheduleId', 'avatarUrl', 'bio'] as const;
const nullTaken: Patch = (s) => ({
  createRules: Object.fromEntries(Object.entries(s.createRules).map(([f, rule]) => [f, f === 'email' || f === 'name' ? rule : (v: unknown) => (v === null ? null : rule(v))])) as typeof s.createRules,
  patchRules: { ...s.patchRules, ...Object.fromEntries(CLEARABLE.map((f) => [f, (v: unknown) => (v === null ? ok(null) : s.patchRules[f](v))])) },
});

export const DEVIATION_FAULTS = [
  {
    id: 'null-taken', operation: 'all', kind: 'deviation', description: 'null is taken where the document\'s types have none: create takes it as absent for every optional field, PATCH clears name, timeFormat, defaultScheduleId, avatarUrl and bio with it (@IsOptional lets null through), instead of a 400.',
    patch: nullTaken,
  },
  {
    id: 'create-weekstart-type-only', operation: 'create', kind: 'deviation', description: 'Create checks only that weekStart is a string ("Funday", "monday" and "" are stored); PATCH checks the enum. (Cal.com 2025-05 and 2025-12.)',
    patch: createRule('weekStart', accepts(isString)),
  },
  {
    id: 'create-email-trpc-400', operation: 'create', kind: 'deviation', description: 'Create checks the address inside the service and refuses "", "x", "x@" or "x@localhost" with 400 error.code "TRPCError", no details.errors. (Cal.com 2025-05 and 2025-12.)',
    patch: (s) => ({
      create(ctx, body) {
        const email = body.email;
        const valid = typeof email !== 'string' || CALCOM_EMAIL.test(email) || s.validateCreate(body).errors.length > 0;
        return valid ? s.create(ctx, body) : failure(400, 'TRPCError', 'Bad Request');
      },
    }),
  },
  {
    id: 'payload-limit-100kb-bare', operation: 'all', kind: 'deviation', description: "JSON bodies over 100 kB (body-parser's default) are refused with 413 and the framework's body {statusCode, message}, not the error envelope.",
    patch: (s) => ({
      readBody: (ctx, onBody) => s.readBody(ctx, (buf) => (buf.length > JSON_LIMIT ? s.send(ctx, BARE_413) : onBody(buf))),
      send: (x, a) => s.send(x, a.kind === 'error' && a.status === 413 ? BARE_413 : a),
    }),
  },
  {
    id: 'list-params-parseint', operation: 'list', kind: 'deviation', description: 'limit and offset are read with parseInt: 1.5, 1abc and 1e3 are taken as 1, 0x10 as 16, limit=1&limit=2 as 1 (200 instead of 400).',
    patch: (s, { cfg }) => ({
      listParam(params, name) {
        const all = params.getAll(name);
        if (all.length === 0) return s.listDefaults()[name];
        const n = Number.parseInt(all.join(','));
        const { min, max } = LIST_BOUNDS[name];
        return Number.isInteger(n) && n >= min && n <= max ? n : cfg.msgs.queryInt(name, min, max);
      },
    }),
  },
  {
    id: 'list-emails-array-unchecked', operation: 'list', kind: 'deviation', description: 'The emails filter checks its addresses only in the comma form: a repeated emails= (the array form) passes invalid addresses unchecked (200, matching nothing).',
    patch: (s) => ({ listEmails: (values) => (values.length > 1 ? values.filter((v) => v !== '') : s.listEmails(values)) }),
  },
  {
    id: 'patch-unparsed-body-noop', operation: 'update', kind: 'deviation', description: 'A PATCH body that is not application/json (text/plain, form-urlencoded, application/vnd.api+json) is not parsed: 200 and nothing changes.',
    patch: (s) => ({
      parseBody(ctx, buf) {
        const media = (ctx.req.headers['content-type'] ?? 'application/json').split(';')[0]?.trim().toLowerCase();
        return ctx.op === 'update' && media !== 'application/json' ? {} : s.parseBody(ctx, buf);
      },
    }),
  },
  {
    id: 'null-stored-as-sent', operation: 'all', kind: 'deviation', description: 'null is taken as a value where the document has none: create timeFormat null is stored (timeFormat null, not 12), PATCH locale null is stored (locale null) instead of a 400.',
    patch: nullStored,
  },
] as const satisfies readonly FaultDef[];
