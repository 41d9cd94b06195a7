/**
 * docs/checks.md stays true where it can be checked mechanically: its table of
 * checks is generated from the checks' own titles and tags, and every check
 * carries a provenance tag and at least one operation tag.
 */
import { test, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { docWith, listChecks, renderTable, TABLE_FILE } from '../tools/checks-table';
import { ROOT } from './support';

const checks = listChecks();

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
