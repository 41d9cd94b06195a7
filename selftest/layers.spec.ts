/**
 * The layout is the architecture: fixtures/ holds five floors along the data's
 * path, and imports only point down: settings (what everything is configured
 * by) → contract (the model of the document) → client (one request, its
 * middleware, the ownership gate, the ledger) → harness (Playwright fixtures,
 * provider states, the checks' vocabulary) → report (findings, summary,
 * coverage, reporters). Tools use every floor but the harness; the bench uses
 * the floors up to the client; the checks (tests/) may use everything.
 */
import { test, expect } from '@playwright/test';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');

/** The floors, bottom first. */
const FLOORS = ['settings', 'contract', 'client', 'harness', 'report'] as const;
const upTo = (floor: (typeof FLOORS)[number]) => FLOORS.slice(0, FLOORS.indexOf(floor) + 1) as string[];

/** What each place may import from fixtures/. */
const ALLOWED: Record<string, string[]> = {
  ...Object.fromEntries(FLOORS.map((f) => [`fixtures/${f}`, upTo(f)])),
  tools: ['settings', 'contract', 'client', 'report'],
  bench: upTo('client'),
};

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...tsFiles(p));
    else if (name.endsWith('.ts')) out.push(p);
  }
  return out;
}

/** The fixtures layers a file imports (relative imports that land in fixtures/<layer>/). */
function importedLayers(file: string): { layer: string; spec: string }[] {
  const text = readFileSync(file, 'utf8');
  const out: { layer: string; spec: string }[] = [];
  for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*|require\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g)) {
    const target = relative(ROOT, resolve(dirname(file), m[1]!));
    const layer = /^fixtures\/([^/]+)\//.exec(target)?.[1];
    if (layer) out.push({ layer, spec: m[1]! });
    else if (target.startsWith('fixtures/')) out.push({ layer: '(flat fixtures/)', spec: m[1]! });
  }
  return out;
}

test('fixtures/ holds only the five floors', () => {
  const entries = readdirSync(join(ROOT, 'fixtures'));
  expect(entries.sort()).toEqual([...FLOORS].sort());
});

test('every import points down the floors (settings → contract → client → harness → report; tools never use the harness)', () => {
  const wrong: string[] = [];
  for (const [place, allowed] of Object.entries(ALLOWED)) {
    for (const file of tsFiles(join(ROOT, place))) {
      for (const { layer, spec } of importedLayers(file)) {
        if (!allowed.includes(layer)) wrong.push(`${relative(ROOT, file)} imports ${spec} (${layer})`);
      }
    }
  }
  expect(wrong).toEqual([]);
});

test('the layer rule is not vacuous: it sees the imports it judges', () => {
  const seen = tsFiles(join(ROOT, 'fixtures', 'harness')).flatMap(importedLayers).map((i) => i.layer);
  expect(new Set(seen)).toEqual(new Set(['settings', 'contract', 'client', 'harness']));
});
