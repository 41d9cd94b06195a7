/**
 * One sequence's world: the target and a fresh reference model side by side,
 * the users this sequence created (slots: the same user on both sides), and
 * every step sent to both and compared. The target is reached only through the
 * client layer: every response judged by the contract, every change admitted
 * by the ownership gate, every create written to the run's ledger first, and
 * every request inside the run's rate budget.
 */
import type { ApiCall, ManagedUsersClient } from '../../fixtures/client/client';
import { clientsFor, runGate, type Clients, type RunContext } from '../../fixtures/client/context';
import type { HttpContextLike } from '../../fixtures/client/node-transport';
import { OwnershipRefused, type OwnershipGate } from '../../fixtures/client/ownership';
import { ContractViolation, RateLimited, TransportError } from '../../fixtures/client/errors';
import type { Target } from '../../fixtures/settings/target';
import type { ListQuery } from '../../fixtures/contract/types';
import type { Ledger } from '../../fixtures/client/ledger';
import type { Model } from './model';
import { acceptance, type Profile } from '../../fixtures/contract/profile';
import { isStructural } from '../../fixtures/contract/response-checks';
import { normalisePointer } from '../../fixtures/contract/deviations';
import { compareStatus, compareTokens, compareUser, Divergence, type Keys, type UserContext } from './compare';
import { type ClientName, describeStep, type EmailChoice, OWN_SCHEDULE, type SlotPick, type Step } from './steps';

/** Postgres' largest int: a valid id no user of a real deployment has. */
const UNKNOWN_ID = 2147483647;

/** The run must stop: the environment (rate limited) or the model itself failed. Not a divergence. */
export class Aborted extends Error {
  override name = 'Aborted';
}

/** A sequence fast-check gave up waiting for (its time limit): it stops at its next step and cleans up. Not a divergence. */
export class Abandoned extends Error {
  override name = 'Abandoned';
}

/** What every sequence of one explore run shares. */
/** What the run exercised: target answers per operation and status. */
export type Stats = Record<string, Record<string, number>>;

export interface Shared {
  target: Target;
  /** The target's clients (the run's budget, gate and ledger); the model's are made per sequence. */
  targetClients: Clients;
  /** The run's context for the model: not paced. */
  modelContext: RunContext;
  http: HttpContextLike;
  model: Model;
  /** The run's gate: a user is the run's own when its e-mail carries the run's namespace and stamp. */
  gate: OwnershipGate;
  ledger: Ledger | null;
  namespace: { prefix: string; runId: string; domain: string };
  /** The fields the contract's user object declares. */
  declared: string[];
  /** The user object's required fields: an optional one the user never had set is the server's to show or not. */
  required: string[];
  /** Numbers the sequences (their e-mails carry it). */
  nextSequence(): number;
  /** Why the run must stop now (interrupted), or null. */
  stopped(): string | null;
  stats: Stats;
  /** The profile in force (with CONTRACT_ACCEPT's entries): a deviation it accepts is no divergence. */
  profile: Profile;
  /** Whether steps may send an e-mail in other letter case (not where the target keeps the case: lists would then depend on how it matches). */
  otherCase: boolean;
}

interface Slot {
  owner: ClientName;
  t: number;
  m: number;
  createdAt: { value?: number };
  /** Fields a create or an update that was accepted set on this user. */
  set: Set<string>;
  /** Each side's current default schedule (for a PATCH that sends it back). */
  tSchedule: unknown;
  mSchedule: unknown;
}

export interface LoggedStep {
  index: number;
  text: string;
  calls: ApiCall[];
}

const lower = (s: string) => s.toLowerCase();
const suffix = (email: string, clientId: string) => {
  const at = email.lastIndexOf('@');
  return at < 0 ? `${email}+${clientId}` : `${email.slice(0, at)}+${clientId}${email.slice(at)}`;
};

