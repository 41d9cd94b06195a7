/**
 * npm run explore -- [--runs 100] [--time 60s] [--seed <n>] [--steps 25] [--no-shrink] [--json <file>]
 *
 * Stateful, differential exploration of the six managed-user operations (see
 * tools/explore/README.md): random sequences for both OAuth clients, with
 * inputs from the contract's request schemas (valid, edge and invalid), each
 * step sent to the target and to the reference model and the answers compared;
 * a divergence is shrunk to a minimal sequence and printed replayable.
 *
 * Target: CAL_API_URL and the client variables (as for npm run contract), or,
 * when unset, an embedded reference server it starts itself (--fault, --variant
 * pick which). Exit 0: no divergence; 1: a divergence; 2: bad input, an
 * unusable target, or stopped without a verdict (rate limited, interrupted).
 */
import { randomInt } from 'node:crypto';
import { parseArgs } from 'node:util';
import { ConfigError, embeddedClients, parseSettings, type Settings } from '../fixtures/run/config';
import { environment } from '../fixtures/run/env';
import { activate } from '../fixtures/run/settings';
import { loadDocumentText, parseContractDocument, SpecError } from '../fixtures/contract/openapi';
import { validateOpenApiDocument } from '../fixtures/contract/openapi-validation';
import { ContractValidator } from '../fixtures/contract/validator';
import { ManagedUsersClient, transportFor } from '../fixtures/client/client';
import { NodeHttpContext } from '../fixtures/client/node-transport';
import { OwnershipGate } from '../fixtures/client/ownership';
import { budgetFor } from '../fixtures/client/pacer';
import { FAULTS, isFaultId, startReferenceServer, type ReferenceServer } from '../server';
import { explore, type ExploreResult } from './explore/run';
import { formatResult } from './explore/report';

export const HELP = `usage: npm run explore -- [options]

Random sequences of the six managed-user operations, for both OAuth clients,
sent to the target and to the reference model; answers compared semantically
(ids mapped, tokens by their claims, lists as sets of this run's own users).
A divergence is shrunk to a minimal sequence and printed with its replay line
and redacted curl lines. Every user it creates is this run's (namespaced,
ledgered, behind the ownership gate) and is deleted again.

target: CAL_API_URL, CAL_OAUTH_CLIENT_ID/SECRET (and CAL_OTHER_OAUTH_CLIENT_*),
        as for npm run contract; unset: an embedded reference server

options:
  --runs <n>          sequences to run (default 100)
  --time <duration>   time budget, shrinking included: 90s, 2m, 500ms (default 60s)
  --seed <n>          fast-check seed (default: random, printed); same seed, same sequences
  --steps <n>         most steps per sequence (default 25)
  --path <path>       replay one sequence: fast-check's counterexample path (with --seed)
  --replay-path <p>   with --path: the steps' replay path, as printed
  --no-shrink         report the first divergence as found, without shrinking it
  --json <file>       also write the result as JSON
  --fault <id>        embedded target only: inject this reference-server fault
  --variant <name>    embedded target only: standard (default) or legal
  --quiet             no progress lines
  -h, --help          this text

exit: 0 no divergence; 1 a divergence; 2 bad input, an unusable target, or
stopped without a verdict (rate limited, interrupted)`;

class UsageError extends Error {}

function positiveInt(name: string, v: string | undefined, fallback: number, max: number): number {
  if (v === undefined) return fallback;
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > max) throw new UsageError(`--${name} must be a whole number from 1 to ${max}, not ${JSON.stringify(v)}`);
  return Number(v);
}

function duration(v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(v.trim());
  if (!m || Number(m[1]) <= 0) throw new UsageError(`--time must be a duration such as 90s, 2m or 500ms, not ${JSON.stringify(v)}`);
  const ms = Number(m[1]) * (m[2] === 'ms' ? 1 : m[2] === 'm' ? 60_000 : 1000);
  if (ms > 24 * 3_600_000) throw new UsageError('--time must be at most 24h');
  return Math.round(ms);
}

export interface Cli {
  help: boolean;
  runs: number;
  timeMs: number;
  seed: number;
  seedGiven: boolean;
  steps: number;
  path?: string;
  replayPath?: string;
  shrink: boolean;
  json?: string;
  fault?: string;
  variant: 'standard' | 'legal';
  quiet: boolean;
}

