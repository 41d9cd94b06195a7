/**
 * One deviation, one finding (fixtures/contract/deviations.ts): grouping of recorded
 * deviations, the accepted-deviations file (CONTRACT_ACCEPT) with its
 * mistakes, pointer patterns and expiry; and, end to end, a server that breaks
 * one field of its schema everywhere (the mid-2025 `locale: null`) gets one
 * failing check with one finding — and passes once that deviation is accepted.
 */
import { test, expect } from '@playwright/test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acceptedFor, AcceptFileError, describeDeviation, groupDeviations, normalisePointer, parseAccepted, type DeviationRecord } from '../fixtures/contract/deviations';
import { isStructural } from '../fixtures/contract/response-checks';
import { acceptance, loadProfile } from '../fixtures/contract/profile';
import { shippedProfiles } from '../fixtures/settings/config';
import { startReferenceServer } from '../server';
import { newClients, ourUsersLeft, runPlaywright, suiteEnv } from './support';

const rec = (over: Partial<DeviationRecord>): DeviationRecord => ({
  target: 'configured',
  operationId: 'OAuthClientUsersController_createUser',
  status: 201,
  check: 'response_schema_conformance',
  kind: 'type',
  pointer: '/data/user/locale',
  schemaPath: '#/definitions/Locale/type',
  message: 'must be string, got null',
  test: 'create › a',
  request: 'POST /v2/oauth-clients/c/users → 201',
  curl: 'curl …',
  ...over,
});

