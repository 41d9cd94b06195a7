/**
 * The rule catalogue (fixtures/contract/rules.ts) and the rule × side view
 * (fixtures/report/rule-coverage.ts): both sides of every constraint of the
 * document in force become cases, a constraint added to the document gets both
 * sides without a new test, only this run's e-mails are ever sent, and the view
 * names the rules tested on one side only.
 */
import { test, expect } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { caseTags, deriveCatalogue, fieldSamples, isDynamic, type Catalogue } from '../fixtures/contract/rules';
import { oneSided, ruleCoverageLine, ruleCoverageMarkdown, ruleRows, untested } from '../fixtures/report/rule-coverage';
import { childEnv } from '../fixtures/settings/env';
import { startReferenceServer } from '../server';
import { newClients, ROOT, runPlaywright, suiteEnv } from './support';

const contract = () => JSON.parse(readFileSync(join(ROOT, 'schemas', 'managed-users.openapi.json'), 'utf8'));
const PUBLISHED = join(ROOT, '..', 'shared', 'reference', 'calcom-api-v2-openapi.json');

/** Constraints (not waived) lacking a case on a side. */
function missingSides(c: Catalogue): string[] {
  const out: string[] = [];
  for (const r of c.rules.filter((x) => x.kind === 'constraint' && x.source === 'document')) {
    for (const side of ['accept', 'reject'] as const) {
      if (r.waived?.[side]) continue;
      if (!c.cases.some((x) => x.side === side && x.covers.includes(r.id))) out.push(`${r.id} ${side}`);
    }
  }
  return out;
}

test('every constraint of the committed contract has an accepting and a rejecting case: no side is waived', () => {
  const c = deriveCatalogue(contract());
  expect(missingSides(c)).toEqual([]);
  const ids = c.rules.map((r) => r.id);
  for (const id of ['create.metadata.maxProperties', 'create.metadata.keyMaxLength', 'create.metadata.values.maxLength', 'list.limit.minimum', 'list.limit.maximum', 'list.offset.minimum', 'list.offset.maximum', 'create.timeFormat.enum', 'update.body.type']) expect(ids).toContain(id);
  const titles = c.cases.map((x) => x.title);
  expect(new Set(titles).size).toBe(titles.length);
  // The edges the facts name, on both sides.
  const values = (id: string, side: 'accept' | 'reject') => c.cases.filter((x) => x.side === side && x.covers.includes(id)).flatMap((x) => x.variants ?? [{ q: x.query?.value }]);
  expect(values('create.metadata.maxProperties', 'accept')).toEqual([{ metadata: expect.objectContaining({ k49: 49 }) }]);
  expect(Object.keys((values('create.metadata.maxProperties', 'reject')[0]!.metadata as object))).toHaveLength(51);
  expect(values('list.limit.maximum', 'accept')).toEqual([{ q: '250' }]);
  expect(values('list.limit.maximum', 'reject')).toEqual([{ q: '251' }]);
  expect(values('list.offset.minimum', 'reject')).toEqual([{ q: '-1' }]);
  expect(values('create.name.type', 'accept')).toEqual([{ name: '' }]);
  // A numeric string ("24") is a version behaviour: the wrong type sent is a non-numeric string.
  expect(values('create.timeFormat.type', 'reject')).toEqual([{ timeFormat: 'abc' }]);
  expect(values('update.timeFormat.type', 'reject')).toEqual([{ timeFormat: 'abc' }]);
  expect(values('create.weekStart.enum', 'reject')).toEqual([{ weekStart: 'monday' }, { weekStart: ' Monday' }, { weekStart: 'Monday ' }, { weekStart: 'nope-Monday' }]); // near misses, then one far off
  expect(c.rules.filter((r) => r.waived && r.kind === 'constraint' && r.source === 'document').map((r) => r.id)).toEqual([]);
  // The e-mail has no format in the published document: no format rule, and no malformed address sent as a rule case.
  expect(ids.filter((id) => /email\.format/.test(id) && !id.startsWith('list.'))).toEqual([]);
  for (const x of c.cases) expect(caseTags(x)[0]).toMatch(/^@(spec|upstream|inferred)$/);
});

test('a constraint added to the document gets both sides checked, with no new test', () => {
  const doc = contract();
  doc.components.schemas.CreateManagedUserInput.properties.name.maxLength = 80;
  doc.components.schemas.UpdateManagedUserInput.properties.nickname = { type: 'string', nullable: true, minLength: 2 };
  doc.paths['/v2/oauth-clients/{clientId}/users'].get.parameters.push({ name: 'page', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 9 } });
  const c = deriveCatalogue(doc);
  expect(missingSides(c)).toEqual([]);
  const sides = (id: string) => c.cases.filter((x) => x.covers.includes(id)).map((x) => `${x.side} ${JSON.stringify(x.variants ?? x.query)}`);
  expect(sides('create.name.maxLength')).toEqual([`accept [{"name":"${'x'.repeat(80)}"}]`, `reject [{"name":"${'x'.repeat(81)}"}]`]);
  expect(sides('update.nickname.minLength')).toEqual(['accept [{"nickname":"xx"}]', 'reject [{"nickname":"x"}]']);
  expect(sides('update.nickname.nullable')).toEqual(['accept [{"nickname":null}]']);
  expect(c.rules.find((r) => r.id === 'update.nickname.nullable')?.waived?.reject).toBeTruthy();
  expect(sides('list.page.maximum')).toEqual(['accept {"name":"page","value":"9"}', 'reject {"name":"page","value":"10"}']);
});

