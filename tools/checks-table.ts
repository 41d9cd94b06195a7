/**
 * npm run checks-table — the README's table of checks, from the checks themselves:
 * every check of the contract project (and the run-end schema report) with the
 * provenance, operation and version tags it carries.
 *
 *   npm run checks-table            print the table
 *   npm run checks-table -- --write  put it into README.md between its markers
 *   npm run checks-table -- --check  exit 1 when README.md's table is stale
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseCli } from '../fixtures/settings/cli';
import { OPERATION_TAGS } from '../fixtures/contract/operations';

const ROOT = resolve(__dirname, '..');
const README = join(ROOT, 'README.md');
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

export function readmeWith(table: string, readme: string): string {
  const a = readme.indexOf(START);
  const b = readme.indexOf(END);
  if (a < 0 || b < a) throw new Error(`README.md has no ${START} … ${END} markers`);
  return `${readme.slice(0, a + START.length)}\n${table}\n${readme.slice(b)}`;
}

const CLI = {
  tool: 'checks-table',
  usage: 'npm run checks-table [-- --write | --check]',
  about: ["The table of checks with their tags, from the checks' titles and tags (what README.md shows)."],
  flags: {
    write: { type: 'boolean', help: 'put the table into README.md between its markers' },
    check: { type: 'boolean', help: "exit 1 when README.md's table is stale" },
  },
} as const;

function main(): void {
  const { values } = parseCli(CLI);
  const table = renderTable(listChecks());
  if (!values.write && !values.check) {
    process.stdout.write(`${table}\n`);
    return;
  }
  const readme = readFileSync(README, 'utf8');
  const next = readmeWith(table, readme);
  if (values.write) writeFileSync(README, next);
  else {
    if (next !== readme) {
      process.stderr.write('checks-table: README.md\'s table of checks is stale: run npm run checks-table -- --write\n');
      process.exit(1);
    }
  }
}

if (require.main === module) main();
