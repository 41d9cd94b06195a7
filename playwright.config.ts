import { defineConfig, type ReporterDescription } from '@playwright/test';
import { prepareRun, refuseTracing, traceFlag } from './fixtures/settings/bootstrap';
import { ConfigError, INTERNAL_VARS } from './fixtures/settings/config';
import { processRole } from './fixtures/settings/env';
import { fail } from './fixtures/settings/cli';

// Traces record request headers, and so the secret: the suite refuses them (the worker fixture too).
try {
  refuseTracing(traceFlag(process.argv));
} catch (e) {
  if (e instanceof ConfigError) fail('contract suite', e.message);
  throw e;
}

const inRunner = !processRole().worker;
// SIGTERM (CI cancelling a job, `kill`) would end the runner at once, with no teardown: treat it as
// Playwright's own interrupt (Ctrl-C), after which global teardown removes what the run created.
if (inRunner && !process.listenerCount('SIGTERM')) {
  process.on('SIGTERM', () => process.kill(process.pid, 'SIGINT'));
}

// Validates the environment (one line and exit 2 on a bad setting), fixes the
// seed and run id, and — without CAL_API_URL — prepares the embedded server.
// The run's first line comes from global setup, once the target's fingerprint is known.
const { settings, report, embedded } = prepareRun();

const CI = report.ci;
// A --reporter list replaces the configured one: it must start with the redacting reporter, or the
// secret could reach a report (Playwright's log of a request that got no answer lists its headers).
const cliReporterAt = process.argv.findIndex((a) => a === '--reporter' || a.startsWith('--reporter='));
if (cliReporterAt >= 0 && !settings.selftest && inRunner) {
  const arg = process.argv[cliReporterAt]!;
  const list = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : (process.argv[cliReporterAt + 1] ?? '');
  if (!/redact-reporter(\.ts)?$/.test(list.split(',')[0]!.trim())) {
    process.stderr.write(`contract suite: --reporter=${list} does not start with the redacting reporter, so a secret could reach the report: use --reporter=./fixtures/report/redact-reporter.ts,${list || 'list'}\n`);
    process.exit(2);
  }
}
const reportDir = report.reportDir;
// The redacting reporter comes first: it scrubs secrets and tokens from the
// results before any other reporter reads them (see fixtures/report/redact-reporter.ts).
const redacting: ReporterDescription = ['./fixtures/report/redact-reporter.ts'];
// The run's verdict (failures by cause, notes, skips with reasons, deviations), the coverage matrix and the
// rule × side view, from what the checks attached; it takes their records off the results, so it comes before
// the HTML and JUnit reporters (and after a blob reporter, which keeps them for the merge).
const run: ReporterDescription = ['./fixtures/report/run-reporter.ts', { outputFile: `${reportDir}/coverage.md`, summaryFile: `${reportDir}/summary.txt` }];
// The HTML report on every run (never opened by itself): npx playwright show-report reports/html; the run's summary on top.
const html: ReporterDescription[] = [
  ['html', { open: 'never', outputFolder: `${reportDir}/html` }],
  ['./fixtures/report/html-summary.ts', { htmlDir: `${reportDir}/html`, summaryFile: `${reportDir}/summary.txt` }],
];
// JUnit on every run: <failure> for what the server broke, <error> for what kept a check from judging.
const junit: ReporterDescription = ['./fixtures/report/junit-reporter.ts', { outputFile: `${reportDir}/junit.xml` }];
// CONTRACT_BLOB=1 (sharded CI jobs): blob output for `playwright merge-reports`.
const reporter: ReporterDescription[] = report.blob
  ? [redacting, ['line'], ['blob', { outputDir: `${reportDir}/blob` }], run, junit]
  : CI
  ? [redacting, ['line'], run, ...html, junit, ['json', { outputFile: `${reportDir}/results.json` }], ['github']]
  : [redacting, ['./fixtures/report/list-reporter.ts'], run, ...html, junit];

export default defineConfig({
  testDir: 'tests',
  outputDir: report.outputDir,
  fullyParallel: true,
  workers: 2,
  // A pass on retry would hide a broken contract: never retry a check.
  // (The client retries a GET once on a transport error, and says so.)
  retries: 0,
  timeout: settings.testTimeoutMs,
  forbidOnly: CI,
  reporter,
  // Traces record request headers, and so the secret: they stay off.
  use: { trace: 'off', screenshot: 'off', video: 'off' },
  // The preflight (its teardown cleans up after the run, interrupted or not), then the target's fingerprint and the run's first line.
  globalSetup: ['./fixtures/harness/global-setup.ts', './fixtures/harness/global-fingerprint.ts'],
  // The embedded server listens on a port the OS picks (0) and says which: Playwright
  // reads it from its first line into CONTRACT_EMBEDDED_PORT, which the workers inherit.
  webServer: embedded
    ? {
        // Other people's users are there, as on staging: 60 per client, so a default page of 50 shows in full.
        command: `"${process.execPath}" --import tsx server/main.ts --port 0 --quiet --preexisting 60`,
        // The group's name, upper-cased, is the variable Playwright sets.
        wait: { stdout: new RegExp(`listening on http://127\\.0\\.0\\.1:(?<${INTERNAL_VARS.embeddedPort.toLowerCase()}>\\d+)`) },
        env: { [INTERNAL_VARS.embeddedClients]: embedded.clientsJson },
        timeout: 30_000,
        stdout: 'ignore',
        stderr: 'pipe',
        gracefulShutdown: { signal: 'SIGTERM', timeout: 3000 },
      }
    : undefined,
  // What a run created is removed after it by global teardown (fixtures/harness/global-setup.ts), whatever
  // was selected, passed, failed or interrupted.
  projects: [
    { name: 'contract', testMatch: /\.spec\.ts$/ },
    { name: 'smoke', testMatch: /\.spec\.ts$/, grep: /@smoke/ },
  ],
});
