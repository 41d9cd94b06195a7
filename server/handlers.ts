/**
 * The six operations, each called once the route, guard and userId are
 * settled: validation of the body or query, lookup, the change, the answer.
 * Every step goes through a seam (validation, repository, tokens, serialise).
 */
import { success } from './answers';
import type { Ctx, SeamsOf } from './seams';
import type { UserRecord } from './store';
import type { PatchFields } from './validation';

type OperationSeams = 'create' | 'list' | 'get' | 'update' | 'delete' | 'refresh' | 'applyPatch' | 'conflict';

const byOrderKey = (a: UserRecord, b: UserRecord) => a.orderKey - b.orderKey || a.id - b.id;

export const operationSeams: SeamsOf<OperationSeams> = ({ cfg, answers }, self) => ({
  create(ctx, body) {
    const v = self.validateCreate(body);
    if (v.errors.length > 0) return answers.validationFailed(v.errors);
    const raw = self.normaliseEmail(v.valid.email ?? '');
    const stored = self.storedEmail(ctx, raw);
    const existing = self.findDuplicate(ctx, stored, raw);
    if (existing !== undefined) return self.conflict(ctx, existing);
    // No await between the uniqueness check above and this insert.
    const rec = self.insertUser(ctx, self.newUser(ctx, v.valid, stored), body);
    return success(201, self.createdJson(ctx, rec, self.tokensFor(ctx, rec)));
  },

  update(ctx, id, body) {
    const v = self.validatePatch(body);
    if (v.errors.length > 0) return answers.validationFailed(v.errors);
    const rec = self.findUser(ctx, id);
    if (rec === undefined) return answers.notFound(id);
    const email = v.valid.email;
    const holder = email === undefined ? undefined : self.patchConflict(ctx, rec, self.storedEmail(ctx, self.normaliseEmail(email), rec));
    if (holder !== undefined) return self.conflict(ctx, holder);
    self.applyPatch(ctx, rec, v.valid);
    return success(200, self.userJson(ctx, rec));
  },

  applyPatch(ctx: Ctx, rec: UserRecord, p: PatchFields) {
    if (p.email !== undefined) self.setEmail(ctx, rec, self.storedEmail(ctx, self.normaliseEmail(p.email), rec));
    if (p.name !== undefined) rec.name = p.name;
    if (p.timeFormat !== undefined) rec.timeFormat = p.timeFormat;
    if (p.defaultScheduleId !== undefined) rec.defaultScheduleId = p.defaultScheduleId;
    if (p.weekStart !== undefined) rec.weekStart = p.weekStart;
    if (p.timeZone !== undefined) rec.timeZone = p.timeZone;
    if (p.locale !== undefined) rec.locale = p.locale;
    if (p.avatarUrl !== undefined) rec.avatarUrl = p.avatarUrl;
    if (p.bio !== undefined) rec.bio = p.bio;
    if (p.metadata !== undefined) rec.metadata = p.metadata;
    rec.json = null;
  },

  conflict: (_ctx, holder) => answers.conflict(holder.id),

  get(ctx, id) {
    const rec = self.findUser(ctx, id);
    return rec === undefined ? answers.notFound(id) : success(200, self.userJson(ctx, rec));
  },

  delete(ctx, id) {
    const rec = self.findUser(ctx, id);
    if (rec === undefined) return answers.notFound(id);
    const json = self.userJson(ctx, rec);
    self.removeUser(ctx, rec);
    return success(200, json);
  },

  refresh(ctx, id) {
    const rec = self.findUser(ctx, id);
    return rec === undefined ? answers.notFound(id) : success(200, self.tokensJson(self.tokensFor(ctx, rec)));
  },

  list(ctx, rawQuery) {
    const parsed = self.parseListQuery(rawQuery);
    if (!parsed.ok) return answers.badRequest(parsed.message);
    const { emails } = parsed.query;
    const matches = emails === null ? null : self.emailMatcher(ctx, emails);
    const selected: UserRecord[] = [];
    for (const u of self.listPool(ctx)) if (matches === null || matches(u)) selected.push(u);
    if (cfg.legal) selected.sort(byOrderKey);
    const page = self.page(ctx, selected, parsed.query);
    return success(200, `[${page.map((u) => self.userJson(ctx, u)).join(',')}]`);
  },
});
