/**
 * An interrupted run cleans up like a failed one: after Ctrl-C (SIGINT) or
 * SIGTERM in the middle of a run, no user of the run is left on the server
 * (global teardown removes what the ledger names); after SIGKILL, nothing can
 * run, and `npm run sweep` removes what is left. Users that were there before
 * are never touched.
 */
import { test, expect } from '@playwright/test';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startReferenceServer, type ReferenceServer } from '../server';
import { newClients, ourUsersLeft, preexisting, ROOT, startPlaywright, suiteEnv } from './support';

test.describe.configure({ mode: 'default' });

let dir: string;
test.beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'contract-interrupt-'));
});
test.afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Wait until the run has users on the server (it is in the middle of its work). */
async function untilUsersExist(server: ReferenceServer, clients: { id: string; secret: string }[], namespace = 'ctr', min = 2): Promise<number> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const n = (await ourUsersLeft(server, clients, namespace)).length;
    if (n >= min) return n;
    if (Date.now() > deadline) throw new Error('the run created no users within 30 s');
    await new Promise((r) => setTimeout(r, 50));
  }
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  test(`${signal} in the middle of a run: no user of the run is left, no other user touched`, async () => {
    const clients = newClients();
    // Latency keeps checks in flight when the signal comes.
    const server = await startReferenceServer({ clients, variant: 'legal', preexistingUsers: 10, latencyMs: 150, port: 0 });
    try {
      const { child, done } = startPlaywright(['--project=contract', '--workers=2'], suiteEnv(server.url, clients, dir));
      const during = await untilUsersExist(server, clients);
      child.kill(signal);
      const run = await done;
      expect(run.code, run.stdout.slice(-2000)).not.toBe(0);
      expect(during).toBeGreaterThan(0);
      expect(run.stdout).toMatch(/cleanup after the run: (removed leftover user|nothing left behind)/);
      expect(await ourUsersLeft(server, clients)).toEqual([]);
      expect(await preexisting(server)).toEqual(expect.objectContaining({ count: 20, intact: true }));
    } finally {
      await server.close();
    }
  });
}

test('SIGKILL leaves users behind; npm run sweep -- --older-than 0 removes them, and only them', async () => {
  const clients = newClients();
  const server = await startReferenceServer({ clients, variant: 'legal', preexistingUsers: 10, latencyMs: 150, port: 0 });
  try {
    // Its own namespace: `--older-than 0` sweeps every run of the namespace, and the server's lookalikes are in "ctr".
    const env = suiteEnv(server.url, clients, dir, { CONTRACT_NAMESPACE: 'killed' });
    // Its own process group, as a CI job: SIGKILL takes the runner and its workers at once.
    const { child, done } = startPlaywright(['--project=contract', '--workers=2'], env, 90_000, true);
    await untilUsersExist(server, clients, 'killed');
    process.kill(-child.pid!, 'SIGKILL');
    await done;
    await new Promise((r) => setTimeout(r, 500)); // requests already on the wire land
    expect((await ourUsersLeft(server, clients, 'killed')).length).toBeGreaterThan(0);
    const sweep = await new Promise<{ code: number; out: string }>((resolve) => {
      const p = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'tools', 'sweep.ts'), '--older-than', '0'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      p.stdout.on('data', (d) => (out += d));
      p.stderr.on('data', (d) => (out += d));
      p.on('exit', (code) => resolve({ code: code ?? 1, out }));
    });
    expect(sweep.code, sweep.out).toBe(0);
    expect(sweep.out).toMatch(/sweep: removed [1-9]\d* user\(s\) of namespace "killed"/);
    expect(await ourUsersLeft(server, clients, 'killed')).toEqual([]);
    expect(await preexisting(server)).toEqual(expect.objectContaining({ count: 20, intact: true }));
  } finally {
    await server.close();
  }
});
