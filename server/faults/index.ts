/**
 * Catalogue of injectable contract bugs used by the suite's mutation
 * self-test. Each entry is one realistic defect, and its patch is the whole of
 * its behaviour: it replaces a few seams of the reference server (../seams.ts)
 * and leaves it exactly like the standard variant in every other respect.
 * The entries are grouped by kind in the files beside this one; the
 * catalogue is their list, in this order.
 */
import type { Patch } from '../seams';
import { ACCESS_FAULTS } from './access';
import { DEFAULTS_FAULTS } from './defaults';
import { DEVIATION_FAULTS } from './deviations';
import { EDGE_FAULTS } from './edges';
import type { FaultDef } from './fault';
import { LIFECYCLE_FAULTS } from './lifecycle';
import { LIST_FAULTS } from './list';
import { OWNERSHIP_FAULTS } from './ownership';
import { ROBUSTNESS_FAULTS } from './robustness';
import { STATE_FAULTS } from './state';
import { STORED_FAULTS } from './stored';
import { TOKEN_FAULTS } from './tokens';
import { VALIDATION_FAULTS } from './validation';
import { WIRE_FAULTS } from './wire';

const CATALOGUE = [
  ...WIRE_FAULTS,
  ...ACCESS_FAULTS,
  ...LIFECYCLE_FAULTS,
  ...LIST_FAULTS,
  ...VALIDATION_FAULTS,
  ...DEFAULTS_FAULTS,
  ...TOKEN_FAULTS,
  ...OWNERSHIP_FAULTS,
  ...EDGE_FAULTS,
  ...ROBUSTNESS_FAULTS,
  ...STORED_FAULTS,
  ...DEVIATION_FAULTS,
  ...STATE_FAULTS,
] as const;

export type FaultId = (typeof CATALOGUE)[number]['id'];
export type { FaultOperation } from './fault';

export interface FaultSpec extends Omit<FaultDef, 'id' | 'exploreOnly'> {
  id: FaultId;
  /** See FaultDef.exploreOnly. */
  exploreOnly?: boolean;
}

export const FAULTS: readonly FaultSpec[] = CATALOGUE;

/** The faults the named checks must kill. */
export const NAMED_FAULTS: readonly FaultSpec[] = FAULTS.filter((f) => !f.exploreOnly);

/**
 * Faults no check is required to kill yet, each with why: the mutation self-test leaves them out by default,
 * saying so (`npm run mutants -- --faults <id>` runs one). Remove an entry when its check lands.
 */
export const PENDING_FAULTS: Readonly<Partial<Record<FaultId, string>>> = {
  'list-emails-array-unchecked': 'not promised: the document\'s emails is explode: false (the comma form); how a server reads a repeated emails= is not in it (the calcom profiles accept it as a deviation all the same)',
};

/** The mutation self-test's default set: the named faults, but the pending ones. */
export const MUTANT_FAULTS: readonly FaultSpec[] = NAMED_FAULTS.filter((f) => !(f.id in PENDING_FAULTS));

/** The faults written for explore (see FaultDef.exploreOnly). */
export const EXPLORE_ONLY_FAULTS: readonly FaultSpec[] = FAULTS.filter((f) => f.exploreOnly);

const BY_ID: ReadonlyMap<string, FaultSpec> = new Map(FAULTS.map((f) => [f.id, f]));

export function isFaultId(value: unknown): value is FaultId {
  return typeof value === 'string' && BY_ID.has(value);
}

/** The patch of a fault, or undefined for none. */
export function faultPatch(id: FaultId | null): Patch | undefined {
  return id === null ? undefined : BY_ID.get(id)?.patch;
}
