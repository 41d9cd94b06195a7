/**
 * Faults that answer with a user the caller did not create. They need
 * pre-existing users; with none to answer with, each behaves like the
 * standard server. The wrong answer changes nothing (its tokens are not a
 * refresh of that user).
 */
import { success } from '../answers';
import type { PreexistingUser } from '../preexisting';
import type { Ctx, Env, Patch } from '../seams';
import type { UserRecord } from '../store';
import type { FaultDef } from './fault';

/** Create stores the new user, but its re-read after the insert finds `reRead`'s row, answered with a token pair for it. */
const createAnswers = (reRead: (env: Env, ctx: Ctx) => UserRecord | undefined): Patch => (s, env) => ({
  create(ctx, body) {
    const answer = s.create(ctx, body);
    const wrong = answer.kind === 'success' ? reRead(env, ctx) : undefined;
    if (wrong === undefined) return answer;
    return success(answer.status, s.createdJson(ctx, wrong, s.issueTokens(ctx.clientId, wrong.id, Date.now())));
  },
});

/** The pre-existing users (still there) of the client, but `rec`, that pass `keep`. */
const othersOf = (env: Env, rec: UserRecord, keep: (p: PreexistingUser) => boolean = () => true) =>
  env.preexisting.where((p) => p.rec.clientId === rec.clientId && p.rec !== rec && keep(p));

export const OWNERSHIP_FAULTS = [
  // ── ownership: answers that name a user the caller did not create ────────
  {
    id: 'create-answers-existing-user', operation: 'create', kind: 'ownership', description: "Create stores the new user correctly but answers 201 with the client's oldest pre-existing user (its id, object and a token pair for it), as if the re-read after the insert had lost its id filter.",
    // findFirst({ where: { clientId } }): the client's oldest user.
    patch: createAnswers(({ preexisting }, ctx) => preexisting.where((p) => p.rec.clientId === ctx.clientId)[0]),
  },
  {
    id: 'create-answers-lookalike', operation: 'create', kind: 'ownership', description: "Create stores the new user correctly but answers 201 with the client's newest lookalike (a pre-existing user whose e-mail is in the suite's namespace, from another run), with a token pair for it, as if the re-read matched the e-mail's namespace instead of the id.",
    // findFirst({ where: { email: { startsWith: '<namespace>' } }, orderBy: { createdDate: 'desc' } }): the newest of another run.
    patch: createAnswers(({ preexisting }, ctx) => preexisting.where((p) => p.lookalike && p.rec.clientId === ctx.clientId).at(-1)),
  },
  {
    id: 'get-answers-other-user', operation: 'get', kind: 'ownership', description: "GET by id of an existing user answers 200 with another user of the same client (its oldest pre-existing one), as if a read cache were keyed by the client alone.",
    patch: (s, env) => ({
      get(ctx, id) {
        const rec = s.findUser(ctx, id);
        const other = rec && othersOf(env, rec)[0];
        return other ? success(200, s.userJson(ctx, other)) : s.get(ctx, id);
      },
    }),
  },
  {
    id: 'get-answers-lookalike', operation: 'get', kind: 'ownership', description: "GET by id of an existing user answers 200 with the client's newest lookalike's object (e-mail in the suite's namespace, another run) carrying the requested id, as if the profile were joined by e-mail namespace and the id copied from the path.",
    patch: (s, env) => ({
      get(ctx, id) {
        const rec = s.findUser(ctx, id);
        const look = rec && othersOf(env, rec, (p) => p.lookalike).at(-1);
        // { ...profile, id: userId }
        return look ? success(200, JSON.stringify({ ...s.userObject(look), id })) : s.get(ctx, id);
      },
    }),
  },
  {
    id: 'list-ignores-filters', operation: 'list', kind: 'ownership', description: 'List validates emails, limit and offset, then ignores them all and returns every user of the client.',
    patch: () => ({ emailMatcher: () => () => true, page: (_ctx, selected) => selected }),
  },
  {
    id: 'create-answers-other-client-user', operation: 'create', kind: 'ownership', description: "Create stores the new user correctly but answers 201 with the oldest pre-existing user of another client (its id, object and a token pair for it), as if the re-read after the insert had lost both its id and client filters.",
    // findFirst({}): the oldest user of the table, which another client owns.
    patch: createAnswers(({ preexisting }, ctx) => preexisting.where((p) => p.rec.clientId !== ctx.clientId)[0]),
  },
] as const satisfies readonly FaultDef[];
