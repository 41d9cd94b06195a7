/**
 * The README and the docs stay true where they can be checked mechanically: the
 * table of checks (docs/checks.md) is generated from the checks' own titles and
 * tags, every check carries a provenance tag and at least one operation tag,
 * every setting is documented, every command the README names exists, and
 * every relative link resolves in a clone of the repository.
 */
import { test, expect } from '@playwright/test';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { docWith, listChecks, renderTable, TABLE_FILE } from '../tools/checks-table';
import { USER_VARIABLES } from '../fixtures/settings/config';
import { ROOT } from './support';

const checks = listChecks();
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');
/** The documents a user reads: README.md, CONTRIBUTING.md and docs/*.md. */
const DOCS = ['README.md', 'CONTRIBUTING.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
/** Markdown without its fenced code blocks and inline code (a link there is not a link). */
const prose = (md: string) => md.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');

test("docs/checks.md's table of checks is current (npm run checks-table -- --write)", () => {
  const doc = readFileSync(TABLE_FILE, 'utf8');
  expect(docWith(renderTable(checks), doc) === doc, "docs/checks.md's table of checks is stale: run npm run checks-table -- --write").toBe(true);
});

test('every check says where its promise comes from and which operations it calls', () => {
  const untagged = checks.filter((c) => !c.tags.some((t) => ['@spec', '@upstream', '@inferred'].includes(t)) || !c.tags.some((t) => ['@list', '@create', '@get', '@update', '@delete', '@forceRefresh'].includes(t)));
  expect(untagged.map((c) => c.title)).toEqual([]);
  expect(checks.length).toBeGreaterThan(70);
});

test('version behaviours are checked through the profile in force: one @version tag, never a tag per version', () => {
  // A version's behaviour is asserted by its profile (CONTRACT_PROFILE), not left out by a --grep-invert.
  expect(checks.filter((c) => c.tags.some((t) => t.startsWith('@v-') || t === '@later-versions')).map((c) => c.title)).toEqual([]);
  const versioned = checks.filter((c) => c.tags.includes('@version'));
  expect(versioned.length).toBeGreaterThanOrEqual(5);
  // Each of them asserts through expectBehaviour (the profile's value, or under `published` any known one).
  for (const file of new Set(versioned.map((c) => c.file))) expect(readFileSync(join(ROOT, 'tests', file), 'utf8'), file).toContain('expectBehaviour(');
});

test('every variable a user may set is in docs/configuration.md and .env.example', () => {
  const table = read('docs/configuration.md');
  const example = read('.env.example');
  expect(USER_VARIABLES.filter((v) => !table.includes(`\`${v}\``)), 'missing from docs/configuration.md').toEqual([]);
  expect(USER_VARIABLES.filter((v) => !new RegExp(`^#? ?${v}=`, 'm').test(example)), 'missing from .env.example').toEqual([]);
});

test('the README fits on a screen or two, and names only commands that exist', () => {
  const readme = read('README.md');
  expect(readme.split('\n').length).toBeLessThanOrEqual(170);
  const scripts = Object.keys((JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts);
  const named = [...readme.matchAll(/npm (?:run ([\w:-]+)|(test)\b)/g)].map((m) => m[1] ?? m[2]!);
  expect(named.filter((s) => !scripts.includes(s)), 'npm scripts the README names that package.json lacks').toEqual([]);
  // The commands table lists every script once.
  const rows = readme.split('\n').filter((l) => l.startsWith('| `npm '));
  expect(scripts.filter((s) => !rows.some((r) => r.startsWith(s === 'test' ? '| `npm test`' : `| \`npm run ${s}`)))).toEqual([]);
  // CI runs what the README says it runs: .ci/run is `npm ci`, then the README's test command.
  const ci = read('.ci/run').split('\n').filter((l) => /^npm /.test(l));
  expect(ci).toEqual(['npm ci', 'npm test']);
  expect(readme).toMatch(/\[`\.ci\/run`\]\(\.ci\/run\): `npm ci`, then `npm test`/);
});

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
const slug = (heading: string) => heading.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');

test('every relative link in README.md, CONTRIBUTING.md and docs/*.md points at a file of the repository', () => {
  const broken: string[] = [];
  for (const doc of DOCS) {
    for (const m of prose(read(doc)).matchAll(/\]\(([^)\s]+)\)/g)) {
      const link = m[1]!;
      if (/^[a-z][a-z+.-]*:/i.test(link)) continue; // https:, mailto:
      const [path, anchor] = link.split('#') as [string, string | undefined];
      const target = path ? resolve(ROOT, dirname(doc), path) : join(ROOT, doc);
      const inside = relative(ROOT, target);
      if (inside.startsWith('..') || resolve(target) === resolve('/')) broken.push(`${doc}: ${link} leaves the repository`);
      else if (/^(node_modules|reports|test-results|\.contract-run)(\/|$)/.test(inside)) broken.push(`${doc}: ${link} is not in a clone`);
      else if (!existsSync(target)) broken.push(`${doc}: ${link} does not exist`);
      else if (anchor && target.endsWith('.md') && statSync(target).isFile()) {
        const headings = [...readFileSync(target, 'utf8').replace(/^```[\s\S]*?^```/gm, '').matchAll(/^#{1,6} (.+)$/gm)].map((h) => slug(h[1]!));
        if (!headings.includes(anchor)) broken.push(`${doc}: ${link} names no heading of ${inside}`);
      }
    }
  }
  expect(broken).toEqual([]);
  expect(DOCS.length).toBeGreaterThan(5);
});
