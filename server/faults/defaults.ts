/** Faults of what gets stored and derived: defaults, normalisation, fields dropped, reset or echoed. */
import type { UserRecord } from '../store';
import { CREATE_FIELDS, type Metadata, ok, safeCopy } from '../validation';
import { bothRules, type FaultDef } from './fault';

/** Keys of the user object that an echoed unknown property never overwrites. */
const OUTPUT_KEYS = new Set([
  'id', 'email', 'username', 'name', 'bio', 'timeZone', 'timezone', 'weekStart', 'createdDate', 'timeFormat',
  'defaultScheduleId', 'locale', 'avatarUrl', 'metadata', 'theme', 'brandColor', 'createdAt', 'password',
]);
const CREATE_KEYS: ReadonlySet<string> = new Set(CREATE_FIELDS);

/** Sets keys without ever invoking the __proto__ setter. */
function define(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** A deep copy of the body's properties that are not part of the create schema, or undefined. */
function unknownProperties(body: Record<string, unknown>): Metadata | undefined {
  const extra: Record<string, unknown> = {};
  const keys = Object.keys(body).filter((key) => !CREATE_KEYS.has(key));
  for (const key of keys) define(extra, key, body[key]);
  return keys.length > 0 ? safeCopy(extra, true) : undefined;
}

export const DEFAULTS_FAULTS = [
  // ── defaults and derived values ───────────────────────────────────────────
  {
    id: 'default-timezone-utc', operation: 'create', kind: 'defaults', description: 'The default timeZone is UTC instead of Europe/London.',
    patch: (s) => ({ newUser: (ctx, f, stored) => ({ ...s.newUser(ctx, f, stored), ...(f.timeZone === undefined ? { timeZone: 'UTC' } : {}) }) }),
  },
  {
    id: 'default-schedule-null', operation: 'create', kind: 'defaults', description: 'defaultScheduleId stays null even when the user is created with a timeZone.',
    patch: (s) => ({ newUser: (ctx, f, stored) => ({ ...s.newUser(ctx, f, stored), schedule: null }) }),
  },
  {
    id: 'default-schedule-without-timezone', operation: 'create', kind: 'defaults', description: 'A default schedule id is set even when the user is created without a timeZone.',
    patch: (s) => ({ newUser: (ctx, f, stored) => ({ ...s.newUser(ctx, f, stored), schedule: 'new' }) }),
  },
  {
    id: 'timezone-not-normalised', operation: 'all', kind: 'defaults', description: "timeZone is stored with the caller's casing (create and PATCH).",
    patch: bothRules('timeZone', (base) => (v) => {
      const verdict = base(v);
      return verdict?.ok ? ok(v) : verdict;
    }),
  },
  {
    id: 'email-not-suffixed', operation: 'all', kind: 'defaults', description: 'The stored and returned e-mail is the raw (lower-cased) one; uniqueness is still per client.',
    patch: () => ({ storedEmail: (_ctx, raw) => raw }),
  },
  {
    id: 'email-domain-only-lower-cased', operation: 'all', kind: 'defaults', description: 'Only the domain of an e-mail is lower-cased (create and PATCH): no version does that (they keep an e-mail as sent or lower-case all of it).',
    patch: () => ({ normaliseEmail: (email) => (email.includes('@') ? `${email.slice(0, email.lastIndexOf('@'))}${email.slice(email.lastIndexOf('@')).toLowerCase()}` : email) }),
  },
  {
    id: 'create-drops-bio', operation: 'create', kind: 'defaults', description: 'bio sent on create is not stored.',
    patch: (s) => ({ newUser: (ctx, f, stored) => ({ ...s.newUser(ctx, f, stored), bio: null }) }),
  },
  {
    id: 'locale-null-when-unset', operation: 'all', kind: 'body-shape', description: 'A user created without a locale carries "locale": null in every user object (seen on a real Cal.com API v2 of mid-2025; the published document declares a string).',
    patch: (s) => ({ userObject: (rec) => ({ ...s.userObject(rec), ...(rec.locale === undefined ? { locale: null } : {}) }) }),
  },
  {
    id: 'create-drops-metadata', operation: 'create', kind: 'defaults', description: 'metadata sent on create is not stored.',
    patch: (s) => ({ newUser: (ctx, f, stored) => ({ ...s.newUser(ctx, f, stored), metadata: undefined }) }),
  },
  {
    id: 'create-echoes-unknown', operation: 'create', kind: 'defaults', description: 'Unknown create properties are stored and echoed in the user object.',
    patch: (s) => {
      const extras = new WeakMap<UserRecord, Metadata>();
      return {
        insertUser(ctx, row, body) {
          const rec = s.insertUser(ctx, row, body);
          const unknown = unknownProperties(body);
          if (unknown !== undefined) extras.set(rec, unknown);
          return rec;
        },
        userObject(rec) {
          const o = s.userObject(rec);
          const x = extras.get(rec) ?? {};
          for (const key of Object.keys(x)) if (!OUTPUT_KEYS.has(key)) define(o, key, x[key]);
          return o;
        },
      };
    },
  },
  {
    id: 'patch-resets-unsent', operation: 'update', kind: 'defaults', description: 'PATCH resets bio to null and drops metadata when they are not sent.',
    patch: (s) => ({
      applyPatch(ctx, rec, p) {
        s.applyPatch(ctx, rec, p);
        if (p.bio === undefined) rec.bio = null;
        if (p.metadata === undefined) rec.metadata = undefined;
      },
    }),
  },
  {
    id: 'patch-email-not-suffixed', operation: 'update', kind: 'defaults', description: 'A PATCHed e-mail is stored raw (lower-cased, not suffixed).',
    patch: (s) => ({ storedEmail: (ctx, raw, rec) => (ctx.op === 'update' ? raw : s.storedEmail(ctx, raw, rec)) }),
  },
  {
    id: 'patch-username-stale', operation: 'update', kind: 'defaults', description: 'username is not regenerated when PATCH changes the e-mail.',
    patch: (s) => ({
      setEmail(ctx, rec, stored) {
        const { username } = rec;
        s.setEmail(ctx, rec, stored);
        rec.username = username;
      },
    }),
  },
  {
    id: 'patch-ignores-locale', operation: 'update', kind: 'defaults', description: 'locale in a PATCH is validated but silently not applied.',
    patch: (s) => ({ applyPatch: (ctx, rec, p) => s.applyPatch(ctx, rec, { ...p, locale: undefined }) }),
  },
] as const satisfies readonly FaultDef[];
