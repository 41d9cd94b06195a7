/**
 * The six operations, each called once the route, guard and userId are
 * settled: validation of the body or query, lookup, the change, the answer.
 * The faults that live in the services (status codes, what an operation
 * applies or ignores, which row it answers with, token reuse) are decided here.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { InstanceConfig } from './config';
import { DEFAULT_LOCALE, DEFAULT_WEEK_START, LIST_LIMIT_MAX } from './constants';
import type { Preexisting } from './preexisting';
import type { Serialiser } from './serialise';
import { type Store, splitEmail, suffixEmail, type UserRecord } from './store';
import { createTokenIssuer, type TokenPair } from './tokens';
import { type PatchFields, parseListQuery, validateCreate, validatePatch } from './validation';

type Req = IncomingMessage;
type Res = ServerResponse;
type Body = Record<string, unknown>;

export interface Handlers {
  create(req: Req, res: Res, clientId: string, body: Body): void;
  list(req: Req, res: Res, clientId: string, rawQuery: string): void;
  get(req: Req, res: Res, clientId: string, id: number): void;
  update(req: Req, res: Res, clientId: string, id: number, body: Body): void;
  delete(req: Req, res: Res, clientId: string, id: number): void;
  refresh(req: Req, res: Res, clientId: string, id: number): void;
}

export function createHandlers(cfg: InstanceConfig, store: Store, out: Serialiser, preexisting: Preexisting): Handlers {
  const { fault, legal, msgs, vctx } = cfg;
  const issueTokens = createTokenIssuer({ legal, fault });
  /** How often each user's e-mail was changed by a PATCH (explore-only faults). */
  const emailChanges = new WeakMap<UserRecord, number>();
  /** Users force-refreshed at least once (fault patch-after-refresh-resets-locale). */
  const refreshed = new WeakSet<UserRecord>();

  /** A new token pair for the user; earlier pairs count as revoked. */
  function issueFor(rec: UserRecord, clientId: string): TokenPair {
    if (fault === 'refresh-same-tokens' && rec.initialTokens !== undefined) return rec.initialTokens;
    const pair = issueTokens(clientId, rec.id, Date.now());
    rec.tokenGeneration++;
    if (fault === 'refresh-same-tokens') rec.initialTokens = pair;
    return pair;
  }

  function create(req: Req, res: Res, clientId: string, body: Body): void {
    const v = validateCreate(body, vctx);
    if (v.errors.length > 0) {
      if (fault === 'create-missing-email-500' && body.email === undefined) return out.internalError(req, res);
      if (fault === 'wrong-type-500' && v.errors.some((e) => e.kind === 'type')) return out.internalError(req, res);
      if (fault === 'rejected-create-persists' && v.valid.email !== undefined && v.valid.name !== undefined) {
        const raw = store.normaliseEmail(v.valid.email);
        if (store.findDuplicate(clientId, suffixEmail(raw, clientId), raw) === undefined) store.insert(clientId, v.valid, Date.now());
      }
      return out.validationFailed(req, res, v.errors);
    }
    const raw = store.normaliseEmail(v.valid.email ?? '');
    const stored = fault === 'email-not-suffixed' ? raw : suffixEmail(raw, clientId);
    const existing = store.findDuplicate(clientId, stored, raw);
    if (existing !== undefined && fault !== 'duplicate-accepted') {
      if (fault === 'duplicate-500') return out.internalError(req, res);
      const message = fault === 'duplicate-message-no-id' ? msgs.conflictNoId : msgs.conflict(existing.id);
      return out.sendError(req, res, 409, 'ConflictException', message);
    }
    // No await between the uniqueness check above and this insert.
    const rec = store.insert(clientId, v.valid, Date.now(), v.unknown);
    const answered = reReadAfterCreate(rec, clientId);
    // The wrong row's tokens are signed, but they are the server's mistake, not a refresh of that user.
    const t = answered === rec ? issueFor(rec, clientId) : issueTokens(clientId, answered.id, Date.now());
    out.sendSuccess(res, fault === 'create-200' ? 200 : 201, out.createdJson(answered, t));
  }

  /**
   * The user the create answers with: the new one, except with the create-answers-*
   * faults, whose re-read after the insert finds another (pre-existing) row.
   */
  function reReadAfterCreate(rec: UserRecord, clientId: string): UserRecord {
    let wrong: UserRecord | undefined;
    // findFirst({ where: { clientId } }): the client's oldest user.
    if (fault === 'create-answers-existing-user') wrong = preexisting.where((p) => p.rec.clientId === clientId)[0];
    // findFirst({ where: { email: { startsWith: '<namespace>' } }, orderBy: { createdDate: 'desc' } }): the newest of another run.
    else if (fault === 'create-answers-lookalike') wrong = preexisting.where((p) => p.lookalike && p.rec.clientId === clientId).at(-1);
    // findFirst({}): the oldest user of the table, which another client owns.
    else if (fault === 'create-answers-other-client-user') wrong = preexisting.where((p) => p.rec.clientId !== clientId)[0];
    return wrong ?? rec;
  }

  /** The stored form of a PATCHed e-mail (for `rec`, whose earlier changes one explore-only fault remembers). */
  const patchedEmail = (raw: string, clientId: string, rec: UserRecord) =>
    fault === 'patch-email-not-suffixed' || fault === 'email-not-suffixed' || (fault === 'patch-email-second-change-raw' && (emailChanges.get(rec) ?? 0) >= 1)
      ? raw
      : suffixEmail(raw, clientId);

  function applyPatch(rec: UserRecord, clientId: string, p: PatchFields, skipConflicts: boolean): void {
    if (p.email !== undefined) {
      const raw = store.normaliseEmail(p.email);
      const stored = patchedEmail(raw, clientId, rec);
      const holder = store.byEmail(rec.clientId, stored);
      if (!(skipConflicts && holder !== undefined && holder !== rec)) {
        if (stored !== rec.email) emailChanges.set(rec, (emailChanges.get(rec) ?? 0) + 1);
        store.setEmail(rec, stored, raw, fault !== 'patch-username-stale');
      }
    }
    if (p.name !== undefined) rec.name = p.name;
    if (p.timeFormat !== undefined) rec.timeFormat = p.timeFormat;
    if (p.defaultScheduleId !== undefined) rec.defaultScheduleId = p.defaultScheduleId;
    if (p.weekStart !== undefined) rec.weekStart = p.weekStart;
    else if (p.timeFormat !== undefined && fault === 'patch-timeformat-resets-weekstart') rec.weekStart = DEFAULT_WEEK_START;
    if (p.timeZone !== undefined) rec.timeZone = p.timeZone;
    if (p.locale !== undefined && fault !== 'patch-ignores-locale') rec.locale = p.locale;
    else if (p.locale === undefined && fault === 'patch-after-refresh-resets-locale' && refreshed.has(rec)) rec.locale = DEFAULT_LOCALE;
    if (p.avatarUrl !== undefined) rec.avatarUrl = p.avatarUrl;
    if (p.bio !== undefined) rec.bio = p.bio;
    else if (fault === 'patch-resets-unsent') rec.bio = null;
    if (p.metadata !== undefined) rec.metadata = fault === 'patch-metadata-merges' ? { ...rec.metadata, ...p.metadata } : p.metadata;
    else if (fault === 'patch-resets-unsent') rec.metadata = undefined;
    rec.json = null;
  }

  function update(req: Req, res: Res, clientId: string, id: number, body: Body): void {
    const v = validatePatch(body, vctx);
    if (v.errors.length > 0) {
      if (fault === 'wrong-type-500' && v.errors.some((e) => e.kind === 'type')) return out.internalError(req, res);
      if (fault === 'rejected-patch-partial') {
        const target = store.findUser(clientId, id, 'update');
        if (target !== undefined) applyPatch(target, clientId, v.valid, true);
      }
      return out.validationFailed(req, res, v.errors);
    }
    const rec = store.findUser(clientId, id, 'update');
    if (rec === undefined) return out.notFoundUser(req, res, id);
    if (v.valid.email !== undefined) {
      const stored = patchedEmail(store.normaliseEmail(v.valid.email), clientId, rec);
      const holder = store.byEmail(rec.clientId, stored);
      const conflicts = holder !== undefined && (holder !== rec || fault === 'patch-own-email-conflict');
      if (conflicts && fault !== 'patch-duplicate-email-accepted') {
        return out.sendError(req, res, 409, 'ConflictException', msgs.conflict(holder.id));
      }
    }
    applyPatch(rec, clientId, v.valid, false);
    out.sendSuccess(res, 200, out.userJson(rec));
  }

  function get(req: Req, res: Res, clientId: string, id: number): void {
    const rec = store.findUser(clientId, id, 'get');
    if (rec === undefined) return out.notFoundUser(req, res, id);
    if (fault === 'get-answers-other-user') {
      // A read cache keyed by the client alone: another user of the client comes back.
      const other = preexisting.where((p) => p.rec.clientId === rec.clientId && p.rec !== rec)[0];
      if (other !== undefined) return out.sendSuccess(res, 200, out.userJson(other));
    } else if (fault === 'get-answers-lookalike') {
      // The profile joined by e-mail namespace, the id copied from the path: { ...profile, id: userId }.
      const look = preexisting.where((p) => p.lookalike && p.rec.clientId === rec.clientId && p.rec !== rec).at(-1);
      if (look !== undefined) return out.sendSuccess(res, 200, out.userJson(look, false, id));
    }
    out.sendSuccess(res, 200, out.userJson(rec));
  }

  function remove(req: Req, res: Res, clientId: string, id: number): void {
    const rec = store.findUser(clientId, id, 'delete');
    if (rec === undefined) return out.notFoundUser(req, res, id);
    const json = out.userJson(rec);
    if (fault !== 'delete-noop') store.remove(rec);
    if (fault === 'delete-204') {
      res.writeHead(204);
      res.end();
      return;
    }
    out.sendSuccess(res, 200, json);
  }

  function refresh(req: Req, res: Res, clientId: string, id: number): void {
    const rec = store.findUser(clientId, id, 'refresh');
    if (rec === undefined) return out.notFoundUser(req, res, id);
    // Looked up by the e-mail it was created with: a changed e-mail is not found.
    if (fault === 'refresh-after-email-change-404' && (emailChanges.get(rec) ?? 0) > 0) return out.notFoundUser(req, res, id);
    refreshed.add(rec);
    const t = issueFor(rec, clientId);
    out.sendSuccess(res, fault === 'refresh-201' ? 201 : 200, out.tokensJson(t, fault !== 'refresh-missing-refresh-expiry'));
  }

  function list(req: Req, res: Res, clientId: string, rawQuery: string): void {
    const parsed = parseListQuery(rawQuery, vctx);
    if (!parsed.ok) return out.badRequest(req, res, parsed.message);
    const { limit, offset, emails } = parsed.query;
    // Validated, then never handed to the query.
    const unfiltered = fault === 'list-ignores-filters';
    const leak = fault === 'list-leaks-other-clients';
    const pool: Iterable<UserRecord> = leak ? store.all() : store.ofClient(clientId);

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

    let start = fault === 'list-offset-ignored' || unfiltered ? 0 : offset;
    // An off-by-one that only shows when the offset lands exactly at the end.
    if (fault === 'list-offset-equal-count' && start > 0 && start === selected.length) start--;
    const count = unfiltered ? selected.length : fault === 'list-limit-ignored' ? LIST_LIMIT_MAX : fault === 'list-limit-plus-one' ? limit + 1 : limit;
    const page = selected.slice(start, start + count);
    let json = '[';
    for (let i = 0; i < page.length; i++) {
      if (i > 0) json += ',';
      const rec = page[i] as UserRecord;
      // The list's own mapper turns falsy names into null (`name: u.name || null`).
      json += fault === 'list-empty-name-null' && rec.name === '' ? JSON.stringify({ ...JSON.parse(out.userJson(rec)), name: null }) : out.userJson(rec);
    }
    json += ']';
    out.sendSuccess(res, 200, fault === 'list-data-object' ? `{"users":${json}}` : json);
  }

  return { create, list, get, update, delete: remove, refresh };
}
