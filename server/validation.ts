/**
 * Input validation for create / PATCH bodies and list queries, as seams: one
 * rule per field (applied in the order of the fields), the metadata bounds
 * and value kinds, the list query's parameters. Validators never mutate
 * anything: they return the problems plus the fields that passed.
 */
import {
  EMAIL_RE,
  LIST_LIMIT_DEFAULT,
  LIST_LIMIT_MAX,
  LIST_OFFSET_MAX,
  LOCALES,
  METADATA_MAX_KEYS,
  METADATA_MAX_KEY_LENGTH,
  METADATA_MAX_VALUE_LENGTH,
  WEEKDAYS,
} from './constants';
import type { Messages } from './messages';
import type { Body, Seams, SeamsOf } from './seams';

export type Metadata = Record<string, unknown>;

export interface FieldError {
  field: string;
  /** `required`: absent mandatory field; `type`: wrong JSON type; `value`: right type, rule broken. */
  kind: 'required' | 'type' | 'value';
  message: string;
}

export interface CreateFields {
  email?: string;
  name?: string | null;
  timeFormat?: number;
  weekStart?: string;
  timeZone?: string;
  locale?: string;
  avatarUrl?: string;
  bio?: string;
  metadata?: Metadata;
}

export interface CreateValidation {
  errors: FieldError[];
  valid: CreateFields;
}

/** Present key = change it. `null` clears a nullable field. */
export interface PatchFields {
  email?: string;
  name?: string | null;
  timeFormat?: number | null;
  defaultScheduleId?: number | null;
  weekStart?: string;
  timeZone?: string;
  locale?: string;
  avatarUrl?: string | null;
  bio?: string | null;
  metadata?: Metadata;
}

export interface PatchValidation {
  errors: FieldError[];
  valid: PatchFields;
}

/** A rule's verdict on one field: null when there is nothing to take (an absent optional field). */
export type Verdict = { ok: true; value: unknown } | { ok: false; errors: FieldError[] } | null;
/** Gets the field's value (undefined when absent). */
export type FieldRule = (value: unknown) => Verdict;
export type FieldRules<F extends string> = Readonly<Record<F, FieldRule>>;

export const CREATE_FIELDS = ['email', 'name', 'timeFormat', 'weekStart', 'timeZone', 'locale', 'avatarUrl', 'bio', 'metadata'] as const;
export const PATCH_FIELDS = ['email', 'name', 'timeFormat', 'defaultScheduleId', 'weekStart', 'timeZone', 'locale', 'avatarUrl', 'bio', 'metadata'] as const;
export type CreateField = (typeof CREATE_FIELDS)[number];
export type PatchField = (typeof PATCH_FIELDS)[number];

export type MetadataBound = 'keys' | 'keyLength' | 'valueLength';
/** The largest accepted key count, key length and string value length. */
export const METADATA_BOUNDS: Readonly<Record<MetadataBound, number>> = {
  keys: METADATA_MAX_KEYS,
  keyLength: METADATA_MAX_KEY_LENGTH,
  valueLength: METADATA_MAX_VALUE_LENGTH,
};
/** `nested`: an object or array, taken as a deep copy. */
export type MetadataValueKind = 'ok' | 'nested' | 'bad';

export type ListParam = 'limit' | 'offset';
export const LIST_BOUNDS: Readonly<Record<ListParam, { min: number; max: number }>> = {
  limit: { min: 1, max: LIST_LIMIT_MAX },
  offset: { min: 0, max: LIST_OFFSET_MAX },
};

export const TIME_FORMATS = [12, 24] as const;
export const WEEKDAY_LIST: readonly string[] = [...WEEKDAYS];
export const LOCALE_LIST: readonly string[] = [...LOCALES];

export const ok = (value: unknown): Verdict => ({ ok: true, value });
export const fail = (field: string, kind: FieldError['kind'], message: string): Verdict => ({ ok: false, errors: [{ field, kind, message }] });

// ── time zones ────────────────────────────────────────────────────────────────

const tzCache = new Map<string, string | null>();

/**
 * Returns the properly cased IANA name for a valid zone, or null.
 * The case is fixed with the runtime's resolved name when that is the same
 * zone id; a valid alias (e.g. Asia/Kolkata, which ICU resolves to the legacy
 * Asia/Calcutta) keeps its own id and only gets its case repaired.
 */
export function normaliseTimeZone(input: string): string | null {
  const cached = tzCache.get(input);
  if (cached !== undefined) return cached;
  let out: string | null = null;
  if (input.length > 0 && input.length <= 100 && input.trim() === input) {
    try {
      const resolved = new Intl.DateTimeFormat('en-US', { timeZone: input }).resolvedOptions().timeZone;
      out = resolved.toLowerCase() === input.toLowerCase() ? resolved : repairZoneCase(input);
    } catch {
      out = null;
    }
  }
  if (tzCache.size < 5000) tzCache.set(input, out);
  return out;
}

