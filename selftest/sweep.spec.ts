import { test, expect } from '@playwright/test';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startReferenceServer, type ReferenceServer } from '../server';
import { newRunId } from '../fixtures/settings/config';
import { newClients, ROOT, suiteEnv } from './support';

function sweep(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'tools', 'sweep.ts'), ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => resolve({ code: code ?? 1, out }));
  });
}

async function create(server: ReferenceServer, client: { id: string; secret: string }, email: string): Promise<number> {
  const res = await fetch(`${server.url}/v2/oauth-clients/${client.id}/users`, {
    method: 'POST',
    headers: { 'x-cal-secret-key': client.secret, 'content-type': 'application/json' },
    body: JSON.stringify({ email, name: 'sweep test' }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { data: { user: { id: number } } }).data.user.id;
}

async function emails(server: ReferenceServer, client: { id: string; secret: string }): Promise<string[]> {
  const res = await fetch(`${server.url}/v2/oauth-clients/${client.id}/users?limit=250`, { headers: { 'x-cal-secret-key': client.secret } });
  return ((await res.json()) as { data: { email: string }[] }).data.map((u) => u.email);
}

test('sweep removes old users of the namespace, and nothing else', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'contract-sweep-'));
  const clients = newClients();
  const server = await startReferenceServer({ clients, variant: 'legal', prefix: '/api', preexistingUsers: 10, port: 0 });
  try {
    const old = newRunId(Date.now() - 3 * 3600_000);
    const fresh = newRunId();
    await create(server, clients[0]!, `swp-${old}-aaaa1-old@example.com`);
    await create(server, clients[1]!, `swp-${old}-aaaa2-other-client@example.com`);
    await create(server, clients[0]!, `swp-${fresh}-bbbb1-running@example.com`);
    await create(server, clients[0]!, `xyz-${old}-cccc1-other-namespace@example.com`);
    await create(server, clients[0]!, `swp.lookalike-${old}@example.com`);
    const before = [...(await emails(server, clients[0]!)), ...(await emails(server, clients[1]!))];

    // Its own namespace: the server's pre-existing users include lookalikes of the default one ("ctr"), which must survive too.
    const env = suiteEnv(server.url, clients, dir, { CONTRACT_NAMESPACE: 'swp' });
    const dry = await sweep(['--dry-run'], env);
    expect(dry.code, dry.out).toBe(0);
    expect(dry.out).toContain('would remove user');
    expect([...(await emails(server, clients[0]!)), ...(await emails(server, clients[1]!))]).toEqual(before);

    const run = await sweep([], env);
    expect(run.code, run.out).toBe(0);
    expect(run.out).toMatch(/removed user \d+ <swp-[0-9a-z]{10}-aaaa1-old\+c[0-9a-f]+@example\.com> of client c[0-9a-f]+ \(run [0-9a-z]{10}, 18\d min old\)/);
    expect(run.out).toMatch(/sweep: removed 2 user\(s\) of namespace "swp" older than 60 min/);
    const after = [...(await emails(server, clients[0]!)), ...(await emails(server, clients[1]!))];
    expect(after.filter((e) => e.includes('-aaaa'))).toEqual([]);
    expect(after).toHaveLength(before.length - 2);
    expect(after.some((e) => e.includes('bbbb1-running'))).toBe(true);
    const control = (await (await fetch(`${new URL(server.url).origin}/__control/preexisting`)).json()) as { intact: boolean };
    expect(control.intact).toBe(true);

    const all = await sweep(['--older-than', '0'], env);
    expect(all.out).toMatch(/sweep: removed 1 user\(s\)/);
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('sweep without CAL_API_URL, or with a bad flag, says what to fix in one line', async () => {
  const env = { ...suiteEnv('http://127.0.0.1:9', newClients(), tmpdir()), CAL_API_URL: '' };
  const none = await sweep([], env);
  expect(none.code).toBe(2);
  expect(none.out.trim()).toMatch(/^sweep: CAL_API_URL is not set: .+$/);
  const bad = await sweep(['--older-than', 'soon'], env);
  expect(bad.code).toBe(2);
  expect(bad.out.trim()).toBe('sweep: --older-than takes a whole number of minutes, e.g. --older-than 60');
});
