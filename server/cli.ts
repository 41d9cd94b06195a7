/**
 * Command-line parsing for server/main.ts (node:util parseArgs): flags to
 * options, every mistake as one readable UsageError line. No side effects, so
 * the self-test can call it in-process.
 */
import { parseArgs } from 'node:util';
import { FAULTS, type FaultId, isFaultId } from './faults';
import { MAX_LOOKALIKES } from './population';
import { defaultAddressLimit, type RateLimitOptions } from './ratelimit';
import type { InstanceOptions, InstanceSpec, Variant } from './types';
import { isVariant, VARIANT_NAMES, VARIANTS } from './variants';

export class UsageError extends Error {}

export interface Cli {
  port: number;
  host: string;
  prefix: string | undefined;
  variant: Variant;
  fault: FaultId | undefined;
  seed: number | undefined;
  preexisting: number | undefined;
  lookalikes: number | undefined;
  jitter: number | undefined;
  latency: number | undefined;
  /** Set when --rate-limit is given, with --block, --address-rate-limit and --no-client-id-tracker applied. */
  rateLimit: RateLimitOptions | undefined;
  quiet: boolean;
  verbose: boolean;
  exitOnStdinClose: boolean;
  instances: string | undefined;
  listFaults: boolean;
  listVariants: boolean;
  help: boolean;
}

/** Every flag: its value's name (none for switches) and what it means. The order is the --help order. */
const FLAGS = {
  port: { value: 'N', help: 'port to listen on; 0 (default) lets the OS pick one' },
  host: { value: 'HOST', help: 'address to listen on (default 127.0.0.1)' },
  prefix: { value: 'PATH', help: 'global path prefix, e.g. /api: routes then live under /api/v2/...' },
  variant: { value: 'NAME', help: 'standard (default), legal, or another variant (a Cal.com version): see "variants" below' },
  fault: { value: 'ID', help: 'inject one fault from the catalogue (see --list-faults)' },
  seed: { value: 'N', help: 'seed for ids, list order, jitter and pre-existing users (0..4294967295)' },
  preexisting: { value: 'N', help: 'users per client that exist before the run (default: legal 40, standard 0; with --instances 55)' },
  lookalikes: { value: 'N', help: "how many of them are lookalikes of the suite's own users, from other runs: 0..3 (default 0; with --instances 3)" },
  jitter: { value: 'MS', help: 'upper bound of a random delay added to every API request (default: legal 15, standard 0)' },
  latency: { value: 'MS', help: 'fixed delay added to every API request, to play a distant host (default 0)' },
  'rate-limit': { value: 'N/WINDOW', help: "Cal.com's throttler: N requests per WINDOW (500ms, 2s, 1m) per x-cal-client-id header (Cal.com: 500/60s)" },
  block: { value: 'DURATION', help: 'how long a tracker that went over its budget is blocked (default 60s; needs --rate-limit)' },
  'address-rate-limit': { value: 'N', help: 'budget per window for requests without the header, per address (default round(N x 120/500), at least 1)' },
  'no-client-id-tracker': { value: null, help: 'ignore the x-cal-client-id header: count every request per address, with the address budget' },
  'no-rate-limit-headers': { value: null, help: 'answer without X-RateLimit-* headers (a 429 keeps Retry-After): a server that does not show its budget' },
  instances: { value: 'NAMES', help: 'start many instances on OS-picked ports (clean, variant names, faults or fault ids, comma-separated); print one JSON line' },
  'list-faults': { value: null, help: 'print the fault catalogue (id, operation, kind, description) and exit' },
  'list-variants': { value: null, help: 'print each variant with its layers (version behaviours and faults, in order) and exit' },
  quiet: { value: null, help: 'print only the "listening on URL" line' },
  verbose: { value: null, help: 'with --instances: log the instances and clients on stderr' },
  'exit-on-stdin-close': { value: null, help: 'stop when standard input closes (for a parent process)' },
  help: { value: null, help: 'show this help and exit' },
} as const satisfies Record<string, { value: string | null; help: string }>;