test.describe('grouping and accepting deviations', () => {
  test('the same broken rule on every operation is one deviation, with where and how often', () => {
    const records = [
      rec({}),
      rec({ test: 'create › b' }),
      rec({ operationId: 'OAuthClientUsersController_getUserById', status: 200, pointer: '/data/locale' }),
      rec({ operationId: 'OAuthClientUsersController_getManagedUsers', status: 200, pointer: normalisePointer('/data/7/locale') }),
      rec({ kind: 'required', pointer: '/data/user/createdDate', schemaPath: '#/definitions/ManagedUserOutput/required', message: 'is required but missing' }),
    ];
    const ds = groupDeviations(records);
    expect(ds).toHaveLength(2);
    expect(ds[0]!.count).toBe(4);
    expect(describeDeviation(ds[0]!)).toBe('response_schema_conformance: `locale` must be string, got null [type] — 4 response(s) in 2 check(s): create 201 /data/user/locale ×2, get 200 /data/locale ×1, list 200 /data/*/locale ×1');
  });

  test('which findings fail a check at once: nothing to follow (status, JSON, data, ids); a field or a media type is recorded', () => {
    const f = (check: string, pointer: string) => isStructural({ check, pointer });
    expect([f('response_schema_conformance', ''), f('response_schema_conformance', '/data'), f('response_schema_conformance', '/data/user/id'), f('response_schema_conformance', '/data/3/id'), f('status_code_conformance', ''), f('not_a_server_error', ''), f('response_is_json', '')]).toEqual([true, true, true, true, true, true, true]);
    expect([f('response_schema_conformance', '/data/user/locale'), f('response_schema_conformance', '/status'), f('no_sensitive_fields', '/data/password'), f('content_type_conformance', '')]).toEqual([false, false, false, false]);
  });

  test('accepted entries cover a deviation only where operation, pointer pattern and kind match, every place it showed, until they expire', () => {
    const d = groupDeviations([rec({}), rec({ operationId: 'OAuthClientUsersController_getManagedUsers', status: 200, pointer: '/data/*/locale' })])[0]!;
    const entry = (o: object) => ({ operation: '*', pointer: '**/locale', kind: 'type', reason: 'known', ...o });
    expect(acceptedFor(d, [entry({})])).toBeDefined();
    expect(acceptedFor(d, [entry({ kind: 'enum' })])).toBeUndefined();
    expect(acceptedFor(d, [entry({ operation: 'OAuthClientUsersController_createUser' })])).toBeUndefined(); // the list shows it too
    expect(acceptedFor(d, [entry({ pointer: '/data/user/locale' })])).toBeUndefined();
    // Entries may share the places out; every place must be covered.
    expect(acceptedFor(d, [entry({ operation: 'OAuthClientUsersController_createUser' }), entry({ operation: 'OAuthClientUsersController_getManagedUsers' })])).toBeDefined();
    expect(acceptedFor(d, [entry({ pointer: '/data/*/locale' })])).toBeDefined(); // * is one segment: user, or a list index
    expect(acceptedFor(d, [entry({ expires: '2020-01-01' })])).toBeUndefined();
    expect(acceptedFor(d, [entry({ expires: '2099-01-01' })])).toBeDefined();
  });

  test('a malformed accepted-deviations file is refused with one line that says what to fix', () => {
    const err = (text: string): string => {
      let caught: unknown;
      try {
        parseAccepted(text, 'CONTRACT_ACCEPT=x.json');
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(AcceptFileError);
      return (caught as Error).message;
    };
    expect(err('{')).toMatch(/^CONTRACT_ACCEPT=x\.json is not JSON \(.*\): fix the file$/);
    expect(err('[]')).toBe('CONTRACT_ACCEPT=x.json must be an object with an "accepted" array: see docs/profiles.md');
    expect(err('{"accepted":[{"operation":"*","pointer":"/x","kind":"type"}]}')).toBe('CONTRACT_ACCEPT=x.json: accepted[0] needs a non-empty "reason" (every accepted deviation says where, what and why)');
    expect(err('{"accepted":[{"operation":"*","pointer":"/x","kind":"type","reason":"r","expires":"soon"}]}')).toBe('CONTRACT_ACCEPT=x.json: accepted[0].expires must be a date, YYYY-MM-DD');
  });

  test('every shipped profile parses, and the 2025 ones accept locale: null', () => {
    for (const name of shippedProfiles()) expect(loadProfile(name).name).toBe(name);
    for (const name of ['calcom-2025-05', 'calcom-2025-12']) {
      expect(acceptance(loadProfile(name), { in: 'response', operation: 'OAuthClientUsersController_getUserById', pointer: '/data/locale', kind: 'type' })?.reason).toMatch(/locale/);
    }
    expect(loadProfile('published').accepted).toEqual([]);
  });
});

test.describe('end to end', () => {
  test.describe.configure({ mode: 'default' });
  let dir: string;
  test.beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'contract-findings-'));
  });
  test.afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('locale: null on every user (mid-2025): one failing check with one finding; accepted, the run passes', async () => {
    const clients = newClients();
    const server = await startReferenceServer({ clients, fault: 'locale-null-when-unset', port: 0 });
    try {
      const run = await runPlaywright(['--project=contract', '--reporter=./fixtures/report/redact-reporter.ts,list'], suiteEnv(server.url, clients, dir));
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/\b1 failed\b/);
      expect(run.stdout).not.toMatch(/\b([2-9]|\d\d+) failed\b/);
      expect(run.stdout).toMatch(/every documented answer matches its schema \(each deviation reported once\)/);
      expect(run.stdout).toMatch(/an answer deviates from its documented schema: response_schema_conformance: `locale` must be string, got null \[type\] \(\d+ responses\)/);
      expect(run.stdout).toMatch(/- response_schema_conformance: `locale` must be string, got null \[type\] — \d+ response\(s\) in \d+ check\(s\): create 201 \/data\/user\/locale/);
      expect(await ourUsersLeft(server, clients)).toEqual([]);

      const accept = join(dir, 'accept.json');
      writeFileSync(accept, JSON.stringify({ accepted: loadProfile('calcom-2025-05').accepted.filter((a) => a.pointer === '**/locale') }));
      const ok = await runPlaywright(['--project=contract', '--reporter=./fixtures/report/redact-reporter.ts,list'], suiteEnv(server.url, clients, join(dir, 'again'), { CONTRACT_ACCEPT: accept }));
      expect(ok.code, ok.stdout.slice(-2000)).toBe(0);
      expect(ok.stdout).not.toMatch(/\d+ failed/);
    } finally {
      await server.close();
    }
  });
});
