/**
 * The seams of the reference server: the replaceable functions a request
 * flows through, from the pipeline to the wire. Each module writes its legal
 * seams once (routing, guard, pipes, validation, handlers, repository,
 * tokens, serialise); instance.ts puts them together. A fault
 * (server/faults/) is a patch: it gets the legal seams and returns the few it
 * replaces, usually by wrapping them.
 *
 * Seams call each other through `self`, the instance's finished seams, so a
 * patched seam is the one every caller reaches.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Answer, Answers, Failure } from './answers';
import type { InstanceConfig } from './config';
import type { Preexisting } from './preexisting';
import type { NewUser, Store, UserRecord } from './store';
import type { TokenClaims, TokenKind, TokenPair, TokenType } from './tokens';
import type { Operation } from './types';
import type {
  CreateField,
  CreateFields,
  CreateValidation,
  FieldRules,
  ListParam,
  ListQuery,
  ListQueryResult,
  MetadataBound,
  MetadataValueKind,
  PatchField,
  PatchFields,
  PatchValidation,
} from './validation';

export type Body = Record<string, unknown>;

/** One request and its response. */
export interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
}

/** An API request once its route is known: the operation and the path's (decoded) client id. */
export interface Ctx extends Exchange {
  op: Operation;
  clientId: string;
}

/** What the seams of one instance (and the patches of its fault) may use. */
export interface Env {
  cfg: InstanceConfig;
  store: Store;
  preexisting: Preexisting;
  answers: Answers;
}

export interface Seams {
  // ── routing.ts: after the throttle ─────────────────────────────────────────
  /** Guard, userId pipe, body pipes, then the operation; writes its answer. */
  dispatch(ctx: Ctx, userSegment: string | undefined, rawQuery: string): void;
  /** The answer to an error a seam threw (the exception filters): an HttpError's own, else the internal-error envelope. */
  crashed(err: unknown): Answer;

  // ── guard.ts ───────────────────────────────────────────────────────────────
  /** null: the request may proceed; otherwise the refusal to send. */
  authorise(ctx: Ctx): Failure | null;
  /** Whether the x-cal-secret-key header (undefined when absent or empty) is good for a known client. */
  secretOk(ctx: Ctx, secret: string | undefined, expected: string): boolean;

  // ── pipes.ts: each answers its own 4xx and gives undefined ─────────────────
  readBody(ctx: Ctx, onBody: (buf: Buffer) => void): void;
  parseBody(ctx: Ctx, buf: Buffer): Body | undefined;
  /** The parsed JSON as a body object, or undefined (400). */
  asBody(ctx: Ctx, parsed: unknown): Body | undefined;
  parseUserId(ctx: Ctx, segment: string): number | undefined;

  // ── validation.ts ──────────────────────────────────────────────────────────
  /** class-transformer's step before the create rules (a numeric timeFormat string becomes a number). */
  transformCreate(body: Body): Body;
  validateCreate(body: Body): CreateValidation;
  validatePatch(body: Body): PatchValidation;
  /** One rule per create field, applied in order to the transformed body's value (undefined when absent). */
  createRules: FieldRules<CreateField>;
  patchRules: FieldRules<PatchField>;
  /** Whether a metadata count or length is within its bound. */
  metadataBound(bound: MetadataBound, n: number): boolean;
  metadataValue(value: unknown): MetadataValueKind;
  parseListQuery(rawQuery: string): ListQueryResult;
  listDefaults(): { limit: number; offset: number };
  /** limit or offset from the query, or the 400 message. */
  listParam(params: URLSearchParams, name: ListParam): number | string;
  /** The emails filter's addresses, or the 400 message. */
  listEmails(values: string[]): string[] | string;

