/**
 * Reading a failure at a glance: the summary by cause, failures that point at
 * the check's own line with a replay line that names it, the exchange log of
 * a failed check, the HTML report on every run, CONTRACT_KEEP_FAILED, and the
 * refusal of a --reporter list that would skip the redaction.
 */
import { test, expect } from '@playwright/test';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { causeOf, summarise } from '../fixtures/report/summary';
import { partialRun } from '../fixtures/report/run-reporter';
import { noFingerprintReason } from '../fixtures/settings/run-scope';
import { pointAtCheck } from '../fixtures/client/errors';
import { startReferenceServer } from '../server';
import { newClients, ourUsersLeft, readArtifacts, runPlaywright, suiteEnv } from './support';

test.describe('summary by cause', () => {
  test('failures of one cause on other users, ids and values fold into one line with a count', () => {
    const a = causeOf('ContractViolation: reading user 12: GET /v2/oauth-clients/clx1/users/12 → 500 breaks the contract: answered 500 [not_a_server_error]');
    const b = causeOf('ContractViolation: reading user 97: GET /v2/oauth-clients/clx1/users/97 → 500 breaks the contract: answered 500 [not_a_server_error]');
    const c = causeOf('ContractViolation: create did not echo bio (bio: sent "x y", got null)');
    expect(a).toBe(b);
    expect(a).toBe('reading user N: GET /v2/oauth-clients/{clientId}/users/{userId} → 500 breaks the contract: answered 500 [not_a_server_error]');
    const s = summarise([a, b, c].map((cause, i) => ({ cause, title: `t${i}`, where: `tests/x.spec.ts:${i}` })));
    expect(s.map((x) => [x.count, x.example])).toEqual([[2, 't0'], [1, 't2']]);
  });

  test('a non-integer id in a path is the value sent, not an id: a 500 on /users/abc is not the cause of a 500 on /users/12', () => {
    const abc = causeOf('ContractViolation: PATCH /v2/oauth-clients/clx1/users/abc → 500 breaks the contract: answered 500 [not_a_server_error]');
    expect(abc).not.toBe(causeOf('ContractViolation: PATCH /v2/oauth-clients/clx1/users/12 → 500 breaks the contract: answered 500 [not_a_server_error]'));
    expect(abc).toBe('PATCH /v2/oauth-clients/{clientId}/users/abc → 500 breaks the contract: answered 500 [not_a_server_error]');
  });

  test('e-mails and quoted values never split a cause', () => {
    expect(causeOf('the e-mail created as CTR-1@EXAMPLE.COM: got "ctr-1+c@example.com"')).toBe(causeOf('the e-mail created as CTR-2@EXAMPLE.COM: got "ctr-2+c@example.com"'));
  });
});

test('a failure points at the line in tests/, not at the fixtures that threw it', () => {
  const e = new Error('boom');
  e.stack = ['Error: boom', '    at send (/p/fixtures/client/client.ts:10:5)', '    at async createUser (/p/fixtures/client/client.ts:20:5)', '    at async /p/tests/create.spec.ts:33:7', '    at async fn (/p/node_modules/x.js:1:1)'].join('\n');
  pointAtCheck(e);
  expect(e.stack.split('\n')).toEqual(['Error: boom', '    at async /p/tests/create.spec.ts:33:7']);
  const noSpec = new Error('x');
  noSpec.stack = 'Error: x\n    at send (/p/fixtures/client/client.ts:1:1)';
  pointAtCheck(noSpec);
  expect(noSpec.stack).toBe('Error: x\n    at send (/p/fixtures/client/client.ts:1:1)');
});

