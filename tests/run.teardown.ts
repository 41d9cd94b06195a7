import { test } from '../fixtures/test';
import { transportFor } from '../fixtures/client';
import { cleanupClients, removeOwnUsers } from '../fixtures/cleanup';
import { parseOwnEmail } from '../fixtures/inputs';
import { leftovers, readLedgers } from '../fixtures/ledger';
import { coverageMarkdown, coverageRows, readCoverage } from '../fixtures/coverage';
import { join } from 'node:path';

// Runs after the contract/smoke project, even when checks failed: removes any
// user this run created that is still there (a check killed mid-way, a delete
// that did not delete), using the run's ledger. Touches nothing else. It also
// attaches the run's coverage matrix, so that it shows in the HTML report.

test('remove what this run left behind', async ({ runtime }, testInfo) => {
  const { settings } = runtime;
  test.skip(!!settings.selftestTargets, 'self-test servers are throwaway: nothing to clean');
  const target = settings.target;
  const clients = cleanupClients(target, transportFor(settings, runtime.request, runtime.validator));
  const isThisRun = (email: string) => parseOwnEmail(email, settings.namespace)?.runId === settings.runId;
  const lines: string[] = [];
  for (const group of leftovers(readLedgers(settings.stateDir, settings.runId).flatMap((r) => r.entries))) {
    if (group.base !== target.baseUrl) continue;
    const client = clients.find((c) => c.clientId === group.client);
    if (!client) continue;
    const { removed, problems } = await removeOwnUsers(client, group, isThisRun);
    for (const r of removed) lines.push(`removed leftover user ${r.id} <${r.email}> of client ${client.clientId}`);
    for (const p of problems) lines.push(`could not clean: ${p}`);
  }
  const coverage = readCoverage(join(settings.stateDir, settings.runId));
  if (coverage.length) await testInfo.attach('coverage.md', { body: coverageMarkdown(coverageRows(runtime.validator.doc, coverage)), contentType: 'text/markdown' });
  const summary = lines.length ? lines.join('\n') : 'nothing left behind';
  testInfo.annotations.push({ type: 'cleanup', description: summary });
  if (lines.length) console.log(`cleanup: ${summary}`);
});
