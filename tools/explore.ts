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
 * pick which). The model answers what the document and the profile in force
 * (CONTRACT_PROFILE, CONTRACT_ACCEPT) promise; up to --max-divergences
 * distinct divergences are collected, each shrunk. Exit 0: no divergence;
 * 1: divergences; 2: bad input, an unusable target, or stopped without a
 * verdict (rate limited, interrupted).
 */
import { randomInt } from 'node:crypto';
import { ConfigError, embeddedClients, parseSettings, type Settings } from '../fixtures/settings/config';
import { environment } from '../fixtures/settings/env';
import { helpText, readCli, usageError, UsageError } from '../fixtures/settings/cli';
import { budgetFor } from '../fixtures/settings/budget';
import { activate, clientsFor, contractOf, profileOf, runGate, type RunContext } from '../fixtures/client/context';
import { loadDocumentText, parseContractDocument, SpecError } from '../fixtures/contract/openapi';
import { validateOpenApiDocument } from '../fixtures/contract/openapi-validation';
import { NodeHttpContext } from '../fixtures/client/node-transport';
import { TransportError } from '../fixtures/client/errors';
import { AcceptFileError } from '../fixtures/contract/deviations';
import { FAULTS, isFaultId, startReferenceServer, type ReferenceServer } from '../server';
import { explore, type ExploreResult } from './explore/run';
import { formatResult } from './explore/report';

export const CLI = {
  tool: 'explore',
  usage: 'npm run explore -- [options]',
  about: [
    'Random sequences of the six managed-user operations, for both OAuth clients,',
    'sent to the target and to the reference model; answers compared semantically',
    '(ids mapped, tokens by their claims, lists as sets of this run\'s own users).',
    'The model answers what the document and the profile in force promise',
    '(CONTRACT_PROFILE, CONTRACT_ACCEPT): a deviation the profile accepts, or a',
    'version behaviour it names (or the target shows, where the profile leaves a',
    'choice), is no divergence. Up to --max-divergences distinct divergences (one',
    'per root cause) are collected, each shrunk to a minimal sequence and printed',
    'with its replay line and redacted curl lines. Every user it creates is this',
    'run\'s (namespaced, ledgered, behind the ownership gate) and is deleted again.',
    '',
    'target: CAL_API_URL, CAL_OAUTH_CLIENT_ID/SECRET (and CAL_OTHER_OAUTH_CLIENT_*),',
    '        as for npm run contract; unset: an embedded reference server',
  ],
  flags: {
    runs: { type: 'string', value: '<n>', help: 'sequences to run (default 100)' },
    time: { type: 'string', value: '<duration>', help: 'time budget, shrinking included: 90s, 2m, 500ms (default 60s)' },
    seed: { type: 'string', value: '<n>', help: 'fast-check seed (default: random, printed); same seed, same sequences' },
    steps: { type: 'string', value: '<n>', help: 'most steps per sequence (default 25)' },
    path: { type: 'string', value: '<path>', help: "replay one sequence: fast-check's counterexample path (with --seed)" },
    'replay-path': { type: 'string', value: '<p>', help: "with --path: the steps' replay path, as printed" },
    'no-shrink': { type: 'boolean', help: 'report each divergence as found, without shrinking it' },
    'max-divergences': { type: 'string', value: '<n>', help: 'distinct divergences to collect before stopping (default 5)' },
    json: { type: 'string', value: '<file>', help: 'also write the result as JSON' },
    fault: { type: 'string', value: '<id>', help: 'embedded target only: inject this reference-server fault' },
    variant: { type: 'string', value: '<name>', help: 'embedded target only: standard (default) or legal' },
    quiet: { type: 'boolean', help: 'no progress lines' },
  },
  notes: ['exit: 0 no divergence; 1 divergences; 2 bad input, an unusable target, or', 'stopped without a verdict (rate limited, interrupted)'],
} as const;

export const HELP = helpText(CLI);

function positiveInt(name: string, v: string | undefined, fallback: number, max: number): number {
  if (v === undefined) return fallback;
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > max) throw usageError(CLI, `--${name} must be a whole number from 1 to ${max}, not ${JSON.stringify(v)}`);
  return Number(v);
}

function duration(v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(v.trim());
  if (!m || Number(m[1]) <= 0) throw usageError(CLI, `--time must be a duration such as 90s, 2m or 500ms, not ${JSON.stringify(v)}`);
  const ms = Number(m[1]) * (m[2] === 'ms' ? 1 : m[2] === 'm' ? 60_000 : 1000);
  if (ms > 24 * 3_600_000) throw usageError(CLI, '--time must be at most 24h');
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
  maxDivergences: number;
  json?: string;
  fault?: string;
  variant: 'standard' | 'legal';
  quiet: boolean;
}

