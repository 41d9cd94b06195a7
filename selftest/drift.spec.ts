/**
 * The drift tool: variants of the committed contract built in memory, the
 * published excerpt (when the shared reference data is present), and the CLI's
 * exit codes.
 */
import { test, expect } from '@playwright/test';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseContractDocument, type ContractDocument } from '../fixtures/contract/openapi';
import { RULES, compareContracts, formatTable, buildReport, type Difference, type Side } from '../tools/drift-lib';
import { runDrift } from '../tools/drift';
import { childEnv } from '../fixtures/settings/env';

const ROOT = resolve(__dirname, '..');
const CONTRACT = join(ROOT, 'schemas', 'managed-users.openapi.json');
const PUBLISHED = resolve(ROOT, '..', 'shared', 'reference', 'calcom-api-v2-openapi.json');
const LIST = '/v2/oauth-clients/{clientId}/users';
const ONE = '/v2/oauth-clients/{clientId}/users/{userId}';
const REFRESH = '/v2/oauth-clients/{clientId}/users/{userId}/force-refresh';

const base = JSON.parse(readFileSync(CONTRACT, 'utf8'));
const reference = parseContractDocument(JSON.stringify(base), 'contract');

function variant(mutate: (doc: any) => void): ContractDocument {
  const doc = structuredClone(base);
  mutate(doc);
  return parseContractDocument(JSON.stringify(doc), 'variant');
}

/** Findings without the explanatory sentence, for exact comparison. */
function drift(mutate: (doc: any) => void): Omit<Difference, 'why'>[] {
  return compareContracts(reference, variant(mutate)).map(({ why: _why, ...rest }) => rest);
}

const op = (name: string) => `OAuthClientUsersController_${name}` as Difference['operationId'];
const USER_OPS = [
  ['getManagedUsers', 'response 200 /data/[]'],
  ['createUser', 'response 201 /data/user'],
  ['getUserById', 'response 200 /data'],
  ['updateUser', 'response 200 /data'],
  ['deleteUser', 'response 200 /data'],
] as const;

/** The same change to the user object, reported once per operation that returns a user. */
function everyUser(field: string, change: Difference['change'], before: string, after: string, severity: Difference['severity']) {
  return USER_OPS.map(([name, where]) => ({ operationId: op(name), location: `${where}/${field}`, change, before, after, severity }));
}