  // ── handlers.ts: the six operations and their steps ────────────────────────
  create(ctx: Ctx, body: Body): Answer;
  list(ctx: Ctx, rawQuery: string): Answer;
  get(ctx: Ctx, id: number): Answer;
  update(ctx: Ctx, id: number, body: Body): Answer;
  delete(ctx: Ctx, id: number): Answer;
  refresh(ctx: Ctx, id: number): Answer;
  /** Writes a valid PATCH into the user. */
  applyPatch(ctx: Ctx, rec: UserRecord, p: PatchFields): void;
  /** The answer to a create or PATCH whose e-mail `holder` has already. */
  conflict(ctx: Ctx, holder: UserRecord): Answer;

  // ── repository.ts: the data layer's queries ────────────────────────────────
  normaliseEmail(email: string): string;
  /** The stored form of a caller's (normalised) e-mail; `rec` is the user a PATCH changes. */
  storedEmail(ctx: Ctx, raw: string, rec?: UserRecord): string;
  /** The user the operation may act on, or undefined (404). */
  findUser(ctx: Ctx, id: number): UserRecord | undefined;
  /** The user a create with this e-mail collides with. */
  findDuplicate(ctx: Ctx, stored: string, raw: string): UserRecord | undefined;
  /** Another user a PATCH of `rec` to this stored e-mail collides with. */
  patchConflict(ctx: Ctx, rec: UserRecord, stored: string): UserRecord | undefined;
  /** The row a valid create stores: its fields with the defaults written in. */
  newUser(ctx: Ctx, f: CreateFields, stored: string): NewUser;
  /** Stores the row; `body` is the create's request body, as sent. */
  insertUser(ctx: Ctx, row: NewUser, body: Body): UserRecord;
  setEmail(ctx: Ctx, rec: UserRecord, stored: string): void;
  removeUser(ctx: Ctx, rec: UserRecord): void;
  /** The users a list looks at, in storage order. */
  listPool(ctx: Ctx): Iterable<UserRecord>;
  emailMatcher(ctx: Ctx, emails: string[]): (u: UserRecord) => boolean;
  /** The page of the matching users that the list answers. */
  page(ctx: Ctx, selected: UserRecord[], q: ListQuery): UserRecord[];

  // ── tokens.ts ──────────────────────────────────────────────────────────────
  lifetime(kind: TokenKind): number;
  /** Both expiries (epoch ms) of a pair issued at `now`. */
  expiries(now: number): Record<TokenKind, number>;
  claims(type: TokenType, clientId: string, ownerId: number, expiresAt: number, iat: number): TokenClaims;
  issueTokens(clientId: string, ownerId: number, now: number): TokenPair;
  /** A new pair for the user (a create or a force-refresh); earlier pairs count as revoked. */
  tokensFor(ctx: Ctx, rec: UserRecord): TokenPair;

  // ── serialise.ts ───────────────────────────────────────────────────────────
  /** The user object; keys whose value is undefined are left out of the JSON. */
  userObject(rec: UserRecord): Record<string, unknown>;
  userJson(ctx: Ctx, rec: UserRecord): string;
  /** The create answer's data: the user and its token pair. */
  createdJson(ctx: Ctx, rec: UserRecord, t: TokenPair): string;
  /** The force-refresh answer's data. */
  tokensJson(t: TokenPair): string;
  successBody(data: string): string;
  errorBody(x: Exchange, f: Failure): Record<string, unknown>;
  contentType(a: Answer): string;
  send(x: Exchange, a: Answer): void;
}

/** A fault: the seams it replaces, made from the legal ones (state it needs lives in its closure, one per instance). */
export type Patch = (s: Seams, env: Env) => Partial<Seams>;

/**
 * Patches laid over each other in order: each gets the seams as the ones
 * before it left them. A variant is such a stack (server/variants/), and a
 * fault injected into an instance is laid over its variant.
 */
export function composePatches(patches: readonly Patch[]): Patch {
  return (s, env) => {
    let current = s;
    const replaced: Partial<Seams> = {};
    for (const patch of patches) {
      const next = patch(current, env);
      Object.assign(replaced, next);
      current = { ...current, ...next };
    }
    return replaced;
  };
}

/** A module's legal seams. */
export type SeamsOf<K extends keyof Seams> = (env: Env, self: Seams) => Pick<Seams, K>;