test.describe('a run against a broken server', () => {
  test.describe.configure({ mode: 'default' });
  let dir: string;
  test.beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'contract-reports-'));
  });
  test.afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('summary by cause, replay naming the check, exchange log and HTML report; CONTRACT_KEEP_FAILED keeps the failed check\'s users', async () => {
    const clients = newClients();
    const server = await startReferenceServer({ clients, fault: 'patch-ignores-locale', port: 0 });
    try {
      const run = await runPlaywright(['--project=contract', 'tests/update.spec.ts'], suiteEnv(server.url, clients, dir, { CONTRACT_KEEP_FAILED: '1' }));
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/^1 check failed from 1 cause \(\d+ passed, 0 skipped\)$/m); // one root cause, one check
      expect(run.stdout).toMatch(/1× update did not apply locale \(locale: sent "[\w-]+", got "[\w-]+"\) {3}e\.g\. tests\/update\.spec\.ts:\d+ update › every updatable field sent is echoed/);
      expect(run.stdout).toMatch(/replay: {4}FAKER_SEED=\d+ npx playwright test --project=contract tests\/update\.spec\.ts:\d+ -g 'update every updatable field sent is echoed\(\?= @\|\$\)' {3}\(run/);
      const plain = run.stdout.replace(/\u001b\[[0-9;]*m/g, '');
      expect(plain).toMatch(/> \d+ \|\s+throw new ContractViolation\(`update did not apply/); // the code frame is the spec's own line
      expect(plain).toContain("(the check's exchange log, every request and answer, is attached to it in the HTML report)");
      // Kept, printed by id, and still there after the run's cleanup.
      const kept = [...run.stdout.matchAll(/^kept for the reproduction \(CONTRACT_KEEP_FAILED\): (user \d+ <[^>]+> of client \w+); npm run sweep/gm)].map((m) => m[1]!);
      expect(kept).toHaveLength(1);
      expect((await ourUsersLeft(server, clients)).length).toBeGreaterThanOrEqual(1);
      // The HTML report, written on a local run too, holds the exchange log.
      const index = join(dir, 'reports', 'html', 'index.html');
      expect(existsSync(index)).toBe(true);
      const artifacts = readArtifacts(join(dir, 'reports', 'html'));
      expect(artifacts.some((a) => a.text.includes('PATCH /v2/oauth-clients/') && a.text.includes('request:  accept: application/json'))).toBe(true);
      expect(readdirSync(join(dir, 'reports', 'html')).length).toBeGreaterThan(0);
    } finally {
      await server.close();
    }
  });

  test('CONTRACT_KEEP_FAILED is refused against production; a --reporter list without the redacting reporter stops the run', async () => {
    const clients = newClients();
    const prod = await runPlaywright(['--project=contract', '--list'], { ...suiteEnv('https://api.cal.com', clients, dir), CAL_ALLOW_PRODUCTION: '1', CONTRACT_KEEP_FAILED: '1' });
    expect(prod.code).toBe(2);
    expect(prod.stderr.trim()).toBe('contract suite: CONTRACT_KEEP_FAILED=1 would leave users on production: unset it (it is for staging and local servers)');
    const html = await runPlaywright(['--project=contract', '--list', '--reporter=html'], suiteEnv('http://127.0.0.1:9', clients, dir));
    expect(html.code).toBe(2);
    expect(html.stderr.trim()).toBe('contract suite: --reporter=html does not start with the redacting reporter, so a secret could reach the report: use --reporter=./fixtures/report/redact-reporter.ts,html');
    expect(readFileSync(join(__dirname, '..', 'playwright.config.ts'), 'utf8')).toContain("['html', { open: 'never'");
  });
});

test('a filtered run is a partial run: its missing pairs are not gaps', () => {
  const argv = (...a: string[]) => ['node', 'cli.js', 'test', ...a];
  expect(partialRun(argv('--project=contract'))).toBeNull();
  expect(partialRun(argv('--project', 'contract', '--workers', '2'))).toBeNull();
  expect(partialRun(argv('--project=contract', 'tests/get.spec.ts'))).toBe('only tests/get.spec.ts');
  expect(partialRun(argv('--grep', '@spec'))).toBe('--grep @spec');
  expect(partialRun(argv('--grep-invert=@later-versions'))).toBe('--grep-invert=@later-versions');
  expect(partialRun(argv('--project=contract'), { shard: { current: 1, total: 3 } })).toBe('shard 1/3');
  expect(partialRun(argv('--last-failed'))).toBe('--last-failed');
});

test('a smoke run leaves the fingerprint out (its budget is about 15 requests); a contract run, filtered or not, pays for it', () => {
  const argv = (...a: string[]) => ['node', 'cli.js', 'test', ...a];
  expect(noFingerprintReason(argv('--project=contract'))).toBeNull();
  expect(noFingerprintReason(argv('--project', 'contract'))).toBeNull();
  expect(noFingerprintReason(argv('--project=smoke'))).toBe('a smoke run');
  expect(noFingerprintReason(argv('--project', 'smoke'))).toBe('a smoke run');
  expect(noFingerprintReason(argv('--project=contract', '-g', 'lifecycle'))).toBeNull();
});

test('a schema deviation no check failed for (it came in an answer to another check) fails the run, saying so; accepted, it does not', async () => {
  const clients = newClients();
  const server = await startReferenceServer({ clients, fault: 'locale-null-when-unset', port: 0 });
  const dir = mkdtempSync(join(tmpdir(), 'contract-open-deviation-'));
  const accept = join(dir, 'accept.json');
  try {
    // The checks of get.spec.ts receive "locale": null and go on (a field's deviation is the responses check's); that check is not in this run.
    const open = await runPlaywright(['--project=contract', 'tests/get.spec.ts'], suiteEnv(server.url, clients, dir));
    expect(open.stdout).toMatch(/^all \d+ checks passed/m);
    expect(open.stdout).toMatch(/^1 schema deviation open: the run fails \(fix the server, or accept it in the profile with a reason: docs\/profiles\.md\)$/m);
    expect(open.code, open.stdout).toBe(1);
    writeFileSync(accept, JSON.stringify({ accepted: [{ operation: '*', pointer: '**/locale', kind: 'type', reason: 'the self-test accepts it' }] }));
    const accepted = await runPlaywright(['--project=contract', 'tests/get.spec.ts'], suiteEnv(server.url, clients, dir, { CONTRACT_ACCEPT: accept }));
    expect(accepted.stdout).not.toMatch(/schema deviation open/);
    expect(accepted.code, accepted.stdout).toBe(0);
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
