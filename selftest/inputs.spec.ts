/**
 * The faker input builders (fixtures/contract/inputs.ts) with the committed contract:
 * replayable, in the run's namespace, valid against the request schemas, and
 * driven by the schema for properties the code has never heard of.
 */
import { test, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { parseContractDocument, type ContractDocument } from '../fixtures/contract/openapi';
import { DEFAULT_TIME_ZONE, Inputs, TIME_ZONES, namespaceTag, parseOwnEmail, seedFor, type Namespace } from '../fixtures/contract/inputs';

const ROOT = resolve(__dirname, '..');
const contractText = readFileSync(join(ROOT, 'schemas', 'managed-users.openapi.json'), 'utf8');
const contractJson = JSON.parse(contractText);
const contract = parseContractDocument(contractText, 'contract.json');
const NS: Namespace = { prefix: 'ctr', runId: '0t5abcd123', domain: 'example.com' };
const TITLE = ['create.spec.ts', 'create', 'a user with every optional field'];

const inputsFor = (titlePath: string[] = TITLE, runSeed = 42, doc: ContractDocument = contract) => new Inputs(doc, NS, seedFor(runSeed, ...titlePath));

/** ajv (strict) over a document's definitions: a validator for one of them. */
function validatorFor(doc: ContractDocument, name: string): ValidateFunction {
  const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, strictRequired: false });
  addFormats(ajv);
  ajv.addSchema({ $id: 'https://contract.invalid/inputs.json', definitions: doc.definitions });
  const fn = ajv.getSchema(`https://contract.invalid/inputs.json#/definitions/${name}`);
  if (!fn) throw new Error(`no definition ${name}`);
  return fn;
}
const validCreate = validatorFor(contract, 'CreateManagedUserInput');
const validUpdate = validatorFor(contract, 'UpdateManagedUserInput');

/** Bodies from many tests' seeds, for properties that must hold for every seed. */
const MANY = Array.from({ length: 150 }, (_, i) => inputsFor(['many.spec.ts', `check ${i}`]));

test.describe('replay', () => {
  test('the same run seed and title path give identical bodies', () => {
    const a = inputsFor();
    const b = inputsFor();
    expect(a.seed).toBe(b.seed);
    expect(b.createBody({ every: true })).toEqual(a.createBody({ every: true }));
    expect(b.createBody()).toEqual(a.createBody());
    expect(b.updateBody()).toEqual(a.updateBody());
    expect(b.email()).toBe(a.email());
  });

  test('another title path, or another run seed, gives different bodies', () => {
    const base = inputsFor().createBody({ every: true });
    const other = inputsFor([...TITLE.slice(0, 2), 'a user with every optional field, again']).createBody({ every: true });
    const reseeded = inputsFor(TITLE, 43).createBody({ every: true });
    for (const body of [other, reseeded]) {
      expect(body).not.toEqual(base);
      expect(body.email).not.toBe(base.email);
      expect(body.name).not.toBe(base.name);
    }
    // The title path is joined unambiguously: ['a', 'b c'] is not ['a b', 'c'].
    expect(seedFor(1, 'a', 'b c')).not.toBe(seedFor(1, 'a b', 'c'));
  });
});

test.describe('e-mails', () => {
  test('1000 e-mails: lower-case, unique, tagged with the namespace, and ours to parseOwnEmail', () => {
    const inputs = inputsFor();
    const emails = Array.from({ length: 1000 }, () => inputs.email());
    expect(new Set(emails).size).toBe(1000);
    expect(namespaceTag(NS)).toBe('ctr-0t5abcd123-');
    expect(emails.filter((e) => e !== e.toLowerCase())).toEqual([]);
    expect(emails.filter((e) => !e.startsWith('ctr-0t5abcd123-') || !e.endsWith('@example.com'))).toEqual([]);
    expect(emails.filter((e) => !/^[a-z0-9.-]+@[a-z0-9.-]+$/.test(e))).toEqual([]);
    const createdAt = parseInt('0t5abcd', 36) * 1000;
    const parsed = new Set(emails.map((e) => JSON.stringify(parseOwnEmail(e, 'ctr'))));
    const suffixed = new Set(emails.map((e) => JSON.stringify(parseOwnEmail(e.replace('@', '+clsx38nbl0001vkhlwin9fmt0@'), 'ctr'))));
    expect([...parsed]).toEqual([JSON.stringify({ runId: NS.runId, createdAt })]);
    expect([...suffixed]).toEqual([...parsed]);
  });

  test('two tests of one run never share an e-mail', () => {
    const a = MANY.slice(0, 20).flatMap((i) => [i.email(), i.email()]);
    expect(new Set(a).size).toBe(a.length);
  });
});

