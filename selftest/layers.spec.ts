/**
 * The layout is the architecture: fixtures/ holds four layers, and imports
 * only point down. contract → client → harness, with the run plumbing beside
 * them (it may use the contract and the client, never the harness). Tools and
 * the bench use the contract, client and run layers, never the harness; the
 * checks (tests/) may use everything.
 */
import { test, expect } from '@playwright/test';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');

/** What each place may import from fixtures/. */
const ALLOWED: Record<string, string[]> = {
  'fixtures/contract': ['contract'],
  'fixtures/client': ['contract', 'client'],
  'fixtures/run': ['contract', 'client', 'run'],
  'fixtures/harness': ['contract', 'client', 'run', 'harness'],
  tools: ['contract', 'client', 'run'],
  bench: ['contract', 'client', 'run'],
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

test('fixtures/ holds only the four layer folders', () => {
  const entries = readdirSync(join(ROOT, 'fixtures'));
  expect(entries.sort()).toEqual(['client', 'contract', 'harness', 'run']);
});

test('every import points down the layers (contract → client → harness, run beside them; tools never use the harness)', () => {
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
  expect(new Set(seen)).toEqual(new Set(['contract', 'client', 'run', 'harness']));
});
