import { test } from '../fixtures/harness/test';
import { transportFor } from '../fixtures/client/client';
import { cleanRun } from '../fixtures/client/cleanup';
import { coverageMarkdown, coverageRows, readCoverage } from '../fixtures/report/coverage';
import { ruleCoverageOfRun } from '../fixtures/report/rule-coverage';
import { join } from 'node:path';

// Runs after the contract/smoke project, even when checks failed: removes any
// user this run created that is still there (a check killed mid-way, a delete
// that did not delete), using the run's ledger, each through the ownership
// gate. Touches nothing else. It also
// attaches the run's coverage matrix, so that it shows in the HTML report.

// Every provenance and operation tag: any --grep selection still cleans up (global teardown would too).
test('remove what this run left behind', { tag: ['@spec', '@upstream', '@inferred', '@smoke', '@list', '@create', '@get', '@update', '@delete', '@forceRefresh'] }, async ({ runtime }, testInfo) => {
  const { settings } = runtime;
  test.skip(!!settings.selftestTargets, 'self-test servers are throwaway: nothing to clean');
  const lines = await cleanRun(settings, transportFor(settings, runtime.request, runtime.validator, runtime.budget));
  const coverage = readCoverage(join(settings.stateDir, settings.runId));
  if (coverage.length) await testInfo.attach('coverage.md', { body: coverageMarkdown(coverageRows(runtime.validator.doc, coverage)), contentType: 'text/markdown' });
  const rules = ruleCoverageOfRun(settings);
  if (rules) await testInfo.attach('rules.md', { body: rules.markdown, contentType: 'text/markdown' });
  const summary = lines.length ? lines.join('\n') : 'nothing left behind';
  testInfo.annotations.push({ type: 'cleanup', description: summary });
  if (lines.length) console.log(`cleanup: ${summary}`);
});
