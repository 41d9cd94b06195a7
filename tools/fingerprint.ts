/**
 * npm run fingerprint — which known version the target behaves like.
 *
 * A handful of cheap, harmless requests (at most 12: fixtures/client/fingerprint.ts),
 * every user created namespaced, through the ownership gate, ledgered and deleted;
 * their answers compared with what each shipped profile (schemas/profiles/) expects.
 * Prints each observation with the profiles that expect it (or none), and the
 * verdict. Target: CAL_API_URL and the client variables, as for npm run contract;
 * unset, an embedded reference server it starts itself.
 *
 *   npm run fingerprint
 *   npm run fingerprint -- --json fingerprint.json
 */
import { writeFileSync } from 'node:fs';
import { ConfigError, embeddedClients, parseSettings, type Settings } from '../fixtures/settings/config';
import { environment } from '../fixtures/settings/env';
import { fail, parseCli } from '../fixtures/settings/cli';
import { RateBudget } from '../fixtures/settings/budget';
import { activate, type RunContext } from '../fixtures/client/context';
import { cleanRun } from '../fixtures/client/cleanup';
import { Ledger } from '../fixtures/client/ledger';
import { NodeHttpContext } from '../fixtures/client/node-transport';
import { describeFingerprint, fingerprint, profilesToCompare, type Fingerprint } from '../fixtures/client/fingerprint';
import { SpecError } from '../fixtures/contract/openapi';
import { AcceptFileError } from '../fixtures/contract/deviations';
import { TransportError, RateLimited } from '../fixtures/client/errors';
import { startReferenceServer, type ReferenceServer } from '../server';

export const CLI = {
  tool: 'fingerprint',
  usage: 'npm run fingerprint -- [--json <file>]',
  about: [
    'Which known version the target behaves like: a few cheap, harmless requests (at most 12; users',
    'namespaced, behind the ownership gate, deleted again) compared with what each shipped profile',
    '(schemas/profiles/) expects. Prints each observation, the profiles that expect it (or none), and',
    'the profile the target behaves like. Target: CAL_API_URL and the client variables, as for',
    'npm run contract; unset, an embedded reference server.',
  ],
  flags: {
    json: { type: 'string', value: '<file>', help: 'also write the observations and the verdict as JSON' },
  },
  notes: ['exit status: 0 one profile fits best, 1 several fit equally, 2 bad input or an unusable target'],
} as const;

/** The run's settings: the configured target, or an embedded reference server started here. */
async function target(): Promise<{ settings: Settings; embedded: ReferenceServer | null }> {
  const env = environment();
  if (env.CAL_API_URL?.trim()) return { settings: parseSettings(env, null), embedded: null };
  const clients = embeddedClients();
  const embedded = await startReferenceServer({ clients, port: 0 });
  return { settings: parseSettings(env, { baseUrl: embedded.url, clients }), embedded };
}

/** Probe, clean up what the run's ledger still names, and say what was found. */
async function run(ctx: RunContext): Promise<Fingerprint> {
  const http = new NodeHttpContext();
  try {
    return await fingerprint(ctx, http, new Ledger(ctx.settings.stateDir, ctx.settings.runId, `fingerprint-${process.pid}`));
  } finally {
    for (const line of await cleanRun(ctx, http)) process.stdout.write(`fingerprint: cleanup: ${line}\n`);
    await http.dispose();
  }
}

function report(ctx: RunContext, where: string, f: Fingerprint): void {
  const { settings, contract } = ctx;
  process.stdout.write(`fingerprint of ${where} as client ${settings.target.client.id} (${f.requests} requests), profile in force ${contract.profile.name}:\n`);
  process.stdout.write(`${describeFingerprint(f, profilesToCompare(contract.profile)).join('\n')}\n`);
  const [like] = f.like;
  if (f.like.length === 1 && like !== contract.profile.name) process.stdout.write(`the target behaves like ${like}, not like ${contract.profile.name}: run the suite with CONTRACT_PROFILE=${like}\n`);
}

async function main(): Promise<number> {
  const { values } = parseCli(CLI);
  const { settings, embedded } = await target();
  try {
    const ctx = activate(settings, { budget: new RateBudget(settings.rateLimit) });
    const f = await run(ctx);
    report(ctx, embedded ? 'the embedded reference server' : settings.target.baseUrl, f);
    if (values.json) writeFileSync(values.json, `${JSON.stringify(f, null, 2)}\n`);
    return f.like.length === 1 ? 0 : 1;
  } finally {
    await embedded?.close();
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    const known = e instanceof ConfigError || e instanceof SpecError || e instanceof AcceptFileError || e instanceof TransportError || e instanceof RateLimited;
    fail(CLI.tool, known ? e.message : e);
  },
);
