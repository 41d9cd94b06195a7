/**
 * The version behaviours explore's inputs reach, settled before the first
 * sequence: the profile's value where it names one; otherwise (the published
 * profile leaves a choice) the one the target shows to a probe, one create
 * each. The model then follows that value (model.ts), so either allowed
 * answer is no divergence. A probe answered with none of the known values (a
 * 5xx, a third behaviour) is a divergence of its own, and explore stops
 * sending that input.
 */
import type { ApiCall, ManagedUsersClient } from '../../fixtures/client/client';
import type { OwnershipGate } from '../../fixtures/client/ownership';
import { BEHAVIOURS, type BehaviourName, type Profile } from '../../fixtures/contract/profile';
import { shownEmailCase, shownTimeFormatString, shownTimeZoneNull } from '../../fixtures/contract/behaviours';
import type { Settled } from './model';

/** What explore sends that a version behaviour decides: timeFormat "24" and timeZone null on create, e-mails in other letter case. */
export const EXERCISED = ['timeFormat-numeric-string', 'timeZone-null-on-create', 'email-case'] as const satisfies readonly BehaviourName[];
type Exercised = (typeof EXERCISED)[number];

export interface Settlement {
  settled: Settled;
  /** Behaviours whose probe showed none of the known values: explore leaves their input out. */
  dropped: Set<Exercised>;
  /** What each of those probes answered (one divergence each). */
  probes: { name: Exercised; what: string; call: ApiCall }[];
}

export interface ProbeClient {
  api: ManagedUsersClient;
  gate: OwnershipGate;
  /** A new e-mail of this run. */
  email: () => string;
}

/** One create showing the target's value of a behaviour (null: none of the known values). */
async function probe(name: Exercised, c: ProbeClient): Promise<{ value: string | null; call: ApiCall }> {
  const raw = { unjudged: true } as const;
  if (name === 'timeFormat-numeric-string') {
    const call = await c.api.createUser({ email: c.email(), name: 'explore', timeFormat: '24' }, raw);
    return { value: shownTimeFormatString(call.status, call.data?.user), call };
  }
  if (name === 'timeZone-null-on-create') {
    const call = await c.api.createUser({ email: c.email(), name: 'explore', timeZone: null }, raw);
    return { value: shownTimeZoneNull(call.status, call.data?.user), call };
  }
  const email = c.email().toUpperCase();
  const call = await c.api.createUser({ email, name: 'explore' }, raw);
  return { value: call.status === 201 ? shownEmailCase(email, call.data.user.email, c.api.clientId) : null, call };
}

/** Settle every exercised behaviour: the profile's, or the target's (probed); then remove the probes' users. */
export async function settleBehaviours(profile: Profile, c: ProbeClient): Promise<Settlement> {
  const out: Settlement = { settled: {}, dropped: new Set(), probes: [] };
  try {
    for (const name of EXERCISED) {
      const named = profile.behaviours[name];
      if (named) {
        out.settled[name] = named;
        continue;
      }
      const { value, call } = await probe(name, c);
      if (value !== null) out.settled[name] = value;
      else {
        out.dropped.add(name);
        out.probes.push({ name, call, what: `probing ${BEHAVIOURS[name].about}: the target answered ${call.summary}, none of the behaviours versions show (${Object.keys(BEHAVIOURS[name].values).join(', ')})${call.status >= 500 ? ': a server error is never a version behaviour' : ''}` });
      }
    }
  } finally {
    for (const u of c.gate.live()) await c.api.deleteUser(u.id, { unjudged: true }).catch(() => undefined);
  }
  return out;
}
