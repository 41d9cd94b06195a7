import { defineConfig, type ReporterDescription } from '@playwright/test';
import { announce, prepareRun } from './fixtures/bootstrap';

// Validates the environment (one line and exit 2 on a bad setting), fixes the
// seed and run id, and — without CAL_API_URL — prepares the embedded server.
const { settings, embedded } = prepareRun();
announce(settings);

const CI = !!process.env.CI;
const reportDir = process.env.CONTRACT_REPORT_DIR ?? 'reports';
const reporter: ReporterDescription[] = CI
  ? [
      ['line'],
      ['html', { open: 'never', outputFolder: `${reportDir}/html` }],
      ['junit', { outputFile: `${reportDir}/junit.xml` }],
      ['github'],
    ]
  : [['list']];

export default defineConfig({
  testDir: 'tests',
  outputDir: 'test-results',
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
  globalSetup: './fixtures/global-setup.ts',
  webServer: embedded
    ? {
        command: `"${process.execPath}" --import tsx server/main.ts --port ${embedded.port} --quiet`,
        url: `http://127.0.0.1:${embedded.port}/__health`,
        env: { CAL_EMBEDDED_CLIENTS: embedded.clientsJson },
        reuseExistingServer: false,
        timeout: 30_000,
        stdout: 'ignore',
        stderr: 'pipe',
        gracefulShutdown: { signal: 'SIGTERM', timeout: 3000 },
      }
    : undefined,
  projects: [
    { name: 'contract', testMatch: /\.spec\.ts$/, teardown: 'cleanup' },
    { name: 'smoke', testMatch: /\.spec\.ts$/, grep: /@smoke/, teardown: 'cleanup' },
    { name: 'cleanup', testMatch: /\.teardown\.ts$/ },
  ],
});
