/**
 * npm run checks-table — the table of checks in docs/checks.md, from the checks themselves:
 * every check of the contract project (and the run-end schema report) with the
 * provenance, operation and version tags it carries.
 *
 *   npm run checks-table            print the table
 *   npm run checks-table -- --write  put it into docs/checks.md between its markers
 *   npm run checks-table -- --check  exit 1 when docs/checks.md's table is stale
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseCli } from '../fixtures/settings/cli';
import { OPERATION_TAGS } from '../fixtures/contract/operations';

const ROOT = resolve(__dirname, '..');
/** The file that holds the table, between its markers. */
export const TABLE_FILE = join(ROOT, 'docs', 'checks.md');
const START = '<!-- checks:start (npm run checks-table -- --write) -->';
const END = '<!-- checks:end -->';
const PROVENANCE = ['@spec', '@upstream', '@inferred'];
const OPERATIONS = OPERATION_TAGS;

interface Listed {
  file: string;
  title: string;
  tags: string[];
}

/** The checks as Playwright lists them (titles and tags), against the embedded server's settings. */
export function listChecks(): Listed[] {
  const dir = mkdtempSync(join(tmpdir(), 'checks-table-'));
  try {
    const out = join(dir, 'list.json');
    const env: NodeJS.ProcessEnv = { ...process.env, PLAYWRIGHT_JSON_OUTPUT_NAME: out, CONTRACT_ENV_FILE: '/dev/null' };
    for (const k of ['CAL_API_URL', 'CAL_OAUTH_CLIENT_ID', 'CAL_OAUTH_CLIENT_SECRET', 'CAL_OTHER_OAUTH_CLIENT_ID', 'CAL_OTHER_OAUTH_CLIENT_SECRET', 'CONTRACT_SELFTEST_TARGETS']) delete env[k];
    const r = spawnSync(process.execPath, [join(ROOT, 'node_modules', '@playwright', 'test', 'cli.js'), 'test', '--project=contract', '--list', '--reporter=./fixtures/report/redact-reporter.ts,json'], { cwd: ROOT, env, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`playwright --list exited ${r.status}: ${(r.stderr || '').split('\n')[0]}`);
    const report = JSON.parse(readFileSync(out, 'utf8')) as { suites: Suite[] };
    const found: Listed[] = [];
    const walk = (s: Suite, path: string[]) => {
      const here = s.title && !s.title.endsWith('.ts') ? [...path, s.title] : path;
      for (const spec of s.specs ?? []) found.push({ file: spec.file, title: [...here, spec.title].join(' › '), tags: (spec.tags ?? []).map((t) => (t.startsWith('@') ? t : `@${t}`)) });
      for (const c of s.suites ?? []) walk(c, here);
    };
    for (const s of report.suites) walk(s, []);
    return found.filter((c) => !c.file.endsWith('run.teardown.ts'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
interface Suite {
  title: string;
  specs?: { file: string; title: string; tags?: string[] }[];
  suites?: Suite[];
}

export function renderTable(checks: Listed[]): string {
  const lines = ['| file | check | provenance | operations | version |', '|---|---|---|---|---|'];
  // The checks generated from the document (one per rule and side) are one row: `npm run rules` lists them.
  const generated = checks.filter((c) => c.file.endsWith('rules.spec.ts'));
  if (generated.length) {
    const tags = [...new Set(generated.flatMap((c) => c.tags))];
    lines.push(`| rules | ${generated.length} checks generated from the contract document: both sides (reject, accept) of every rule — types, required, enums, formats, bounds, limits, nullable (the rule × side view ends every run) | ${PROVENANCE.filter((p) => tags.includes(p)).join(' ')} | ${OPERATIONS.filter((o) => tags.includes(o)).map((o) => o.slice(1)).join(', ')} | |`);
  }
  for (const c of checks.filter((x) => !generated.includes(x))) {
    const tags = c.tags;
    const prov = tags.filter((t) => PROVENANCE.includes(t));
    const ops = tags.filter((t) => OPERATIONS.includes(t)).map((t) => t.slice(1));
    const versions = tags.filter((t) => t === '@version');
    const file = c.file.replace(/\.(spec|teardown)\.ts$/, '');
    lines.push(`| ${file} | ${c.title.replace(/\|/g, '\\|')}${tags.includes('@smoke') ? ' (smoke)' : ''} | ${prov.join(' ')} | ${ops.length === OPERATIONS.length ? 'all' : ops.join(', ')} | ${versions.join(' ')} |`);
  }
  return lines.join('\n');
}

/** `doc` (the text of docs/checks.md) with `table` between its markers. */
export function docWith(table: string, doc: string): string {
  const a = doc.indexOf(START);
  const b = doc.indexOf(END);
  if (a < 0 || b < a) throw new Error(`docs/checks.md has no ${START} … ${END} markers`);
  return `${doc.slice(0, a + START.length)}\n${table}\n${doc.slice(b)}`;
}

const CLI = {
  tool: 'checks-table',
  usage: 'npm run checks-table [-- --write | --check]',
  about: ["The table of checks with their tags, from the checks' titles and tags (what docs/checks.md shows)."],
  flags: {
    write: { type: 'boolean', help: 'put the table into docs/checks.md between its markers' },
    check: { type: 'boolean', help: "exit 1 when docs/checks.md's table is stale" },
  },
} as const;

function main(): void {
  const { values } = parseCli(CLI);
  const table = renderTable(listChecks());
  if (!values.write && !values.check) {
    process.stdout.write(`${table}\n`);
    return;
  }
  const doc = readFileSync(TABLE_FILE, 'utf8');
  const next = docWith(table, doc);
  if (values.write) writeFileSync(TABLE_FILE, next);
  else {
    if (next !== doc) {
      process.stderr.write("checks-table: docs/checks.md's table of checks is stale: run npm run checks-table -- --write\n");
      process.exit(1);
    }
  }
}

if (require.main === module) main();