test.describe('bodies against the request schemas', () => {
  test('createBody({every: true}) has every CreateManagedUserInput property and is valid', () => {
    const declared = Object.keys(contractJson.components.schemas.CreateManagedUserInput.properties).sort();
    const bodies = MANY.slice(0, 60).map((i) => i.createBody({ every: true }));
    expect(new Set(bodies.map((b) => Object.keys(b).sort().join()))).toEqual(new Set([declared.join()]));
    expect(bodies.flatMap((b) => (validCreate(b) ? [] : [JSON.stringify(validCreate.errors)]))).toEqual([]);
  });

  test('createBody() has exactly the required properties; omit removes one', () => {
    const inputs = inputsFor();
    const body = inputs.createBody();
    expect(Object.keys(body).sort()).toEqual(['email', 'name']);
    expect(validCreate(body)).toBe(true);
    expect(Object.keys(inputs.createBody({ every: true, omit: ['bio', 'metadata'] })).sort()).toEqual(
      ['avatarUrl', 'email', 'locale', 'name', 'timeFormat', 'timeZone', 'weekStart'],
    );
    expect(Object.keys(inputs.createBody({ omit: ['name'] }))).toEqual(['email']);
  });

  test('updateBody() is valid against UpdateManagedUserInput and never sends defaultScheduleId', () => {
    const declared = Object.keys(contractJson.components.schemas.UpdateManagedUserInput.properties).filter((k) => k !== 'defaultScheduleId').sort();
    const bodies = MANY.slice(0, 60).map((i) => i.updateBody());
    expect(bodies.filter((b) => 'defaultScheduleId' in b)).toEqual([]);
    expect(new Set(bodies.map((b) => Object.keys(b).sort().join()))).toEqual(new Set([declared.join()]));
    expect(bodies.flatMap((b) => (validUpdate(b) ? [] : [JSON.stringify(validUpdate.errors)]))).toEqual([]);
    // Only the fields asked for — a reference too, when asked for by name.
    const only = inputsFor().updateBody(['locale', 'defaultScheduleId']);
    expect(Object.keys(only).sort()).toEqual(['defaultScheduleId', 'locale']);
    expect(Number.isInteger(only.defaultScheduleId)).toBe(true);
  });

  test('time zones: canonical IANA names Intl accepts, never the default Europe/London', () => {
    // ICU (Node 20) still resolves a few current IANA names to their legacy links; newer runtimes may not.
    const ICU_LEGACY: Record<string, string> = { 'Asia/Kolkata': 'Asia/Calcutta', 'Europe/Kyiv': 'Europe/Kiev', 'Asia/Ho_Chi_Minh': 'Asia/Saigon' };
    const supported = new Set(Intl.supportedValuesOf('timeZone'));
    expect(TIME_ZONES).not.toContain(DEFAULT_TIME_ZONE);
    const seen = new Set(MANY.map((i) => i.createBody({ every: true }).timeZone as string));
    expect(seen.size).toBeGreaterThan(5);
    for (const tz of new Set([...TIME_ZONES, ...seen])) {
      expect(TIME_ZONES, tz).toContain(tz);
      expect(tz).toMatch(/^[A-Z][A-Za-z_]+\/[A-Z][A-Za-z_]+$/);
      const resolved = new Intl.DateTimeFormat('en-US', { timeZone: tz }).resolvedOptions().timeZone;
      expect([tz, ICU_LEGACY[tz]], tz).toContain(resolved);
      expect(supported.has(tz) || supported.has(ICU_LEGACY[tz] ?? tz), tz).toBe(true);
    }
  });

  test('enum members: the first until the target has taken one, then only members it has taken, whatever the seed', () => {
    const allowed: string[] = contractJson.components.schemas.Locale.enum;
    const first = MANY.flatMap((i) => [i.createBody({ every: true }).locale, i.updateBody().locale, i.createBody({ every: true }).weekStart, i.updateBody().timeFormat]);
    expect(new Set(first)).toEqual(new Set([allowed[0], 'Monday', 12]));
    const taken = new Set<unknown>(['de', 'pt-BR', 'nope', 'Friday', 24]);
    const later = Array.from({ length: 150 }, (_, i) => new Inputs(contract, NS, seedFor(42, 'many.spec.ts', `check ${i}`), () => taken));
    const locales = later.flatMap((i) => [i.createBody({ every: true }).locale, i.updateBody().locale]);
    expect(new Set(locales)).toEqual(new Set(['de', 'pt-BR']));
    expect(new Set(later.map((i) => i.createBody({ every: true }).weekStart))).toEqual(new Set(['Friday']));
    expect(new Set(later.map((i) => i.updateBody().timeFormat))).toEqual(new Set([24]));
  });

  test('metadata stays within the documented limits (50 keys, key ≤ 40, value string ≤ 500 | number | boolean)', () => {
    const all = MANY.flatMap((i) => [i.metadata(), i.createBody({ every: true }).metadata as Record<string, unknown>]);
    const counts = all.map((m) => Object.keys(m).length);
    expect(Math.min(...counts)).toBeGreaterThanOrEqual(2);
    expect(Math.max(...counts)).toBeLessThanOrEqual(50);
    expect(all.flatMap((m) => Object.keys(m)).filter((k) => k.length === 0 || k.length > 40)).toEqual([]);
    const values = all.flatMap((m) => Object.values(m));
    expect(values.filter((v) => !(typeof v === 'number' || typeof v === 'boolean' || (typeof v === 'string' && v.length <= 500)))).toEqual([]);
    expect(new Set(values.map((v) => typeof v))).toEqual(new Set(['number', 'boolean', 'string']));
  });
});

