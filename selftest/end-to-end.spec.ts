/**
 * The suite as a user runs it against "another host": only environment
 * variables, a base URL with a path prefix, other users already present.
 * A correct server passes; a broken one fails and is left as it was found;
 * bad settings stop the run before any test. (The secret scan is its own file.)
 */
import { test, expect } from '@playwright/test';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startReferenceServer } from '../server';
import { brokenProxy, newClients, ourUsersLeft, preexisting, ROOT, runPlaywright, suiteEnv } from './support';

// Each test spawns a full contract run: keep them in one worker, one at a time.
test.describe.configure({ mode: 'default' });

let dir: string;
test.beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'contract-e2e-'));
});
test.afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('a correct server behind a path prefix, with other users present, passes; those users are untouched', async () => {
  const clients = newClients();
  const server = await startReferenceServer({ clients, variant: 'legal', prefix: '/api', preexistingUsers: 30, port: 0 });
  try {
    expect(server.url).toMatch(/\/api$/);
    const run = await runPlaywright(['--project=contract'], suiteEnv(server.url, clients, dir));
    expect(run.code, `${run.stdout.slice(-3000)}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toMatch(/contract run [0-9a-z]{10} against http:\/\/127\.0\.0\.1:\d+\/api: profile published \(the target behaves like published\), strict off, rate budget .*, FAKER_SEED=\d+/);
    expect(run.stdout).toContain('no gaps');
    expect(await preexisting(server)).toEqual(expect.objectContaining({ count: 60, intact: true }));
    expect(await ourUsersLeft(server, clients)).toEqual([]);
  } finally {
    await server.close();
  }
});

test('a wrong secret or an unreachable host stops the run before any test with one line', async () => {
  const clients = newClients();
  const server = await startReferenceServer({ clients, port: 0 });
  try {
    const wrong = await runPlaywright(['--project=contract'], suiteEnv(server.url, [{ id: clients[0]!.id, secret: 'sk_not_the_right_one' }, clients[1]!], dir));
    expect(wrong.code).toBe(2);
    expect(wrong.stderr.trim()).toMatch(/^contract suite: .*refused CAL_OAUTH_CLIENT_SECRET for client c[0-9a-f]+ \(401\): check CAL_OAUTH_CLIENT_ID and CAL_OAUTH_CLIENT_SECRET$/);
    expect(wrong.stdout).not.toMatch(/passed|failed/);
  } finally {
    await server.close();
  }
  const gone = await runPlaywright(['--project=contract'], suiteEnv(server.url, clients, dir));
  expect(gone.code).toBe(2);
  expect(gone.stderr.trim().split('\n')).toHaveLength(1);
  expect(gone.stderr).toMatch(/^contract suite: cannot reach CAL_API_URL=http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\): check the URL and that the server is up/);
  expect(`${gone.stdout}${gone.stderr}`).not.toContain(clients[0]!.secret);
});

const PUBLISHED = join(ROOT, '..', 'shared', 'reference', 'calcom-api-v2-openapi.json');

test('the suite passes against a correct server while validating with the published OpenAPI excerpt', async () => {
  test.skip(!existsSync(PUBLISHED), `the published excerpt is not here (${PUBLISHED}): it lives in the team's shared reference data, not in this repository`);
  const clients = newClients();
  const server = await startReferenceServer({ clients, port: 0 });
  try {
    const run = await runPlaywright(['--project=contract'], suiteEnv(server.url, clients, dir, { CONTRACT_SPEC: PUBLISHED }));
    expect(run.code, `${run.stdout.slice(-3000)}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toMatch(/\d+ passed/);
  } finally {
    await server.close();
  }
});

test('a server that breaks mid-way fails the run, which still removes every user it created and touches no other', async () => {
  const clients = newClients();
  const server = await startReferenceServer({ clients, variant: 'legal', prefix: '/api', preexistingUsers: 25, port: 0 });
  const proxy = await brokenProxy(server.url, 'hang');
  try {
    // Checks create users, then wait on a force-refresh that never answers.
    const env = suiteEnv(proxy.url, clients, dir, { CONTRACT_REQUEST_TIMEOUT_MS: '1500' });
    const run = await runPlaywright(['--project=contract', 'tests/lifecycle.spec.ts', 'tests/force-refresh.spec.ts', 'tests/create.spec.ts'], env);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/[5-9] failed/);
    expect(run.stdout).toMatch(/POST \/api\/v2\/oauth-clients\/c[0-9a-f]+\/users\/\d+\/force-refresh got no HTTP answer: Timeout 1500ms exceeded/);
    expect(run.stdout).toMatch(/reproduce: curl -sS -i -X POST '[^']+force-refresh' .*"x-cal-secret-key: \$CAL_OAUTH_CLIENT_SECRET"/);
    expect(run.stdout).toMatch(/replay: {4}FAKER_SEED=\d+ npx playwright test --project=contract tests\/(force-refresh|lifecycle)\.spec\.ts:\d+ -g /);
    expect(await preexisting(server)).toEqual(expect.objectContaining({ count: 50, intact: true }));
    expect(await ourUsersLeft(server, clients)).toEqual([]);
  } finally {
    await proxy.close();
    await server.close();
  }
});
