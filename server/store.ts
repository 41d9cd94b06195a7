/**
 * The in-memory user table of one instance: records, the per-client and
 * per-client e-mail indexes, id and schedule-id sequences, and insert, remove
 * and find. The faults that live in the data layer (defaults written on
 * insert, soft deletes, lookups that ignore the client or the deleted flag)
 * are decided here.
 */
import { randomBytes } from 'node:crypto';
import type { InstanceConfig } from './config';
import { DEFAULT_TIME_FORMAT, DEFAULT_TIME_ZONE, DEFAULT_WEEK_START } from './constants';
import type { FaultId } from './faults';
import { createRng, hash32, randInt, subSeed } from './rng';
import type { TokenPair } from './tokens';
import type { Operation } from './types';
import type { CreateFields, Metadata } from './validation';

export interface UserRecord {
  id: number;
  clientId: string;
  /** Normalised e-mail as the caller sent it (before suffixing). */
  rawEmail: string;
  email: string;
  username: string | null;
  name: string | null;
  bio: string | null;
  timeZone: string;
  weekStart: string;
  createdDate: string;
  createdAtIso: string;
  timeFormat: number | null;
  defaultScheduleId: number | null;
  /** undefined: never set (the standard variant shows its default, the legal one omits the key). */
  locale: string | undefined;
  avatarUrl: string | null;
  metadata: Metadata | undefined;
  /** Only with fault create-echoes-unknown. */
  extras: Metadata | undefined;
  /** Only with fault sensitive-field-leak. */
  password: string | undefined;
  /** Only with the soft-delete faults. */
  deleted: boolean;
  /** Bumped on every issued token pair; earlier pairs count as revoked. */
  tokenGeneration: number;
  /** Only with fault refresh-same-tokens. */
  initialTokens: TokenPair | undefined;
  /** Legal-variant list order key. */
  orderKey: number;
  /** Cached serialisation of the user object; null after any change. */
  json: string | null;
}

export interface Store {
  /** Every stored user (soft-deleted ones too, with the soft-delete faults). */
  all(): IterableIterator<UserRecord>;
  /** The users of one client, in insertion order. */
  ofClient(clientId: string): Iterable<UserRecord>;
  get(id: number): UserRecord | undefined;
  /** The live user of a client with this stored e-mail. */
  byEmail(clientId: string, storedEmail: string): UserRecord | undefined;
  /** Lower-cases an e-mail (unless fault email-case-preserved). */
  normaliseEmail(email: string): string;
  /**
   * Stores a new user. `pristine` (pre-existing users) ignores every create-time
   * fault: those users were made before the bug, and keep their data whatever
   * fault is active.
   */
  insert(clientId: string, f: CreateFields, createdAtMs: number, extras?: Metadata, pristine?: boolean): UserRecord;
  remove(rec: UserRecord): void;
  /** Moves a user to a new e-mail, keeping the index right; the username follows unless told otherwise. */
  setEmail(rec: UserRecord, stored: string, raw: string, regenerateUsername: boolean): void;
  /** The existing user a create with this e-mail collides with, if any. */
  findDuplicate(clientId: string, storedEmail: string, rawEmail: string): UserRecord | undefined;
  /** The user `op` may act on for this client, or undefined (404). */
  findUser(clientId: string, id: number, op: Operation): UserRecord | undefined;
}

const SOFT_DELETE_FAULTS: ReadonlySet<FaultId | null> = new Set<FaultId | null>([
  'deleted-still-readable',
  'deleted-still-listed',
  'deleted-refreshable',
  'deleted-updatable',
]);
const BCRYPT_ALPHABET = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function fakeBcrypt(): string {
  const bytes = randomBytes(53);
  let s = '$2b$10$';
  for (const b of bytes) s += BCRYPT_ALPHABET[b & 63];
  return s;
}

export function splitEmail(email: string): [string, string | null] {
  const at = email.lastIndexOf('@');
  return at < 0 ? [email, null] : [email.slice(0, at), email.slice(at + 1)];
}

/** `local@domain` → `local+<clientId>@domain`. */
export function suffixEmail(email: string, clientId: string): string {
  const [local, domain] = splitEmail(email);
  return domain === null ? `${local}+${clientId}` : `${local}+${clientId}@${domain}`;
}

const ASCII_RE = /^[\x00-\x7f]*$/;
const ASCII_SEPARATORS = /[^a-z0-9]+/g;

