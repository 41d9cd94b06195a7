/**
 * Faults at the accepting edges: a rule's largest, smallest or other accepted
 * value refused, a default got wrong (they exist so that the accepting side of
 * every rule is seen failing), and the malformed-id one.
 */
import { integerSegment } from '../pipes';
import type { Patch } from '../seams';
import { fail, isPlainObject, LIST_BOUNDS, type ListParam, LOCALE_LIST, METADATA_BOUNDS, type MetadataBound, WEEKDAY_LIST } from '../validation';
import { accepts, bothRules, createRule, type FaultDef, isFiniteNumber, isString, patchRule, refuses } from './fault';

const AREA_LOCATION = /^[A-Za-z_]+\/[A-Za-z_-]+$/;

/** A metadata bound compared with >= where the rule says >. */
const offByOne = (bound: MetadataBound): Patch => (s) => ({ metadataBound: (b, n) => (b === bound ? n < METADATA_BOUNDS[bound] : s.metadataBound(b, n)) });

/** A list bound taken one too far in: `name` given as `edge(bounds)` is refused. */
const refusesParam = (name: ListParam, edge: (b: { min: number; max: number }) => number): Patch => (s, { cfg }) => ({
  listParam(params, param) {
    const n = s.listParam(params, param);
    const bounds = LIST_BOUNDS[param];
    return param === name && params.has(param) && n === edge(bounds) ? cfg.msgs.queryInt(param, bounds.min, bounds.max) : n;
  },
});

/** The URL's path with its client and user segments as the route's parameters. */
const routeTemplate = (url: string) =>
  (url.split('?')[0] ?? '').replace(/\/oauth-clients\/[^/]+/, '/oauth-clients/:clientId').replace(/\/users\/[^/]+/, '/users/:userId');