test.describe('schema-driven fallback', () => {
  function extended(props: Record<string, unknown>): ContractDocument {
    const doc = structuredClone(contractJson);
    Object.assign(doc.components.schemas.CreateManagedUserInput.properties, props);
    return parseContractDocument(JSON.stringify(doc), 'extended.json');
  }

  test('new optional properties get valid values without code changes', () => {
    const doc = extended({
      pronouns: { type: 'string', enum: ['she/her', 'he/him', 'they/them'] },
      score: { type: 'integer', minimum: 3, maximum: 7 },
      nickname: { type: 'string', minLength: 3, maxLength: 8 },
      homepage: { type: 'string', format: 'uri' },
      ratio: { type: 'number', minimum: 0, maximum: 10 },
      strength: { type: 'integer', exclusiveMinimum: true, minimum: 0, exclusiveMaximum: true, maximum: 3 },
      beta: { type: 'boolean' },
      teams: { type: 'array', minItems: 2, items: { type: 'integer', enum: [1, 2, 3] } },
      address: { type: 'object', required: ['city'], properties: { city: { type: 'string' }, zip: { type: 'string' } } },
      partner: { type: 'string', nullable: true, format: 'email' },
    });
    const validate = validatorFor(doc, 'CreateManagedUserInput');
    const bodies = Array.from({ length: 40 }, (_, i) => inputsFor(['fallback', String(i)], 42, doc).createBody({ every: true }));
    const added = ['address', 'beta', 'homepage', 'nickname', 'partner', 'pronouns', 'ratio', 'score', 'strength', 'teams'];
    expect(bodies.filter((b) => !added.every((k) => k in b))).toEqual([]);
    expect(bodies.flatMap((b) => (validate(b) ? [] : [JSON.stringify(validate.errors)]))).toEqual([]);
    expect(new Set(bodies.map((b) => b.pronouns))).toEqual(new Set(['she/her'])); // the first member, until the server has taken one
    expect([...new Set(bodies.map((b) => b.strength))].sort()).toEqual([1, 2]);
    const scores = new Set(bodies.map((b) => b.score));
    expect([...scores].filter((s) => !(Number.isInteger(s) && (s as number) >= 3 && (s as number) <= 7))).toEqual([]);
    expect(scores.size).toBeGreaterThan(2);
    expect(bodies.filter((b) => parseOwnEmail(b.partner as string, 'ctr')?.runId !== NS.runId)).toEqual([]);
    // A required property the code has never heard of is always sent.
    const req = structuredClone(contractJson);
    req.components.schemas.CreateManagedUserInput.properties.organizationId = { type: 'integer', minimum: 1 };
    req.components.schemas.CreateManagedUserInput.required.push('organizationId');
    const body = new Inputs(parseContractDocument(JSON.stringify(req), 'req.json'), NS, 1).createBody();
    expect(Object.keys(body).sort()).toEqual(['email', 'name', 'organizationId']);
  });

  test('numeric bounds are honoured: fractional, exclusive and negative-only', () => {
    const schemas: Record<string, object> = {
      fraction: { type: 'number', minimum: 0.25, maximum: 0.75 },
      positive: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
      belowZero: { type: 'integer', maximum: 0 },
      negative: { type: 'number', maximum: -1 },
    };
    const ajv = new Ajv({ strict: true });
    const problems: string[] = [];
    for (const [name, schema] of Object.entries(schemas)) {
      const validate = ajv.compile(schema);
      for (let i = 0; i < 20; i++) {
        try {
          const value = new Inputs(contract, NS, seedFor(42, name, String(i))).fromSchema(schema, name);
          if (!validate(value)) problems.push(`${name}: ${JSON.stringify(value)} ${validate.errors?.[0]?.message}`);
        } catch (e) {
          problems.push(`${name}: threw ${(e as Error).message}`);
        }
      }
    }
    expect([...new Set(problems)]).toEqual([]);
  });

  test('date-time values replay with the seed too', async () => {
    const doc = extended({ birthday: { type: 'string', format: 'date' }, since: { type: 'string', format: 'date-time' } });
    const first = inputsFor(TITLE, 42, doc).createBody({ every: true });
    await new Promise((r) => setTimeout(r, 5));
    const again = inputsFor(TITLE, 42, doc).createBody({ every: true });
    expect(again).toEqual(first);
  });
});
