/**
 * Catalogue of injectable contract bugs used by the suite's mutation
 * self-test. Each entry is one realistic defect, and its patch is the whole of
 * its behaviour: it replaces a few seams of the reference server (../seams.ts)
 * and leaves it exactly like the standard variant in every other respect.
 * The entries are grouped by kind in the files beside this one; the
 * catalogue is their list, in this order.
 */
import type { Patch } from '../seams';
import { ACCESS_FAULTS } from './access';
import { DEFAULTS_FAULTS } from './defaults';
import { DEVIATION_FAULTS } from './deviations';
import { EDGE_FAULTS } from './edges';
import type { FaultDef } from './fault';
import { LIFECYCLE_FAULTS } from './lifecycle';
import { LIST_FAULTS } from './list';
import { OWNERSHIP_FAULTS } from './ownership';
import { ROBUSTNESS_FAULTS } from './robustness';
import { STATE_FAULTS } from './state';
import { STORED_FAULTS } from './stored';
import { TOKEN_FAULTS } from './tokens';
import { VALIDATION_FAULTS } from './validation';
import { WIRE_FAULTS } from './wire';

const CATALOGUE = [
  ...WIRE_FAULTS,
  ...ACCESS_FAULTS,
  ...LIFECYCLE_FAULTS,
  ...LIST_FAULTS,
  ...VALIDATION_FAULTS,
  ...DEFAULTS_FAULTS,
  ...TOKEN_FAULTS,
  ...OWNERSHIP_FAULTS,
  ...EDGE_FAULTS,
  ...ROBUSTNESS_FAULTS,
  ...STORED_FAULTS,
  ...DEVIATION_FAULTS,
  ...STATE_FAULTS,
] as const;

export type FaultId = (typeof CATALOGUE)[number]['id'];
export type { FaultOperation } from './fault';

export interface FaultSpec extends Omit<FaultDef, 'id' | 'exploreOnly'> {
  id: FaultId;
  /** See FaultDef.exploreOnly. */
  exploreOnly?: boolean;
}

export const FAULTS: readonly FaultSpec[] = CATALOGUE;

/** The faults the named checks must kill. */
export const NAMED_FAULTS: readonly FaultSpec[] = FAULTS.filter((f) => !f.exploreOnly);

/**
 * Faults written for checks that have not landed yet (project issue 17: the
 * robustness sweep, enum members and near misses, cross-operation
 * consequences), each with the probe that should kill it. No existing check
 * does, so the mutation self-test leaves them out by default, saying so
 * (`npm run mutants -- --faults <id>` runs one). Remove an entry when its
 * check lands; remove the list when all have.
 */
export const PENDING_FAULTS: Readonly<Partial<Record<FaultId, string>>> = {
  // the sweep: never a 5xx
  'user-id-int4-500': 'sweep, path parameters: userId 2147483648 and 9007199254740993 on get, PATCH, delete, force-refresh',
  'schedule-id-int4-500': 'sweep, PATCH body: defaultScheduleId just past 32 bits (2147483648)',
  'patch-null-500': 'sweep, PATCH body: null for email, weekStart, timeZone',
  'nul-in-text-500': 'sweep, create and PATCH bodies: U+0000 in every string field',
  'create-half-created-on-500': 'sweep, create body: U+0000 in name/bio/metadata, then no user left behind',
  'client-id-nul-500': 'sweep, path parameters: clientId %00',
  'long-email-500': 'sweep, create and PATCH bodies: a very long e-mail',
  'metadata-constructor-500': 'sweep, metadata: a key named constructor',
  'deep-nesting-500': 'sweep, bodies: very deep nesting',
  'list-emails-object-500': 'sweep, query parameters: emails in array/object form (emails[0][a]=x)',
  // the sweep: what a server accepts reads back as sent
  'timezone-capitalised': 'sweep, timeZone: every accepted zone reads back as the zone (America/Port_of_Spain)',
  'email-split-at-first-at': 'sweep, email: an accepted address reads back suffixed with its domain as sent (x@a.com@b.org)',
  'patch-email-unvalidated': 'sweep, PATCH email "": reads back suffixed, or a 4xx',
  'non-ascii-latin1-mangled': 'sweep, name and bio: non-ASCII text reads back as sent',
  'bio-truncated-255': 'sweep, bio: a very long string reads back whole, or a 4xx',
  'metadata-prototype-keys-dropped': 'sweep, metadata: keys __proto__, toString, hasOwnProperty read back',
  'null-stored-as-sent': 'sweep, null: a 4xx where the document forbids null (create timeFormat, PATCH locale)',
  // the sweep: a 4xx where the document forbids the value, and its envelope
  'create-weekstart-type-only': 'enum members and near misses on create weekStart (once create.weekStart.enum is no longer waived)',
  'create-email-trpc-400': 'sweep, create email "", "x": the 4xx carries the documented envelope and error codes',
  'payload-limit-100kb-bare': 'sweep, a very long string in a body over 100 kB: a 4xx with the envelope',
  'list-params-parseint': 'sweep, query parameters: limit/offset non-integer (1.5) is a 400',
  'list-emails-array-unchecked': 'sweep, query parameters: emails repeated with an invalid address is a 400',
  'patch-unparsed-body-noop': 'sweep, PATCH with a body that is not application/json: a 4xx (the request body is required JSON)',
  // enums: near misses
  'locale-case-insensitive': 'enum near misses: locale in other letter case (EN) is a 400',
  'enum-spaces-trimmed': 'enum near misses: weekStart/locale with surrounding spaces is a 400',
  'timeformat-range-checked': 'enum near misses: a number between members (timeFormat 18) is a 400',
  // cross-operation consequences
  'deleted-email-still-indexed': "consequences: a deleted user's e-mail can be used again (create, PATCH)",
  'patch-email-raw-uniqueness': 'consequences: the client suffix keeps clients apart on PATCH as on create',
  'username-slug-unique': 'consequences: different e-mails with one username slug (x_a@ / x-a@, a different 3rd-level label) are different users',
};

/** The mutation self-test's default set: the named faults, but the pending ones. */
export const MUTANT_FAULTS: readonly FaultSpec[] = NAMED_FAULTS.filter((f) => !(f.id in PENDING_FAULTS));

/** The faults written for explore (see FaultDef.exploreOnly). */
export const EXPLORE_ONLY_FAULTS: readonly FaultSpec[] = FAULTS.filter((f) => f.exploreOnly);

const BY_ID: ReadonlyMap<string, FaultSpec> = new Map(FAULTS.map((f) => [f.id, f]));

export function isFaultId(value: unknown): value is FaultId {
  return typeof value === 'string' && BY_ID.has(value);
}

/** The patch of a fault, or undefined for none. */
export function faultPatch(id: FaultId | null): Patch | undefined {
  return id === null ? undefined : BY_ID.get(id)?.patch;
}
