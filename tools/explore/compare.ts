/**
 * Semantic comparison of the target's answer with the reference model's.
 * Equal means: the same status and error class; every user field the same,
 * modulo what each server chooses (ids and schedule ids, mapped one-to-one;
 * createdDate, only required stable per user; the username's separators);
 * tokens by their claims; lists as sets over this sequence's own users. Extra
 * fields, messages, order, other users and a path prefix are never differences.
 */
import { jwtPayload, sameJson } from '../../fixtures/contract/values';
import type { ApiCall } from '../../fixtures/client/client';
import type { Reproducible } from '../../fixtures/client/errors';
import { SHAPE_ONLY } from '../../fixtures/settings/redact';

/** A value for a message: JSON, tokens hidden by their shape (the run's secrets are redacted where the message is printed), cut at 60 characters. */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const json = SHAPE_ONLY.redact(JSON.stringify(value) ?? typeof value);
  return json.length > 60 ? `${json.slice(0, 57)}…` : json;
}

/**
 * The target and the model disagree: what, at which step, and the target's request that showed it. `aspect`
 * names what differs without the step's particulars (ids, values); with the step's operation it is the
 * divergence's key: one root cause, one key (`key`, set by the world, or given for what spans operations).
 */
export class Divergence extends Error {
  override name = 'Divergence';
  constructor(
    readonly what: string,
    readonly call?: Reproducible,
    readonly aspect = 'other',
    public key = '',
  ) {
    super(what);
  }
}

/** Exceptions, by class: the codes the contract allows for one status are one class. */
const CODE_CLASS: Record<string, string> = {
  BadRequestException: 'bad-request',
  BAD_REQUEST: 'bad-request',
  UnauthorizedException: 'unauthorized',
  NotFoundException: 'not-found',
  NOT_FOUND: 'not-found',
  ConflictException: 'conflict',
  CONFLICT: 'conflict',
};


const codeOf = (call: ApiCall) => String(call.error?.code ?? '');

/**
 * Status, error class, validation details, and the envelope's path. Throws a Divergence. `body`: the step sent a
 * body (create, PATCH), whose validation 400 the contract says lists its problems in details.errors; a 400 for a
 * query or a path (list's `Invalid email <x>`, a limit out of range) need not, as in the named checks.
 */
export function compareStatus(what: string, target: ApiCall, model: ApiCall, prefix: string, body = false): void {
  if (target.status !== model.status) {
    const t = target.error ? ` ${codeOf(target)}: ${describe(target.error.message)}` : '';
    const m = model.error ? ` ${codeOf(model)}: ${describe(model.error.message)}` : '';
    throw new Divergence(`${what}: the target answered ${target.status}${t}, the model ${model.status}${m}`, target, `status ${target.status}, the model's ${model.status}`);
  }
  if (target.status < 400) return;
  const tc = CODE_CLASS[codeOf(target)] ?? codeOf(target);
  const mc = CODE_CLASS[codeOf(model)] ?? codeOf(model);
  if (tc !== mc) throw new Divergence(`${what}: both answered ${target.status}, but the target's error.code is ${describe(codeOf(target))}, the model's ${describe(codeOf(model))}`, target, `error.code ${tc}, the model's ${mc}`);
  const mDetails = body && Array.isArray(model.error?.details?.errors);
  if (mDetails && !Array.isArray(target.error?.details?.errors)) throw new Divergence(`${what}: a validation 400 without error.details.errors (the model lists its problems)`, target, 'a 400 without details.errors');
  const path = String(target.body?.path ?? '').split('?')[0] ?? '';
  const sent = new URL(target.sent.url).pathname;
  if (path !== sent && !(prefix && `${prefix}${path}` === sent)) throw new Divergence(`${what}: the error envelope's path is ${describe(target.body?.path)}, not the request path ${sent}`, target, 'the error path');
}

/** Only letters and digits, lower-cased: usernames are slugs whose separators a server chooses. */
const slug = (u: unknown) => (typeof u === 'string' ? u.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '') : u);

export interface UserContext {
  /** The slot's ids on each side. */
  targetId: number;
  modelId: number;
  /** The fields the contract's user object declares. */
  declared: string[];
  /** Those it requires. */
  required: string[];
  /** Fields a create or update the server accepted set on this user. */
  set: Set<string>;
  /** The slot's createdDate as first seen (ms), set on the first answer. */
  createdAt: { value?: number };
  /** target schedule id ↔ model schedule id, one-to-one across the sequence. */
  schedules: { t2m: Map<number, number>; m2t: Map<number, number> };
}