export class World {
  readonly log: LoggedStep[] = [];
  /** Set when fast-check no longer waits for this sequence: its next step throws Abandoned. */
  abandoned = false;
  private readonly slots: Slot[] = [];
  /** Every e-mail this sequence sent, lower-cased: what "reuse" picks from. */
  private readonly emails: string[] = [];
  private readonly tokens = new Set<string>();
  private readonly schedules = { t2m: new Map<number, number>(), m2t: new Map<number, number>() };
  private readonly targetClients: Partial<Record<ClientName, ManagedUsersClient>> = {};
  private readonly modelClients: Partial<Record<ClientName, ManagedUsersClient>> = {};
  private readonly prefix: string;
  private counter = 0;
  private readonly sequence: number;

  constructor(private readonly shared: Shared) {
    this.sequence = shared.nextSequence();
    shared.model.reset();
    this.prefix = new URL(shared.target.baseUrl).pathname.replace(/\/+$/, '');
    const modelTarget: Target = { ...shared.target, name: 'model', baseUrl: shared.model.url };
    // The model's users are its own (a fresh instance per sequence): a gate of the run's rule, new each sequence.
    const model = clientsFor(shared.modelContext, { http: shared.http, gate: runGate(shared.modelContext.settings), target: modelTarget });
    this.targetClients.A = shared.targetClients.api;
    this.modelClients.A = model.api;
    if (shared.targetClients.otherApi && model.otherApi) {
      this.targetClients.B = shared.targetClients.otherApi;
      this.modelClients.B = model.otherApi;
    }
  }

  get stopped(): string | null {
    return this.shared.stopped();
  }

  get slotCount(): number {
    return this.slots.length;
  }

  /** Whether the target has a second OAuth client. */
  get twoClients(): boolean {
    return !!this.targetClients.B;
  }

  private newEmail(): string {
    this.counter++;
    const { prefix, runId, domain } = this.shared.namespace;
    return `${prefix}-${runId}-x${this.sequence.toString(36)}${this.counter.toString(36)}-u@${domain}`;
  }

  private email(choice: EmailChoice): string {
    const e = choice.kind === 'new' || this.emails.length === 0 ? this.newEmail() : this.emails[choice.pick % this.emails.length]!;
    if (!this.emails.includes(lower(e))) this.emails.push(lower(e));
    return choice.kind === 'reuse' && choice.upper && this.shared.otherCase ? e.toUpperCase() : e;
  }

  private slot(pick: SlotPick): [number, Slot] {
    const i = pick.slot % this.slots.length;
    return [i, this.slots[i]!];
  }

  private ctx(slot: Slot): UserContext {
    return { targetId: slot.t, modelId: slot.m, declared: this.shared.declared, required: this.shared.required, set: slot.set, createdAt: slot.createdAt, schedules: this.schedules };
  }

  private user(what: string, call: ApiCall, t: any, m: any, slot: Slot): void {
    compareUser(what, call, t, m, this.ctx(slot));
    slot.tSchedule = t?.defaultScheduleId;
    slot.mSchedule = m?.defaultScheduleId;
  }

