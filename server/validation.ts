/**
 * Input validation for create / PATCH bodies and list queries. Validators never
 * mutate anything: they return the list of problems plus the subset of fields
 * that passed (the latter is only used by two write faults).
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
import type { FaultId } from './faults';
import type { Messages } from './messages';

export type Metadata = Record<string, unknown>;

export interface FieldError {
  field: string;
  /** `required`: absent mandatory field; `type`: wrong JSON type; `value`: right type, rule broken. */
  kind: 'required' | 'type' | 'value';
  message: string;
}

export interface ValidationContext {
  messages: Messages;
  fault: FaultId | null;
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
  /** Properties that are not part of the input schema (dropped unless a fault echoes them). */
  unknown: Metadata | undefined;
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

const CREATE_KEYS = new Set([
  'email', 'name', 'timeFormat', 'weekStart', 'timeZone', 'locale', 'avatarUrl', 'bio', 'metadata',
]);
const TIME_FORMATS = [12, 24] as const;
const WEEKDAY_LIST = [...WEEKDAYS];
const LOCALE_LIST = [...LOCALES];

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

function isPlainObject(v: unknown): v is Record<string, unknown> {
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
function safeCopy(src: Record<string, unknown>, deep: boolean): Metadata {
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

// ── metadata ──────────────────────────────────────────────────────────────────

function validateMetadata(value: unknown, ctx: ValidationContext, errors: FieldError[]): Metadata | undefined {
  const m = ctx.messages;
  if (!isPlainObject(value)) {
    errors.push({ field: 'metadata', kind: 'type', message: m.mustBeObject('metadata') });
    return undefined;
  }
  const before = errors.length;
  const f = ctx.fault;
  const keys = Object.keys(value);
  if (keys.length === 0 && f === 'metadata-empty-rejected') errors.push({ field: 'metadata', kind: 'value', message: m.required('metadata') });
  // The off-by-one faults compare with >= where the rule says >.
  const over = (n: number, max: number, offByOne: FaultId) => (f === offByOne ? n >= max : n > max);
  if (over(keys.length, METADATA_MAX_KEYS, 'metadata-key-count-off-by-one') && f !== 'metadata-key-count-unchecked') {
    errors.push({ field: 'metadata', kind: 'value', message: m.metadataTooManyKeys(METADATA_MAX_KEYS) });
  }
  let nested = false;
  for (const key of keys) {
    if (over(key.length, METADATA_MAX_KEY_LENGTH, 'metadata-key-length-off-by-one') && f !== 'metadata-key-length-unchecked') {
      errors.push({ field: 'metadata', kind: 'value', message: m.metadataKeyTooLong(key, METADATA_MAX_KEY_LENGTH) });
    }
    const v = value[key];
    if (typeof v === 'string') {
      if (over(v.length, METADATA_MAX_VALUE_LENGTH, 'metadata-value-length-off-by-one') && f !== 'metadata-value-length-unchecked') {
        errors.push({ field: 'metadata', kind: 'value', message: m.metadataValueTooLong(key, METADATA_MAX_VALUE_LENGTH) });
      }
    } else if ((typeof v === 'number' || typeof v === 'boolean') && f === 'metadata-strings-only') {
      errors.push({ field: 'metadata', kind: 'value', message: m.metadataBadValue(key) });
    } else if (typeof v === 'number') {
      if (!Number.isFinite(v)) errors.push({ field: 'metadata', kind: 'value', message: m.metadataBadValue(key) });
    } else if (typeof v === 'boolean') {
      // fine
    } else if (typeof v === 'object' && v !== null && ctx.fault === 'metadata-nested-accepted') {
      nested = true;
    } else {
      errors.push({ field: 'metadata', kind: 'value', message: m.metadataBadValue(key) });
    }
    if (errors.length - before > 20) break; // enough detail
  }
  return errors.length === before ? safeCopy(value, nested) : undefined;
}

// ── accepting-edge faults shared by create and PATCH ──────────────────────────

/** The error an accepting-edge fault raises for an otherwise valid value, or null. */
function edgeFault(field: string, value: unknown, ctx: ValidationContext): FieldError | null {
  const m = ctx.messages;
  switch (ctx.fault) {
    case 'name-empty-rejected':
      return field === 'name' && value === '' ? { field, kind: 'value', message: m.required(field) } : null;
    case 'bio-empty-rejected':
      return field === 'bio' && value === '' ? { field, kind: 'value', message: m.required(field) } : null;
    case 'timeformat-24-rejected':
      return field === 'timeFormat' && value === 24 ? { field, kind: 'value', message: m.mustBeOneOf(field, [12]) } : null;
    case 'weekstart-sunday-rejected':
      return field === 'weekStart' && value === 'Sunday' ? { field, kind: 'value', message: m.mustBeOneOf(field, WEEKDAY_LIST.filter((d) => d !== 'Sunday')) } : null;
    case 'timezone-regex':
      return field === 'timeZone' && typeof value === 'string' && !/^[A-Za-z_]+\/[A-Za-z_-]+$/.test(value) ? { field, kind: 'value', message: m.invalidTimeZone(field) } : null;
    case 'locale-region-rejected':
      return field === 'locale' && typeof value === 'string' && value.includes('-') ? { field, kind: 'value', message: m.mustBeOneOf(field, LOCALE_LIST.filter((l) => !l.includes('-'))) } : null;
    case 'avatar-https-only':
      return field === 'avatarUrl' && typeof value === 'string' && !value.startsWith('https://') ? { field, kind: 'value', message: m.invalidUrl(field) } : null;
    default:
      return null;
  }
}

/** A strict address check (no empty, leading, trailing or doubled dots in the local part): only fault create-email-format-checked applies it. */
const STRICT_EMAIL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/;

// ── create ────────────────────────────────────────────────────────────────────

export function validateCreate(body: Record<string, unknown>, ctx: ValidationContext): CreateValidation {
  const m = ctx.messages;
  const f = ctx.fault;
  const errors: FieldError[] = [];
  const valid: CreateFields = {};

  const email = body.email;
  if (email === undefined || email === null) errors.push({ field: 'email', kind: 'required', message: m.mustBeString('email') });
  else if (typeof email !== 'string') errors.push({ field: 'email', kind: 'type', message: m.mustBeString('email') });
  else if (f === 'create-email-format-checked' && !STRICT_EMAIL.test(email)) errors.push({ field: 'email', kind: 'value', message: m.invalidEmail(email) });
  else valid.email = email;

  const name = body.name;
  if (name === undefined || name === null) {
    if (f === 'create-name-optional') valid.name = null;
    else errors.push({ field: 'name', kind: 'required', message: m.mustBeString('name') });
  } else if (typeof name !== 'string') errors.push({ field: 'name', kind: 'type', message: m.mustBeString('name') });
  else if (edgeFault('name', name, ctx)) errors.push(edgeFault('name', name, ctx)!);
  else valid.name = name;

  const timeFormat = body.timeFormat;
  if (timeFormat !== undefined && timeFormat !== null) {
    // A numeric string is coerced (class-transformer), then checked like a number.
    const n = typeof timeFormat === 'string' && /^\d+$/.test(timeFormat) && f !== 'create-timeformat-string-rejected' ? Number(timeFormat) : timeFormat;
    if (typeof n === 'number' && edgeFault('timeFormat', n, ctx)) errors.push(edgeFault('timeFormat', n, ctx)!);
    else if (typeof n === 'number' && (n === 12 || n === 24 || (f === 'create-timeformat-unchecked' && Number.isFinite(n)))) {
      valid.timeFormat = n;
    } else {
      const kind = typeof n === 'number' || typeof n === 'string' ? 'value' : 'type';
      errors.push({ field: 'timeFormat', kind, message: m.mustBeOneOf('timeFormat', TIME_FORMATS) });
    }
  }

  const weekStart = body.weekStart;
  if (weekStart !== undefined && weekStart !== null) {
    if (typeof weekStart !== 'string') errors.push({ field: 'weekStart', kind: 'type', message: m.mustBeString('weekStart') });
    else if (edgeFault('weekStart', weekStart, ctx)) errors.push(edgeFault('weekStart', weekStart, ctx)!);
    else valid.weekStart = weekStart;
  }

  const timeZone = body.timeZone;
  if (timeZone === null && f === 'create-timezone-null-rejected') errors.push({ field: 'timeZone', kind: 'type', message: m.mustBeString('timeZone') });
  if (timeZone === undefined && f === 'create-timezone-required') errors.push({ field: 'timeZone', kind: 'required', message: m.invalidTimeZone('timeZone') });
  if (timeZone !== undefined && timeZone !== null) {
    if (typeof timeZone !== 'string') errors.push({ field: 'timeZone', kind: 'type', message: m.mustBeString('timeZone') });
    else if (edgeFault('timeZone', timeZone, ctx)) errors.push(edgeFault('timeZone', timeZone, ctx)!);
    else if (f === 'create-timezone-unchecked') valid.timeZone = timeZone;
    else {
      const tz = normaliseTimeZone(timeZone);
      if (tz === null) errors.push({ field: 'timeZone', kind: 'value', message: m.invalidTimeZone('timeZone') });
      else valid.timeZone = f === 'timezone-not-normalised' ? timeZone : tz;
    }
  }

  const locale = body.locale;
  if (locale !== undefined && locale !== null) {
    if (typeof locale !== 'string') errors.push({ field: 'locale', kind: 'type', message: m.mustBeString('locale') });
    else if (edgeFault('locale', locale, ctx)) errors.push(edgeFault('locale', locale, ctx)!);
    else if (!LOCALES.has(locale) && f !== 'create-locale-unchecked') {
      errors.push({ field: 'locale', kind: 'value', message: m.mustBeOneOf('locale', LOCALE_LIST) });
    } else valid.locale = locale;
  }

  const avatarUrl = body.avatarUrl;
  if (avatarUrl !== undefined && avatarUrl !== null) {
    if (typeof avatarUrl !== 'string') errors.push({ field: 'avatarUrl', kind: 'type', message: m.mustBeString('avatarUrl') });
    else if (edgeFault('avatarUrl', avatarUrl, ctx)) errors.push(edgeFault('avatarUrl', avatarUrl, ctx)!);
    else if (!isHttpUrl(avatarUrl) && f !== 'create-avatar-unchecked') {
      errors.push({ field: 'avatarUrl', kind: 'value', message: m.invalidUrl('avatarUrl') });
    } else valid.avatarUrl = avatarUrl;
  }

  const bio = body.bio;
  if (bio !== undefined && bio !== null) {
    if (typeof bio !== 'string') errors.push({ field: 'bio', kind: 'type', message: m.mustBeString('bio') });
    else if (edgeFault('bio', bio, ctx)) errors.push(edgeFault('bio', bio, ctx)!);
    else valid.bio = bio;
  }

  if (body.metadata !== undefined && body.metadata !== null) {
    const meta = validateMetadata(body.metadata, ctx, errors);
    if (meta !== undefined) valid.metadata = meta;
  }

  let unknown: Metadata | undefined;
  if (f === 'create-echoes-unknown') {
    const extra: Record<string, unknown> = {};
    let any = false;
    for (const key of Object.keys(body)) {
      if (CREATE_KEYS.has(key)) continue;
      Object.defineProperty(extra, key, { value: body[key], enumerable: true, writable: true, configurable: true });
      any = true;
    }
    if (any) unknown = safeCopy(extra, true);
  }

  return { errors, valid, unknown };
}

// ── PATCH ─────────────────────────────────────────────────────────────────────

export function validatePatch(body: Record<string, unknown>, ctx: ValidationContext): PatchValidation {
  const m = ctx.messages;
  const f = ctx.fault;
  const errors: FieldError[] = [];
  const valid: PatchFields = {};

  if (f === 'patch-empty-body-rejected' && Object.keys(body).length === 0) errors.push({ field: 'body', kind: 'required', message: m.required('body') });

  if (body.email !== undefined) {
    if (typeof body.email !== 'string') errors.push({ field: 'email', kind: 'type', message: m.mustBeString('email') });
    else valid.email = body.email;
  }

  if (body.name !== undefined) {
    if (body.name !== null && typeof body.name !== 'string') errors.push({ field: 'name', kind: 'type', message: m.mustBeString('name') });
    else if (edgeFault('name', body.name, ctx)) errors.push(edgeFault('name', body.name, ctx)!);
    else valid.name = body.name;
  }

  const timeFormat = body.timeFormat;
  if (timeFormat !== undefined) {
    if (timeFormat === null) valid.timeFormat = null;
    else if (edgeFault('timeFormat', timeFormat, ctx)) errors.push(edgeFault('timeFormat', timeFormat, ctx)!);
    else if (timeFormat === 12 || timeFormat === 24) valid.timeFormat = timeFormat;
    else if (f === 'patch-timeformat-unchecked' && typeof timeFormat === 'number' && Number.isFinite(timeFormat)) valid.timeFormat = timeFormat;
    else if (f === 'patch-timeformat-string-accepted' && (timeFormat === '12' || timeFormat === '24')) valid.timeFormat = Number(timeFormat);
    else {
      const kind = typeof timeFormat === 'number' ? 'value' : 'type';
      errors.push({ field: 'timeFormat', kind, message: m.mustBeOneOf('timeFormat', TIME_FORMATS) });
    }
  }

  const scheduleId = body.defaultScheduleId;
  if (scheduleId !== undefined) {
    if (scheduleId === null) valid.defaultScheduleId = null;
    else if (typeof scheduleId !== 'number') errors.push({ field: 'defaultScheduleId', kind: 'type', message: m.mustBeNumber('defaultScheduleId') });
    else if (!Number.isSafeInteger(scheduleId)) errors.push({ field: 'defaultScheduleId', kind: 'value', message: m.mustBeInteger('defaultScheduleId') });
    else valid.defaultScheduleId = scheduleId;
  }

  const weekStart = body.weekStart;
  if (weekStart !== undefined) {
    if (typeof weekStart !== 'string') errors.push({ field: 'weekStart', kind: 'type', message: m.mustBeString('weekStart') });
    else if (edgeFault('weekStart', weekStart, ctx)) errors.push(edgeFault('weekStart', weekStart, ctx)!);
    else if (!WEEKDAYS.has(weekStart) && f !== 'patch-weekstart-unchecked') {
      errors.push({ field: 'weekStart', kind: 'value', message: m.mustBeOneOf('weekStart', WEEKDAY_LIST) });
    } else valid.weekStart = weekStart;
  }

  const timeZone = body.timeZone;
  if (timeZone !== undefined) {
    if (typeof timeZone !== 'string') errors.push({ field: 'timeZone', kind: 'type', message: m.mustBeString('timeZone') });
    else if (edgeFault('timeZone', timeZone, ctx)) errors.push(edgeFault('timeZone', timeZone, ctx)!);
    else if (f === 'patch-timezone-unchecked') valid.timeZone = timeZone;
    else {
      const tz = normaliseTimeZone(timeZone);
      if (tz === null) errors.push({ field: 'timeZone', kind: 'value', message: m.invalidTimeZone('timeZone') });
      else valid.timeZone = f === 'timezone-not-normalised' ? timeZone : tz;
    }
  }

  const locale = body.locale;
  if (locale !== undefined) {
    if (typeof locale !== 'string') errors.push({ field: 'locale', kind: 'type', message: m.mustBeString('locale') });
    else if (edgeFault('locale', locale, ctx)) errors.push(edgeFault('locale', locale, ctx)!);
    else if (!LOCALES.has(locale) && f !== 'patch-locale-unchecked') errors.push({ field: 'locale', kind: 'value', message: m.mustBeOneOf('locale', LOCALE_LIST) });
    else valid.locale = locale;
  }

  const avatarUrl = body.avatarUrl;
  if (avatarUrl !== undefined) {
    if (avatarUrl === null) valid.avatarUrl = null;
    else if (typeof avatarUrl !== 'string') errors.push({ field: 'avatarUrl', kind: 'type', message: m.mustBeString('avatarUrl') });
    else if (edgeFault('avatarUrl', avatarUrl, ctx)) errors.push(edgeFault('avatarUrl', avatarUrl, ctx)!);
    else if (!isHttpUrl(avatarUrl) && f !== 'patch-avatar-unchecked') errors.push({ field: 'avatarUrl', kind: 'value', message: m.invalidUrl('avatarUrl') });
    else valid.avatarUrl = avatarUrl;
  }

  if (body.bio !== undefined) {
    if (body.bio !== null && typeof body.bio !== 'string') errors.push({ field: 'bio', kind: 'type', message: m.mustBeString('bio') });
    else if (edgeFault('bio', body.bio, ctx)) errors.push(edgeFault('bio', body.bio, ctx)!);
    else valid.bio = body.bio;
  }

  if (body.metadata !== undefined) {
    const meta = validateMetadata(body.metadata, ctx, errors);
    if (meta !== undefined) valid.metadata = meta;
  }

  return { errors, valid };
}

// ── list query ────────────────────────────────────────────────────────────────

export interface ListQuery {
  limit: number;
  offset: number;
  /** null = no filter */
  emails: string[] | null;
}

export type ListQueryResult = { ok: true; query: ListQuery } | { ok: false; message: string };

function parseBoundedInt(
  params: URLSearchParams,
  name: string,
  min: number,
  max: number,
  fallback: number,
  ctx: ValidationContext,
): number | string {
  const all = params.getAll(name);
  const f = ctx.fault;
  const lenient = f === 'list-bounds-unchecked';
  if (all.length === 0) return fallback;
  const raw = all[0] ?? '';
  const n = raw.trim() === '' ? Number.NaN : Number(raw);
  if (lenient) {
    if (!Number.isFinite(n)) return fallback;
    return Math.min(max, Math.max(min, Math.trunc(n)));
  }
  if (all.length > 1) return ctx.messages.queryRepeated(name);
  if (!Number.isInteger(n) || n < min || n > max) return ctx.messages.queryInt(name, min, max);
  // The accepting-edge faults: a bound taken one too far in.
  if (name === 'limit' && ((f === 'list-limit-one-rejected' && n === 1) || (f === 'list-limit-max-exclusive' && n === max))) return ctx.messages.queryInt(name, min, max);
  if (name === 'offset' && ((f === 'list-offset-zero-rejected' && n === 0) || (f === 'list-offset-max-exclusive' && n === max))) return ctx.messages.queryInt(name, min, max);
  return n;
}

export function parseListQuery(rawQuery: string, ctx: ValidationContext): ListQueryResult {
  const defaultLimit = ctx.fault === 'list-default-limit-20' ? 20 : LIST_LIMIT_DEFAULT;
  if (rawQuery === '') return { ok: true, query: { limit: defaultLimit, offset: ctx.fault === 'list-default-offset-one' ? 1 : 0, emails: null } };
  const params = new URLSearchParams(rawQuery);
  const limit = parseBoundedInt(params, 'limit', 1, LIST_LIMIT_MAX, defaultLimit, ctx);
  if (typeof limit === 'string') return { ok: false, message: limit };
  const offset = parseBoundedInt(params, 'offset', 0, LIST_OFFSET_MAX, ctx.fault === 'list-default-offset-one' ? 1 : 0, ctx);
  if (typeof offset === 'string') return { ok: false, message: offset };

  let emails: string[] | null = null;
  const values = params.getAll('emails');
  if (values.length > 0 && values.some((v) => v !== '')) {
    emails = [];
    for (const value of values) {
      for (const part of value.split(',')) {
        const address = part.trim();
        if (!EMAIL_RE.test(address)) {
          if (ctx.fault === 'list-invalid-email-accepted') continue;
          return { ok: false, message: ctx.messages.invalidEmail(address) };
        }
        emails.push(address);
      }
    }
  }
  return { ok: true, query: { limit, offset, emails } };
}
