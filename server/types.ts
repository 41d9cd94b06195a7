import type { FaultId } from './faults';
import type { RateLimitOptions } from './ratelimit';
import type { Variant } from './variants';
import type { Patch } from './seams';

export type { FaultId } from './faults';
export type { RateLimitOptions } from './ratelimit';

/** An OAuth client the reference server knows about. */
export interface ClientCredentials {
  id: string;
  secret: string;
}

/**
 * `standard` mirrors the documented behaviour as closely as possible; the
 * legal ones differ from it only in ways the contract leaves open (ids, order,
 * messages, extra fields, timing, the known version behaviours), and a correct
 * suite must pass against each; the version ones reproduce a Cal.com version,
 * bugs included. The list, and what each is made of: server/variants/.
 */
export type { Variant } from './variants';

export interface InstanceOptions {
  /** The OAuth clients this instance knows (usually two). */
  clients: ClientCredentials[];
  /** Global path prefix such as `/api`; routes then live under `/api/v2/...`. Default ''. */
  prefix?: string;
  /** Inject exactly one fault from the catalogue. Default: none. */
  fault?: FaultId | null;
  /** A patch of the seams laid over the variant's and the fault's (npm run explore's model: the version behaviours and deviations its profile names). */
  patch?: Patch;
  /** Default 'standard' (server/variants/). */
  variant?: Variant;
  /** Seed for ids, jitter, list order and pre-existing users (deterministic). */
  seed?: number;
  /** Users per client that exist before the suite runs (legal default 40, standard default 0). */
  preexistingUsers?: number;
  /**
   * How many of each client's pre-existing users are lookalikes of the suite's own
   * (e-mails in its exact format, from other runs): 0 to 3, at most preexistingUsers.
   * Default 0; server/main.ts --instances: 3.
   */
  lookalikes?: number;
  /** Upper bound of the random delay added to every API request (legal default 15, standard 0). */
  jitterMs?: number;
  /** Fixed delay added to every API request, e.g. 100 to play a distant staging host (default 0). */
  latencyMs?: number;
  /**
   * Cal.com's throttler: a budget per window for the `x-cal-client-id` header's tracker,
   * a block for keys that go over it, and a smaller budget per address for requests
   * without the header. Default: no rate limiting.
   */
  rateLimit?: RateLimitOptions;
}

export interface ReferenceServer {
  /** `http://127.0.0.1:<port><prefix>` */
  url: string;
  close: () => Promise<void>;
}

export interface StartOptions extends InstanceOptions {
  /** 0 (default) lets the OS pick a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
}

export interface InstanceSpec {
  name: string;
  options: InstanceOptions;
}

export interface StartedInstance {
  name: string;
  url: string;
  close: () => Promise<void>;
}

export type Operation = 'create' | 'list' | 'get' | 'update' | 'delete' | 'refresh';
