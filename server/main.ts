/**
 * CLI for the embedded reference server.
 *
 *   npx tsx server/main.ts [--port 0] [--host 127.0.0.1] [--prefix /api] [--variant legal]
 *                          [--fault <id>] [--seed <n>] [--preexisting <n>] [--jitter <ms>] [--latency <ms>] [--quiet]
 *   npx tsx server/main.ts --instances clean,legal,faults [--verbose]
 *   npx tsx server/main.ts --list-faults
 *
 * Clients come from CAL_EMBEDDED_CLIENTS (JSON array of {id, secret}) or are
 * generated for the run. Secrets from the environment are never printed.
 */
import { randomBytes } from 'node:crypto';
import { FAULTS, isFaultId } from './faults';
import { startInstances, startReferenceServer } from './http';
import { defaultAddressLimit, type RateLimitOptions } from './ratelimit';
import type { ClientCredentials, InstanceOptions, InstanceSpec, Variant } from './types';

const USAGE =
  'usage: server/main.ts [--port N] [--host H] [--prefix /api] [--variant standard|legal] [--fault ID] ' +
  '[--seed N] [--preexisting N] [--jitter MS] [--latency MS] [--quiet] [--verbose] [--exit-on-stdin-close] ' +
  '[--rate-limit N/WINDOW] [--block DURATION] [--address-rate-limit N] [--no-client-id-tracker] ' +
  '[--instances clean,legal,faults|NAME,...] [--list-faults]';

class UsageError extends Error {}

interface Cli {
  port: number;
  host: string;
  prefix: string | undefined;
  variant: Variant;
  fault: string | undefined;
  seed: number | undefined;
  preexisting: number | undefined;
  jitter: number | undefined;
  latency: number | undefined;
  rateLimit: { limit: number; windowMs: number } | undefined;
  blockMs: number | undefined;
  addressLimit: number | undefined;
  noClientIdTracker: boolean;
  quiet: boolean;
  verbose: boolean;
  exitOnStdinClose: boolean;
  instances: string | undefined;
  listFaults: boolean;
  help: boolean;
}

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
function durationArg(flag: string, value: string): number {
  const m = DURATION_RE.exec(value.trim());
  if (!m) throw new UsageError(`${flag} expects a duration like 500ms, 2s or 1m, got '${value}'`);
  const ms = Number(m[1]) * (UNIT_MS[m[2] ?? ''] ?? 0);
  if (ms < 1 || ms > MAX_DURATION_MS) throw new UsageError(`${flag} must be between 1ms and 24h, got '${value}'`);
  return ms;
}

/** `<n>/<window>`, e.g. `500/60s` or `5/500ms`. */
function rateArg(flag: string, value: string): { limit: number; windowMs: number } {
  const slash = value.indexOf('/');
  if (slash < 0) throw new UsageError(`${flag} expects <requests>/<window> like 500/60s, got '${value}'`);
  return { limit: intArg(flag, value.slice(0, slash), 1, 1_000_000), windowMs: durationArg(flag, value.slice(slash + 1)) };
}

