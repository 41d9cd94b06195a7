/**
 * npm run sweep — remove what earlier runs of this suite left on a server.
 *
 * A user is removed only when its e-mail carries this suite's namespace
 * (CONTRACT_NAMESPACE, default "ctr") and a run stamp older than --older-than
 * minutes (default 60, so a run in progress elsewhere is left alone). Candidates
 * come from the local run ledgers (CONTRACT_STATE_DIR) and from what the list
 * can show (offsets 0 and 250); each is read by id just before it is deleted
 * (the ownership gate). Nothing outside the namespace is ever touched.
 *
 *   npm run sweep                       remove leftovers older than 60 minutes
 *   npm run sweep -- --older-than 0     any age (no run of the suite in progress!)
 *   npm run sweep -- --dry-run          only print what would be removed
 */
import { request } from '@playwright/test';
import { ConfigError, sweepSettings } from '../fixtures/run/config';
import { environment } from '../fixtures/run/env';
import { fail, parseCli, UsageError } from '../fixtures/run/cli';
import { transportFor } from '../fixtures/client/client';
import { cleanupClients, removeOwnUsers, scanList } from '../fixtures/run/cleanup';
import { parseOwnEmail } from '../fixtures/contract/inputs';
import { leftovers, readLedgers } from '../fixtures/run/ledger';
import { activate, loadValidator } from '../fixtures/run/settings';
import { SpecError } from '../fixtures/contract/openapi';
import { OwnershipGate } from '../fixtures/client/ownership';
import { budgetFor } from '../fixtures/client/pacer';

const CLI = {
  tool: 'sweep',
  usage: 'npm run sweep -- [--older-than <minutes>] [--dry-run]',
  about: [
    'Removes what earlier runs of the suite left on the server CAL_API_URL names: users whose e-mail carries',
    'the namespace (CONTRACT_NAMESPACE) and a run stamp older than --older-than, found in the run ledgers',
    '(CONTRACT_STATE_DIR) and in what the list shows; each is read by id just before it is deleted.',
  ],
  flags: {
    'older-than': { type: 'string', value: '<minutes>', help: 'only runs at least this old (default 60; 0: any age, with no run in progress!)' },
    'dry-run': { type: 'boolean', help: 'only print what would be removed' },
  },
  notes: ['exit status: 0 done (or a dry run), 1 a problem (a user could not be looked up or removed; each is printed), 2 bad input'],
} as const;

function options(argv: string[]): { olderThanMin: number; dryRun: boolean } {
  return parseCli(CLI, argv, ({ values }) => {
    const olderThan = values['older-than'] ?? '60';
    if (!/^\d+$/.test(olderThan)) throw new UsageError('--older-than takes a whole number of minutes, e.g. --older-than 60');
    return { olderThanMin: Number(olderThan), dryRun: values['dry-run'] === true };
  });
}

async function main(): Promise<void> {
  const { olderThanMin, dryRun } = options(process.argv.slice(2));
  let settings;
  try {
    settings = activate(sweepSettings(environment()));
  } catch (e) {
    if (e instanceof ConfigError || e instanceof SpecError) fail(CLI.tool, e.message);
    throw e;
  }
  const target = settings.target;
  const cutoff = Date.now() - olderThanMin * 60_000;
  const isSweepable = (email: string) => {
    const own = parseOwnEmail(email, settings.namespace);
    return own !== null && own.createdAt <= cutoff;
  };

  const context = await request.newContext({ timeout: settings.requestTimeoutMs });
  let validator;
  try {
    validator = loadValidator(settings);
  } catch (e) {
    if (e instanceof SpecError || e instanceof ConfigError) fail(CLI.tool, e.message);
    throw e;
  }
  // sweep's rule: the namespace and a run stamp older than the cutoff; every delete passes the gate, inside the rate budget.
  const gate = new OwnershipGate(isSweepable, `in namespace "${settings.namespace}" and older than ${olderThanMin} min`);
  const clients = cleanupClients(target, transportFor(settings, context, validator, budgetFor(settings)), gate);
  const ledgers = readLedgers(settings.stateDir).flatMap((r) => r.entries);
  const groups = leftovers(ledgers, { withKept: true }).filter((g) => g.base === target.baseUrl);

  let removed = 0;
  const problems: string[] = [];
  try {
    for (const client of clients) {
      const fromLedger = groups.filter((g) => g.client === client.clientId);
      const scan = await scanList(client, isSweepable);
      problems.push(...scan.problems);
      const candidates = {
        ids: [...fromLedger.flatMap((g) => g.ids), ...scan.users.map((u) => u.id)],
        emails: fromLedger.flatMap((g) => g.emails),
      };
      if (dryRun) {
        const shown = new Set<number>();
        for (const u of scan.users) {
          shown.add(u.id);
          process.stdout.write(`would remove user ${u.id} <${u.email}> of client ${client.clientId}\n`);
        }
        process.stdout.write(`client ${client.clientId}: ${scan.users.length} leftover(s) visible in the list (${scan.seen} users seen); ledgers name ${candidates.ids.length - shown.size} more id(s) and ${candidates.emails.length} e-mail(s) to check\n`);
        continue;
      }
      const result = await removeOwnUsers(client, gate, candidates, isSweepable);
      for (const r of result.removed) {
        const own = parseOwnEmail(r.email, settings.namespace)!;
        const age = Math.round((Date.now() - own.createdAt) / 60_000);
        process.stdout.write(`removed user ${r.id} <${r.email}> of client ${client.clientId} (run ${own.runId}, ${age} min old)\n`);
      }
      removed += result.removed.length;
      problems.push(...result.problems);
    }
  } finally {
    await context.dispose();
  }
  for (const p of problems) process.stdout.write(`problem: ${p}\n`);
  if (!dryRun) process.stdout.write(`sweep: removed ${removed} user(s) of namespace "${settings.namespace}" older than ${olderThanMin} min from ${target.baseUrl}${problems.length ? `; ${problems.length} problem(s)` : ''}\n`);
  process.exit(problems.length ? 1 : 0);
}

main().catch((e) => fail(CLI.tool, e));