test('only this run\'s e-mails are ever sent: e-mail values are filled in when the check runs, and e-mail bounds are waived', () => {
  const docs = [contract(), ...(existsSync(PUBLISHED) ? [JSON.parse(readFileSync(PUBLISHED, 'utf8'))] : [])];
  const doc = contract();
  doc.components.schemas.CreateManagedUserInput.properties.email.maxLength = 100;
  docs.push(doc);
  for (const d of docs) {
    const c = deriveCatalogue(d);
    for (const x of c.cases) for (const v of x.variants ?? []) if (typeof v.email === 'string') throw new Error(`case "${x.title}" sends the literal e-mail ${v.email}`);
    // Where the document is looser than the facts, known fields keep their meaning: never "" for a time zone or an avatar.
    for (const x of c.cases.filter((y) => y.side === 'accept')) for (const v of x.variants ?? []) for (const f of ['timeZone', 'avatarUrl']) expect(v[f], x.title).not.toBe('');
  }
  expect(deriveCatalogue(doc).rules.find((r) => r.id === 'create.email.length')?.waived).toEqual({ accept: expect.stringMatching(/namespaced/), reject: expect.stringMatching(/namespaced/) });
  expect(deriveCatalogue(contract()).cases.some((x) => x.variants?.some((v) => isDynamic(v.email)))).toBe(true);
});

test('explore draws edge and invalid values from the same cases', () => {
  const create = fieldSamples(contract(), 'create');
  expect(create.get('timeZone')?.edge).toEqual(expect.arrayContaining(['UTC', 'America/Argentina/Buenos_Aires']));
  expect(create.get('timeZone')?.invalid).toEqual(expect.arrayContaining(['', 'invalid-timezone', 123]));
  expect(create.get('email')?.edge ?? []).toEqual([]);
});

test('the rule × side view names every rule tested on one side only, and every untested one; waived sides are not required', () => {
  const c = deriveCatalogue(contract());
  const all = c.cases.flatMap((x) => x.covers.map((rule) => ({ rule, side: x.side, check: x.title })));
  const promises = c.rules.filter((r) => r.kind === 'promise').map((r) => ({ rule: r.id, side: 'holds' as const, check: 'by hand' }));
  const facts: { rule: string; side: 'accept' | 'reject'; check: string }[] = [];
  const full = ruleRows(c, [...all, ...promises, ...facts]);
  expect(oneSided(full)).toEqual([]);
  expect(untested(full)).toEqual([]);
  expect(ruleCoverageLine(full)).toMatch(/^rules: (\d+)\/\1 seen on every side; none on one side only$/);

  const partial = ruleRows(c, [...all.filter((r) => !(r.rule === 'list.limit.maximum' && r.side === 'reject')), ...promises.slice(1), ...facts]);
  expect(oneSided(partial).map((r) => `${r.rule.id} ${r.missing.join()}`)).toEqual(['list.limit.maximum reject']);
  expect(untested(partial).map((r) => r.rule.id)).toEqual([promises[0]!.rule]);
  expect(ruleCoverageLine(partial)).toContain('one side only: list.limit.maximum (no reject)');
  const md = ruleCoverageMarkdown(partial);
  expect(md).toContain('**Tested on one side only:** `list.limit.maximum` (no reject check)');
});

test('the sides travel in the checks\' records: the shards of a run, merged, give the whole view and the whole matrix', async () => {
  test.setTimeout(180_000);
  const dir = mkdtempSync(join(tmpdir(), 'rules-shards-'));
  const clients = newClients();
  const server = await startReferenceServer({ clients, port: 0 });
  try {
    const blob = join(dir, 'blob');
    mkdirSync(blob);
    for (const shard of [1, 2]) {
      const run = await runPlaywright(['--project=contract', `--shard=${shard}/2`], suiteEnv(server.url, clients, join(dir, `s${shard}`), { CONTRACT_BLOB: '1', CONTRACT_REPORT_DIR: join(dir, `s${shard}`, 'reports') }), 150_000);
      expect(run.code, run.stdout.slice(-1500)).toBe(0);
      // Each shard alone covers part of the contract: its view says so.
      expect(run.stdout).toMatch(/coverage: partial run \(--shard=\d\/2\)/);
      for (const f of readdirSync(join(dir, `s${shard}`, 'reports', 'blob'))) renameSync(join(dir, `s${shard}`, 'reports', 'blob', f), join(blob, `${shard}-${f}`));
    }
    const merged = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'tools', 'coverage.ts'), blob], { cwd: ROOT, env: childEnv({ CONTRACT_REPORT_DIR: join(dir, 'merged') }), encoding: 'utf8', timeout: 120_000 });
    expect(merged.status, merged.stdout + merged.stderr).toBe(0);
    expect(merged.stdout).toMatch(/^coverage: (\d+)\/\1 \(operation, status\) pairs exercised, no gaps/m);
    expect(merged.stdout).toMatch(/^rules: (\d+)\/\1 seen on every side; none on one side only$/m);
    expect(readFileSync(join(dir, 'merged', 'coverage.md'), 'utf8')).toContain('## Rules × sides');
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