function slugify(text: string, separator: string): string {
  if (ASCII_RE.test(text)) {
    const s = text.toLowerCase().replace(ASCII_SEPARATORS, separator);
    let start = 0;
    let end = s.length;
    while (start < end && s[start] === separator) start++;
    while (end > start && s[end - 1] === separator) end--;
    return s.slice(start, end);
  }
  return text
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .replace(/[^\p{L}\p{N}]+/gu, separator)
    .split(separator)
    .filter(Boolean)
    .join(separator);
}

export function createStore(cfg: InstanceConfig): Store {
  const { fault, legal, seed } = cfg;
  const softDelete = SOFT_DELETE_FAULTS.has(fault);
  const usernameSeparator = legal ? '.' : '-';

  const users = new Map<number, UserRecord>();
  const byClient = new Map<string, Map<number, UserRecord>>();
  for (const c of cfg.clients) byClient.set(c.id, new Map());
  // Per-client e-mail index: clientId → stored e-mail → user.
  const emailIndex = new Map<string, Map<string, UserRecord>>();
  for (const c of cfg.clients) emailIndex.set(c.id, new Map());
  const indexGet = (clientId: string, email: string) => emailIndex.get(clientId)?.get(email);
  const indexSet = (rec: UserRecord) => emailIndex.get(rec.clientId)?.set(rec.email, rec);
  const indexRemove = (rec: UserRecord) => {
    const byEmail = emailIndex.get(rec.clientId);
    if (byEmail?.get(rec.email) === rec) byEmail.delete(rec.email);
  };
  /**
   * E-mails that still count as taken for a create although no live user has them:
   * a deleted user's (fault recreate-deleted-email-conflict) or one a PATCH moved
   * away from (fault old-email-still-taken). Keyed by client and stored e-mail.
   */
  const stale = new Map<string, UserRecord>();
  /** Users made at start-up (`pristine`): the bug of fault schedule-collision-third-user counts only the others. */
  const preexisting = new WeakSet<UserRecord>();

  const idRng = createRng(subSeed(seed, 'ids'));
  const orderSalt = subSeed(seed, 'order');
  let lastId = 0;
  let lastScheduleId = 0;
  const nextId = () => {
    if (!legal) return ++lastId;
    lastId = lastId === 0 ? 1_500_000_000 + randInt(idRng, 0, 40_000_000) : lastId + randInt(idRng, 1, 997);
    return lastId;
  };
  const nextScheduleId = () => {
    if (!legal) return ++lastScheduleId;
    lastScheduleId = lastScheduleId === 0 ? 700_000_000 + randInt(idRng, 0, 40_000_000) : lastScheduleId + randInt(idRng, 1, 97);
    return lastScheduleId;
  };

  let lastDateMs = Number.NaN;
  let lastDate = '';
  const formatDate = (ms: number) => {
    if (ms !== lastDateMs) {
      const iso = new Date(ms).toISOString();
      lastDate = legal ? `${iso.slice(0, 19)}Z` : iso;
      lastDateMs = ms;
    }
    return lastDate;
  };
  const normaliseEmail = (email: string) => (fault === 'email-case-preserved' ? email : email.toLowerCase());
  const makeUsername = (email: string): string | null => {
    const [local, domain] = splitEmail(email);
    const labels = (domain ?? '').split('.');
    const tld = labels.length > 1 ? (labels.pop() ?? '') : '';
    const slug = slugify(`${local}-${labels.join('-')}-${tld}`, usernameSeparator);
    return slug === '' ? null : slug;
  };

  function insert(clientId: string, f: CreateFields, createdAtMs: number, extras?: Metadata, pristine = false): UserRecord {
    const fx = pristine ? null : fault;
    const id = nextId();
    const rawEmail = pristine ? (f.email ?? '').toLowerCase() : normaliseEmail(f.email ?? '');
    const email = fx === 'email-not-suffixed' ? rawEmail : suffixEmail(rawEmail, clientId);
    const withZone = f.timeZone !== undefined;
    const wantsSchedule = withZone ? fx !== 'default-schedule-null' : fx === 'default-schedule-without-timezone';
    let scheduleId: number | null = null;
    if (wantsSchedule) {
      let shared: number | null = null;
      if (fx === 'schedule-collision-third-user' && withZone) {
        // The bug: a client's third live user with a schedule re-reads "the client's latest schedule" instead of the one it made.
        const scheduled = [...(byClient.get(clientId)?.values() ?? [])].filter((u) => !u.deleted && u.defaultScheduleId !== null && !preexisting.has(u));
        if (scheduled.length === 2) shared = scheduled[1]!.defaultScheduleId;
      }
      scheduleId = shared ?? nextScheduleId();
    }
    const rec: UserRecord = {
      id,
      clientId,
      rawEmail,
      email,
      username: makeUsername(email),
      name: f.name ?? null,
      bio: fx === 'create-drops-bio' ? null : (f.bio ?? null),
      timeZone: f.timeZone ?? (fx === 'default-timezone-utc' ? 'UTC' : DEFAULT_TIME_ZONE),
      weekStart: f.weekStart ?? (fx === 'default-weekstart-monday' ? 'Monday' : DEFAULT_WEEK_START),
      createdDate: formatDate(createdAtMs),
      createdAtIso: legal ? new Date(createdAtMs).toISOString() : '',
      timeFormat: f.timeFormat ?? (fx === 'default-timeformat-24' ? 24 : DEFAULT_TIME_FORMAT),
      defaultScheduleId: scheduleId,
      locale: f.locale,
      avatarUrl: f.avatarUrl ?? null,
      metadata: fx === 'create-drops-metadata' ? undefined : f.metadata,
      extras,
      password: fx === 'sensitive-field-leak' ? fakeBcrypt() : undefined,
      deleted: false,
      tokenGeneration: 0,
      initialTokens: undefined,
      orderKey: legal ? hash32(id, orderSalt) : id,
      json: null,
    };
    users.set(id, rec);
    if (pristine) preexisting.add(rec);
    byClient.get(clientId)?.set(id, rec);
    indexSet(rec);
    return rec;
  }

  function remove(rec: UserRecord): void {
    indexRemove(rec);
    if (fault === 'recreate-deleted-email-conflict') stale.set(`${rec.clientId} ${rec.email}`, rec);
    if (softDelete) {
      rec.deleted = true;
      return;
    }
    users.delete(rec.id);
    byClient.get(rec.clientId)?.delete(rec.id);
  }

  function setEmail(rec: UserRecord, stored: string, raw: string, regenerateUsername: boolean): void {
    indexRemove(rec);
    if (fault === 'old-email-still-taken' && rec.email !== stored) stale.set(`${rec.clientId} ${rec.email}`, rec);
    rec.email = stored;
    rec.rawEmail = raw;
    if (regenerateUsername) rec.username = makeUsername(stored);
    if (!rec.deleted) indexSet(rec);
  }

  function findDuplicate(clientId: string, storedEmail: string, rawEmail: string): UserRecord | undefined {
    if (fault === 'duplicate-across-clients') {
      for (const u of users.values()) {
        if (!u.deleted && (u.rawEmail === rawEmail || (u.clientId === clientId && u.email === storedEmail))) return u;
      }
      return undefined;
    }
    return indexGet(clientId, storedEmail) ?? stale.get(`${clientId} ${storedEmail}`);
  }

  function findUser(clientId: string, id: number, op: Operation): UserRecord | undefined {
    const rec = users.get(id);
    if (rec === undefined) return undefined;
    if (rec.clientId !== clientId) {
      const crossAllowed =
        (op === 'get' && fault === 'cross-client-read') ||
        (op === 'update' && fault === 'cross-client-update') ||
        (op === 'delete' && fault === 'cross-client-delete') ||
        (op === 'refresh' && fault === 'cross-client-refresh');
      if (!crossAllowed) return undefined;
    }
    if (rec.deleted) {
      const deletedAllowed =
        (op === 'get' && fault === 'deleted-still-readable') ||
        (op === 'update' && fault === 'deleted-updatable') ||
        (op === 'refresh' && fault === 'deleted-refreshable');
      if (!deletedAllowed) return undefined;
    }
    return rec;
  }

  const none: ReadonlyMap<number, UserRecord> = new Map();
  return {
    all: () => users.values(),
    ofClient: (clientId) => (byClient.get(clientId) ?? none).values(),
    get: (id) => users.get(id),
    byEmail: indexGet,
    normaliseEmail,
    insert,
    remove,
    setEmail,
    findDuplicate,
    findUser,
  };
}
