/**
 * Version behaviours: where Cal.com versions differ and the published document
 * promises neither, each known value as a patch that sets it, whatever the
 * seams below do. The names and values are those of the suite's profiles
 * (fixtures/contract/profile.ts, BEHAVIOURS; selftest/server-variants.spec.ts
 * keeps them the same). The legal code (server/*.ts) has one value of each; a
 * variant names the ones it shows (./index.ts).
 */
import type { Patch } from '../seams';
import { splitEmail, suffixEmail } from '../store';
import { fail, type FieldRule } from '../validation';

/** class-transformer's implicit conversion: a string of digits becomes a number before the 12|24 rule. */
const numericString = (v: unknown) => (typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v);
const coerced = (rule: FieldRule): FieldRule => (v) => rule(numericString(v));
/** A string is refused, numeric or not: `isIn([12, 24])` on the value as sent. */
const refusesStrings = (rule: FieldRule, message: string): FieldRule => (v) => (typeof v === 'string' ? fail('timeFormat', 'value', message) : rule(v));
const TIME_FORMATS = [12, 24];

/** Whether an address already carries this client's suffix before its '@'. */
const ownSuffixed = (raw: string, clientId: string) => splitEmail(raw)[0].endsWith(`+${clientId}`);

export const VERSION_BEHAVIOURS = {
  'timeFormat-numeric-string': {
    rejected: (s, { cfg }) => ({
      transformCreate: (body) => body,
      createRules: { ...s.createRules, timeFormat: refusesStrings(s.createRules.timeFormat, cfg.msgs.mustBeOneOf('timeFormat', TIME_FORMATS)) },
      patchRules: { ...s.patchRules, timeFormat: refusesStrings(s.patchRules.timeFormat, cfg.msgs.mustBeOneOf('timeFormat', TIME_FORMATS)) },
    }),
    coerced: (s) => ({
      transformCreate: (body) => ('timeFormat' in body ? { ...body, timeFormat: numericString(body.timeFormat) } : body),
      patchRules: { ...s.patchRules, timeFormat: coerced(s.patchRules.timeFormat) },
    }),
  },
  'timeZone-null-on-create': {
    rejected: (s, { cfg }) => ({
      createRules: { ...s.createRules, timeZone: (v) => (v === null ? fail('timeZone', 'type', cfg.msgs.mustBeString('timeZone')) : s.createRules.timeZone(v)) },
    }),
    'as-absent': (s) => ({ createRules: { ...s.createRules, timeZone: (v) => (v === null ? null : s.createRules.timeZone(v)) } }),
  },
  'email-own-suffix': {
    'suffixed-again': (s) => ({ storedEmail: (ctx, raw, rec) => (ownSuffixed(raw, ctx.clientId) ? suffixEmail(raw, ctx.clientId) : s.storedEmail(ctx, raw, rec)) }),
    kept: (s) => ({ storedEmail: (ctx, raw, rec) => (ownSuffixed(raw, ctx.clientId) ? raw : s.storedEmail(ctx, raw, rec)) }),
  },
  'email-case': {
    kept: () => ({ normaliseEmail: (email) => email }),
    'lower-cased': () => ({ normaliseEmail: (email) => email.toLowerCase() }),
  },
} as const satisfies Record<string, Record<string, Patch>>;

export type BehaviourName = keyof typeof VERSION_BEHAVIOURS;
export type BehaviourValue<N extends BehaviourName> = keyof (typeof VERSION_BEHAVIOURS)[N] & string;
/** A choice of value for some behaviours. */
export type BehaviourChoices = { [N in BehaviourName]?: BehaviourValue<N> };

/** The patches of the chosen values, in the order of VERSION_BEHAVIOURS. */
export function behaviourPatches(choices: BehaviourChoices): Patch[] {
  return (Object.keys(VERSION_BEHAVIOURS) as BehaviourName[]).flatMap((name) => {
    const value = choices[name];
    return value === undefined ? [] : [(VERSION_BEHAVIOURS[name] as Record<string, Patch>)[value] as Patch];
  });
}
