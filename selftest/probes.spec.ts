/**
 * The robustness sweep's probes (fixtures/contract/probes.ts) and their
 * verdicts (probe-verdict.ts, forbids.ts), derived from the committed contract
 * document and from variants of it: every field and parameter gets its
 * families, a new field gets them with no hand-written test, only this run's
 * e-mails are shaped into e-mail probes, and a forbidden value is failed by the
 * sweep only where no rule case or profile owns it.
 */
import { test, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { derivePlan, FAMILY_NAMES, nested, ownKey, type BodyProbe, type Probe, whereOf } from '../fixtures/contract/probes';
import { forbiddenBy, queryForbiddenBy } from '../fixtures/contract/forbids';
import { expectationOf, readsBackAsSent, storedEmails } from '../fixtures/contract/probe-verdict';
import { deriveCatalogue } from '../fixtures/contract/rules';
import type { Profile } from '../fixtures/contract/profile';

const ROOT = resolve(__dirname, '..');
const contract = () => JSON.parse(readFileSync(join(ROOT, 'schemas', 'managed-users.openapi.json'), 'utf8'));
const PUBLISHED: Pick<Profile, 'accepted' | 'behaviours'> = { accepted: [], behaviours: {} };
const body = (ps: Probe[], where: string, family?: string) => ps.filter((p): p is BodyProbe => p.kind === 'body' && whereOf(p) === where && (!family || p.family === family));

test('every body field gets null and each wrong JSON type; string fields the string families; a new field gets them with no test of its own', () => {
  const doc = contract();
  doc.components.schemas.UpdateManagedUserInput.properties.nickname = { type: 'string', maxLength: 30 };
  const { probes } = derivePlan(doc);
  for (const where of ['create name', 'PATCH bio', 'PATCH nickname']) {
    expect(body(probes, where).map((p) => p.family).sort()).toEqual(['empty', 'long', 'nonascii', 'nul', 'null', 'types', 'types', 'types', 'types']);
  }
  expect(body(probes, 'PATCH defaultScheduleId').map((p) => `${p.family} ${p.label}`)).toEqual(['null null', 'types a string ("abc")', 'types a boolean (true)', 'types an array (["x"])', 'types an object ({"value":"x"})', 'big 2147483648']);
  expect(body(probes, 'create metadata').map((p) => p.family).sort()).toEqual(['big', 'deep', 'keys', 'keys', 'keys', 'nonascii', 'nul', 'null', 'types', 'types', 'types', 'types']);
  expect(body(probes, 'PATCH timeZone', 'zone').map((p) => p.value)).toEqual(['America/Port_of_Spain']);
  expect(new Set(probes.map((p) => p.family))).toEqual(new Set(FAMILY_NAMES));
});

test('e-mail probes are shapes of an address of the run, never a literal; "" is sent only on PATCH, where the gate keeps custody', () => {
  const { probes, skipped } = derivePlan(contract());
  const emails = probes.filter((p): p is BodyProbe => p.kind === 'body' && p.field === 'email');
  for (const p of emails) expect(typeof p.value === 'string' ? p.op === 'update' && p.value === '' : true).toBe(true);
  expect(emails.filter((p) => p.op === 'create' && p.family === 'types').map((p) => p.email ?? p.value)).toEqual([7, true, 'inArray', 'inObject']);
  expect(emails.find((p) => p.family === 'long')?.email).toBe('long');
  expect(skipped.find((s) => s.where === 'create.email' && s.family === 'empty')?.why).toMatch(/no check can prove ours/);
});

test('parameters: the user id on every operation (changing ones only with non-integers), the client id on the list, bracket forms only in a query', () => {
  const { probes, skipped } = derivePlan(contract());
  const params = (family: string) => probes.filter((p) => p.kind === 'param' && p.family === family).map((p) => `${whereOf(p)}=${p.label}`);
  expect(params('ids')).toEqual(expect.arrayContaining(['list clientId=abc', 'get userId=0', 'PATCH userId=abc', 'delete userId=abc', 'forceRefresh userId=abc', 'list limit=-1', 'list emails=abc']));
  expect(params('ids')).not.toContain('delete userId=0');
  expect(params('big')).toEqual(expect.arrayContaining(['get userId=2147483648', 'get userId=9007199254740993', 'list offset=9007199254740993']));
  expect(params('forms')).toEqual(['list limit=limit[0][a]=x', 'list limit=limit[constructor]=x', 'list offset=offset[0][a]=x', 'list offset=offset[constructor]=x', 'list emails=emails[0][a]=x', 'list emails=emails[constructor]=x']);
  expect(params('nul').sort()).toEqual(['list clientId=%00', 'list emails=%00']); // in an integer, U+0000 is one more non-integer
  expect(params('ids')).toEqual(expect.arrayContaining(['get userId=<our id>.25', 'delete userId=<our id>.25']));
  expect(probes.some((p) => p.kind === 'param' && p.param === 'clientId' && p.op !== 'list')).toBe(false);
  expect(skipped.filter((s) => /gate admits/.test(s.why)).map((s) => s.where)).toContain('delete userId=0');
  const limit = probes.find((p) => p.kind === 'param' && p.param === 'limit' && p.family === 'ids' && p.value === '-1');
  expect(limit).toMatchObject({ query: 'limit=-1', narrowBy: 'emails' });
});

test('a probe a rule case sends already is that case\'s, not sent again', () => {
  const doc = contract();
  const catalogue = deriveCatalogue(doc);
  const all = derivePlan(doc).probes.length;
  const { probes, skipped } = derivePlan(doc, catalogue);
  expect(probes.length).toBeLessThan(all);
  expect(body(probes, 'create name', 'types').map((p) => p.label)).not.toContain('a number (7)'); // the catalogue sends name 123
  expect(skipped.some((s) => s.where === 'create timeZone ""' && /sent by the rule case/.test(s.why))).toBe(true);
  expect(skipped.some((s) => s.where === 'get userId abc')).toBe(true);
});

test('what the document forbids, named as the rule catalogue names it (its x-keywords included)', () => {
  const { probes } = derivePlan(contract());
  const schema = (where: string) => body(probes, where)[0]!.schema;
  expect(forbiddenBy(schema('create locale'), 'EN')).toEqual(['enum']);
  expect(forbiddenBy(schema('create locale'), null)).toEqual(expect.arrayContaining(['type']));
  expect(forbiddenBy(schema('create timeZone'), 'Mars/Base')).toEqual(['format']);
  expect(forbiddenBy(schema('create timeZone'), 'America/Port_of_Spain')).toEqual([]);
  expect(forbiddenBy(schema('create metadata'), ownKey('deep', nested(2000)))).toEqual(['values.type']);
  expect(forbiddenBy(schema('create metadata'), { ['k'.repeat(41)]: 'v' })).toEqual(['keyMaxLength']);
  expect(forbiddenBy(schema('create metadata'), ownKey('__proto__', 'x'))).toEqual([]);
  expect(forbiddenBy(schema('PATCH defaultScheduleId'), 2147483648)).toEqual([]);
  const param = (name: string) => probes.find((p) => p.kind === 'param' && p.param === name)!.schema;
  expect(queryForbiddenBy(param('limit'), '0')).toEqual(['minimum']);
  expect(queryForbiddenBy(param('limit'), 'abc')).toEqual(['type']);
  expect(queryForbiddenBy(param('emails'), '')).toEqual([]);
  expect(queryForbiddenBy(param('emails'), 'abc')).toEqual(['format']);
});

test('the verdict: each wrong type is the sweep\'s; a rule a case checks, or the profile accepts, is noted; null is refused (create timeZone null is a version behaviour); allowed values are takeable', () => {
  const doc = contract();
  const catalogue = deriveCatalogue(doc);
  const { probes } = derivePlan(doc);
  const one = (where: string, family: string) => body(probes, where, family)[0]!;
  const owners = { catalogue, profile: PUBLISHED };
  expect(expectationOf(one('create name', 'types'), true, owners)).toMatchObject({ must: 'reject', takeable: false });
  expect(expectationOf(one('create name', 'null'), null, owners)).toMatchObject({ must: 'reject' }); // required
  expect(expectationOf(one('create bio', 'null'), null, owners)).toMatchObject({ must: 'reject', takeable: false }); // the document's types have no null
  expect(expectationOf(one('create timeZone', 'null'), null, owners)).toMatchObject({ must: 'either', why: expect.stringContaining('version behaviour') });
  expect(expectationOf(one('PATCH locale', 'long'), 'x'.repeat(10), owners)).toMatchObject({ must: 'either', takeable: false, why: expect.stringContaining('[update.locale.enum] is its rule check') });
  expect(expectationOf(one('PATCH name', 'nul'), 'a\u0000b', owners)).toMatchObject({ must: 'accept', takeable: true });
  const accepted = { catalogue, profile: { accepted: [{ in: 'request' as const, operation: 'update', pointer: '/name', kind: 'type', side: 'reject' as const, reason: 'lenient here', expires: '2999-01-01' }] } };
  expect(expectationOf(one('PATCH name', 'types'), true, accepted)).toMatchObject({ must: 'either', why: expect.stringContaining('accepted deviation: lenient here') });
});

test('an accepted value reads back as sent: an e-mail by the suffix rule in the profile\'s letter case, null as null, absent or unchanged', () => {
  const { probes } = derivePlan(contract());
  const email = body(probes, 'PATCH email', 'nonascii')[0]!;
  const sent = 'ctr-0t5abcd123-tag1-ann+Zoë.日本.🙂@example.com';
  expect(storedEmails(sent, 'cl1', { behaviours: { 'email-case': 'kept' } })).toEqual(['ctr-0t5abcd123-tag1-ann+Zoë.日本.🙂+cl1@example.com']);
  expect(storedEmails(sent, 'cl1', PUBLISHED)).toHaveLength(2);
  const r = (got: unknown, before?: unknown) => ({ got, before, clientId: 'cl1', profile: PUBLISHED });
  expect(readsBackAsSent(email, sent, r('ctr-0t5abcd123-tag1-ann+zoë.日本.🙂+cl1@example.com'))).toBe(true);
  expect(readsBackAsSent(email, sent, r('ctr-0t5abcd123-tag1-ann+cl1@example.com'))).toBe(false);
  expect(readsBackAsSent(body(probes, 'PATCH email', 'empty')[0]!, '', r(''))).toBe(false); // "" keeps no suffix: stored other than sent
  const bio = body(probes, 'PATCH bio', 'null')[0]!;
  expect(readsBackAsSent(bio, null, r(undefined, 'x'))).toBe(true);
  expect(readsBackAsSent(bio, null, r('x', 'x'))).toBe(true);
  expect(readsBackAsSent(bio, null, r('y', 'x'))).toBe(false);
  const keys = body(probes, 'PATCH metadata', 'keys')[1]!;
  expect(readsBackAsSent(keys, keys.value, r(JSON.parse('{"__proto__":"x"}')))).toBe(true);
  expect(readsBackAsSent(keys, keys.value, r({}))).toBe(false);
});
