/**
 * What a fault is: one realistic defect, described, and the patch that is its
 * whole behaviour (the seams it replaces, see ../seams.ts). The helpers below
 * are the shapes several patches share.
 */
import type { Answer } from '../answers';
import type { Messages } from '../messages';
import type { Patch, Seams } from '../seams';
import type { UserRecord } from '../store';
import { type CreateField, type FieldRule, ok, type PatchField, type Verdict } from '../validation';

export type FaultOperation = 'create' | 'list' | 'get' | 'update' | 'delete' | 'refresh' | 'all';

export interface FaultDef {
  id: string;
  operation: FaultOperation;
  kind: string;
  description: string;
  /**
   * Written for `npm run explore` (state-dependent bugs that no named check
   * targets): the mutation self-test (selftest/mutants.ts) leaves them out
   * unless named with --faults, and selftest/explore.spec.ts requires explore
   * to find each of them.
   */
  exploreOnly?: true;
  patch: Patch;
}

/** A success answer with another status; errors pass unchanged. */
export const withStatus = (a: Answer, status: number): Answer => (a.kind === 'success' ? { ...a, status } : a);

/** The same object with one key renamed, in its place. */
export const renameKey = (o: Record<string, unknown>, from: string, to: string): Record<string, unknown> =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k === from ? to : k, v]));

type RuleWrap = (base: FieldRule, m: Messages) => FieldRule;

/** The create rule of `field`, wrapped. */
export const createRule = (field: CreateField, wrap: RuleWrap): Patch => (s, { cfg }) => ({
  createRules: { ...s.createRules, [field]: wrap(s.createRules[field], cfg.msgs) },
});

/** The PATCH rule of `field`, wrapped. */
export const patchRule = (field: PatchField, wrap: RuleWrap): Patch => (s, { cfg }) => ({
  patchRules: { ...s.patchRules, [field]: wrap(s.patchRules[field], cfg.msgs) },
});

/** The create and the PATCH rule of `field`, wrapped alike. */
export const bothRules = (field: CreateField & PatchField, wrap: RuleWrap): Patch => (s, env) => ({
  ...createRule(field, wrap)(s, env),
  ...patchRule(field, wrap)(s, env),
});

/** A rule that takes any value `taken` accepts as it is, before the real rule. */
export const accepts = (taken: (v: unknown) => boolean): RuleWrap => (base) => (v) => (taken(v) ? ok(v) : base(v));

/** A rule that refuses what `refused` matches with `error`, before the real rule. */
export const refuses = (refused: (v: unknown) => boolean, error: (m: Messages, v: unknown) => Verdict): RuleWrap => (base, m) => (v) =>
  refused(v) ? error(m, v) : base(v);

export const isString = (v: unknown) => typeof v === 'string';
export const isFiniteNumber = (v: unknown) => typeof v === 'number' && Number.isFinite(v);

/** setEmail that counts each user's e-mail changes. */
export const countingEmailChanges = (s: Seams, changes: WeakMap<UserRecord, number>): Pick<Seams, 'setEmail'> => ({
  setEmail(ctx, rec, stored) {
    if (stored !== rec.email) changes.set(rec, (changes.get(rec) ?? 0) + 1);
    s.setEmail(ctx, rec, stored);
  },
});

/** E-mails that still count as taken for a create although no user has them; `remember` marks one. */
export function staleEmails(s: Seams, patch: (remember: (rec: UserRecord) => void) => Partial<Seams>): Partial<Seams> {
  const stale = new Map<string, UserRecord>();
  const key = (clientId: string, email: string) => `${clientId} ${email}`;
  return {
    ...patch((rec) => stale.set(key(rec.clientId, rec.email), rec)),
    findDuplicate: (ctx, stored, raw) => s.findDuplicate(ctx, stored, raw) ?? stale.get(key(ctx.clientId, stored)),
  };
}
