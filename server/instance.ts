/**
 * One stateful reference-server instance: routing, guard, validation, the six
 * operations and their in-memory state. Pure node:http request/response
 * handling; no framework.
 *
 * Request pipeline (NestJS order): route match → path decoding → guard →
 * userId parsing → body reading/parsing/validation → lookup → operation.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import {
  BODY_LIMIT,
  DEFAULT_LOCALE,
  DEFAULT_TIME_FORMAT,
  DEFAULT_TIME_ZONE,
  DEFAULT_WEEK_START,
  LIST_LIMIT_MAX,
} from './constants';
import type { FaultId } from './faults';
import { isFaultId } from './faults';
import { LEGAL_MESSAGES, type Messages, STANDARD_MESSAGES } from './messages';
import { lookalikeCount, seedLookalikes, seedUsers } from './population';
import { createRateLimiter, type RateLimiter } from './ratelimit';
import { createRng, hash32, randInt, subSeed } from './rng';
import { createTokenIssuer, type TokenPair } from './tokens';
import type { InstanceOptions, Operation } from './types';
import {
  type CreateFields,
  type FieldError,
  type Metadata,
  type PatchFields,
  parseListQuery,
  type ValidationContext,
  validateCreate,
  validatePatch,
} from './validation';

export const DEFAULT_SEED = 20240401;

interface UserRecord {
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
  locale: string;
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

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export interface Instance {
  handler: Handler;
  prefix: string;
  /** Cancels pending jitter timers. */
  dispose(): void;
}

const ID_RE = /^-?\d+$/;
const ROUTE_BASE = '/v2/oauth-clients/';
const SOFT_DELETE_FAULTS: ReadonlySet<FaultId | null> = new Set<FaultId | null>([
  'deleted-still-readable',
  'deleted-still-listed',
  'deleted-refreshable',
  'deleted-updatable',
]);
const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
};
const BCRYPT_ALPHABET = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const OUTPUT_KEYS = new Set([
  'id', 'email', 'username', 'name', 'bio', 'timeZone', 'timezone', 'weekStart', 'createdDate', 'timeFormat',
  'defaultScheduleId', 'locale', 'avatarUrl', 'metadata', 'theme', 'brandColor', 'createdAt', 'password',
]);
const noop = () => {};

export function normalisePrefix(prefix: string | undefined): string {
  if (!prefix) return '';
  let p = prefix.trim();
  if (!p.startsWith('/')) p = `/${p}`;
  while (p.endsWith('/')) p = p.slice(0, -1);
  return p;
}

function fakeBcrypt(): string {
  const bytes = randomBytes(53);
  let s = '$2b$10$';
  for (const b of bytes) s += BCRYPT_ALPHABET[b & 63];
  return s;
}

