/**
 * Every contract document is checked against the OpenAPI 3.0 schema before
 * use (fixtures/contract/openapi-validation.ts): a misspelt keyword stops the run in
 * one line naming the JSON pointer, and the committed and published
 * documents are accepted.
 */
import { test, expect } from '@playwright/test';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SpecError } from '../fixtures/contract/openapi';
import { validateOpenApiDocument } from '../fixtures/contract/openapi-validation';
import { runDrift } from '../tools/drift';
import { ROOT, newClients, runPlaywright, suiteEnv } from './support';

const CONTRACT = join(ROOT, 'schemas', 'managed-users.openapi.json');
const contractText = readFileSync(CONTRACT, 'utf8');
const PUBLISHED = resolve(ROOT, '..', 'shared', 'reference', 'calcom-api-v2-openapi.json');
const NO_PUBLISHED = 'the shared reference data (../shared/reference) is not present in this clone';

function variantText(mutate: (doc: any) => void): string {
  const doc = JSON.parse(contractText);
  mutate(doc);
  return JSON.stringify(doc);
}

/** validateOpenApiDocument must reject with a one-line SpecError matching every pattern. */
async function expectRefused(text: string, source: string, ...patterns: RegExp[]): Promise<string> {
  const error: unknown = await validateOpenApiDocument(text, source).then(() => null, (e: unknown) => e);
  expect(error, `${source} was accepted`).toBeInstanceOf(SpecError);
  const message = (error as Error).message;
  expect(message).not.toContain('\n');
  for (const p of patterns) expect(message).toMatch(p);
  return message;
}

let dir = '';
test.beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'openapi-validation-'));
});
test.afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test.describe('validateOpenApiDocument', () => {
  test('the committed contract is valid OpenAPI 3.0', async () => {
    await expect(validateOpenApiDocument(contractText, CONTRACT)).resolves.toBeUndefined();
  });

  test('the published excerpt is valid OpenAPI 3.0', async () => {
    test.skip(!existsSync(PUBLISHED), NO_PUBLISHED);
    await expect(validateOpenApiDocument(readFileSync(PUBLISHED, 'utf8'), PUBLISHED)).resolves.toBeUndefined();
  });

  test('a misspelt keyword is named with its JSON pointer, at any depth', async () => {
    await expectRefused(
      variantText((d) => (d.components.schemas.ManagedUserOutput.requird = ['id'])),
      'requird.json',
      /^the contract document requird\.json is not valid OpenAPI 3\.0: #\/components\/schemas\/ManagedUserOutput has an unknown field "requird" \(misspelt\?\): fix the document$/,
    );
    await expectRefused(
      variantText((d) => (d.components.schemas.KeysDto.properties.accessToken.tpye = 'string')),
      'tpye.json',
      /: #\/components\/schemas\/KeysDto\/properties\/accessToken has an unknown field "tpye" \(misspelt\?\): fix the document$/,
    );
  });

  test('a wrong value names the pointer, what is allowed and what was found; further problems are counted', async () => {
    await expectRefused(
      variantText((d) => {
        d.components.schemas.Weekday.type = 'strin';
        d.components.schemas.ManagedUserOutput.requird = ['id'];
      }),
      'two.json',
      /: #\/components\/schemas\/Weekday\/type must be one of .*"string".*, got "strin" \(and 1 more\): fix the document$/,
    );
    await expectRefused(variantText((d) => delete d.info), 'noinfo.json', /: the document root lacks the required field "info"/);
  });
});

test.describe('the runner', () => {
  test('a CONTRACT_SPEC with a misspelt keyword stops the run in global setup: one line, exit 2', async () => {
    const file = join(dir, 'misspelt.json');
    writeFileSync(file, variantText((d) => (d.components.schemas.ManagedUserOutput.properties.email.tpye = 'string')));
    // The spec is checked before the preflight, so the (unreachable) server is never asked.
    const run = await runPlaywright(['--project=contract', '--grep', 'nothing-matches-this'], suiteEnv('http://127.0.0.1:9', newClients(), dir, { CONTRACT_SPEC: file }), 30_000);
    expect(run.code, `stdout: ${run.stdout}\nstderr: ${run.stderr}`).toBe(2);
    expect(run.stderr).toBe(
      `contract suite: the contract document ${file} is not valid OpenAPI 3.0: #/components/schemas/ManagedUserOutput/properties/email has an unknown field "tpye" (misspelt?): fix the document\n`,
    );
    expect(run.stdout + run.stderr).not.toContain('    at ');
  });

  test('npm run drift refuses a misspelt document: one line, exit 2', async () => {
    const file = join(dir, 'misspelt-drift.json');
    writeFileSync(file, variantText((d) => (d.components.schemas.CreateManagedUserInput.requird = ['email'])));
    let stdout = '';
    let stderr = '';
    const code = await runDrift([file], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd: ROOT });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^drift: the contract document .*misspelt-drift\.json is not valid OpenAPI 3\.0: #\/components\/schemas\/CreateManagedUserInput has an unknown field "requird"[^\n]*\n$/);
  });
});