  /** Send to both sides at once; a target that breaks the contract, fails to answer or is refused by the gate diverges. */
  private async pair(entry: LoggedStep, what: string, t: () => Promise<ApiCall>, m: () => Promise<ApiCall>): Promise<[ApiCall, ApiCall]> {
    const [tr, mr] = await Promise.allSettled([t(), m()]);
    if (tr.status === 'rejected') {
      const e: unknown = tr.reason;
      if (e instanceof RateLimited) throw new Aborted(e.what);
      if (e instanceof ContractViolation || e instanceof TransportError) {
        const call = e.call as ApiCall | undefined;
        if (call) entry.calls.push(call);
        throw new Divergence(`${what}: ${e.what}`, call, e instanceof TransportError ? 'no answer' : `breaks the contract (${call?.status ?? '?'})`);
      }
      if (e instanceof OwnershipRefused) throw new Divergence(`${what}: ${e.what} (nothing was sent)`, e.call, 'ownership refused');
      throw e;
    }
    if (mr.status === 'rejected') throw new Aborted(`the reference model failed on ${what}: ${String((mr.reason as Error)?.message ?? mr.reason).split('\n')[0]}`);
    entry.calls.push(tr.value);
    const byOp = (this.shared.stats[what.replace(/^step \d+ \((\S+).*$/, '$1')] ??= {});
    byOp[tr.value.status] = (byOp[tr.value.status] ?? 0) + 1;
    this.schemaDeviations(what, tr.value);
    return [tr.value, mr.value];
  }

  /** A field of the target's answer that breaks its schema diverges, unless the profile accepts that deviation. One key per deviation, whatever the operation. */
  private schemaDeviations(what: string, call: ApiCall): void {
    for (const f of (call.judgement.findings ?? []).filter((x) => !isStructural(x))) {
      const pointer = normalisePointer(f.pointer);
      if (acceptance(this.shared.profile, { in: 'response', operation: call.operationId, pointer, kind: f.kind })) continue;
      throw new Divergence(`${what}: ${f.message} [${f.kind}], a deviation from the document's schema that profile ${this.shared.profile.name} does not accept`, call, 'schema', `schema: ${f.kind} at ${f.schemaPath ?? pointer}`);
    }
  }

  /** Run one step on both sides and compare; throws a Divergence, keyed by the step's operation and what differs. */
  async run(step: Step): Promise<void> {
    try {
      await this.step(step);
    } catch (e) {
      if (e instanceof Divergence && !e.key) e.key = `${step.op}: ${e.aspect}`;
      throw e;
    }
  }

  private async step(step: Step): Promise<void> {
    const entry: LoggedStep = { index: this.log.length + 1, text: describeStep(step), calls: [] };
    this.log.push(entry);
    /** The step as it ran (e-mails and users resolved), for messages. */
    let what = `step ${entry.index} (${entry.text})`;
    const ran = (text: string) => {
      entry.text = text;
      what = `step ${entry.index} (${text})`;
    };
    const tc = this.targetClients[step.client]!;
    const mc = this.modelClients[step.client]!;
    const auth = step.auth === 'ok' ? {} : { secret: step.auth === 'none' ? null : `wrong-${'x'.repeat(24)}` };
    const tOpts = { ...auth };
    const mOpts = { ...auth, unjudged: true };

    switch (step.op) {
      case 'create': {
        const body: Record<string, unknown> = { ...step.fields };
        if (step.email) body.email = this.email(step.email);
        ran(describeStep(step).replace(/email: <[^>]*>/, `email: ${String(body.email)}`));
        const [t, m] = await this.pair(entry, what, () => tc.createUser(body, tOpts), () => mc.createUser(body, mOpts));
        compareStatus(what, t, m, this.prefix, true);
        if (t.status === 201) {
          if (t.ownership) throw new Divergence(`${what}: create answered 201 with user ${String(t.body?.data?.user?.id)}, but ${t.ownership}`, t, 'created user not ours');
          const tid = Number(t.body?.data?.user.id);
          const mid = Number(m.body?.data.user.id);
          const clash = this.slots.findIndex((s) => s.t === tid);
          if (clash >= 0) throw new Divergence(`${what}: the target answered user ${tid}, the id of user #${clash} of this sequence`, t, 'id given twice');
          const slot: Slot = { owner: step.client, t: tid, m: mid, createdAt: {}, set: new Set(Object.keys(body)), tSchedule: null, mSchedule: null };
          this.slots.push(slot);
          entry.text += ` → user #${this.slots.length - 1}`;
          what = `step ${entry.index} (${entry.text})`;
          this.user(what, t, t.body?.data?.user, m.body?.data.user, slot);
          compareTokens(what, t, t.body?.data as Keys, m.body?.data as Keys, tc.clientId, tid, this.tokens);
        } else if (t.status === 409) {
          this.conflictNamesUser(what, t, m);
        }
        return;
      }
      case 'get': {
        let tid: number | string = UNKNOWN_ID;
        let mid: number | string = UNKNOWN_ID;
        let slot: Slot | undefined;
        if (step.who === 'malformed') tid = mid = 'abc';
        else if (step.who !== 'unknown') {
          const [i, s] = this.slot(step.who);
          slot = s;
          tid = s.t;
          mid = s.m;
          ran(entry.text.replace(`user #${step.who.slot}`, `user #${i}`));
        }
        const [t, m] = await this.pair(entry, what, () => tc.getUserById(tid, tOpts), () => mc.getUserById(mid, mOpts));
        compareStatus(what, t, m, this.prefix);
        if (t.status === 200 && slot) this.user(what, t, t.body?.data, m.body?.data, slot);
        return;
      }
      case 'update': {
        const [i, slot] = this.slot(step.who);
        const body: Record<string, unknown> = { ...step.fields };
        if (step.email) body.email = this.email(step.email);
        const tBody = { ...body };
        const mBody = { ...body };
        if (body.defaultScheduleId === OWN_SCHEDULE) {
          // Its own schedule, back: each side sends the id it gave (never another user's schedule).
          if (typeof slot.tSchedule === 'number' && typeof slot.mSchedule === 'number') {
            tBody.defaultScheduleId = slot.tSchedule;
            mBody.defaultScheduleId = slot.mSchedule;
          } else {
            delete tBody.defaultScheduleId;
            delete mBody.defaultScheduleId;
          }
        }
        ran(entry.text.replace(`user #${step.who.slot}`, `user #${i}`).replace(/email: <[^>]*>/, `email: ${String(body.email)}`));
        const [t, m] = await this.pair(entry, what, () => tc.updateUser(slot.t, tBody, tOpts), () => mc.updateUser(slot.m, mBody, mOpts));
        compareStatus(what, t, m, this.prefix, true);
        if (t.status === 200) {
          for (const k of Object.keys(body)) slot.set.add(k);
          this.user(what, t, t.body?.data, m.body?.data, slot);
        }
        return;
      }
      case 'delete': {
        const [i, slot] = this.slot(step.who);
        ran(entry.text.replace(`user #${step.who.slot}`, `user #${i}`));
        const [t, m] = await this.pair(entry, what, () => tc.deleteUser(slot.t, tOpts), () => mc.deleteUser(slot.m, mOpts));
        compareStatus(what, t, m, this.prefix);
        if (t.status === 200) this.user(what, t, t.body?.data, m.body?.data, slot);
        return;
      }
      case 'forceRefresh': {
        const [i, slot] = this.slot(step.who);
        ran(entry.text.replace(`user #${step.who.slot}`, `user #${i}`));
        const [t, m] = await this.pair(entry, what, () => tc.forceRefresh(slot.t, tOpts), () => mc.forceRefresh(slot.m, mOpts));
        compareStatus(what, t, m, this.prefix);
        if (t.status === 200) compareTokens(what, t, t.body?.data as Keys, m.body?.data as Keys, tc.clientId, slot.t, this.tokens);
        return;
      }
      case 'list':
        return this.list(entry, ran, step, tc, mc, tOpts, mOpts);
    }
  }

  /** A 409 names the existing user: the target's message names the target id of the user the model's names. */
  private conflictNamesUser(what: string, t: ApiCall, m: ApiCall): void {
    const named = (msg: unknown) => new Set((String(typeof msg === 'string' ? msg : '').match(/\d+/g) ?? []).map(Number));
    const modelNamed = named(m.error?.message);
    const slot = this.slots.find((s) => modelNamed.has(s.m));
    if (slot && !named(t.error?.message).has(slot.t)) {
      throw new Divergence(`${what}: the 409 message ${JSON.stringify(t.error?.message)} does not name the existing user ${slot.t}`, t, '409 message');
    }
  }

  private async list(entry: LoggedStep, ran: (text: string) => void, step: Extract<Step, { op: 'list' }>, tc: ManagedUsersClient, mc: ManagedUsersClient, tOpts: object, mOpts: object): Promise<void> {
    const query: ListQuery = {};
    if (step.limit !== undefined) query.limit = step.limit;
    if (step.offset !== undefined) query.offset = step.offset;
    let asked: string[] | null = null;
    if (step.emails?.kind === 'invalid') query.emails = ['not-an-email-x1'];
    else if (step.emails && this.emails.length) {
      asked = [...new Set(step.emails.picks.map((p) => this.emails[p % this.emails.length]!))];
      query.emails = (step.emails.suffixed ? asked.map((e) => suffix(e, tc.clientId)) : asked);
      ran(entry.text.replace(/emails=<[^>]*>/, `emails=${query.emails.join(',')}`));
    }
    const what = `step ${entry.index} (${entry.text})`;
    const [t, m] = await this.pair(entry, what, () => tc.getManagedUsers(query, tOpts), () => mc.getManagedUsers(query, mOpts));
    compareStatus(what, t, m, this.prefix);
    if (t.status !== 200) {
      // Where the model's 400 names the invalid address (the facts: `Invalid email <x>`), the target's must too.
      const names = (c: typeof t) => String(c.error?.message ?? '').includes('not-an-email-x1');
      if (t.status === 400 && names(m) && !names(t)) {
        throw new Divergence(`${what}: the 400 message ${JSON.stringify(t.error?.message)} does not name the invalid address not-an-email-x1`, t, '400 message');
      }
      return;
    }
    // Everything the model holds that matches (its only users are this sequence's): the truth to compare the target's page with.
    const all = await mc.getManagedUsers({ ...query, limit: 250, offset: 0 }, { unjudged: true });
    const modelUsers = new Map<number, any>((all.body?.data ?? []).map((u: any) => [Number(u.id), u]));
    const matching = new Set(this.slots.filter((s) => modelUsers.has(s.m)));
    const page: any[] = Array.isArray(t.body?.data) ? t.body.data : [];
    const limit = Number(step.limit ?? 50);
    const offset = Number(step.offset ?? 0);
    const ours: Slot[] = [];
    for (const u of page) {
      const slot = this.slots.find((s) => s.t === Number(u.id));
      if (!slot) {
        if (asked) throw new Divergence(`${what}: the target lists user ${describeUser(u)}, which none of the addresses asked for is (${asked.length} asked)`, t, 'a user not asked for');
        continue; // someone else's user: a shared server holds many
      }
      if (!matching.has(slot)) throw new Divergence(`${what}: the target lists user #${this.slots.indexOf(slot)} (${slot.t}), which the model does not list here (deleted, another client's, or not asked for)`, t, 'a user the model does not list');
      if (ours.includes(slot)) throw new Divergence(`${what}: the target lists user #${this.slots.indexOf(slot)} (${slot.t}) twice`, t, 'a user twice');
      ours.push(slot);
      this.user(`${what}, user #${this.slots.indexOf(slot)} in the list`, t, u, modelUsers.get(slot.m), slot);
    }
    if (page.length > limit) throw new Divergence(`${what}: the page holds ${page.length} users, more than limit ${limit}`, t, 'over the limit');
    if (asked) {
      const expected = Math.max(0, Math.min(limit, matching.size - offset));
      if (page.length !== expected) throw new Divergence(`${what}: the page holds ${page.length} of our users, the model's ${expected} (${matching.size} match, offset ${offset}, limit ${limit})`, t, 'page size');
    } else if (offset === 0 && page.length < limit) {
      // A short first page is the whole list: every user of ours the model lists must be on it.
      const missing = [...matching].filter((s) => !ours.includes(s));
      if (missing.length) throw new Divergence(`${what}: the first page is complete (${page.length} < limit ${limit}) but lacks user(s) ${missing.map((s) => `#${this.slots.indexOf(s)} (${s.t})`).join(', ')}, which the model lists`, t, 'first page incomplete');
    }
  }

  /** Delete every user of the run still believed to exist, each through the gate. One line per user that could not be removed. */
  async cleanup(): Promise<string[]> {
    const problems: string[] = [];
    const gate = this.shared.gate;
    for (const u of gate.live()) {
      const client = this.shared.targetClients.all.find((c) => c.clientId === u.reader.clientId)!;
      try {
        const res = await client.deleteUser(u.id, { unjudged: true });
        if (res.status !== 200 && res.status !== 404) problems.push(`user ${u.id} <${u.email}>: delete answered ${res.status}`);
        if (res.status === 404) gate.deleted(u.reader.base, u.id);
      } catch (e) {
        if (e instanceof OwnershipRefused && e.readStatus === 404) {
          gate.deleted(u.reader.base, u.id);
          continue;
        }
        if (e instanceof RateLimited) throw new Aborted(e.what);
        problems.push(`user ${u.id} <${u.email}>: ${String((e as Error).message).split('\n')[0]}`);
        // Given up here (the run's ledger cleanup tries again at the end): later sequences do not retry it.
        gate.deleted(u.reader.base, u.id);
      }
    }
    return problems;
  }
}

function describeUser(u: any): string {
  return `${String(u?.id)} <${String(u?.email)}>`;
}