test.describe('compareContracts on variants of the committed contract', () => {
  test('identical documents: no differences', () => {
    expect(compareContracts(reference, variant(() => {}))).toEqual([]);
    expect(formatTable(buildReport('a', 'b', []))).toContain('no differences');
  });

  test('ManagedUserOutput.id integer → string is breaking wherever a user is returned', () => {
    const found = drift((d) => (d.components.schemas.ManagedUserOutput.properties.id = { type: 'string' }));
    expect(found).toEqual(everyUser('id', 'type-changed', 'integer', 'string', 'breaking'));
    expect(found).toContainEqual({
      operationId: op('getUserById'), location: 'response 200 /data/id', change: 'type-changed',
      before: 'integer', after: 'string', severity: 'breaking',
    });
  });

  test('a new required request property is breaking', () => {
    const found = drift((d) => {
      const input = d.components.schemas.CreateManagedUserInput;
      input.properties.organizationId = { type: 'integer' };
      input.required.push('organizationId');
    });
    expect(found).toEqual([{
      operationId: op('createUser'), location: 'request body /organizationId', change: 'required-property-added',
      before: '—', after: 'required', severity: 'breaking',
    }]);
  });

  test('a new optional response property is compatible', () => {
    const found = drift((d) => (d.components.schemas.ManagedUserOutput.properties.nickname = { type: 'string' }));
    expect(found).toEqual(everyUser('nickname', 'property-added', '—', 'optional', 'compatible'));
  });

  test('a response field made nullable is breaking', () => {
    const found = drift((d) => (d.components.schemas.ManagedUserOutput.properties.email.nullable = true));
    expect(found).toEqual(everyUser('email', 'nullable-added', 'not nullable', 'nullable', 'breaking'));
  });

  test('request enum: a locale added is compatible, a locale removed is breaking', () => {
    const locales: string[] = base.components.schemas.Locale.enum;
    const added = drift((d) => (d.components.schemas.CreateManagedUserInput.properties.locale = { type: 'string', enum: [...locales, 'fr-CA'] }));
    expect(added).toEqual([{
      operationId: op('createUser'), location: 'request body /locale', change: 'enum-value-added',
      before: '—', after: '"fr-CA"', severity: 'compatible',
    }]);
    const removed = drift((d) => (d.components.schemas.CreateManagedUserInput.properties.locale = { type: 'string', enum: locales.filter((l) => l !== 'bn') }));
    expect(removed).toEqual([{
      operationId: op('createUser'), location: 'request body /locale', change: 'enum-value-removed',
      before: '"bn"', after: '—', severity: 'breaking',
    }]);
  });

  test('a removed operation is breaking', () => {
    // A parsed document always has all six operations, so the removal is made on the parsed form.
    const other = variant(() => {});
    other.operations.delete(op('forceRefresh'));
    expect(compareContracts(reference, other).map(({ why: _w, ...d }) => d)).toEqual([{
      operationId: op('forceRefresh'), location: 'operation', change: 'operation-removed',
      before: `POST ${REFRESH}`, after: '—', severity: 'breaking',
    }]);
  });

  test('limit maximum lowered 250 → 100 is breaking', () => {
    const found = drift((d) => {
      const limit = d.paths[LIST].get.parameters.find((p: any) => p.name === 'limit');
      limit.schema.maximum = 100;
    });
    expect(found).toEqual([{
      operationId: op('getManagedUsers'), location: 'query parameter limit', change: 'bound-tightened',
      before: 'maximum 250', after: 'maximum 100', severity: 'breaking',
    }]);
  });

  test('a removed 404 response is compatible (and reported)', () => {
    const found = drift((d) => delete d.paths[ONE].get.responses['404']);
    expect(found).toEqual([{
      operationId: op('getUserById'), location: 'response 404', change: 'error-status-removed',
      before: '404', after: '—', severity: 'compatible',
    }]);
  });

  test('success status 201 → 200 is one breaking change', () => {
    const found = drift((d) => {
      const responses = d.paths[LIST].post.responses;
      responses['200'] = responses['201'];
      delete responses['201'];
    });
    expect(found).toEqual([{
      operationId: op('createUser'), location: 'response 201', change: 'success-status-changed',
      before: '201', after: '200', severity: 'breaking',
    }]);
  });

  test('renamed path parameters and reordered parameters are no difference; a changed method is', () => {
    const found = drift((d) => {
      for (const path of [ONE, REFRESH]) {
        d.paths[path.replace('{userId}', '{id}')] = d.paths[path];
        delete d.paths[path];
      }
      d.components.parameters.UserId.name = 'id';
      d.paths[LIST].get.parameters.reverse();
      const one = d.paths[ONE.replace('{userId}', '{id}')];
      one.put = one.patch;
      delete one.patch;
    });
    expect(found).toEqual([{
      operationId: op('updateUser'), location: 'operation', change: 'method-changed',
      before: 'PATCH', after: 'PUT', severity: 'breaking',
    }]);
  });

  test('request parameters: integer → number widens (compatible), a new required one breaks', () => {
    const found = drift((d) => {
      d.components.parameters.UserId.schema.type = 'number';
      d.paths[REFRESH].post.parameters = [{ name: 'reason', in: 'query', required: true, schema: { type: 'string' } }];
    });
    expect(found).toEqual([
      ...['getUserById', 'updateUser', 'deleteUser', 'forceRefresh'].map((name) => ({
        operationId: op(name), location: 'path parameter userId', change: 'type-widened',
        before: 'integer', after: 'number', severity: 'compatible',
      })),
      {
        operationId: op('forceRefresh'), location: 'query parameter reason', change: 'required-parameter-added',
        before: '—', after: 'required', severity: 'breaking',
      },
    ]);
  });

  test('recursive definitions terminate', () => {
    const cyclic = (d: any) => (d.components.schemas.ManagedUserOutput.properties.manager = { $ref: '#/components/schemas/ManagedUserOutput', nullable: true });
    const before = variant(cyclic);
    const after = variant((d) => {
      cyclic(d);
      d.components.schemas.ManagedUserOutput.properties.id = { type: 'string' };
    });
    const found = compareContracts(before, after).filter((x) => x.operationId === op('getUserById'));
    expect(found.map((x) => x.location)).toEqual(['response 200 /data/id']);
  });

  test('the rule table in the header comment matches RULES', () => {
    const source = readFileSync(join(ROOT, 'tools', 'drift-lib.ts'), 'utf8');
    const rows = new Map<string, string[]>();
    for (const m of source.matchAll(/^ \* \| ([a-z-]+)\s*\|([^\n]*)\|\s*$/gm)) {
      if (m[1] !== 'change') rows.set(m[1] ?? '', (m[2] ?? '').split('|').map((c) => c.trim()));
    }
    const sides: Side[] = ['operation', 'request', 'response'];
    for (const [kind, rules] of Object.entries(RULES)) {
      const expected = sides.map((s) => (rules as Partial<Record<Side, { severity: string }>>)[s]?.severity ?? '·');
      expect(rows.get(kind), `table row for ${kind}`).toEqual(expected);
    }
    expect([...rows.keys()].sort()).toEqual(Object.keys(RULES).sort());
  });
});

