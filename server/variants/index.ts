/**
 * Variants of the reference server: each a named stack of patches over the
 * same seams as the faults (server/seams.ts), laid over the legal code in
 * order. A layer is a version behaviour's value (./behaviours.ts) or a fault
 * of the catalogue (../faults/): a version's deviations from the published
 * document and its server bugs are faults against the published profile, so a
 * version variant is the legal code with those faults in. A fault injected
 * into an instance (--fault) is laid over its variant.
 *
 * Only this folder and ../faults/ name faults and versions
 * (selftest/server-faults.spec.ts); the legal code never branches on a
 * variant's name.
 */
import { faultPatch, type FaultId } from '../faults';
import { composePatches, type Patch } from '../seams';
import { type BehaviourName, type BehaviourValue, VERSION_BEHAVIOURS } from './behaviours';

export { VERSION_BEHAVIOURS } from './behaviours';

export type Layer = { behaviour: BehaviourName; value: string } | { fault: FaultId };

/** A version behaviour's value as a layer. */
const shows = <N extends BehaviourName>(behaviour: N, value: BehaviourValue<N>): Layer => ({ behaviour, value });
const bugs = (...ids: FaultId[]): Layer[] => ids.map((fault) => ({ fault }));

export interface VariantDef {
  describes: string;
  /**
   * `legal`: ids, list order, date and expiry formats, messages, extra fields
   * and timing differ from the standard server where the contract allows
   * (config.ts); `standard`: as the published document shows them.
   */
  presentation: 'standard' | 'legal';
  layers: readonly Layer[];
}

/** What Cal.com 2025-05 and 2025-12 both show beyond the published document: deviations, then bugs (research R2–R10, S1–S5). */
const CALCOM_2025: readonly Layer[] = [
  ...bugs('locale-null-when-unset', 'create-weekstart-type-only', 'create-email-trpc-400', 'payload-limit-100kb-bare', 'list-params-parseint'),
  ...bugs('list-emails-array-unchecked', 'patch-unparsed-body-noop', 'null-taken', 'null-stored-as-sent'),
  ...bugs('timezone-capitalised', 'email-split-at-first-at', 'patch-email-unvalidated', 'username-slug-unique', 'metadata-prototype-keys-dropped'),
  ...bugs('user-id-int4-500', 'schedule-id-int4-500', 'create-null-optional-500', 'patch-null-500', 'nul-in-text-500', 'create-half-created-on-500'),
  ...bugs('client-id-nul-500', 'long-email-500', 'metadata-constructor-500', 'deep-nesting-500', 'list-emails-object-500', 'patch-array-body-500'),
];

export const VARIANTS = {
  standard: {
    describes: 'the published document, as plainly as it can be served',
    presentation: 'standard',
    layers: [],
  },
  legal: {
    describes: 'differs from standard only where the contract allows: ids, order, formats, wording, extra fields, timing; an e-mail already carrying +<clientId>@ kept as sent',
    presentation: 'legal',
    layers: [shows('email-own-suffix', 'kept')],
  },
  'legal-alt': {
    describes: 'legal, with the other known version behaviours: e-mail case kept, timeFormat "24" refused on create and PATCH, timeZone null on create refused, an own-suffixed e-mail suffixed again',
    presentation: 'legal',
    layers: [shows('email-case', 'kept'), shows('timeFormat-numeric-string', 'rejected'), shows('timeZone-null-on-create', 'rejected'), shows('email-own-suffix', 'suffixed-again')],
  },
  'calcom-2025-05': {
    describes: 'Cal.com API v2 of 2025-05-28: its version behaviours, deviations and server bugs (non-integer ids and timeZone null on create answer 500, no "bn")',
    presentation: 'standard',
    layers: [
      shows('timeFormat-numeric-string', 'rejected'),
      shows('email-own-suffix', 'suffixed-again'),
      shows('email-case', 'kept'),
      ...bugs('locale-bn-missing'),
      ...CALCOM_2025,
      // R1 over R2: no ParseIntPipe on the userId at all.
      ...bugs('user-id-unary-plus'),
    ],
  },
  'calcom-2025-12': {
    describes: 'Cal.com API v2 of 2025-12-19: 2025-05 with "bn", "24" coerced, own suffix kept, integer ids checked (400) and timeZone null on create taken as absent',
    presentation: 'standard',
    layers: [
      shows('timeFormat-numeric-string', 'coerced'),
      shows('email-own-suffix', 'kept'),
      shows('email-case', 'kept'),
      ...CALCOM_2025,
      // The fix of PR #24226, laid over the bug it fixes (weekStart null still reaches the insert).
      shows('timeZone-null-on-create', 'as-absent'),
    ],
  },
} as const satisfies Record<string, VariantDef>;

export type Variant = keyof typeof VARIANTS;
export const VARIANT_NAMES = Object.keys(VARIANTS) as Variant[];

export function isVariant(value: unknown): value is Variant {
  return typeof value === 'string' && Object.hasOwn(VARIANTS, value);
}

/** The faults a variant is made of (its deviations and bugs), in layer order. */
export function variantFaults(name: Variant): FaultId[] {
  return (VARIANTS[name].layers as readonly Layer[]).flatMap((l) => ('fault' in l ? [l.fault] : []));
}

function layerPatch(layer: Layer): Patch {
  if ('fault' in layer) return faultPatch(layer.fault) as Patch;
  return (VERSION_BEHAVIOURS[layer.behaviour] as Record<string, Patch>)[layer.value] as Patch;
}

/** The variant's layers as one patch, or undefined for none. */
export function variantPatch(name: Variant): Patch | undefined {
  const layers = VARIANTS[name].layers as readonly Layer[];
  return layers.length === 0 ? undefined : composePatches(layers.map(layerPatch));
}
