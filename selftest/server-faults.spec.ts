/**
 * The reference server's faults are patches at its seams (server/seams.ts,
 * server/faults/): each fault is one entry, and the legal server carries no
 * fault branches. Its variants (server/variants/) are stacks of such patches:
 * only they and the faults name faults, and the legal code never branches on
 * a variant. These checks keep it so.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect, test } from '@playwright/test';
import { FAULTS, VARIANT_NAMES } from '../server';
import { createAnswers } from '../server/answers';
import { resolveConfig } from '../server/config';
import { legalSeams } from '../server/instance';
import { seedPreexisting } from '../server/preexisting';
import type { Env, Seams } from '../server/seams';
import { createStore } from '../server/store';
import { ROOT } from './support';

const SERVER = join(ROOT, 'server');
const FAULTS_DIR = join(SERVER, 'faults');
const VARIANTS_DIR = join(SERVER, 'variants');

/** The .ts files under `dir`, but those under `skip`. */
function tsFiles(dir: string, skip: readonly string[] = [FAULTS_DIR, VARIANTS_DIR]): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return skip.includes(p) ? [] : tsFiles(p, skip);
    return name.endsWith('.ts') ? [p] : [];
  });
}

const IDS = FAULTS.map((f) => ({ id: f.id, re: new RegExp(`(?<![\\w-])${f.id}(?![\\w-])`) }));
/** `fault ===`, `cfg.fault !==`, `=== ctx.fault`, `activeFault ==`; not `default ===`. */
const COMPARISON = /(?<![\w$])fault\s*[!=]==?|[!=]==?\s*(?:[\w$]+\.)*fault(?![\w$])|[a-z]Fault\s*[!=]==?/;

/** The variants other than standard and legal: versions and the second legal one, named only where they are made. */
const NAMED_VARIANTS = VARIANT_NAMES.filter((v) => v !== 'standard' && v !== 'legal').map((v) => ({ v, re: new RegExp(`(?<![\\w-])${v}(?![\\w-])`) }));
/** `variant ===`, `cfg.variant !==`, `=== opts.variant`. */
const VARIANT_COMPARISON = /(?<![\w$])variant\s*[!=]==?|[!=]==?\s*(?:[\w$]+\.)*variant(?![\w$])/;

/** Where a text names a fault id or compares something called fault (or, with `variants`, names or compares a variant). */
function scan(text: string, name: string, variants = false): string[] {
  const found: string[] = [];
  text.split('\n').forEach((line, i) => {
    for (const { id, re } of IDS) if (re.test(line)) found.push(`${name}:${i + 1} names ${id}`);
    if (COMPARISON.test(line)) found.push(`${name}:${i + 1} compares against a fault: ${line.trim()}`);
    if (!variants) return;
    for (const { v, re } of NAMED_VARIANTS) if (re.test(line)) found.push(`${name}:${i + 1} names variant ${v}`);
    if (VARIANT_COMPARISON.test(line)) found.push(`${name}:${i + 1} compares against a variant: ${line.trim()}`);
  });
  return found;
}

test('no server file outside server/faults/ and server/variants/ names a fault or a variant, or compares against one', () => {
  const files = tsFiles(SERVER);
  expect(files.length).toBeGreaterThan(15);
  expect(files.flatMap((file) => scan(readFileSync(file, 'utf8'), relative(ROOT, file), true))).toEqual([]);
});

test('server/variants/ names faults but compares against none', () => {
  const files = tsFiles(VARIANTS_DIR, []);
  expect(files.length).toBeGreaterThan(1);
  const comparisons = files.flatMap((file) => scan(readFileSync(file, 'utf8'), relative(ROOT, file)).filter((f) => f.includes(' compares ')));
  expect(comparisons).toEqual([]);
});

test('the rule is not vacuous: it sees every fault id in the catalogue, and a fault branch', () => {
  const catalogue = readdirSync(FAULTS_DIR).map((name) => readFileSync(join(FAULTS_DIR, name), 'utf8')).join('\n');
  const named = new Set(scan(catalogue, 'faults').map((f) => f.split(' names ')[1]));
  expect(FAULTS.filter((f) => !named.has(f.id)).map((f) => f.id)).toEqual([]);
  expect(scan("  if (fault === 'create-200') return 200;", 'x')).toHaveLength(2);
  expect(scan('  const f = cfg.fault;\n  if (other !== ctx.fault) x();\n  if (activeFault == null) y();', 'x')).toHaveLength(2);
  expect(scan('  if (options.default === 1) z();', 'x')).toEqual([]);
  expect(scan("  if (cfg.variant === 'x') a();\n  const v = 'calcom-2025-05';\n  if (opts.variant) b();", 'x', true)).toHaveLength(2);
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
