/**
 * npm run fingerprint: a handful of requests tell which shipped profile a
 * target behaves like. Against the reference server (which honours the
 * published document): `published`, in at most 12 requests, nothing left
 * behind. A server with a 2025 deviation (locale null) is told apart; the
 * answers of a real 2025-05 server (research/real-server-findings.md) are
 * calcom-2025-05's. The CLI answers --help and refuses bad input with one line.
 */
import { test, expect } from '@playwright/test';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareWithProfiles, verdictOf, type Observation } from '../fixtures/client/fingerprint';
import { loadProfile } from '../fixtures/contract/profile';
import { startReferenceServer } from '../server';
import { newClients, ourUsersLeft, ROOT, runPlaywright, suiteEnv } from './support';

const cliEnv = (state: string, env: Record<string, string>) => ({ ...process.env, CAL_API_URL: '', CONTRACT_ENV_FILE: '/dev/null', CONTRACT_STATE_DIR: state, ...env });
const ARGS = ['--import', 'tsx', join(ROOT, 'tools', 'fingerprint.ts')];

/** The CLI as a user runs it, its run state in a throwaway directory. */
function cli(env: Record<string, string>, ...args: string[]) {
  const state = mkdtempSync(join(tmpdir(), 'fingerprint-cli-'));
  try {
    return spawnSync(process.execPath, [...ARGS, ...args], { cwd: ROOT, encoding: 'utf8', env: cliEnv(state, env), timeout: 45_000 });
  } finally {
    rmSync(state, { recursive: true, force: true });
  }
}

/** The same, without blocking this process (which serves the target). */
async function cliAsync(env: Record<string, string>): Promise<{ status: number | null; stdout: string }> {
  const state = mkdtempSync(join(tmpdir(), 'fingerprint-cli-'));
  try {
    const child = spawn(process.execPath, ARGS, { cwd: ROOT, env: cliEnv(state, env) });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    return { status, stdout };
  } finally {
    rmSync(state, { recursive: true, force: true });
  }
}

const PROFILES = ['published', 'calcom-2025-05', 'calcom-2025-12'].map((p) => loadProfile(p));

test('the CLI: --help, and one line with exit 2 on bad input', () => {
  const help = cli({}, '--help');
  expect(help.status).toBe(0);
  expect(help.stdout).toContain('--json');
  const bad = cli({}, '--bogus');
  expect(bad.status).toBe(2);
  expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  expect(bad.stderr).toMatch(/^fingerprint: unknown flag --bogus; usage: npm run fingerprint/);
});

test('the embedded reference server behaves like published, in at most 12 requests', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fingerprint-json-'));
  const run = cli({}, '--json', join(dir, 'f.json'));
  expect(run.status, run.stdout + run.stderr).toBe(0);
  const json = JSON.parse(readFileSync(join(dir, 'f.json'), 'utf8')) as { like: string[]; requests: number };
  rmSync(dir, { recursive: true, force: true });
  expect(json.like).toEqual(['published']);
  expect(run.stdout).toMatch(/^fingerprint of the embedded reference server as client \S+ \((\d+) requests\), profile in force published:/);
  expect(Number(/\((\d+) requests\)/.exec(run.stdout)![1])).toBeLessThanOrEqual(12);
  expect(run.stdout).toMatch(/^behaves like published \(observations a profile does not expect: published 0,/m);
  expect(run.stdout).not.toContain('MATCHES NO PROFILE');
});

test('a server answering "locale": null is told apart from published, and nothing it created is left', async () => {
  const clients = newClients();
  const server = await startReferenceServer({ clients, fault: 'locale-null-when-unset', port: 0 });
  try {
    const [a, b] = clients;
    const run = await cliAsync({ CAL_API_URL: server.url, CAL_OAUTH_CLIENT_ID: a!.id, CAL_OAUTH_CLIENT_SECRET: a!.secret, CAL_OTHER_OAUTH_CLIENT_ID: b!.id, CAL_OTHER_OAUTH_CLIENT_SECRET: b!.secret, CONTRACT_NAMESPACE: 'fpt' });
    expect(run.stdout).toMatch(/the same create, without a locale: 201, locale null → "locale": null \(the document says a string\); as calcom-2025-05, calcom-2025-12 expect/);
    expect(run.stdout).toMatch(/published 1/);
    const list = await fetch(`${server.url}/v2/oauth-clients/${a!.id}/users?limit=250`, { headers: { 'x-cal-secret-key': a!.secret } }).then((r) => r.json() as Promise<{ data: { email: string }[] }>);
    expect(list.data.filter((u) => u.email.toLowerCase().startsWith('fpt-'))).toEqual([]);
  } finally {
    await server.close();
  }
});

test("a run's first line names the profile the target behaves like, suggesting it where it differs, and leaves nothing behind", async () => {
  const clients = newClients();
  const server = await startReferenceServer({ clients, port: 0 });
  const dir = mkdtempSync(join(tmpdir(), 'fingerprint-run-'));
  try {
    const run = await runPlaywright(['--project=contract', '--grep', 'nothing-matches-this'], suiteEnv(server.url, clients, dir, { CONTRACT_PROFILE: 'calcom-2025-05' }));
    expect(run.stdout.split('\n')[0], run.stdout).toMatch(/^contract run [0-9a-z]{10} against http:\/\/127\.0\.0\.1:\d+: profile calcom-2025-05 \(the target behaves like published: set CONTRACT_PROFILE=published; npm run fingerprint shows how\), strict off,/);
    expect(await ourUsersLeft(server, clients)).toEqual([]);
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a real 2025-05 server's answers are calcom-2025-05's, but for the id \"abc\" (a 500, which no profile expects)", () => {
  const seen: [string, string | null][] = [
    ['id-not-integer', null],
    ['email-case', 'kept'],
    ['email-own-suffix', 'suffixed-again'],
    ['locale-unset', 'null'],
    ['locale-bn', 'refused'],
    ['timeFormat-numeric-string', 'rejected'],
    ['weekStart-create-enum', 'unchecked'],
  ];
  const observations: Observation[] = seen.map(([name, value]) => ({ name, value, probe: name, answer: '' }));
  const f = compareWithProfiles(observations, PROFILES);
  expect(f.like).toEqual(['calcom-2025-05']);
  expect(verdictOf(f)).toBe('behaves like calcom-2025-05 except id-not-integer (observations a profile does not expect: calcom-2025-05 1, published 4, calcom-2025-12 4)');
});
