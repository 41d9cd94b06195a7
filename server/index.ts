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
export { EXPLORE_ONLY_FAULTS, FAULTS, isFaultId, NAMED_FAULTS } from './faults';
export type { FaultId, FaultSpec } from './faults';
export { createHandler, startInstances, startReferenceServer } from './http';