function parseArgs(argv: string[]): Cli {
  const cli: Cli = {
    port: 0,
    host: '127.0.0.1',
    prefix: undefined,
    variant: 'standard',
    fault: undefined,
    seed: undefined,
    preexisting: undefined,
    jitter: undefined,
    latency: undefined,
    rateLimit: undefined,
    blockMs: undefined,
    addressLimit: undefined,
    noClientIdTracker: false,
    quiet: false,
    verbose: false,
    exitOnStdinClose: false,
    instances: undefined,
    listFaults: false,
    help: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const inline = eq > 0 ? arg.slice(eq + 1) : undefined;
    const value = (): string => {
      if (inline !== undefined) return inline;
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw new UsageError(`${flag} needs a value`);
      i++;
      return next;
    };
    const noValue = () => {
      if (inline !== undefined) throw new UsageError(`${flag} takes no value`);
    };
    switch (flag) {
      case '--port': cli.port = intArg(flag, value(), 0, 65535); break;
      case '--host': cli.host = value(); break;
      case '--prefix': cli.prefix = value(); break;
      case '--variant': {
        const v = value();
        if (v !== 'standard' && v !== 'legal') throw new UsageError(`--variant must be 'standard' or 'legal', got '${v}'`);
        cli.variant = v;
        break;
      }
      case '--fault': cli.fault = value(); break;
      case '--seed': cli.seed = intArg(flag, value(), 0, 0xffffffff); break;
      case '--preexisting': cli.preexisting = intArg(flag, value(), 0, 10_000); break;
      case '--jitter': cli.jitter = intArg(flag, value(), 0, 10_000); break;
      case '--latency': cli.latency = intArg(flag, value(), 0, 60_000); break;
      case '--rate-limit': cli.rateLimit = rateArg(flag, value()); break;
      case '--block': cli.blockMs = durationArg(flag, value()); break;
      case '--address-rate-limit': cli.addressLimit = intArg(flag, value(), 1, 1_000_000); break;
      case '--no-client-id-tracker': noValue(); cli.noClientIdTracker = true; break;
      case '--instances': cli.instances = value(); break;
      case '--quiet': noValue(); cli.quiet = true; break;
      case '--verbose': noValue(); cli.verbose = true; break;
      case '--exit-on-stdin-close': noValue(); cli.exitOnStdinClose = true; break;
      case '--list-faults': noValue(); cli.listFaults = true; break;
      case '--help': case '-h': cli.help = true; break;
      default: throw new UsageError(`unknown argument '${arg}' (${USAGE})`);
    }
  }
  if (cli.rateLimit === undefined) {
    const orphan = cli.blockMs !== undefined ? '--block' : cli.addressLimit !== undefined ? '--address-rate-limit' : cli.noClientIdTracker ? '--no-client-id-tracker' : null;
    if (orphan !== null) throw new UsageError(`${orphan} needs --rate-limit N/WINDOW`);
  }
  if (cli.fault !== undefined && !isFaultId(cli.fault)) {
    throw new UsageError(`unknown fault id '${cli.fault}'; run with --list-faults to see the ${FAULTS.length} valid ids`);
  }
  return cli;
}

function generatedClientId(): string {
  // cuid-like: 'c' + 24 lowercase base-36 characters
  let id = 'c' + Date.now().toString(36);
  const bytes = randomBytes(32);
  for (let i = 0; id.length < 25; i++) id += ((bytes[i] ?? 0) % 36).toString(36);
  return id;
}

function loadClients(): { clients: ClientCredentials[]; generated: boolean } {
  const raw = process.env.CAL_EMBEDDED_CLIENTS;
  if (raw === undefined || raw.trim() === '') {
    return {
      clients: [0, 1].map(() => ({ id: generatedClientId(), secret: randomBytes(24).toString('hex') })),
      generated: true,
    };
  }
  const shape = 'expected a JSON array like [{"id":"...","secret":"..."}]';
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new UsageError(`CAL_EMBEDDED_CLIENTS is not valid JSON; ${shape}`);
  }
  if (!Array.isArray(parsed) || parsed.length === 0) throw new UsageError(`CAL_EMBEDDED_CLIENTS must be a non-empty array; ${shape}`);
  const ids = new Set<string>();
  const clients = parsed.map((entry: unknown, i): ClientCredentials => {
    const e = entry as { id?: unknown; secret?: unknown } | null;
    if (typeof e !== 'object' || e === null || typeof e.id !== 'string' || e.id === '' || typeof e.secret !== 'string' || e.secret === '') {
      throw new UsageError(`CAL_EMBEDDED_CLIENTS[${i}] needs non-empty string "id" and "secret"; ${shape}`);
    }
    if (ids.has(e.id)) throw new UsageError(`CAL_EMBEDDED_CLIENTS[${i}] repeats client id '${e.id}'`);
    ids.add(e.id);
    return { id: e.id, secret: e.secret };
  });
  return { clients, generated: false };
}

/** Pre-existing users per client of the clean and fault instances of --instances (legal has its own 40). */
const INSTANCE_PREEXISTING = 8;

function instanceSpecs(spec: string, base: InstanceOptions): InstanceSpec[] {
  const names: string[] = [];
  for (const part of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    if (part === 'faults') names.push(...FAULTS.map((f) => f.id));
    else if (part === 'clean' || part === 'legal' || isFaultId(part)) names.push(part);
    else throw new UsageError(`--instances: unknown instance '${part}' (use clean, legal, faults or a fault id from --list-faults)`);
  }
  if (names.length === 0) throw new UsageError('--instances needs at least one name');
  // Every instance holds other people's users (legal: 40 per client, the others 8), lookalikes of the suite's own among them.
  const others = { ...base, preexistingUsers: base.preexistingUsers ?? INSTANCE_PREEXISTING };
  return [...new Set(names)].map((name) => {
    if (name === 'clean') return { name, options: { ...others } };
    if (name === 'legal') return { name, options: { ...base, variant: 'legal', prefix: '/api' } };
    if (!isFaultId(name)) throw new UsageError(`unknown fault id '${name}'`);
    return { name, options: { ...others, fault: name } };
  });
}