/** One user object of the target against the model's. Throws a Divergence. */
export function compareUser(what: string, call: ApiCall, t: Record<string, unknown> | undefined, m: Record<string, unknown> | undefined, ctx: UserContext): void {
  if (!t || typeof t !== 'object') throw new Divergence(`${what}: the target's answer holds no user object`, call, 'no user object');
  if (!m) return;
  if (t.id !== ctx.targetId) throw new Divergence(`${what}: the target answered user ${describe(t.id)}, expected user ${ctx.targetId}`, call, 'another user');
  const fields = new Set([...ctx.declared, ...Object.keys(m)]);
  for (const f of fields) {
    if (f === 'id') continue;
    const tv = t[f];
    const mv = m[f];
    if (f === 'createdDate') {
      const ms = Date.parse(String(tv));
      if (ctx.createdAt.value === undefined) ctx.createdAt.value = ms;
      else if (ms !== ctx.createdAt.value) throw new Divergence(`${what}: createdDate changed from ${new Date(ctx.createdAt.value).toISOString()} to ${describe(tv)}`, call, 'createdDate changed');
      continue;
    }
    if (f === 'username') {
      if ((tv === null) !== (mv === null) || slug(tv) !== slug(mv)) throw new Divergence(`${what}: username ${describe(tv)}, the model has ${describe(mv)} (compared without separators)`, call, 'username');
      continue;
    }
    if (f === 'defaultScheduleId') {
      if ((tv === null || tv === undefined) !== (mv === null || mv === undefined)) throw new Divergence(`${what}: defaultScheduleId ${describe(tv)}, the model has ${describe(mv)}`, call, 'defaultScheduleId set or not');
      if (typeof tv === 'number' && typeof mv === 'number') {
        const { t2m, m2t } = ctx.schedules;
        const mapped = t2m.get(tv);
        const back = m2t.get(mv);
        if ((mapped !== undefined && mapped !== mv) || (back !== undefined && back !== tv)) {
          const seenAs = mapped !== undefined ? `the target already showed schedule ${tv} for another schedule of the model (${mapped})` : `the model's schedule ${mv} was schedule ${back} on the target before`;
          throw new Divergence(`${what}: defaultScheduleId ${tv} does not match the model's ${mv} one to one (${seenAs}): two users share a schedule, or a schedule changed`, call, 'defaultScheduleId shared');
        }
        t2m.set(tv, mv);
        m2t.set(mv, tv);
      }
      continue;
    }
    if (mv === undefined && !ctx.declared.includes(f)) continue;
    // An optional field (locale, avatarUrl, metadata) this user never had set: no default is documented, so showing
    // one, null or nothing is the server's choice (a null against a declared string is the schema check's to report).
    if (ctx.declared.includes(f) && !ctx.required.includes(f) && !ctx.set.has(f)) continue;
    if (!sameJson(tv, mv)) throw new Divergence(`${what}: ${f} is ${describe(tv)}, the model has ${describe(mv)}`, call, `field ${f}`);
  }
}


export interface Keys {
  accessToken: string;
  refreshToken: string;
  accessTokenExpiresAt: number;
  refreshTokenExpiresAt: number;
}

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/**
 * A token pair of the target against the model's: by claims (type, the client,
 * the owner, expiresAt equal to the answer's expiry), expiries within what the
 * two servers' rounding and clocks allow, and never a token seen before.
 */
export function compareTokens(what: string, call: ApiCall, t: Keys | undefined, m: Keys | undefined, clientId: string, ownerId: number, seen: Set<string>): void {
  if (!t || !m) throw new Divergence(`${what}: the target's answer holds no token pair`, call, 'no token pair');
  for (const [kind, type, expiry] of [['access', 'access_token', 'accessTokenExpiresAt'], ['refresh', 'refresh_token', 'refreshTokenExpiresAt']] as const) {
    const token = kind === 'access' ? t.accessToken : t.refreshToken;
    const p = jwtPayload(token);
    if (!p) throw new Divergence(`${what}: the ${kind} token is not a JWT`, call, `${kind} token not a JWT`);
    if (p.type !== type) throw new Divergence(`${what}: the ${kind} token's type claim is ${describe(p.type)}, expected "${type}"`, call, `${kind} token type`);
    if (p.clientId !== clientId) throw new Divergence(`${what}: the ${kind} token's clientId claim is ${describe(p.clientId)}, expected ${clientId}`, call, `${kind} token clientId`);
    if (Number(p.ownerId) !== ownerId) throw new Divergence(`${what}: the ${kind} token's ownerId claim is ${describe(p.ownerId)}, expected the user's id ${ownerId}`, call, `${kind} token ownerId`);
    if (p.expiresAt !== t[expiry]) throw new Divergence(`${what}: the ${kind} token's expiresAt claim is ${describe(p.expiresAt)}, but ${expiry} is ${t[expiry]}`, call, `${kind} token expiresAt`);
    const tolerance = kind === 'access' ? 3 * MINUTE : 2 * DAY;
    if (Math.abs(t[expiry] - m[expiry]) > tolerance) throw new Divergence(`${what}: ${expiry} is ${t[expiry]}, the model's ${m[expiry]} (more than ${kind === 'access' ? '3 minutes' : '2 days'} apart)`, call, expiry);
    if (seen.has(token)) throw new Divergence(`${what}: the ${kind} token was issued before`, call, `${kind} token reused`);
  }
  if (t.accessToken === t.refreshToken) throw new Divergence(`${what}: the access and refresh tokens are the same string`, call, 'access token = refresh token');
  seen.add(t.accessToken);
  seen.add(t.refreshToken);
}