/** The command line, checked (throws UsageError). */
export function parseCli(argv: string[]): Cli {
  const { values: v, help } = readCli(CLI, argv);
  const seedText = v.seed;
  if (seedText !== undefined && !/^-?\d+$/.test(seedText)) throw usageError(CLI, `--seed must be an integer, not ${JSON.stringify(seedText)}`);
  if (v.path !== undefined && seedText === undefined) throw usageError(CLI, '--path replays a sequence of one seed: give --seed too');
  if (v.path !== undefined && !/^\d+(:\d+)*$/.test(v.path)) throw usageError(CLI, `--path must look like 12:0:3 (as printed), not ${JSON.stringify(v.path)}`);
  if (v['replay-path'] !== undefined && v.path === undefined) throw usageError(CLI, '--replay-path goes with --path');
  if (v.fault !== undefined && !isFaultId(v.fault)) throw usageError(CLI, `--fault: unknown fault ${JSON.stringify(v.fault)} (${FAULTS.length} ids: npm run server -- --list-faults)`);
  if (v.variant !== undefined && v.variant !== 'standard' && v.variant !== 'legal') throw usageError(CLI, `--variant is standard or legal, not ${JSON.stringify(v.variant)}`);
  return {
    help,
    runs: positiveInt('runs', v.runs, 100, 1_000_000),
    timeMs: duration(v.time, 60_000),
    seed: seedText === undefined ? randomInt(1, 2 ** 31 - 1) : Number(seedText) | 0,
    seedGiven: seedText !== undefined,
    steps: positiveInt('steps', v.steps, 25, 500),
    ...(v.path !== undefined ? { path: v.path } : {}),
    ...(v['replay-path'] !== undefined ? { replayPath: v['replay-path'] } : {}),
    shrink: v['no-shrink'] !== true,
    maxDivergences: positiveInt('max-divergences', v['max-divergences'], 5, 100),
    ...(v.json !== undefined ? { json: v.json } : {}),
    ...(v.fault !== undefined ? { fault: v.fault } : {}),
    variant: (v.variant) ?? 'standard',
    quiet: v.quiet === true,
  };
}

/** Each client can list: the target is up and takes the secrets (one line otherwise, before any user is created). */
async function preflight(ctx: RunContext): Promise<void> {
  const { settings } = ctx;
  const http = new NodeHttpContext();
  try {
    for (const client of clientsFor(ctx, { http, gate: runGate(settings) }).all) {
      let status: number;
      try {
        status = (await client.getManagedUsers({ limit: 1 }, { unjudged: true })).status;
      } catch (e) {
        if (!(e instanceof TransportError)) throw e;
        throw new ConfigError(`cannot reach CAL_API_URL=${settings.target.baseUrl} (${e.what}): check the URL and that the server is up`);
      }
      if (status === 401 || status === 403) throw new ConfigError(`${settings.target.baseUrl} refused the secret of client ${client.clientId} (${status}): check ${client.credentials.secretVar}`);
      if (status !== 200) throw new ConfigError(`${settings.target.baseUrl} answered ${status} to listing the users of client ${client.clientId}: is CAL_API_URL the API's base URL (without /v2)?`);
    }
  } finally {
    await http.dispose();
  }
}

async function main(): Promise<number> {
  const cli = parseCli(process.argv.slice(2));
  if (cli.help) {
    process.stdout.write(HELP);
    return 0;
  }
  // Settings as everywhere: the environment with .env under it, read in the config module.
  const env = environment();
  let embedded: ReferenceServer | null = null;
  const apiUrl = env.CAL_API_URL?.trim();
  if (apiUrl && (cli.fault || cli.variant !== 'standard')) throw usageError(CLI, '--fault and --variant pick the embedded reference server: unset CAL_API_URL to use them');
  let settings: Settings;
  try {
    if (!apiUrl) {
      const clients = embeddedClients();
      // The legal variant as the mutation self-test runs it: behind /api, with other people's users (lookalikes of ours among them).
      const legal = cli.variant === 'legal' ? { variant: 'legal' as const, prefix: '/api', lookalikes: 3 } : {};
      embedded = await startReferenceServer({ clients, port: 0, fault: cli.fault && isFaultId(cli.fault) ? cli.fault : null, ...legal });
      settings = parseSettings(env, { baseUrl: embedded.url, clients });
    } else settings = parseSettings(env, null);
    const text = await loadDocumentText(settings.spec, settings.requestTimeoutMs);
    await validateOpenApiDocument(text, settings.spec);
    const ctx = activate(settings, { budget: budgetFor(settings), contract: contractOf(parseContractDocument(text, settings.spec), settings.strict, profileOf(settings)) });
    if (!embedded) await preflight(ctx);

    const where = embedded ? `the embedded reference server${cli.fault ? ` with fault ${cli.fault}` : ''}${cli.variant === 'legal' ? ' (legal variant)' : ''}` : settings.target.baseUrl;
    const others = settings.target.other ? 'both clients' : 'one client (set CAL_OTHER_OAUTH_CLIENT_* for cross-client steps)';
    process.stdout.write(`explore run ${settings.runId} against ${where}, ${others}, profile ${ctx.contract.profile.name}, seed ${cli.seed}: up to ${cli.runs} sequences of up to ${cli.steps} steps in ${cli.timeMs / 1000} s, up to ${cli.maxDivergences} divergence(s)\n`);

    const controller = new AbortController();
    const stop = () => controller.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    const result: ExploreResult = await explore({
      ctx,
      runs: cli.runs,
      timeMs: cli.timeMs,
      seed: cli.seed,
      ...(cli.path !== undefined ? { path: cli.path } : {}),
      ...(cli.replayPath !== undefined ? { replayPath: cli.replayPath } : {}),
      maxSteps: cli.steps,
      shrink: cli.shrink,
      maxDivergences: cli.maxDivergences,
      ledger: true,
      progress: cli.quiet ? undefined : (line) => process.stderr.write(`${line}\n`),
      signal: controller.signal,
    });
    process.stdout.write(formatResult(result, { steps: cli.steps }));
    if (cli.json) {
      const { writeFileSync } = await import('node:fs');
      writeFileSync(cli.json, `${JSON.stringify(result, null, 2)}\n`);
    }
    return result.divergences.length ? 1 : result.aborted ? 2 : 0;
  } finally {
    await embedded?.close();
  }
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (e) => {
      const known = e instanceof UsageError || e instanceof ConfigError || e instanceof SpecError || e instanceof AcceptFileError;
      process.stderr.write(`explore: ${known ? e.message : String((e as Error)?.message ?? e).split('\n')[0]}\n`);
      process.exit(2);
    },
  );
}
