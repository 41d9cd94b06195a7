/**
 * The in-memory user table of one instance: records, the per-client and
 * per-client e-mail indexes, id and schedule-id sequences, and insert, remove
 * and the e-mail move. What the operations ask of it goes through the
 * repository seams (repository.ts).
 */
import type { InstanceConfig } from './config';
import { DEFAULT_TIME_FORMAT, DEFAULT_TIME_ZONE, DEFAULT_WEEK_START } from './constants';
import { createRng, hash32, randInt, subSeed } from './rng';
import type { CreateFields, Metadata } from './validation';

export interface UserRecord {
  id: number;
  clientId: string;
  /** Stored (suffixed) e-mail. */
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
  /** Bumped on every issued token pair; earlier pairs count as revoked. */
  tokenGeneration: number;
  /** Legal-variant list order key. */
  orderKey: number;
  /** Cached serialisation of the user object; null after any change. */
  json: string | null;
}

/** A user about to be stored: its fields, without those the store gives (id, dates, username, order). */
export interface NewUser {
  email: string;
  name: string | null;
  bio: string | null;
  timeZone: string;
  weekStart: string;
  timeFormat: number | null;
  locale: string | undefined;
  avatarUrl: string | null;
  metadata: Metadata | undefined;
  /** 'new': the store makes the user a default schedule; otherwise its schedule id. */
  schedule: 'new' | number | null;
}

export interface Store {
  /** Every stored user, in insertion order. */
  all(): IterableIterator<UserRecord>;
  /** The users of one client, in insertion order. */
  ofClient(clientId: string): Iterable<UserRecord>;
  get(id: number): UserRecord | undefined;
  /** The user of a client with this stored e-mail. */
  byEmail(clientId: string, storedEmail: string): UserRecord | undefined;
  insert(clientId: string, row: NewUser, createdAtMs: number): UserRecord;
  remove(rec: UserRecord): void;
  /** Moves a user to a new stored e-mail, keeping the index right; the username follows. */
  setEmail(rec: UserRecord, stored: string): void;
  /** The username a stored e-mail gives. */
  usernameOf(stored: string): string | null;
}

/** The row a create stores for valid fields, with the defaults written in (pre-existing users are made with it too). */
export function newUserRow(f: CreateFields, stored: string): NewUser {
  return {
    email: stored,
    name: f.name ?? null,
    bio: f.bio ?? null,
    timeZone: f.timeZone ?? DEFAULT_TIME_ZONE,
    weekStart: f.weekStart ?? DEFAULT_WEEK_START,
    timeFormat: f.timeFormat ?? DEFAULT_TIME_FORMAT,
    locale: f.locale,
    avatarUrl: f.avatarUrl ?? null,
    metadata: f.metadata,
    schedule: f.timeZone !== undefined ? 'new' : null,
  };
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
  const { legal, seed } = cfg;
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
  const makeUsername = (email: string): string | null => {
    const [local, domain] = splitEmail(email);
    const labels = (domain ?? '').split('.');
    const tld = labels.length > 1 ? (labels.pop() ?? '') : '';
    const slug = slugify(`${local}-${labels.join('-')}-${tld}`, usernameSeparator);
    return slug === '' ? null : slug;
  };

  function insert(clientId: string, row: NewUser, createdAtMs: number): UserRecord {
    const id = nextId();
    const { schedule, ...fields } = row;
    const rec: UserRecord = {
      id,
      clientId,
      ...fields,
      username: makeUsername(row.email),
      createdDate: formatDate(createdAtMs),
      createdAtIso: legal ? new Date(createdAtMs).toISOString() : '',
      defaultScheduleId: schedule === 'new' ? nextScheduleId() : schedule,
      tokenGeneration: 0,
      orderKey: legal ? hash32(id, orderSalt) : id,
      json: null,
    };
    users.set(id, rec);
    byClient.get(clientId)?.set(id, rec);
    indexSet(rec);
    return rec;
  }

  function remove(rec: UserRecord): void {
    indexRemove(rec);
    users.delete(rec.id);
    byClient.get(rec.clientId)?.delete(rec.id);
  }

  function setEmail(rec: UserRecord, stored: string): void {
    indexRemove(rec);
    rec.email = stored;
    rec.username = makeUsername(stored);
    // Only a stored user is indexed (a removed one may still be changed by a bug that kept it).
    if (users.get(rec.id) === rec) indexSet(rec);
  }

  const none: ReadonlyMap<number, UserRecord> = new Map();
  return {
    all: () => users.values(),
    ofClient: (clientId) => (byClient.get(clientId) ?? none).values(),
    get: (id) => users.get(id),
    byEmail: indexGet,
    insert,
    remove,
    setEmail,
    usernameOf: makeUsername,
  };
}