function describeRateLimit(r: RateLimitOptions): string {
  const perAddress = `${r.addressLimit}/${r.windowMs}ms per address`;
  return r.clientIdTracker === false
    ? `${perAddress} (x-cal-client-id ignored), block ${r.blockMs}ms`
    : `${r.limit}/${r.windowMs}ms per x-cal-client-id, ${perAddress} without it, block ${r.blockMs}ms`;
}

function rateLimitOptions(cli: Cli, rate: { limit: number; windowMs: number }): RateLimitOptions {
  return {
    limit: rate.limit,
    windowMs: rate.windowMs,
    blockMs: cli.blockMs ?? 60_000,
    addressLimit: cli.addressLimit ?? defaultAddressLimit(rate.limit),
    clientIdTracker: !cli.noClientIdTracker,
  };
}

async function main(): Promise<void> {
  const cli = parseArgs(process.argv.slice(2));
  if (cli.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (cli.listFaults) {
    for (const f of FAULTS) process.stdout.write(`${f.id}\t${f.operation}\t${f.kind}\t${f.description}\n`);
    return;
  }
  const { clients, generated } = loadClients();
  const log = (line: string) => {
    if (cli.verbose) process.stderr.write(`${line}\n`);
  };

  const closers: (() => Promise<void>)[] = [];
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(0), 2000).unref();
    void Promise.allSettled(closers.map((c) => c())).then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  if (cli.exitOnStdinClose) {
    process.stdin.on('end', stop);
    process.stdin.on('close', stop);
    process.stdin.on('error', stop);
    process.stdin.resume();
  }
  process.on('uncaughtException', (err) => {
    // Keep serving: one bad request must not end a test run.
    process.stderr.write(`reference-server: unexpected error: ${err instanceof Error ? err.message : String(err)}\n`);
  });

  const base: InstanceOptions = { clients };
  if (cli.seed !== undefined) base.seed = cli.seed;
  if (cli.preexisting !== undefined) base.preexistingUsers = cli.preexisting;
  if (cli.jitter !== undefined) base.jitterMs = cli.jitter;
  if (cli.latency !== undefined) base.latencyMs = cli.latency;
  if (cli.rateLimit !== undefined) base.rateLimit = rateLimitOptions(cli, cli.rateLimit);

  if (cli.instances !== undefined) {
    const specs = instanceSpecs(cli.instances, base);
    const started = await startInstances(specs, cli.host);
    for (const s of started) closers.push(s.close);
    process.stdout.write(`${JSON.stringify({ instances: started.map((s) => ({ name: s.name, url: s.url })) })}\n`);
    log(`reference-server: ${started.length} instances ready`);
    for (const c of clients) log(generated ? `  client id=${c.id} secret=${c.secret} (generated)` : `  client id=${c.id}`);
    return;
  }

  const server = await startReferenceServer({
    ...base,
    port: cli.port,
    host: cli.host,
    prefix: cli.prefix,
    variant: cli.variant,
    fault: cli.fault !== undefined && isFaultId(cli.fault) ? cli.fault : null,
  });
  closers.push(server.close);
  if (!cli.quiet) {
    const lines = [
      'Cal.com Platform API v2 managed-users reference server (in-memory, for local testing)',
      `  variant: ${cli.variant}   fault: ${cli.fault ?? 'none'}   prefix: ${cli.prefix ?? '(none)'}`,
      ...(base.rateLimit ? [`  rate limit: ${describeRateLimit(base.rateLimit)}`] : []),
      generated ? '  OAuth clients (generated for this run):' : '  OAuth clients (from CAL_EMBEDDED_CLIENTS; secrets not shown):',
      ...clients.map((c) => (generated ? `    id=${c.id}  secret=${c.secret}` : `    id=${c.id}`)),
      `  try: curl -s -H 'x-cal-secret-key: ${generated ? (clients[0]?.secret ?? '') : '<secret>'}' ` +
        `${server.url}/v2/oauth-clients/${clients[0]?.id ?? ''}/users`,
      '  stop with Ctrl-C',
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  process.stdout.write(`listening on ${server.url}\n`);
}

main().catch((err: unknown) => {
  const message = err instanceof UsageError ? err.message : `could not start: ${err instanceof Error ? err.message : String(err)}`;
  process.stderr.write(`reference-server: ${message}\n`);
  process.exit(err instanceof UsageError ? 2 : 1);
});