export const EDGE_FAULTS = [
  // ── ids ───────────────────────────────────────────────────────────────────
  {
    id: 'malformed-id-500', operation: 'all', kind: 'ids', description: 'A userId that is not an integer string answers 500 instead of 400.',
    patch: (s, { answers }) => ({
      parseUserId(ctx, segment) {
        if (integerSegment(segment) !== null) return s.parseUserId(ctx, segment);
        s.send(ctx, answers.internalError());
        return undefined;
      },
    }),
  },

  // ── accepting edges: a rule's largest, smallest or other accepted value refused ──
  {
    id: 'create-timezone-required', operation: 'create', kind: 'edges', description: 'Create requires timeZone (validated without @IsOptional): a body with only email and name is a 400.',
    patch: createRule('timeZone', refuses((v) => v === undefined, (m) => fail('timeZone', 'required', m.invalidTimeZone('timeZone')))),
  },
  {
    id: 'name-empty-rejected', operation: 'all', kind: 'edges', description: 'name "" is a 400 (create and PATCH), as if the field carried @IsNotEmpty.',
    patch: bothRules('name', refuses((v) => v === '', (m) => fail('name', 'value', m.required('name')))),
  },
  {
    id: 'bio-empty-rejected', operation: 'all', kind: 'edges', description: 'bio "" is a 400 (create and PATCH).',
    patch: bothRules('bio', refuses((v) => v === '', (m) => fail('bio', 'value', m.required('bio')))),
  },
  {
    id: 'timeformat-24-rejected', operation: 'all', kind: 'edges', description: 'timeFormat 24 is a 400 (create and PATCH): only 12 is in the accepted list.',
    patch: bothRules('timeFormat', refuses((v) => v === 24, (m) => fail('timeFormat', 'value', m.mustBeOneOf('timeFormat', [12])))),
  },
  {
    id: 'weekstart-sunday-rejected', operation: 'all', kind: 'edges', description: 'weekStart "Sunday" is a 400 (create and PATCH): the weekday list runs Monday to Saturday.',
    patch: bothRules('weekStart', refuses((v) => v === 'Sunday', (m) => fail('weekStart', 'value', m.mustBeOneOf('weekStart', WEEKDAY_LIST.filter((d) => d !== 'Sunday'))))),
  },
  {
    id: 'timezone-regex', operation: 'all', kind: 'edges', description: 'timeZone must look like Area/Location (create and PATCH): "UTC" and three-part zones such as America/Argentina/Buenos_Aires are a 400.',
    patch: bothRules('timeZone', refuses((v) => typeof v === 'string' && !AREA_LOCATION.test(v), (m) => fail('timeZone', 'value', m.invalidTimeZone('timeZone')))),
  },
  {
    id: 'locale-region-rejected', operation: 'all', kind: 'edges', description: 'Locales with a region (es-419, pt-BR, zh-CN, zh-TW) are a 400 (create and PATCH).',
    patch: bothRules('locale', refuses((v) => typeof v === 'string' && v.includes('-'), (m) => fail('locale', 'value', m.mustBeOneOf('locale', LOCALE_LIST.filter((l) => !l.includes('-')))))),
  },
  {
    id: 'avatar-https-only', operation: 'all', kind: 'edges', description: 'avatarUrl must start with https:// (create and PATCH): an http URL is a 400.',
    patch: bothRules('avatarUrl', refuses((v) => typeof v === 'string' && !v.startsWith('https://'), (m) => fail('avatarUrl', 'value', m.invalidUrl('avatarUrl')))),
  },
  {
    id: 'metadata-empty-rejected', operation: 'all', kind: 'edges', description: 'metadata {} is a 400 (create and PATCH), as if it carried @IsNotEmptyObject.',
    patch: bothRules('metadata', refuses((v) => isPlainObject(v) && Object.keys(v).length === 0, (m) => fail('metadata', 'value', m.required('metadata')))),
  },
  {
    id: 'metadata-key-count-off-by-one', operation: 'all', kind: 'edges', description: 'Metadata with exactly 50 keys is a 400 (>= instead of >; create and PATCH).',
    patch: offByOne('keys'),
  },
  {
    id: 'metadata-key-length-off-by-one', operation: 'all', kind: 'edges', description: 'A metadata key of exactly 40 characters is a 400 (create and PATCH).',
    patch: offByOne('keyLength'),
  },
  {
    id: 'metadata-value-length-off-by-one', operation: 'all', kind: 'edges', description: 'A metadata string value of exactly 500 characters is a 400 (create and PATCH).',
    patch: offByOne('valueLength'),
  },
  {
    id: 'metadata-strings-only', operation: 'all', kind: 'edges', description: 'Metadata values that are numbers or booleans are a 400 (create and PATCH).',
    patch: (s) => ({ metadataValue: (v) => (typeof v === 'number' || typeof v === 'boolean' ? 'bad' : s.metadataValue(v)) }),
  },
  {
    id: 'create-timezone-null-500', operation: 'create', kind: 'edges', description: 'Create with timeZone null answers 500 (Cal.com before 2025-10-03, issue #24223): a server error is never a version behaviour.',
    patch: (s, { answers }) => ({ create: (ctx, body) => (body.timeZone === null ? answers.internalError() : s.create(ctx, body)) }),
  },
  {
    id: 'default-weekstart-monday', operation: 'create', kind: 'defaults', description: 'A user created without weekStart gets Monday instead of Sunday.',
    patch: (s) => ({ newUser: (ctx, f, stored) => ({ ...s.newUser(ctx, f, stored), ...(f.weekStart === undefined ? { weekStart: 'Monday' } : {}) }) }),
  },
  {
    id: 'default-timeformat-24', operation: 'create', kind: 'defaults', description: 'A user created without timeFormat gets 24 instead of 12.',
    patch: (s) => ({ newUser: (ctx, f, stored) => ({ ...s.newUser(ctx, f, stored), ...(f.timeFormat === undefined ? { timeFormat: 24 } : {}) }) }),
  },
  {
    id: 'list-limit-one-rejected', operation: 'list', kind: 'edges', description: 'limit=1 is a 400 (the lower bound is taken as 2).',
    patch: refusesParam('limit', (b) => b.min),
  },
  {
    id: 'list-limit-max-exclusive', operation: 'list', kind: 'edges', description: 'limit=250 is a 400 (the upper bound is exclusive).',
    patch: refusesParam('limit', (b) => b.max),
  },
  {
    id: 'list-offset-zero-rejected', operation: 'list', kind: 'edges', description: 'An explicit offset=0 is a 400 (a falsy check on the parsed value).',
    patch: refusesParam('offset', (b) => b.min),
  },
  {
    id: 'list-offset-max-exclusive', operation: 'list', kind: 'edges', description: 'offset=250 is a 400 (the upper bound is exclusive).',
    patch: refusesParam('offset', (b) => b.max),
  },
  {
    id: 'list-default-offset-one', operation: 'list', kind: 'defaults', description: 'Without offset, a page skips one user (offset defaults to 1, as if it were a page number).',
    patch: (s) => ({ listDefaults: () => ({ ...s.listDefaults(), offset: 1 }) }),
  },
  {
    id: 'list-default-limit-20', operation: 'list', kind: 'defaults', description: 'Without limit, a page holds at most 20 users instead of 50.',
    patch: (s) => ({ listDefaults: () => ({ ...s.listDefaults(), limit: 20 }) }),
  },
  {
    id: 'patch-timeformat-unchecked', operation: 'update', kind: 'validation', description: 'PATCH accepts any number as timeFormat.',
    patch: patchRule('timeFormat', accepts(isFiniteNumber)),
  },
  {
    id: 'patch-locale-unchecked', operation: 'update', kind: 'validation', description: 'PATCH accepts any string as locale.',
    patch: patchRule('locale', accepts(isString)),
  },
  {
    id: 'patch-timezone-unchecked', operation: 'update', kind: 'validation', description: "PATCH accepts any timeZone string (incl. '') and stores it as given.",
    patch: patchRule('timeZone', accepts(isString)),
  },
  {
    id: 'patch-avatar-unchecked', operation: 'update', kind: 'validation', description: 'PATCH accepts any string as avatarUrl.',
    patch: patchRule('avatarUrl', accepts(isString)),
  },
  {
    id: 'patch-non-object-accepted', operation: 'update', kind: 'validation', description: 'A PATCH body that is a JSON array is taken as an empty update (200).',
    patch: (s) => ({ asBody: (ctx, parsed) => (ctx.op === 'update' && Array.isArray(parsed) ? {} : s.asBody(ctx, parsed)) }),
  },
  {
    id: 'patch-empty-body-rejected', operation: 'update', kind: 'edges', description: 'An empty PATCH ({}) is a 400 ("at least one field") instead of a no-op 200.',
    patch: (s, { cfg }) => ({
      validatePatch: (body) =>
        Object.keys(body).length === 0
          ? { errors: [{ field: 'body', kind: 'required', message: cfg.msgs.required('body') }], valid: {} }
          : s.validatePatch(body),
    }),
  },
  {
    id: 'error-path-template', operation: 'all', kind: 'body-shape', description: "The error envelope's path is the route template (/v2/oauth-clients/:clientId/users/:userId), not the request path.",
    patch: (s) => ({ errorBody: (x, f) => ({ ...s.errorBody(x, f), path: routeTemplate(x.req.url ?? '/') }) }),
  },
] as const satisfies readonly FaultDef[];