export function parseCli(argv: string[]): Cli {
  let v;
  try {
    v = parseArgs({
      args: argv,
      strict: true,
      options: {
        runs: { type: 'string' },
        time: { type: 'string' },
        seed: { type: 'string' },
        steps: { type: 'string' },
        path: { type: 'string' },
        'replay-path': { type: 'string' },
        'no-shrink': { type: 'boolean' },
        json: { type: 'string' },
        fault: { type: 'string' },
        variant: { type: 'string' },
        quiet: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (e) {
    throw new UsageError(`${String((e as Error).message).split('\n')[0]} (see --help)`);
  }
  const seedText = v.seed;
  if (seedText !== undefined && !/^-?\d+$/.test(seedText)) throw new UsageError(`--seed must be an integer, not ${JSON.stringify(seedText)}`);
  if (v.path !== undefined && seedText === undefined) throw new UsageError('--path replays a sequence of one seed: give --seed too');
  if (v.path !== undefined && !/^\d+(:\d+)*$/.test(v.path)) throw new UsageError(`--path must look like 12:0:3 (as printed), not ${JSON.stringify(v.path)}`);
  if (v['replay-path'] !== undefined && v.path === undefined) throw new UsageError('--replay-path goes with --path');
  if (v.fault !== undefined && !isFaultId(v.fault)) throw new UsageError(`--fault: unknown fault ${JSON.stringify(v.fault)} (${FAULTS.length} ids: npm run server -- --list-faults)`);
  if (v.variant !== undefined && v.variant !== 'standard' && v.variant !== 'legal') throw new UsageError(`--variant is standard or legal, not ${JSON.stringify(v.variant)}`);
  return {
    help: v.help === true,
    runs: positiveInt('runs', v.runs, 100, 1_000_000),
    timeMs: duration(v.time, 60_000),
    seed: seedText === undefined ? randomInt(1, 2 ** 31 - 1) : Number(seedText) | 0,
    seedGiven: seedText !== undefined,
    steps: positiveInt('steps', v.steps, 25, 500),
    path: v.path,
    replayPath: v['replay-path'],
    shrink: v['no-shrink'] !== true,
    json: v.json,
    fault: v.fault,
    variant: (v.variant) ?? 'standard',
    quiet: v.quiet === true,
  };
}

/** Each client can list: the target is up and takes the secrets (one line otherwise, before any user is created). */
async function preflight(settings: Settings, validator: ContractValidator): Promise<void> {
  const request = new NodeHttpContext();
  try {
    const transport = transportFor(settings, request, validator, budgetFor(settings));
    const gate = new OwnershipGate(() => false, 'nothing');
    for (const c of [settings.target.client, ...(settings.target.other ? [settings.target.other] : [])]) {
      const client = new ManagedUsersClient(transport, settings.target, c, gate);
      let status: number;
      try {
        status = (await client.getManagedUsers({ limit: 1 }, { unjudged: true })).status;
      } catch (e) {
        throw new ConfigError(`cannot reach CAL_API_URL=${settings.target.baseUrl} (${String((e as Error).message).split('\n')[0]}): check the URL and that the server is up`);
      }
      if (status === 401 || status === 403) throw new ConfigError(`${settings.target.baseUrl} refused the secret of client ${c.id} (${status}): check ${c.secretVar}`);
      if (status !== 200) throw new ConfigError(`${settings.target.baseUrl} answered ${status} to listing the users of client ${c.id}: is CAL_API_URL the API's base URL (without /v2)?`);
    }
  } finally {
    await request.dispose();
  }
}

async function main(): Promise<number> {
  const cli = parseCli(process.argv.slice(2));
  if (cli.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  // Settings as everywhere: the environment with .env under it, read in the config module.
  const env = environment();
  let embedded: ReferenceServer | null = null;
  const apiUrl = env.CAL_API_URL?.trim();
  if (apiUrl && (cli.fault || cli.variant !== 'standard')) throw new UsageError('--fault and --variant pick the embedded reference server: unset CAL_API_URL to use them');
  let settings: Settings;
  try {
    if (!apiUrl) {
      const clients = embeddedClients();
      // The legal variant as the mutation self-test runs it: behind /api, with other people's users (lookalikes of ours among them).
      const legal = cli.variant === 'legal' ? { variant: 'legal' as const, prefix: '/api', lookalikes: 3 } : {};
      embedded = await startReferenceServer({ clients, port: 0, fault: cli.fault && isFaultId(cli.fault) ? cli.fault : null, ...legal });
      settings = parseSettings(env, { baseUrl: embedded.url, clients });
    } else settings = parseSettings(env, null);
    activate(settings);
    const text = await loadDocumentText(settings.spec, settings.requestTimeoutMs);
    await validateOpenApiDocument(text, settings.spec);
    const doc = parseContractDocument(text, settings.spec);
    const validator = new ContractValidator(doc, settings.strict);
    if (!embedded) await preflight(settings, validator);

    const where = embedded ? `the embedded reference server${cli.fault ? ` with fault ${cli.fault}` : ''}${cli.variant === 'legal' ? ' (legal variant)' : ''}` : settings.target.baseUrl;
    const others = settings.target.other ? 'both clients' : 'one client (set CAL_OTHER_OAUTH_CLIENT_* for cross-client steps)';
    process.stdout.write(`explore run ${settings.runId} against ${where}, ${others}, seed ${cli.seed}: up to ${cli.runs} sequences of up to ${cli.steps} steps in ${cli.timeMs / 1000} s\n`);

    const controller = new AbortController();
    const stop = () => controller.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    const result: ExploreResult = await explore({
      settings,
      validator,
      raw: JSON.parse(text),
      runs: cli.runs,
      timeMs: cli.timeMs,
      seed: cli.seed,
      path: cli.path,
      replayPath: cli.replayPath,
      maxSteps: cli.steps,
      shrink: cli.shrink,
      ledger: true,
      progress: cli.quiet ? undefined : (line) => process.stderr.write(`${line}\n`),
      signal: controller.signal,
    });
    process.stdout.write(formatResult(result, { steps: cli.steps }));
    if (cli.json) {
      const { writeFileSync } = await import('node:fs');
      writeFileSync(cli.json, `${JSON.stringify(result, null, 2)}\n`);
    }
    return result.divergence ? 1 : result.aborted ? 2 : 0;
  } finally {
    await embedded?.close();
  }
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (e) => {
      const known = e instanceof UsageError || e instanceof ConfigError || e instanceof SpecError;
      process.stderr.write(`explore: ${known ? e.message : String((e as Error)?.message ?? e).split('\n')[0]}\n`);
      process.exit(2);
    },
  );
}
