/**
 * npm run coverage -- <dir> [<dir> ...]
 * The coverage matrix of one or more runs (e.g. the shards of a CI run), from
 * the coverage-*.jsonl files their state directories hold (searched
 * recursively). Prints markdown, appends it to the GitHub step summary when
 * there is one, and exits 1 when a documented or required pair was not seen.
 */
import { appendFileSync, existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { coverageMarkdown, coverageRows, gaps, readCoverage } from '../fixtures/report/coverage';
import { ConfigError, reportSettings, specSetting } from '../fixtures/settings/config';
import { environment } from '../fixtures/settings/env';
import { fail, parseCli } from '../fixtures/settings/cli';
import { SpecError } from '../fixtures/contract/openapi';
import { loadContractDocument } from '../fixtures/contract/openapi-validation';
import { loadDocumentText } from '../fixtures/contract/openapi';
import { oneSided, ruleCoverageMarkdown, ruleRowsOfDirs, untested } from '../fixtures/report/rule-coverage';

const CLI = {
  tool: 'coverage',
  usage: 'npm run coverage -- <state dir> [<state dir> ...] [--run <id> ...]',
  about: [
    'The coverage matrix (operation x status x checks) of one or more runs, e.g. the shards of a CI run, from the',
    'coverage records under their state directories (CONTRACT_STATE_DIR), against the contract in force (CONTRACT_SPEC).',
    'Prints markdown, and appends it to the GitHub step summary (GITHUB_STEP_SUMMARY) when there is one.',
  ],
  positionals: [{ name: '<state dir>', help: 'a directory searched recursively for coverage-*.jsonl files' }],
  flags: {
    run: { type: 'string', multiple: true, value: '<run id>', help: 'only these runs (the 10-character ids each run prints first; a state dir keeps the newest 30); without it, every run found — which may mix servers' },
  },
  notes: ['exit status: 0 every documented or required pair exercised, 1 gaps, 2 bad input'],
} as const;

function dirsWithCoverage(root: string, out: string[] = []): string[] {
  if (!existsSync(root) || !statSync(root).isDirectory()) return out;
  const names = readdirSync(root);
  if (names.some((n) => n.startsWith('coverage-') && n.endsWith('.jsonl'))) out.push(root);
  for (const n of names) if (statSync(join(root, n)).isDirectory()) dirsWithCoverage(join(root, n), out);
  return out;
}

async function main(): Promise<void> {
  const { positionals: roots, values } = parseCli(CLI);
  if (!roots.length) throw new ConfigError('give the state directories of the runs, e.g. npm run coverage -- .contract-run');
  const runs = values.run ?? [];
  for (const r of runs) if (!/^[0-9a-z]{10}$/.test(r)) throw new ConfigError(`--run ${r} is not a run id (10 lower-case letters and digits, printed first by every run)`);
  // A run's records live in <state dir>/<run id>/: --run keeps those directories only.
  const dirs = roots.flatMap((r) => dirsWithCoverage(r)).filter((d) => !runs.length || runs.includes(basename(d)));
  const lines = dirs.flatMap((d) => readCoverage(d));
  if (!lines.length) throw new ConfigError(`no coverage records under ${roots.join(', ')}${runs.length ? ` for run ${runs.join(', ')}` : ''}: point at CONTRACT_STATE_DIR of finished runs`);
  const found = new Set(dirs.map((d) => basename(d)));
  const missing = runs.filter((r) => !found.has(r));
  if (missing.length) throw new ConfigError(`no coverage records for run ${missing.join(', ')} under ${roots.join(', ')}: check the run id`);
  const env = environment();
  const spec = specSetting(env);
  const doc = await loadContractDocument(spec);
  const rows = coverageRows(doc, lines);
  // The rule × side view of the same runs: the rules tested on one side only (or not at all) count as gaps too.
  const rules = ruleRowsOfDirs(dirs, JSON.parse(await loadDocumentText(spec)));
  const markdown = `${coverageMarkdown(rows)}${rules.records ? `\n${ruleCoverageMarkdown(rules.rows)}` : ''}`;
  process.stdout.write(markdown);
  const summary = reportSettings(env).githubStepSummary;
  if (summary) appendFileSync(summary, `\n${markdown}`);
  const ruleGaps = rules.records ? oneSided(rules.rows).length + untested(rules.rows).length : 0;
  process.exit(gaps(rows).length || ruleGaps ? 1 : 0);
}

main().catch((e) => fail(CLI.tool, e instanceof ConfigError || e instanceof SpecError ? e.message : e));
