import { defineConfig } from '@playwright/test';
import { reportSettings } from '../fixtures/settings/config';
import { environment } from '../fixtures/settings/env';

// The process environment only: the self-tests never read a developer's .env.
const CI = reportSettings(environment({ dotenv: false })).ci;

// The project's own tests: the validator, config, inputs, client, reference
// server, drift tool and the secret scan. (The mutation self-test is its own
// script, `npm run mutants`, run by `npm test` after these.)
export default defineConfig({
  testDir: '.',
  testMatch: /\.spec\.ts$/,
  outputDir: '../test-results-selftest',
  fullyParallel: true,
  workers: 2,
  retries: 0,
  // Several self-tests run the whole suite (or two): generous, so that a loaded machine does not fail them by the clock.
  timeout: 180_000,
  forbidOnly: CI,
  reporter: CI ? [['line'], ['../fixtures/report/run-reporter.ts']] : [['list'], ['../fixtures/report/run-reporter.ts']],
  use: { trace: 'off' },
});
