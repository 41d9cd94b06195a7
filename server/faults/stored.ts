/**
 * Faults that accept a value and store another: the answer is a 2xx and the
 * read-back differs from what was sent. Most are bugs a real Cal.com API v2
 * (2025-05) showed (research/real-server-findings.md, S1–S5); the sweep's
 * "what a server accepts reads back as sent" is what should see them.
 */
import type { Patch } from '../seams';
import { type FieldRule, ok } from '../validation';
import { bothRules, type FaultDef } from './fault';

/** Cal.com's capitalizeTimezone: each '_'-separated word capitalised, the rest lower-cased; GMT, EST and UTC kept upper-case. */
export function capitaliseTimeZone(zone: string): string {
  const word = (w: string) => {
    const upper = w.slice(0, 3).toUpperCase();
    return upper === 'GMT' || upper === 'EST' || upper === 'UTC' ? upper + w.slice(3).toLowerCase() : w.charAt(0).toUpperCase() + w.slice(1).toLowerCase();
  };
  return zone.split('/').map((part) => part.split('_').map(word).join('_')).join('/');
}

/** Text sent as UTF-8 over a connection whose client encoding is LATIN1: each byte read back as a character. */
const latin1RoundTrip = (text: string | null) => (text === null ? null : Buffer.from(text, 'utf8').toString('latin1'));

/** What becomes of name and bio on their way to the database, on create and PATCH. */
const storedAs = (change: (column: 'name' | 'bio', text: string | null) => string | null): Patch => (s) => ({
  newUser(ctx, f, stored) {
    const row = s.newUser(ctx, f, stored);
    return { ...row, name: change('name', row.name), bio: change('bio', row.bio) };
  },
  applyPatch(ctx, rec, p) {
    const name = p.name === undefined ? {} : { name: change('name', p.name) };
    const bio = p.bio === undefined ? {} : { bio: change('bio', p.bio) };
    s.applyPatch(ctx, rec, { ...p, ...name, ...bio });
  },
});

/** A rule whose accepted value is replaced by `stored(value)`. */
const storesOther = (stored: (value: unknown) => unknown) => (base: FieldRule): FieldRule => (v) => {
  const verdict = base(v);
  return verdict?.ok ? ok(stored(verdict.value)) : verdict;
};

/** class-transformer and Nest's stripProtoKeys skip keys that name a member of Object.prototype (and __proto__). */
function withoutPrototypeKeys(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) if (key !== '__proto__' && !(key in Object.prototype)) copy[key] = (value as Record<string, unknown>)[key];
  return copy;
}

export const STORED_FAULTS = [
  {
    id: 'timezone-capitalised', operation: 'all', kind: 'stored', description: "timeZone is stored through Cal.com's capitalizeTimezone instead of the zone's own name (create and PATCH): America/Port_of_Spain becomes America/Port_Of_Spain, US/Pacific Us/Pacific, CET Cet.",
    patch: bothRules('timeZone', storesOther((tz) => (typeof tz === 'string' ? capitaliseTimeZone(tz) : tz))),
  },
  {
    id: 'email-split-at-first-at', operation: 'all', kind: 'stored', description: "The e-mail is suffixed by split('@') (create and PATCH): x@example.com@evil.org is stored as x+<clientId>@example.com, and an address without '@' gets the domain 'undefined'.",
    patch: (s) => ({
      storedEmail(ctx, raw, rec) {
        const [local, domain] = raw.split('@');
        return s.storedEmail(ctx, `${local}@${domain}`, rec);
      },
    }),
  },
  {
    id: 'patch-email-unvalidated', operation: 'update', kind: 'stored', description: 'A PATCH e-mail "" skips the suffixing (`if (body.email)`) but is still written: stored as "", username unchanged (a second user PATCHed to "" is a 409).',
    patch: (s) => ({
      storedEmail: (ctx, raw, rec) => (ctx.op === 'update' && raw === '' ? raw : s.storedEmail(ctx, raw, rec)),
      setEmail(ctx, rec, stored) {
        const { username } = rec;
        s.setEmail(ctx, rec, stored);
        if (stored === '') rec.username = username;
      },
    }),
  },
  {
    id: 'non-ascii-latin1-mangled', operation: 'all', kind: 'stored', description: "name and bio reach the database over a LATIN1 connection: non-ASCII text is stored as its UTF-8 bytes read as Latin-1 ('Zoë' becomes 'ZoÃ«'), on create and PATCH.",
    patch: storedAs((_column, text) => latin1RoundTrip(text)),
  },
  {
    id: 'bio-truncated-255', operation: 'all', kind: 'stored', description: 'bio is a varchar(255) column whose driver truncates: a longer bio is answered 2xx and stored cut at 255 characters (create and PATCH).',
    patch: storedAs((column, text) => (column === 'bio' && text !== null ? text.slice(0, 255) : text)),
  },
  {
    id: 'metadata-prototype-keys-dropped', operation: 'all', kind: 'stored', description: 'Metadata keys that name Object.prototype members (__proto__, toString, hasOwnProperty) are silently dropped (create and PATCH).',
    patch: bothRules('metadata', storesOther(withoutPrototypeKeys)),
  },
] as const satisfies readonly FaultDef[];
