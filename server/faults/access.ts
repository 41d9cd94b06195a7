/** Faults of who may do what: the guard, the pipeline's order, and isolation between clients. */
import type { Answers } from '../answers';
import type { Ctx, Patch, Seams } from '../seams';
import { suffixEmail } from '../store';
import type { Operation } from '../types';
import type { FaultDef } from './fault';

/** A missing secret is good enough for `op`. */
const noSecretFor = (op: Operation): Patch => (s) => ({
  secretOk: (ctx, secret, expected) => (secret === undefined && ctx.op === op) || s.secretOk(ctx, secret, expected),
});

/** For `op`, the lookup finds a user of any client (its where clause lost the clientId). */
const anyClientFor = (op: Operation): Patch => (s, { store }) => ({
  findUser: (ctx, id) => (ctx.op === op ? store.get(id) : s.findUser(ctx, id)),
});

/** The body pipes and validation wired ahead of the guard. */
function validateFirst(s: Seams, answers: Answers, ctx: Ctx, userSegment: string | undefined): void {
  s.readBody(ctx, (buf) => {
    const body = s.parseBody(ctx, buf);
    if (body === undefined) return;
    const { errors } = ctx.op === 'create' ? s.validateCreate(body) : s.validatePatch(body);
    if (errors.length > 0) return s.send(ctx, answers.validationFailed(errors));
    const refusal = s.authorise(ctx);
    if (refusal !== null) return s.send(ctx, refusal);
    if (ctx.op === 'create') return s.send(ctx, s.create(ctx, body));
    const id = s.parseUserId(ctx, userSegment ?? '');
    if (id !== undefined) s.send(ctx, s.update(ctx, id, body));
  });
}

export const ACCESS_FAULTS = [
  // ── authentication ────────────────────────────────────────────────────────
  {
    id: 'auth-ignored-delete', operation: 'delete', kind: 'auth', description: 'DELETE succeeds without the secret header (a wrong secret is still 401).',
    patch: noSecretFor('delete'),
  },
  {
    id: 'auth-ignored-get', operation: 'get', kind: 'auth', description: 'GET by id succeeds without the secret header (a wrong secret is still 401).',
    patch: noSecretFor('get'),
  },
  {
    id: 'wrong-secret-accepted', operation: 'all', kind: 'auth', description: 'Any non-empty secret is accepted for a known client on every operation.',
    patch: (s) => ({ secretOk: (ctx, secret, expected) => secret !== undefined || s.secretOk(ctx, secret, expected) }),
  },
  {
    id: 'auth-403', operation: 'all', kind: 'auth', description: 'Missing or wrong credentials (incl. unknown client id) answer 403 ForbiddenException instead of 401.',
    patch: (s) => ({
      authorise(ctx) {
        const refusal = s.authorise(ctx);
        return refusal && { ...refusal, status: 403, code: 'ForbiddenException' };
      },
    }),
  },
  {
    id: 'other-client-secret-accepted', operation: 'all', kind: 'auth', description: "The secret of any known client is accepted on any client's path (the operation acts on the path's client).",
    patch: (s, { cfg }) => {
      const known = new Set(cfg.clients.map((c) => c.secret));
      return { secretOk: (ctx, secret, expected) => (secret !== undefined && known.has(secret)) || s.secretOk(ctx, secret, expected) };
    },
  },
  {
    id: 'validation-before-auth', operation: 'all', kind: 'auth', description: 'Create/PATCH bodies are parsed and validated before the guard: an invalid body without a secret answers 400.',
    patch: (s, { answers }) => ({
      dispatch: (ctx, userSegment, rawQuery) =>
        ctx.op === 'create' || ctx.op === 'update' ? validateFirst(s, answers, ctx, userSegment) : s.dispatch(ctx, userSegment, rawQuery),
    }),
  },

  // ── isolation between clients ─────────────────────────────────────────────
  {
    id: 'cross-client-read', operation: 'get', kind: 'isolation', description: "GET by id returns another client's user.",
    patch: anyClientFor('get'),
  },
  {
    id: 'cross-client-update', operation: 'update', kind: 'isolation', description: "PATCH updates another client's user.",
    patch: anyClientFor('update'),
  },
  {
    id: 'cross-client-delete', operation: 'delete', kind: 'isolation', description: "DELETE deletes another client's user.",
    patch: anyClientFor('delete'),
  },
  {
    id: 'cross-client-refresh', operation: 'refresh', kind: 'isolation', description: "Force-refresh issues tokens for another client's user.",
    patch: anyClientFor('refresh'),
  },
  {
    id: 'list-leaks-other-clients', operation: 'list', kind: 'isolation', description: "List returns every client's users; the emails filter matches raw addresses against any client's suffixed form.",
    patch: (_s, { store }) => ({
      listPool: () => store.all(),
      emailMatcher: (_ctx, emails) => (u) => emails.some((a) => a === u.email || suffixEmail(a, u.clientId) === u.email),
    }),
  },
] as const satisfies readonly FaultDef[];
