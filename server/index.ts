export type {
  ClientCredentials,
  InstanceOptions,
  InstanceSpec,
  RateLimitOptions,
  ReferenceServer,
  StartedInstance,
  StartOptions,
  Variant,
} from './types';
export { EXPLORE_ONLY_FAULTS, FAULTS, isFaultId, MUTANT_FAULTS, NAMED_FAULTS, PENDING_FAULTS } from './faults';
export type { FaultId, FaultSpec } from './faults';
export { createHandler, startInstances, startReferenceServer } from './http';
export { isVariant, VARIANT_NAMES, VARIANTS, variantFaults } from './variants';
