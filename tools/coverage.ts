/**
 * npm run coverage -- <blob report dir>
 * One verdict for the shards of a run (CONTRACT_BLOB=1 writes each shard's blob report; put them in one
 * directory): `playwright merge-reports` with the project's merge config, so the run's reporter reads every
 * check's record and prints the verdict, the coverage matrix and the rule × side view, writes
 * reports/coverage.md, the HTML report and JUnit, and appends to the GitHub step summary when there is one.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fail, parseCli, UsageError } from '../fixtures/settings/cli';
import { invocationDir } from '../fixtures/settings/env';

const CLI = {
  tool: 'coverage',
  usage: 'npm run coverage -- <blob report dir>',
  about: [
    'Merges the blob reports of a sharded run (CONTRACT_BLOB=1, one directory holding every shard\'s) into one verdict:',
    'failures by cause, the coverage matrix (reports/coverage.md) and the rule × side view, the HTML report and JUnit.',
  ],
  positionals: [{ name: '<blob report dir>', help: 'a directory holding the shards\' report-*.zip files' }],
  flags: {},
  notes: ['exit status: that of playwright merge-reports (1 when a check failed), 2 bad input'],
} as const;

const ROOT = resolve(__dirname, '..');

const dir = parseCli(CLI, process.argv.slice(2), ({ positionals }) => {
  if (positionals.length !== 1) throw new UsageError(`give one blob report directory (got ${positionals.length}); usage: ${CLI.usage}`);
  const d = resolve(invocationDir(), positionals[0]!);
  if (!existsSync(d) || !statSync(d).isDirectory()) throw new UsageError(`${positionals[0]} is not a directory: give the directory that holds the shards' blob reports`);
  return d;
});

const cli = join(ROOT, 'node_modules', '@playwright', 'test', 'cli.js');
const run = spawnSync(process.execPath, [cli, 'merge-reports', '--config', join(ROOT, 'fixtures', 'report', 'merge.config.ts'), dir], { cwd: ROOT, stdio: 'inherit' });
if (run.error) fail(CLI.tool, run.error);
process.exit(run.status ?? 1);