test.describe('against the published excerpt', () => {
  test('reports id integer → number as breaking and the undeclared error responses', () => {
    test.skip(!existsSync(PUBLISHED), 'the shared reference data (../shared/reference) is not present in this clone');
    const published = parseContractDocument(readFileSync(PUBLISHED, 'utf8'), 'published');
    const found = compareContracts(reference, published);
    expect(found).toContainEqual(expect.objectContaining({
      operationId: op('getUserById'), location: 'response 200 /data/id', change: 'type-widened',
      before: 'integer', after: 'number', severity: 'breaking',
    }));
    const errorsRemoved = found.filter((d) => d.change === 'error-status-removed');
    for (const [id, spec] of reference.operations) {
      const errorStatuses = [...spec.responses.keys()].filter((s) => !s.startsWith('2'));
      expect(errorsRemoved.filter((d) => d.operationId === id).map((d) => d.before), id).toEqual(errorStatuses);
    }
    expect(errorsRemoved.every((d) => d.severity === 'compatible')).toBe(true);
    // What clients send only got looser: nothing on the request side is breaking.
    expect(found.filter((d) => d.severity === 'breaking' && !d.location.startsWith('response'))).toEqual([]);
  });
});

test.describe('the CLI', () => {
  let dir = '';
  test.beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'drift-'));
  });
  test.afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function inProcess(argv: string[]) {
    let stdout = '';
    let stderr = '';
    const code = await runDrift(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd: ROOT });
    return { code, stdout, stderr };
  }

  function spawnCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const env = childEnv({ INIT_CWD: ROOT });
    return new Promise((done) => {
      execFile(process.execPath, ['--require', 'tsx/cjs', join(ROOT, 'tools', 'drift.ts'), ...args], { cwd: ROOT, env, timeout: 20_000 },
        (error, stdout, stderr) => done({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }));
    });
  }

  test('exit codes 0, 1 and 2 from the real process', async () => {
    const breakingFile = join(dir, 'breaking.json');
    const doc = structuredClone(base);
    doc.components.schemas.ManagedUserOutput.properties.id = { type: 'string' };
    writeFileSync(breakingFile, JSON.stringify(doc));
    const [same, breaking, missing] = await Promise.all([
      spawnCli([CONTRACT]),
      spawnCli([breakingFile]),
      spawnCli([join(dir, 'absent.json')]),
    ]);
    expect(same).toMatchObject({ code: 0, stderr: '' });
    expect(same.stdout).toContain('no differences');
    expect(breaking.code).toBe(1);
    expect(breaking.stdout).toMatch(/^\s+breaking\s+response 200 \/data\/id\s+type-changed\s+integer → string$/m);
    expect(breaking.stdout.trimEnd().split('\n').at(-1)).toBe('5 differences: 5 breaking, 0 compatible');
    expect(missing.code).toBe(2);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toMatch(/^drift: cannot read .*absent\.json \(ENOENT\)[^\n]*\n$/);
  });

  test('a document lacking an operation, or no argument: one line and exit 2', async () => {
    const lacking = join(dir, 'lacking.json');
    const doc = structuredClone(base);
    delete doc.paths[REFRESH];
    writeFileSync(lacking, JSON.stringify(doc));
    const result = await inProcess([lacking]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^drift: .*lacks operation OAuthClientUsersController_forceRefresh[^\n]*\n$/);

    const bare = await inProcess([]);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toMatch(/^drift: missing the document to compare[^\n]*\n$/);

    const unparsable = join(dir, 'broken.json');
    writeFileSync(unparsable, '{');
    const broken = await inProcess([CONTRACT, '--against', unparsable]);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/^drift: .*broken\.json is not valid JSON[^\n]*\n$/);
  });

  test('--json and --against', async () => {
    const compatibleFile = join(dir, 'compatible.json');
    const doc = structuredClone(base);
    delete doc.paths[ONE].delete.responses['404'];
    writeFileSync(compatibleFile, JSON.stringify(doc));
    const forward = await inProcess([compatibleFile, '--json']);
    expect(forward.code).toBe(0);
    const report = JSON.parse(forward.stdout);
    expect(report).toMatchObject({ against: join('schemas', 'managed-users.openapi.json'), other: compatibleFile, breaking: 0, compatible: 1 });
    expect(report.differences).toEqual([expect.objectContaining({ operationId: op('deleteUser'), change: 'error-status-removed', why: expect.any(String) })]);
    // The other way round the 404 is an added status: still compatible.
    const backward = await inProcess([CONTRACT, '--against', compatibleFile]);
    expect(backward.code).toBe(0);
    expect(backward.stdout).toMatch(/^\s+compatible\s+response 404\s+status-added\s+— → 404$/m);
    expect(backward.stdout).toContain('1 difference: 0 breaking, 1 compatible');
  });

  test('--accept: accepted breaking differences do not fail, a new one does; a bad baseline is one line and exit 2', async () => {
    const file = join(dir, 'id-string.json');
    const doc = structuredClone(base);
    doc.components.schemas.ManagedUserOutput.properties.id = { type: 'string' };
    doc.components.schemas.ManagedUserOutput.properties.name = { type: 'integer', nullable: true };
    writeFileSync(file, JSON.stringify(doc));
    const baseline = join(dir, 'baseline.json');
    writeFileSync(baseline, JSON.stringify({ accepted: [{ operation: '*', pointer: 'response * /data**/id', kind: 'type-changed', reason: 'reviewed: ids as strings' }] }));
    const partly = await inProcess([file, '--accept', baseline, '--json']);
    expect(partly.code).toBe(1);
    const report = JSON.parse(partly.stdout);
    expect(report.newBreaking).toBeGreaterThan(0);
    expect(report.differences.filter((d: { accepted?: unknown; location: string }) => d.accepted).every((d: { location: string }) => /\/id$/.test(d.location))).toBe(true);
    expect(report.differences.some((d: { accepted?: unknown }) => d.accepted)).toBe(true);
    writeFileSync(baseline, JSON.stringify({ accepted: [{ operation: '*', pointer: 'response * /data**', kind: '*', reason: 'reviewed: all of it' }] }));
    const all = await inProcess([file, '--accept', baseline]);
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/breaking \(\d+ accepted, 0 new\)/);
    writeFileSync(baseline, JSON.stringify({ accepted: [{ operation: '*', pointer: 'x', kind: '*' }] }));
    const bad = await inProcess([file, '--accept', baseline]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^drift: --accept .*baseline\.json: accepted\[0\] needs a non-empty "reason"[^\n]*\n$/);
  });

  test('the shipped baseline accepts every breaking difference of the published excerpt, each with its reason', async () => {
    test.skip(!existsSync(PUBLISHED), 'the shared reference data (../shared/reference) is not present in this clone');
    const r = await inProcess([PUBLISHED, '--accept', join('schemas', 'accepted', 'published-excerpt-drift.json'), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.newBreaking).toBe(0);
    expect(report.breaking).toBeGreaterThan(0);
  });
});