function splitEmail(email: string): [string, string | null] {
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

export function createInstance(opts: InstanceOptions): Instance {
  if (!Array.isArray(opts.clients) || opts.clients.length === 0) throw new Error('at least one OAuth client is required');
  for (const c of opts.clients) {
    if (!c || typeof c.id !== 'string' || c.id === '' || typeof c.secret !== 'string' || c.secret === '') {
      throw new Error('every client needs a non-empty string id and secret');
    }
  }
  const fault: FaultId | null = opts.fault ?? null;
  if (fault !== null && !isFaultId(fault)) throw new Error(`unknown fault id: ${String(fault)}`);
  const legal = opts.variant === 'legal';
  const prefix = normalisePrefix(opts.prefix);
  const seed = (opts.seed ?? DEFAULT_SEED) >>> 0;
  const jitterMs = Math.max(0, opts.jitterMs ?? (legal ? 15 : 0));
  const latencyMs = Math.max(0, opts.latencyMs ?? 0);
  const preexistingPerClient = Math.max(0, Math.floor(opts.preexistingUsers ?? (legal ? 40 : 0)));
  const limiter: RateLimiter | null = opts.rateLimit ? createRateLimiter(opts.rateLimit) : null;
  /** API requests seen (every request that matched one of the six routes). */
  let apiRequests = 0;

  const msgs: Messages = legal ? LEGAL_MESSAGES : STANDARD_MESSAGES;
  const vctx: ValidationContext = { messages: msgs, fault };
  const issueTokens = createTokenIssuer({ legal, fault });
  const jsonType = legal ? 'application/json' : 'application/json; charset=utf-8';
  const successType = fault === 'content-type-text' ? 'text/plain; charset=utf-8' : jsonType;
  const successHead = `{"status":"${fault === 'success-status-ok' ? 'ok' : 'success'}","data":`;
  const successTail = legal ? ',"meta":{"apiVersion":"legal"}}' : '}';
  const softDelete = SOFT_DELETE_FAULTS.has(fault);
  const usernameSeparator = legal ? '.' : '-';

  const clients = new Map(opts.clients.map((c) => [c.id, c.secret] as const));
  const knownSecrets = new Set(opts.clients.map((c) => c.secret));

  // ── state ──────────────────────────────────────────────────────────────────
  const users = new Map<number, UserRecord>();
  const byClient = new Map<string, Map<number, UserRecord>>();
  for (const c of opts.clients) byClient.set(c.id, new Map());
  // Per-client e-mail index: clientId → stored e-mail → user.
  const emailIndex = new Map<string, Map<string, UserRecord>>();
  for (const c of opts.clients) emailIndex.set(c.id, new Map());
  const indexGet = (clientId: string, email: string) => emailIndex.get(clientId)?.get(email);
  const indexSet = (rec: UserRecord) => emailIndex.get(rec.clientId)?.set(rec.email, rec);
  const indexRemove = (rec: UserRecord) => {
    const byEmail = emailIndex.get(rec.clientId);
    if (byEmail?.get(rec.email) === rec) byEmail.delete(rec.email);
  };

  const idRng = createRng(subSeed(seed, 'ids'));
  const jitterRng = createRng(subSeed(seed, 'jitter'));
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

  /**
   * Stores a new user. `pristine` (pre-existing users) ignores every create-time
   * fault: those users were made before the bug, and keep their data whatever
   * fault is active.
   */
  function insertUser(clientId: string, f: CreateFields, createdAtMs: number, extras?: Metadata, pristine = false): UserRecord {
    const fx = pristine ? null : fault;
    const id = nextId();
    const rawEmail = pristine ? (f.email ?? '').toLowerCase() : normaliseEmail(f.email ?? '');
    const email = fx === 'email-not-suffixed' ? rawEmail : suffixEmail(rawEmail, clientId);
    const withZone = f.timeZone !== undefined;
    const wantsSchedule = withZone ? fx !== 'default-schedule-null' : fx === 'default-schedule-without-timezone';
    const rec: UserRecord = {
      id,
      clientId,
      rawEmail,
      email,
      username: makeUsername(email),
      name: f.name ?? null,
      bio: fx === 'create-drops-bio' ? null : (f.bio ?? null),
      timeZone: f.timeZone ?? (fx === 'default-timezone-utc' ? 'UTC' : DEFAULT_TIME_ZONE),
      weekStart: f.weekStart ?? DEFAULT_WEEK_START,
      createdDate: formatDate(createdAtMs),
      createdAtIso: legal ? new Date(createdAtMs).toISOString() : '',
      timeFormat: f.timeFormat ?? DEFAULT_TIME_FORMAT,
      defaultScheduleId: wantsSchedule ? nextScheduleId() : null,
      locale: f.locale ?? DEFAULT_LOCALE,
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
    byClient.get(clientId)?.set(id, rec);
    indexSet(rec);
    return rec;
  }

  function removeUser(rec: UserRecord): void {
    indexRemove(rec);
    if (softDelete) {
      rec.deleted = true;
      return;
    }
    users.delete(rec.id);
    byClient.get(rec.clientId)?.delete(rec.id);
  }

  /** The existing user a create with this e-mail collides with, if any. */
  function findDuplicate(clientId: string, storedEmail: string, rawEmail: string): UserRecord | undefined {
    if (fault === 'duplicate-across-clients') {
      for (const u of users.values()) {
        if (!u.deleted && (u.rawEmail === rawEmail || (u.clientId === clientId && u.email === storedEmail))) return u;
      }
      return undefined;
    }
    return indexGet(clientId, storedEmail);
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

  function issueFor(rec: UserRecord, clientId: string): TokenPair {
    if (fault === 'refresh-same-tokens' && rec.initialTokens !== undefined) return rec.initialTokens;
    const pair = issueTokens(clientId, rec.id, Date.now());
    rec.tokenGeneration++;
    if (fault === 'refresh-same-tokens') rec.initialTokens = pair;
    return pair;
  }

  // ── serialisation ──────────────────────────────────────────────────────────
  /** The user object as JSON; cached on the record unless `cache` is false or another `id` is shown. */
  function userJson(rec: UserRecord, cache = true, id = rec.id): string {
    if (rec.json !== null && id === rec.id) return rec.json;
    const o: Record<string, unknown> = {
      id: fault === 'user-id-string' ? String(id) : id,
      email: fault === 'user-email-null' ? null : rec.email,
      username: rec.username,
      name: rec.name,
      bio: rec.bio,
    };
    if (fault === 'user-timezone-renamed') o.timezone = rec.timeZone;
    else o.timeZone = rec.timeZone;
    o.weekStart = rec.weekStart;
    if (fault !== 'user-missing-createdDate') o.createdDate = rec.createdDate;
    o.timeFormat = fault === 'user-timeformat-string' && rec.timeFormat !== null ? String(rec.timeFormat) : rec.timeFormat;
    o.defaultScheduleId = rec.defaultScheduleId;
    o.locale = rec.locale;
    o.avatarUrl = rec.avatarUrl;
    if (rec.metadata !== undefined) o.metadata = rec.metadata;
    if (legal) {
      o.theme = null;
      o.brandColor = '#292929';
      o.createdAt = rec.createdAtIso;
    }
    if (rec.extras !== undefined) {
      for (const key of Object.keys(rec.extras)) {
        if (OUTPUT_KEYS.has(key)) continue;
        Object.defineProperty(o, key, { value: rec.extras[key], enumerable: true, writable: true, configurable: true });
      }
    }
    if (rec.password !== undefined) o.password = rec.password;
    const json = JSON.stringify(o);
    if (cache && id === rec.id) rec.json = json;
    return json;
  }

  const tokensJson = (t: TokenPair, withRefreshExpiry: boolean) =>
    `{"accessToken":${JSON.stringify(t.accessToken)},"refreshToken":${JSON.stringify(t.refreshToken)},` +
    `"accessTokenExpiresAt":${t.accessTokenExpiresAt}` +
    (withRefreshExpiry ? `,"refreshTokenExpiresAt":${t.refreshTokenExpiresAt}}` : '}');

  // ── responses ──────────────────────────────────────────────────────────────
  function send(res: ServerResponse, status: number, body: string, type: string): void {
    if (res.headersSent || res.destroyed) return;
    res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  }

  function sendSuccess(res: ServerResponse, status: number, dataJson: string): void {
    send(res, status, successHead + dataJson + successTail, successType);
  }

  function sendError(
    req: IncomingMessage,
    res: ServerResponse,
    status: number,
    code: string,
    message: string,
    errors?: (FieldError | string)[],
  ): void {
    let body: string;
    if (status < 500 && fault === 'error-no-envelope') {
      const list = errors?.map((e) => (typeof e === 'string' ? e : e.message));
      body = JSON.stringify({ statusCode: status, message: list ?? message, error: REASONS[status] ?? 'Error' });
    } else {
      if (status === 404 && fault === 'not-found-code-wrong') code = 'BadRequestException';
      const details: Record<string, unknown> = {};
      if (errors !== undefined) {
        details.errors = errors.map((e) =>
          typeof e === 'string' ? (legal ? { field: null, problem: e } : e) : legal ? { field: e.field, problem: e.message } : e.message,
        );
      }
      if (legal) details.hint = msgs.hint(status);
      body = JSON.stringify({
        status: 'error',
        timestamp: new Date().toISOString(),
        path: req.url ?? '/',
        error: { code, message, details },
      });
    }
    send(res, status, body, jsonType);
  }

  const badRequest = (req: IncomingMessage, res: ServerResponse, message: string, errors?: (FieldError | string)[]) =>
    sendError(req, res, 400, 'BadRequestException', message, errors ?? [message]);
  const notFoundUser = (req: IncomingMessage, res: ServerResponse, id: number) =>
    sendError(req, res, 404, 'NotFoundException', msgs.userNotFound(id));
  const internalError = (req: IncomingMessage, res: ServerResponse) =>
    sendError(req, res, 500, 'InternalServerErrorException', msgs.internal);
  const validationFailed = (req: IncomingMessage, res: ServerResponse, errors: FieldError[]) =>
    badRequest(req, res, msgs.validationSummary(errors.map((e) => e.message)), errors);

  // ── body ───────────────────────────────────────────────────────────────────
  /** Reads at most BODY_LIMIT bytes; answers 413 (and discards the rest) beyond that. */
  function readBody(req: IncomingMessage, res: ServerResponse, onBody: (buf: Buffer) => void): void {
    const tooLarge = () => sendError(req, res, 413, 'PayloadTooLargeException', msgs.payloadTooLarge);
    const declared = req.headers['content-length'];
    let done = false;
    let size = 0;
    let discarded = 0;
    const chunks: Buffer[] = [];
    if (declared !== undefined && Number(declared) > BODY_LIMIT) {
      done = true;
      tooLarge();
    }
    req.on('data', (chunk: Buffer) => {
      if (done) {
        discarded += chunk.length;
        if (discarded > 16 * BODY_LIMIT) req.socket.destroy(); // do not drain forever
        return;
      }
      size += chunk.length;
      if (size > BODY_LIMIT) {
        done = true;
        chunks.length = 0;
        tooLarge();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      try {
        onBody(chunks.length === 1 && chunks[0] !== undefined ? chunks[0] : Buffer.concat(chunks, size));
      } catch {
        // Defensive: a bug must never take the process down.
        if (!res.headersSent) internalError(req, res);
      }
    });
  }

  /** JSON object body, or undefined after answering 400. Empty body = {}. */
  function parseBody(req: IncomingMessage, res: ServerResponse, buf: Buffer): Record<string, unknown> | undefined {
    if (buf.length === 0) return {};
    const type = req.headers['content-type'];
    if (type !== undefined) {
      const media = (type.split(';')[0] ?? '').trim().toLowerCase();
      if (media !== 'application/json' && !media.endsWith('+json')) {
        badRequest(req, res, msgs.unsupportedContentType(media));
        return undefined;
      }
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(buf.toString('utf8'));
    } catch {
      badRequest(req, res, msgs.malformedJson);
      return undefined;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      badRequest(req, res, msgs.bodyNotObject);
      return undefined;
    }
    return parsed as Record<string, unknown>;
  }

  // ── guard ──────────────────────────────────────────────────────────────────
  /** True when the request may proceed; otherwise the 401/403 has been sent. */
  function guard(req: IncomingMessage, res: ServerResponse, op: Operation, clientId: string): boolean {
    const header = req.headers['x-cal-secret-key'];
    const secret = typeof header === 'string' && header !== '' ? header : undefined;
    const expected = clients.get(clientId);
    let ok = false;
    if (expected !== undefined) {
      if (secret === undefined) ok = (op === 'delete' && fault === 'auth-ignored-delete') || (op === 'get' && fault === 'auth-ignored-get');
      else
        ok =
          secret === expected ||
          fault === 'wrong-secret-accepted' ||
          (fault === 'other-client-secret-accepted' && knownSecrets.has(secret));
    }
    if (ok) return true;
    const message = secret === undefined ? msgs.missingSecret : msgs.invalidCredentials;
    if (fault === 'auth-403') sendError(req, res, 403, 'ForbiddenException', message);
    else sendError(req, res, 401, 'UnauthorizedException', message);
    return false;
  }

  /** The integer user id from the raw path segment, or undefined after answering 400 (500 with fault malformed-id-500). */
  function parseUserId(req: IncomingMessage, res: ServerResponse, rawSegment: string): number | undefined {
    let segment: string | null;
    try {
      segment = rawSegment.includes('%') ? decodeURIComponent(rawSegment) : rawSegment;
    } catch {
      segment = null; // invalid percent-encoding: not an integer either
    }
    if (segment === null || !ID_RE.test(segment)) {
      if (fault === 'malformed-id-500') internalError(req, res);
      else badRequest(req, res, msgs.invalidUserId);
      return undefined;
    }
    const id = Number(segment);
    if (!Number.isSafeInteger(id)) {
      badRequest(req, res, msgs.invalidUserId);
      return undefined;
    }
    return id;
  }

  // ── operations ─────────────────────────────────────────────────────────────
  function createUser(req: IncomingMessage, res: ServerResponse, clientId: string, body: Record<string, unknown>): void {
    const v = validateCreate(body, vctx);
    if (v.errors.length > 0) {
      if (fault === 'create-missing-email-500' && body.email === undefined) return internalError(req, res);
      if (fault === 'wrong-type-500' && v.errors.some((e) => e.kind === 'type')) return internalError(req, res);
      if (fault === 'rejected-create-persists' && v.valid.email !== undefined && v.valid.name !== undefined) {
        const raw = normaliseEmail(v.valid.email);
        if (findDuplicate(clientId, suffixEmail(raw, clientId), raw) === undefined) insertUser(clientId, v.valid, Date.now());
      }
      return validationFailed(req, res, v.errors);
    }
    const raw = normaliseEmail(v.valid.email ?? '');
    const stored = fault === 'email-not-suffixed' ? raw : suffixEmail(raw, clientId);
    const existing = findDuplicate(clientId, stored, raw);
    if (existing !== undefined && fault !== 'duplicate-accepted') {
      if (fault === 'duplicate-500') return internalError(req, res);
      const message = fault === 'duplicate-message-no-id' ? msgs.conflictNoId : msgs.conflict(existing.id);
      return sendError(req, res, 409, 'ConflictException', message);
    }
    // No await between the uniqueness check above and this insert.
    const rec = insertUser(clientId, v.valid, Date.now(), v.unknown);
    const answered = reReadAfterCreate(rec, clientId);
    // The wrong row's tokens are signed, but they are the server's mistake, not a refresh of that user.
    const t = answered === rec ? issueFor(rec, clientId) : issueTokens(clientId, answered.id, Date.now());
    sendSuccess(
      res,
      fault === 'create-200' ? 200 : 201,
      `{"user":${userJson(answered, false)},"accessToken":${JSON.stringify(t.accessToken)},"accessTokenExpiresAt":${t.accessTokenExpiresAt},` +
        `"refreshToken":${JSON.stringify(t.refreshToken)},"refreshTokenExpiresAt":${t.refreshTokenExpiresAt}}`,
    );
  }

  /**
   * The user the create answers with: the new one, except with the create-answers-*
   * faults, whose re-read after the insert finds another (pre-existing) row.
   */
  function reReadAfterCreate(rec: UserRecord, clientId: string): UserRecord {
    let wrong: UserRecord | undefined;
    // findFirst({ where: { clientId } }): the client's oldest user.
    if (fault === 'create-answers-existing-user') wrong = preexistingWhere((p) => p.rec.clientId === clientId)[0];
    // findFirst({ where: { email: { startsWith: '<namespace>' } }, orderBy: { createdDate: 'desc' } }): the newest of another run.
    else if (fault === 'create-answers-lookalike') wrong = preexistingWhere((p) => p.lookalike && p.rec.clientId === clientId).at(-1);
    // findFirst({}): the oldest user of the table, which another client owns.
    else if (fault === 'create-answers-other-client-user') wrong = preexistingWhere((p) => p.rec.clientId !== clientId)[0];
    return wrong ?? rec;
  }

  function applyPatch(rec: UserRecord, clientId: string, p: PatchFields, skipConflicts: boolean): void {
    if (p.email !== undefined) {
      const raw = normaliseEmail(p.email);
      const stored = fault === 'patch-email-not-suffixed' || fault === 'email-not-suffixed' ? raw : suffixEmail(raw, clientId);
      const holder = indexGet(rec.clientId, stored);
      if (!(skipConflicts && holder !== undefined && holder !== rec)) {
        indexRemove(rec);
        rec.email = stored;
        rec.rawEmail = raw;
        if (fault !== 'patch-username-stale') rec.username = makeUsername(stored);
        if (!rec.deleted) indexSet(rec);
      }
    }
    if (p.name !== undefined) rec.name = p.name;
    if (p.timeFormat !== undefined) rec.timeFormat = p.timeFormat;
    if (p.defaultScheduleId !== undefined) rec.defaultScheduleId = p.defaultScheduleId;
    if (p.weekStart !== undefined) rec.weekStart = p.weekStart;
    if (p.timeZone !== undefined) rec.timeZone = p.timeZone;
    if (p.locale !== undefined && fault !== 'patch-ignores-locale') rec.locale = p.locale;
    if (p.avatarUrl !== undefined) rec.avatarUrl = p.avatarUrl;
    if (p.bio !== undefined) rec.bio = p.bio;
    else if (fault === 'patch-resets-unsent') rec.bio = null;
    if (p.metadata !== undefined) rec.metadata = p.metadata;
    else if (fault === 'patch-resets-unsent') rec.metadata = undefined;
    rec.json = null;
  }

  function updateUser(req: IncomingMessage, res: ServerResponse, clientId: string, id: number, body: Record<string, unknown>): void {
    const v = validatePatch(body, vctx);
    if (v.errors.length > 0) {
      if (fault === 'wrong-type-500' && v.errors.some((e) => e.kind === 'type')) return internalError(req, res);
      if (fault === 'rejected-patch-partial') {
        const target = findUser(clientId, id, 'update');
        if (target !== undefined) applyPatch(target, clientId, v.valid, true);
      }
      return validationFailed(req, res, v.errors);
    }
    const rec = findUser(clientId, id, 'update');
    if (rec === undefined) return notFoundUser(req, res, id);
    if (v.valid.email !== undefined) {
      const raw = normaliseEmail(v.valid.email);
      const stored = fault === 'patch-email-not-suffixed' || fault === 'email-not-suffixed' ? raw : suffixEmail(raw, clientId);
      const holder = indexGet(rec.clientId, stored);
      if (holder !== undefined && holder !== rec && fault !== 'patch-duplicate-email-accepted') return sendError(req, res, 409, 'ConflictException', msgs.conflict(holder.id));
    }
    applyPatch(rec, clientId, v.valid, false);
    sendSuccess(res, 200, userJson(rec));
  }

  function getUser(req: IncomingMessage, res: ServerResponse, clientId: string, id: number): void {
    const rec = findUser(clientId, id, 'get');
    if (rec === undefined) return notFoundUser(req, res, id);
    if (fault === 'get-answers-other-user') {
      // A read cache keyed by the client alone: another user of the client comes back.
      const other = preexistingWhere((p) => p.rec.clientId === rec.clientId && p.rec !== rec)[0];
      if (other !== undefined) return sendSuccess(res, 200, userJson(other));
    } else if (fault === 'get-answers-lookalike') {
      // The profile joined by e-mail namespace, the id copied from the path: { ...profile, id: userId }.
      const look = preexistingWhere((p) => p.lookalike && p.rec.clientId === rec.clientId && p.rec !== rec).at(-1);
      if (look !== undefined) return sendSuccess(res, 200, userJson(look, false, id));
    }
    sendSuccess(res, 200, userJson(rec));
  }

  function deleteUser(req: IncomingMessage, res: ServerResponse, clientId: string, id: number): void {
    const rec = findUser(clientId, id, 'delete');
    if (rec === undefined) return notFoundUser(req, res, id);
    const json = userJson(rec);
    if (fault !== 'delete-noop') removeUser(rec);
    if (fault === 'delete-204') {
      res.writeHead(204);
      res.end();
      return;
    }
    sendSuccess(res, 200, json);
  }

  function refreshTokens(req: IncomingMessage, res: ServerResponse, clientId: string, id: number): void {
    const rec = findUser(clientId, id, 'refresh');
    if (rec === undefined) return notFoundUser(req, res, id);
    const t = issueFor(rec, clientId);
    sendSuccess(res, fault === 'refresh-201' ? 201 : 200, tokensJson(t, fault !== 'refresh-missing-refresh-expiry'));
  }

  function listUsers(req: IncomingMessage, res: ServerResponse, clientId: string, rawQuery: string): void {
    const parsed = parseListQuery(rawQuery, vctx);
    if (!parsed.ok) return badRequest(req, res, parsed.message);
    const { limit, offset, emails } = parsed.query;
    // Validated, then never handed to the query.
    const unfiltered = fault === 'list-ignores-filters';
    const leak = fault === 'list-leaks-other-clients';
    const pool: Iterable<UserRecord> = leak ? users.values() : (byClient.get(clientId)?.values() ?? []);

    let matches: ((u: UserRecord) => boolean) | null = null;
    if (emails !== null && fault !== 'list-emails-ignored' && !unfiltered) {
      const addresses = fault === 'list-emails-first-only' ? emails.slice(0, 1) : emails;
      const alreadySuffixed = (address: string, cid: string) =>
        fault !== 'list-emails-suffixed-unmatched' && splitEmail(address)[0].endsWith(`+${cid}`);
      if (leak) {
        matches = (u) => addresses.some((a) => a === u.email || suffixEmail(a, u.clientId) === u.email);
      } else {
        const wanted = new Set(addresses.map((a) => (alreadySuffixed(a, clientId) ? a : suffixEmail(a, clientId))));
        matches = (u) => wanted.has(u.email);
      }
    }

    const selected: UserRecord[] = [];
    for (const u of pool) {
      if (u.deleted && fault !== 'deleted-still-listed') continue;
      if (matches !== null && !matches(u)) continue;
      selected.push(u);
    }
    if (legal) selected.sort((a, b) => a.orderKey - b.orderKey || a.id - b.id);

    const start = fault === 'list-offset-ignored' || unfiltered ? 0 : offset;
    const count = unfiltered ? selected.length : fault === 'list-limit-ignored' ? LIST_LIMIT_MAX : fault === 'list-limit-plus-one' ? limit + 1 : limit;
    const page = selected.slice(start, start + count);
    let json = '[';
    for (let i = 0; i < page.length; i++) {
      if (i > 0) json += ',';
      json += userJson(page[i] as UserRecord);
    }
    json += ']';
    sendSuccess(res, 200, fault === 'list-data-object' ? `{"users":${json}}` : json);
  }

  // ── pre-existing users ─────────────────────────────────────────────────────
  interface Preexisting {
    rec: UserRecord;
    /** The e-mail as seeded (stored form), to name the user even after a change. */
    email: string;
    lookalike: boolean;
    data: string;
    tokenGeneration: number;
  }
  /** Pre-existing users in id order. */
  const preexisting: Preexisting[] = [];
  const preexistingIds = new Set<number>();
  const dataOf = (r: UserRecord) =>
    JSON.stringify([
      r.clientId, r.email, r.username, r.name, r.bio, r.timeZone, r.weekStart, r.createdDate, r.timeFormat,
      r.defaultScheduleId, r.locale, r.avatarUrl, r.metadata ?? null,
    ]);
  if (preexistingPerClient > 0) {
    const popRng = createRng(subSeed(seed, 'population'));
    const lookRng = createRng(subSeed(seed, 'lookalikes'));
    const now = Date.now();
    const lookalikes = lookalikeCount(preexistingPerClient);
    const perClient = opts.clients.map((c) => ({
      clientId: c.id,
      list: [...seedUsers(popRng, preexistingPerClient - lookalikes, now), ...seedLookalikes(lookRng, lookalikes, now)],
    }));
    // Interleave clients and insert oldest first, as a real database would have grown.
    const all = perClient.flatMap(({ clientId, list }) => list.map((u) => ({ clientId, u })));
    all.sort((a, b) => a.u.createdAtMs - b.u.createdAtMs);
    for (const { clientId, u } of all) {
      const raw = u.email.toLowerCase();
      if (indexGet(clientId, suffixEmail(raw, clientId)) !== undefined) continue;
      const rec = insertUser(
        clientId,
        {
          email: raw,
          name: u.name,
          timeZone: u.timeZone,
          weekStart: u.weekStart,
          timeFormat: u.timeFormat,
          locale: u.locale,
          bio: u.bio,
          avatarUrl: u.avatarUrl,
          metadata: u.metadata,
        },
        u.createdAtMs,
        undefined,
        true,
      );
      preexisting.push({ rec, email: rec.email, lookalike: u.lookalike === true, data: dataOf(rec), tokenGeneration: rec.tokenGeneration });
      preexistingIds.add(rec.id);
    }
  }

  /** Pre-existing users still there (not deleted), oldest first, that pass `keep`. */
  function preexistingWhere(keep: (p: Preexisting) => boolean): UserRecord[] {
    const out: UserRecord[] = [];
    for (const p of preexisting) if (users.get(p.rec.id) === p.rec && !p.rec.deleted && keep(p)) out.push(p.rec);
    return out;
  }

  /** deleted, changed (data), refreshed (tokens issued for it), or null when intact. */
  function howChanged(p: Preexisting): 'deleted' | 'changed' | 'refreshed' | null {
    const rec = users.get(p.rec.id);
    if (rec === undefined || rec.deleted) return 'deleted';
    if (dataOf(rec) !== p.data) return 'changed';
    if (rec.tokenGeneration !== p.tokenGeneration) return 'refreshed';
    return null;
  }

  function controlPreexisting(res: ServerResponse): void {
    const changedUsers: { id: number; email: string; how: string }[] = [];
    for (const p of preexisting) {
      const how = howChanged(p);
      if (how !== null) changedUsers.push({ id: p.rec.id, email: p.email, how });
    }
    const body = {
      count: preexisting.length,
      intact: changedUsers.length === 0,
      changed: changedUsers.map((c) => c.id),
      changedUsers,
      users: preexisting.map((p) => ({ id: p.rec.id, clientId: p.rec.clientId, email: p.email, lookalike: p.lookalike })),
    };
    send(res, 200, JSON.stringify(body), jsonType);
  }

  function controlRateLimit(res: ServerResponse): void {
    const { throttled, blocks } = limiter?.stats() ?? { throttled: 0, blocks: 0 };
    send(res, 200, JSON.stringify({ requests: apiRequests, throttled, blocks }), jsonType);
  }

  const tooManyRequests = (req: IncomingMessage, res: ServerResponse) =>
    sendError(req, res, 429, 'ThrottlerException', 'ThrottlerException: Too Many Requests');

  // ── routing ────────────────────────────────────────────────────────────────
  function dispatch(
    req: IncomingMessage,
    res: ServerResponse,
    op: Operation,
    clientId: string,
    userSegment: string | undefined,
    rawQuery: string,
  ): void {
    const needsBody = op === 'create' || op === 'update';
    if (needsBody && fault === 'validation-before-auth') {
      // The bug: body validation wired ahead of the guard.
      readBody(req, res, (buf) => {
        const body = parseBody(req, res, buf);
        if (body === undefined) return;
        const errors = op === 'create' ? validateCreate(body, vctx).errors : validatePatch(body, vctx).errors;
        if (errors.length > 0) return validationFailed(req, res, errors);
        if (!guard(req, res, op, clientId)) return;
        if (op === 'create') return createUser(req, res, clientId, body);
        const id = parseUserId(req, res, userSegment ?? '');
        if (id !== undefined) updateUser(req, res, clientId, id, body);
      });
      return;
    }

    if (!guard(req, res, op, clientId)) return;
    let id = 0;
    if (userSegment !== undefined) {
      const parsed = parseUserId(req, res, userSegment);
      if (parsed === undefined) return;
      id = parsed;
    }
    switch (op) {
      case 'get':
        return getUser(req, res, clientId, id);
      case 'list':
        return listUsers(req, res, clientId, rawQuery);
      case 'delete':
        return deleteUser(req, res, clientId, id);
      case 'refresh':
        return refreshTokens(req, res, clientId, id);
      case 'create':
      case 'update':
        return readBody(req, res, (buf) => {
          const body = parseBody(req, res, buf);
          if (body === undefined) return;
          if (op === 'create') createUser(req, res, clientId, body);
          else updateUser(req, res, clientId, id, body);
        });
    }
  }

  const timers = new Set<NodeJS.Timeout>();
  let disposed = false;

  const handler: Handler = (req, res) => {
    req.on('error', noop);
    try {
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const path = q < 0 ? url : url.slice(0, q);
      const rawQuery = q < 0 ? '' : url.slice(q + 1);
      const method = req.method === 'HEAD' ? 'GET' : (req.method ?? 'GET');

      if (path === '/__health' && method === 'GET') return send(res, 200, '{"status":"ok"}', jsonType);
      if (path === '/__control/preexisting' && method === 'GET') return controlPreexisting(res);
      if (path === '/__control/ratelimit' && method === 'GET') return controlRateLimit(res);

      // Route match on the raw path (one trailing slash tolerated).
      let rest: string | null = null;
      if (prefix === '') rest = path;
      else if (path.startsWith(prefix) && path.charCodeAt(prefix.length) === 47 /* / */) rest = path.slice(prefix.length);
      let op: Operation | null = null;
      let clientSegment = '';
      let userSegment: string | undefined;
      if (rest !== null && rest.startsWith(ROUTE_BASE)) {
        let tail = rest.slice(ROUTE_BASE.length);
        if (tail.endsWith('/')) tail = tail.slice(0, -1);
        const parts = tail.split('/');
        const [c, users_, u, action] = parts;
        if (c && users_ === 'users') {
          clientSegment = c;
          if (parts.length === 2) op = method === 'GET' ? 'list' : method === 'POST' ? 'create' : null;
          else if (parts.length === 3 && u) {
            userSegment = u;
            op = method === 'GET' ? 'get' : method === 'PATCH' ? 'update' : method === 'DELETE' ? 'delete' : null;
          } else if (parts.length === 4 && u && action === 'force-refresh') {
            userSegment = u;
            op = method === 'POST' ? 'refresh' : null;
          }
        }
      }
      if (op === null) return sendError(req, res, 404, 'NotFoundException', msgs.routeNotFound(req.method ?? 'GET', path));

      let clientId: string;
      try {
        clientId = decodeURIComponent(clientSegment);
      } catch {
        return badRequest(req, res, msgs.badPathEncoding);
      }

      // The throttler runs before the guard and counts every request at arrival.
      apiRequests++;
      let allowed = true;
      if (limiter !== null) {
        const decision = limiter.hit(req);
        for (const name in decision.headers) res.setHeader(name, decision.headers[name] as string);
        allowed = decision.allowed;
      }

      if (jitterMs > 0 || latencyMs > 0) {
        const delay = latencyMs + (jitterMs > 0 ? Math.floor(jitterRng() * (jitterMs + 1)) : 0);
        const finalOp = op;
        const finalUser = userSegment;
        const timer = setTimeout(() => {
          timers.delete(timer);
          if (disposed) return;
          try {
            if (allowed) dispatch(req, res, finalOp, clientId, finalUser, rawQuery);
            else tooManyRequests(req, res);
          } catch {
            if (!res.headersSent) internalError(req, res);
          }
        }, delay);
        timers.add(timer);
        return;
      }
      if (!allowed) return tooManyRequests(req, res);
      dispatch(req, res, op, clientId, userSegment, rawQuery);
    } catch {
      // Defensive: never let a request take the process down.
      if (!res.headersSent) internalError(req, res);
      else res.destroy();
    }
  };

  return {
    handler,
    prefix,
    dispose() {
      disposed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}