export const HELP = [
  'usage: server/main.ts [flags]',
  '',
  "An in-memory reference server for Cal.com Platform API v2's managed-user endpoints.",
  'OAuth clients come from CAL_EMBEDDED_CLIENTS (a JSON array of {"id","secret"}) or are generated',
  'for the run; secrets from the environment are never printed.',
  '',
  'flags:',
  ...Object.entries(FLAGS).map(([name, f]) => {
    const left = `  --${name}${f.value === null ? '' : ` ${f.value}`}${name === 'help' ? ', -h' : ''}`;
    return `${left.padEnd(34)} ${f.help}`;
  }),
  '',
  'variants (--variant, or as --instances names; server/variants/):',
  ...VARIANT_NAMES.map((name) => `  ${name.padEnd(16)} ${VARIANTS[name].describes}`),
  '',
  'A mistake prints one line on stderr and exits 2.',
].join('\n');

/** --list-variants: each variant, then its layers, one a line. */
export function describeVariants(): string {
  return VARIANT_NAMES.map((name) => {
    const layers = VARIANTS[name].layers.map((l) => ('fault' in l ? `  fault ${l.fault}` : `  behaviour ${l.behaviour}=${l.value}`));
    return [`${name}\t${VARIANTS[name].presentation}\t${VARIANTS[name].describes}`, ...layers].join('\n');
  }).join('\n');
}

const OPTIONS = Object.fromEntries(
  Object.entries(FLAGS).map(([name, f]) => [name, name === 'help' ? { type: 'boolean', short: 'h' } : { type: f.value === null ? 'boolean' : 'string' }]),
) as { [K in keyof typeof FLAGS]: (typeof FLAGS)[K]['value'] extends null ? { type: 'boolean' } : { type: 'string' } };

function intArg(flag: string, value: string, min: number, max: number): number {
  if (!/^-?\d+$/.test(value)) throw new UsageError(`${flag} expects an integer, got '${value}'`);
  const n = Number(value);
  if (n < min || n > max) throw new UsageError(`${flag} must be between ${min} and ${max}, got ${n}`);
  return n;
}

const DURATION_RE = /^(\d+)(ms|s|m|h)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const MAX_DURATION_MS = 24 * 3_600_000;

/** `500ms`, `2s`, `1m`, `1h` → ms (positive, at most a day). */
export function durationArg(flag: string, value: string): number {
  const m = DURATION_RE.exec(value.trim());
  if (!m) throw new UsageError(`${flag} expects a duration like 500ms, 2s or 1m, got '${value}'`);
  const ms = Number(m[1]) * (UNIT_MS[m[2] ?? ''] ?? 0);
  if (ms < 1 || ms > MAX_DURATION_MS) throw new UsageError(`${flag} must be between 1ms and 24h, got '${value}'`);
  return ms;
}

/** `<n>/<window>`, e.g. `500/60s` or `5/500ms`. */
export function rateArg(flag: string, value: string): { limit: number; windowMs: number } {
  const slash = value.indexOf('/');
  if (slash < 0) throw new UsageError(`${flag} expects <requests>/<window> like 500/60s, got '${value}'`);
  return { limit: intArg(flag, value.slice(0, slash), 1, 1_000_000), windowMs: durationArg(flag, value.slice(slash + 1)) };
}

/** node:util's parse errors, some of them several lines long, as one line. */
function usageErrorOf(err: unknown): UsageError {
  const e = err as { code?: string; message?: string };
  const message = String(e.message ?? err);
  const flag = /'(-[^' ]+)/.exec(message)?.[1] ?? '';
  switch (e.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return new UsageError(`unknown flag '${flag}'; run with --help to see the flags`);
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return new UsageError(`unexpected argument '${/argument '([^']*)'/.exec(message)?.[1] ?? ''}'; run with --help to see the flags`);
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return new UsageError(message.includes('does not take an argument') ? `${flag} takes no value` : `${flag} needs a value (write ${flag}=VALUE for one starting with '-')`);
    default:
      return new UsageError(message.split('\n')[0] ?? 'bad arguments');
  }
}

