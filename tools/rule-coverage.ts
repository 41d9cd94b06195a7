/**
 * npm run rules -- <state dir> [<state dir> ...] [--markdown <file>]
 * The rule × side view of one or more runs (e.g. the shards of a CI run): for
 * every rule of the contract document in force (and the facts' own), which
 * checks exercised its accepting and its rejecting side, or saw it hold; every
 * rule tested on one side only is named. Reads the rules-*.jsonl records the
 * runs' state directories hold (searched recursively). Prints one line (and the
 * markdown table with --markdown, to a file or - for stdout), appends the table
 * to the GitHub step summary when there is one, and exits 1 when a rule was
 * tested on one side only or not at all.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, DEFAULT_SPEC } from '../fixtures/settings/config';
import { loadDocumentText, SpecError } from '../fixtures/contract/openapi';
import { oneSided, ruleCoverageLine, ruleCoverageMarkdown, ruleRowsOfDirs, untested } from '../fixtures/report/rule-coverage';

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({ allowPositionals: true, options: { markdown: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  } catch (e) {
    throw new ConfigError(`${(e as Error).message.split('\n')[0]} (see --help)`);
  }
  if (parsed.values.help) {
    process.stdout.write('usage: npm run rules -- <state dir>... [--markdown <file|->]\n  the rule × side view of finished runs (CONTRACT_SPEC: the document whose rules are listed)\n');
    return;
  }
  const roots = parsed.positionals;
  if (!roots.length) throw new ConfigError('give the state directories of the runs, e.g. npm run rules -- .contract-run');
  const doc = JSON.parse(await loadDocumentText(process.env.CONTRACT_SPEC || DEFAULT_SPEC));
  const { rows, records } = ruleRowsOfDirs(roots, doc);
  if (!records) throw new ConfigError(`no rule records under ${roots.join(', ')}: point at CONTRACT_STATE_DIR of finished contract runs`);
  const markdown = ruleCoverageMarkdown(rows);
  process.stdout.write(`${ruleCoverageLine(rows)}\n`);
  if (parsed.values.markdown === '-') process.stdout.write(markdown);
  else if (parsed.values.markdown) writeFileSync(parsed.values.markdown, markdown);
  if (process.env.GITHUB_STEP_SUMMARY) appendFileSync(process.env.GITHUB_STEP_SUMMARY, `\n${markdown}`);
  process.exit(oneSided(rows).length || untested(rows).length ? 1 : 0);
}

main().catch((e) => {
  const known = e instanceof ConfigError || e instanceof SpecError;
  process.stderr.write(`rules: ${known ? e.message : String((e as Error).message ?? e).split('\n')[0]}\n`);
  process.exit(2);
});