function repairZoneCase(zone: string): string {
  if (zone !== zone.toLowerCase() && zone !== zone.toUpperCase()) return zone; // caller already cased it
  return zone
    .split('/')
    .map((segment) =>
      segment.replace(/[A-Za-z]+/g, (word) => {
        const lower = word.toLowerCase();
        if (lower === 'etc') return 'Etc';
        if (word.length <= 3) return word.toUpperCase();
        return lower.charAt(0).toUpperCase() + lower.slice(1);
      }),
    )
    .join('/');
}

// ── small predicates ──────────────────────────────────────────────────────────

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function isHttpUrl(s: string): boolean {
  if (s.length === 0 || s.length > 4096) return false;
  try {
    const u = new URL(s);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname.length > 0;
  } catch {
    return false;
  }
}

/** Copies an object without ever invoking the __proto__ setter. */
export function safeCopy(src: Record<string, unknown>, deep: boolean): Metadata {
  const out: Metadata = {};
  for (const key of Object.keys(src)) {
    const value = src[key];
    Object.defineProperty(out, key, {
      value: deep && typeof value === 'object' && value !== null ? JSON.parse(JSON.stringify(value)) : value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

// ── rules ─────────────────────────────────────────────────────────────────────

/** Absent: nothing to take (null is a value the document's types do not allow: the rule refuses it). */
const optional = (rule: FieldRule): FieldRule => (v) => (v === undefined ? null : rule(v));
/** Absent from the PATCH body: nothing to change. */
const present = optional;
/** create's timeZone: null taken as absent (a version behaviour, timeZone-null-on-create; server/variants/behaviours.ts). */
const absentOrNull = (rule: FieldRule): FieldRule => (v) => (v === undefined || v === null ? null : rule(v));

function ruleKit(m: Messages) {
  const text = (field: string, check: (s: string) => Verdict = ok): FieldRule => (v) =>
    typeof v === 'string' ? check(v) : fail(field, 'type', m.mustBeString(field));
  const required = (field: string, rule: FieldRule): FieldRule => (v) =>
    v === undefined || v === null ? fail(field, 'required', m.mustBeString(field)) : rule(v);
  const member = (field: string, allowed: ReadonlySet<string>, list: readonly string[]) => (s: string) =>
    allowed.has(s) ? ok(s) : fail(field, 'value', m.mustBeOneOf(field, list));
  const zone = (s: string) => {
    const tz = normaliseTimeZone(s);
    return tz === null ? fail('timeZone', 'value', m.invalidTimeZone('timeZone')) : ok(tz);
  };
  const url = (s: string) => (isHttpUrl(s) ? ok(s) : fail('avatarUrl', 'value', m.invalidUrl('avatarUrl')));
  /** 12 or 24; otherwise a value error for `valueKinds`, a type error for the rest. */
  const timeFormat = (valueKinds: readonly string[]): FieldRule => (v) =>
    v === 12 || v === 24 ? ok(v) : fail('timeFormat', valueKinds.includes(typeof v) ? 'value' : 'type', m.mustBeOneOf('timeFormat', TIME_FORMATS));
  return { text, required, member, zone, url, timeFormat };
}

function metadataRule(m: Messages, self: Seams): FieldRule {
  return (value) => {
    if (!isPlainObject(value)) return fail('metadata', 'type', m.mustBeObject('metadata'));
    const errors: FieldError[] = [];
    const problem = (message: string) => errors.push({ field: 'metadata', kind: 'value', message });
    const keys = Object.keys(value);
    if (!self.metadataBound('keys', keys.length)) problem(m.metadataTooManyKeys(METADATA_MAX_KEYS));
    let nested = false;
    for (const key of keys) {
      if (!self.metadataBound('keyLength', key.length)) problem(m.metadataKeyTooLong(key, METADATA_MAX_KEY_LENGTH));
      const v = value[key];
      if (typeof v === 'string' && !self.metadataBound('valueLength', v.length)) problem(m.metadataValueTooLong(key, METADATA_MAX_VALUE_LENGTH));
      const kind = self.metadataValue(v);
      if (kind === 'bad') problem(m.metadataBadValue(key));
      else if (kind === 'nested') nested = true;
      if (errors.length > 20) break; // enough detail
    }
    return errors.length === 0 ? ok(safeCopy(value, nested)) : { ok: false, errors };
  };
}

function createRules(m: Messages, self: Seams): FieldRules<CreateField> {
  const r = ruleKit(m);
  return {
    email: r.required('email', r.text('email')),
    name: r.required('name', r.text('name')),
    // A numeric string has become a number already (transformCreate); another string is a value error.
    timeFormat: optional(r.timeFormat(['number', 'string'])),
    weekStart: optional(r.text('weekStart', r.member('weekStart', WEEKDAYS, WEEKDAY_LIST))),
    timeZone: absentOrNull(r.text('timeZone', r.zone)),
    locale: optional(r.text('locale', r.member('locale', LOCALES, LOCALE_LIST))),
    avatarUrl: optional(r.text('avatarUrl', r.url)),
    bio: optional(r.text('bio')),
    metadata: optional(metadataRule(m, self)),
  };
}

function patchRules(m: Messages, self: Seams): FieldRules<PatchField> {
  const r = ruleKit(m);
  return {
    email: present(r.text('email')),
    name: present(r.text('name')),
    timeFormat: present(r.timeFormat(['number'])),
    defaultScheduleId: present(scheduleId(m)),
    weekStart: present(r.text('weekStart', r.member('weekStart', WEEKDAYS, WEEKDAY_LIST))),
    timeZone: present(r.text('timeZone', r.zone)),
    locale: present(r.text('locale', r.member('locale', LOCALES, LOCALE_LIST))),
    avatarUrl: present(r.text('avatarUrl', r.url)),
    bio: present(r.text('bio')),
    metadata: present(metadataRule(m, self)),
  };
}

const scheduleId = (m: Messages): FieldRule => (v) => {
  if (typeof v !== 'number') return fail('defaultScheduleId', 'type', m.mustBeNumber('defaultScheduleId'));
  return Number.isSafeInteger(v) ? ok(v) : fail('defaultScheduleId', 'value', m.mustBeInteger('defaultScheduleId'));
};

/** Every field's rule in order: the problems, and the fields that passed. */
function collect<F extends string>(fields: readonly F[], rules: FieldRules<F>, body: Body): { errors: FieldError[]; valid: Record<string, unknown> } {
  const errors: FieldError[] = [];
  const valid: Record<string, unknown> = {};
  for (const field of fields) {
    const verdict = rules[field](body[field]);
    if (verdict === null) continue;
    if (verdict.ok) valid[field] = verdict.value;
    else errors.push(...verdict.errors);
  }
  return { errors, valid };
}

/** class-transformer's implicit conversion of a numeric timeFormat string. */
function transformCreate(body: Body): Body {
  const tf = body.timeFormat;
  return typeof tf === 'string' && /^\d+$/.test(tf) ? { ...body, timeFormat: Number(tf) } : body;
}

// ── list query ────────────────────────────────────────────────────────────────

export interface ListQuery {
  limit: number;
  offset: number;
  /** null = no filter */
  emails: string[] | null;
}

export type ListQueryResult = { ok: true; query: ListQuery } | { ok: false; message: string };

/** A query parameter's number: NaN for a blank one. */
export const queryNumber = (raw: string) => (raw.trim() === '' ? Number.NaN : Number(raw));

function parseListQuery(rawQuery: string, self: Seams): ListQueryResult {
  if (rawQuery === '') return { ok: true, query: { ...self.listDefaults(), emails: null } };
  const params = new URLSearchParams(rawQuery);
  const limit = self.listParam(params, 'limit');
  if (typeof limit === 'string') return { ok: false, message: limit };
  const offset = self.listParam(params, 'offset');
  if (typeof offset === 'string') return { ok: false, message: offset };
  const values = params.getAll('emails');
  if (!values.some((v) => v !== '')) return { ok: true, query: { limit, offset, emails: null } };
  const emails = self.listEmails(values);
  return typeof emails === 'string' ? { ok: false, message: emails } : { ok: true, query: { limit, offset, emails } };
}

function listParam(m: Messages, self: Seams, params: URLSearchParams, name: ListParam): number | string {
  const all = params.getAll(name);
  if (all.length === 0) return self.listDefaults()[name];
  if (all.length > 1) return m.queryRepeated(name);
  const n = queryNumber(all[0] ?? '');
  const { min, max } = LIST_BOUNDS[name];
  return Number.isInteger(n) && n >= min && n <= max ? n : m.queryInt(name, min, max);
}

function listEmails(m: Messages, values: string[]): string[] | string {
  const emails: string[] = [];
  for (const value of values) {
    for (const part of value.split(',')) {
      const address = part.trim();
      if (!EMAIL_RE.test(address)) return m.invalidEmail(address);
      emails.push(address);
    }
  }
  return emails;
}

// ── the seams ─────────────────────────────────────────────────────────────────

type ValidationSeams =
  | 'transformCreate'
  | 'validateCreate'
  | 'validatePatch'
  | 'createRules'
  | 'patchRules'
  | 'metadataBound'
  | 'metadataValue'
  | 'parseListQuery'
  | 'listDefaults'
  | 'listParam'
  | 'listEmails';

export const validationSeams: SeamsOf<ValidationSeams> = ({ cfg: { msgs } }, self) => ({
  transformCreate,
  validateCreate: (body) => collect(CREATE_FIELDS, self.createRules, self.transformCreate(body)),
  validatePatch: (body) => collect(PATCH_FIELDS, self.patchRules, body),
  createRules: createRules(msgs, self),
  patchRules: patchRules(msgs, self),
  metadataBound: (bound, n) => n <= METADATA_BOUNDS[bound],
  metadataValue: (v) => (typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v)) ? 'ok' : 'bad'),
  parseListQuery: (rawQuery) => parseListQuery(rawQuery, self),
  listDefaults: () => ({ limit: LIST_LIMIT_DEFAULT, offset: 0 }),
  listParam: (params, name) => listParam(msgs, self, params, name),
  listEmails: (values) => listEmails(msgs, values),
});