export function parseCli(argv: string[]): Cli {
  let values: { [K in keyof typeof FLAGS]?: (typeof FLAGS)[K]['value'] extends null ? boolean : string };
  try {
    values = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw usageErrorOf(err);
  }
  const v = values;
  const variant = v.variant ?? 'standard';
  if (!isVariant(variant)) throw new UsageError(`--variant must be one of ${VARIANT_NAMES.join(', ')}, got '${variant}'`);
  const faultArg = v.fault;
  if (faultArg !== undefined && !isFaultId(faultArg)) {
    throw new UsageError(`unknown fault id '${faultArg}'; run with --list-faults to see the ${FAULTS.length} valid ids`);
  }
  let rateLimit: RateLimitOptions | undefined;
  if (v['rate-limit'] !== undefined) {
    const rate = rateArg('--rate-limit', v['rate-limit']);
    rateLimit = {
      ...rate,
      blockMs: v.block === undefined ? 60_000 : durationArg('--block', v.block),
      addressLimit: v['address-rate-limit'] === undefined ? defaultAddressLimit(rate.limit) : intArg('--address-rate-limit', v['address-rate-limit'], 1, 1_000_000),
      clientIdTracker: v['no-client-id-tracker'] !== true,
      ...(v['no-rate-limit-headers'] ? { showHeaders: false } : {}),
    };
  } else {
    const orphan =
      v.block !== undefined ? '--block' : v['address-rate-limit'] !== undefined ? '--address-rate-limit' : v['no-client-id-tracker'] ? '--no-client-id-tracker' : v['no-rate-limit-headers'] ? '--no-rate-limit-headers' : null;
    if (orphan !== null) throw new UsageError(`${orphan} needs --rate-limit N/WINDOW`);
  }
  const int = (name: 'port' | 'seed' | 'preexisting' | 'lookalikes' | 'jitter' | 'latency', min: number, max: number) => {
    const raw = v[name];
    return raw === undefined ? undefined : intArg(`--${name}`, raw, min, max);
  };
  return {
    port: int('port', 0, 65535) ?? 0,
    host: v.host ?? '127.0.0.1',
    prefix: v.prefix,
    variant,
    fault: faultArg,
    seed: int('seed', 0, 0xffffffff),
    preexisting: int('preexisting', 0, 10_000),
    lookalikes: int('lookalikes', 0, MAX_LOOKALIKES),
    jitter: int('jitter', 0, 10_000),
    latency: int('latency', 0, 60_000),
    rateLimit,
    quiet: v.quiet === true,
    verbose: v.verbose === true,
    exitOnStdinClose: v['exit-on-stdin-close'] === true,
    instances: v.instances,
    listFaults: v['list-faults'] === true,
    listVariants: v['list-variants'] === true,
    help: v.help === true,
  };
}

export function describeRateLimit(r: RateLimitOptions): string {
  const perAddress = `${r.addressLimit}/${r.windowMs}ms per address`;
  const hidden = r.showHeaders === false ? ', no X-RateLimit-* headers' : '';
  return r.clientIdTracker === false
    ? `${perAddress} (x-cal-client-id ignored), block ${r.blockMs}ms${hidden}`
    : `${r.limit}/${r.windowMs}ms per x-cal-client-id, ${perAddress} without it, block ${r.blockMs}ms${hidden}`;
}

/**
 * Pre-existing users per client of the clean, version and fault instances of --instances (legal ones have their own
 * 40): more than a default page (50), so that a page size without limit shows on every run, whatever the suite made.
 */
const INSTANCE_PREEXISTING = 55;
/** Lookalikes among them, in every instance of --instances (legal too). */
const INSTANCE_LOOKALIKES = MAX_LOOKALIKES;

/** `clean,legal,faults,<variant>,<fault id>,...` → one spec per distinct name (clean: the standard variant). */
export function instanceSpecs(spec: string, base: InstanceOptions): InstanceSpec[] {
  const names: string[] = [];
  for (const part of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    if (part === 'faults') names.push(...FAULTS.map((f) => f.id));
    else if (part === 'clean' || (isVariant(part) && part !== 'standard') || isFaultId(part)) names.push(part);
    else throw new UsageError(`--instances: unknown instance '${part}' (use clean, faults, a variant (${VARIANT_NAMES.filter((n) => n !== 'standard').join(', ')}) or a fault id from --list-faults)`);
  }
  if (names.length === 0) throw new UsageError('--instances needs at least one name');
  // Every instance holds other people's users (legal: 40 per client, the others 8), lookalikes of the suite's own among them.
  base = { ...base, lookalikes: base.lookalikes ?? INSTANCE_LOOKALIKES };
  const others = { ...base, preexistingUsers: base.preexistingUsers ?? INSTANCE_PREEXISTING };
  return [...new Set(names)].map((name) => {
    if (name === 'clean') return { name, options: { ...others } };
    // A variant of the legal presentation sits behind /api with its own 40 users per client.
    if (isVariant(name)) return { name, options: VARIANTS[name].presentation === 'legal' ? { ...base, variant: name, prefix: '/api' } : { ...others, variant: name } };
    if (!isFaultId(name)) throw new UsageError(`unknown fault id '${name}'`);
    return { name, options: { ...others, fault: name } };
  });
}
