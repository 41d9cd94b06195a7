/**
 * CLI for the embedded reference server (flags: server/cli.ts, or --help).
 *
 *   npx tsx server/main.ts [--port 0] [--host 127.0.0.1] [--prefix /api] [--variant <name>]
 *                          [--fault <id>] [--seed <n>] [--preexisting <n>] [--jitter <ms>] [--latency <ms>] [--quiet]
 *                          [--rate-limit <n>/<window>] [--block <duration>] [--address-rate-limit <n>] [--no-client-id-tracker]
 *                          [--no-rate-limit-headers]
 *   npx tsx server/main.ts --instances clean,legal,faults [--verbose]
 *   npx tsx server/main.ts --list-faults
 *   npx tsx server/main.ts --list-variants
 *   npx tsx server/main.ts --help
 *
 * Clients come from CAL_EMBEDDED_CLIENTS (JSON array of {id, secret}) or are
 * generated for the run. Secrets from the environment are never printed.
 */
import { randomBytes } from 'node:crypto';
import { describeRateLimit, describeVariants, HELP, instanceSpecs, parseCli, UsageError } from './cli';
import { FAULTS } from './faults';
import { startInstances, startReferenceServer } from './http';
import type { ClientCredentials, InstanceOptions } from './types';

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

async function main(): Promise<void> {
  const cli = parseCli(process.argv.slice(2));
  if (cli.help) {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  if (cli.listFaults) {
    for (const f of FAULTS) process.stdout.write(`${f.id}\t${f.operation}\t${f.kind}\t${f.description}\n`);
    return;
  }
  if (cli.listVariants) {
    process.stdout.write(`${describeVariants()}\n`);
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
  if (cli.lookalikes !== undefined) base.lookalikes = cli.lookalikes;
  if (cli.jitter !== undefined) base.jitterMs = cli.jitter;
  if (cli.latency !== undefined) base.latencyMs = cli.latency;
  if (cli.rateLimit !== undefined) base.rateLimit = cli.rateLimit;

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
    fault: cli.fault ?? null,
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
