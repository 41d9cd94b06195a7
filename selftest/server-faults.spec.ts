/**
 * The reference server's faults are patches at its seams (server/seams.ts,
 * server/faults/): each fault is one entry, and the legal server carries no
 * fault branches. These checks keep it so.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect, test } from '@playwright/test';
import { FAULTS } from '../server';
import { createAnswers } from '../server/answers';
import { resolveConfig } from '../server/config';
import { legalSeams } from '../server/instance';
import { seedPreexisting } from '../server/preexisting';
import type { Env, Seams } from '../server/seams';
import { createStore } from '../server/store';
import { ROOT } from './support';

const SERVER = join(ROOT, 'server');
const FAULTS_DIR = join(SERVER, 'faults');

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return p === FAULTS_DIR ? [] : tsFiles(p);
    return name.endsWith('.ts') ? [p] : [];
  });
}

const IDS = FAULTS.map((f) => ({ id: f.id, re: new RegExp(`(?<![\\w-])${f.id}(?![\\w-])`) }));
/** `fault ===`, `cfg.fault !==`, `=== ctx.fault`, `activeFault ==`; not `default ===`. */
const COMPARISON = /(?<![\w$])fault\s*[!=]==?|[!=]==?\s*(?:[\w$]+\.)*fault(?![\w$])|[a-z]Fault\s*[!=]==?/;

/** Where a text names a fault id or compares something called fault. */
function scan(text: string, name: string): string[] {
  const found: string[] = [];
  text.split('\n').forEach((line, i) => {
    for (const { id, re } of IDS) if (re.test(line)) found.push(`${name}:${i + 1} names ${id}`);
    if (COMPARISON.test(line)) found.push(`${name}:${i + 1} compares against a fault: ${line.trim()}`);
  });
  return found;
}

test('no server file outside server/faults/ names a fault or compares against one', () => {
  const files = tsFiles(SERVER);
  expect(files.length).toBeGreaterThan(15);
  expect(files.flatMap((file) => scan(readFileSync(file, 'utf8'), relative(ROOT, file)))).toEqual([]);
});

test('the rule is not vacuous: it sees every fault id in the catalogue, and a fault branch', () => {
  const catalogue = readdirSync(FAULTS_DIR).map((name) => readFileSync(join(FAULTS_DIR, name), 'utf8')).join('\n');
  const named = new Set(scan(catalogue, 'faults').map((f) => f.split(' names ')[1]));
  expect(FAULTS.filter((f) => !named.has(f.id)).map((f) => f.id)).toEqual([]);
  expect(scan("  if (fault === 'create-200') return 200;", 'x')).toHaveLength(2);
  expect(scan('  const f = cfg.fault;\n  if (other !== ctx.fault) x();\n  if (activeFault == null) y();', 'x')).toHaveLength(2);
  expect(scan('  if (options.default === 1) z();', 'x')).toEqual([]);
});

test('every fault is a patch that replaces one or more existing seams, and nothing else', () => {
  const cfg = resolveConfig({ clients: [{ id: 'c1', secret: 's1' }, { id: 'c2', secret: 's2' }], preexistingUsers: 2, lookalikes: 1 });
  const store = createStore(cfg);
  const env: Env = { cfg, store, preexisting: seedPreexisting(cfg, store), answers: createAnswers(cfg.msgs) };
  const legal = legalSeams(env, {} as Seams);
  const names = new Set(Object.keys(legal));
  expect(names.size).toBeGreaterThan(30);
  for (const f of FAULTS) {
    const replaced = Object.keys(f.patch(legal, env));
    expect(replaced.length, f.id).toBeGreaterThan(0);
    expect(replaced.filter((name) => !names.has(name)), f.id).toEqual([]);
  }
});
