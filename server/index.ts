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
export { FAULTS, isFaultId } from './faults';
export type { FaultId, FaultSpec } from './faults';
export { createHandler, startInstances, startReferenceServer } from './http';
