/**
 * A 429 is the environment, not the contract. Against a correct server that
 * applies Cal.com's rate limits (scaled down in time: a 1 s window and a 2 s
 * block instead of 60 s and 60 s), the whole suite passes with no failing
 * check, provokes no block, and leaves no user — whether the server budgets
 * by the x-cal-client-id header or only by the caller's address. Against a
 * server that shows no rate headers, the first 429 teaches the budget, and
 * there is no second block.
 */
import { test, expect } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startReferenceServer, type ReferenceServer } from '../server';
import { newClients, ourUsersLeft, preexisting, runPlaywright, startPlaywright, suiteEnv } from './support';

test.describe.configure({ mode: 'default' });

let dir: string;
test.beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'contract-ratelimit-'));
});
test.afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function rateStats(server: ReferenceServer): Promise<{ requests: number; throttled: number; blocks: number }> {
  return (await (await fetch(`${new URL(server.url).origin}/__control/ratelimit`)).json()) as { requests: number; throttled: number; blocks: number };
}

const CASES = [
  { name: 'a budget per x-cal-client-id (60 per 1 s, 15 per address)', rateLimit: { limit: 60, windowMs: 1000, blockMs: 2000, addressLimit: 15 } },
  { name: 'no client-id budget: every request counted per address (40 per 1 s)', rateLimit: { limit: 40, windowMs: 1000, blockMs: 2000, addressLimit: 40, clientIdTracker: false } },
];

for (const c of CASES) {
  test(`${c.name}: every check passes, no block is provoked, no user is left`, async () => {
    test.setTimeout(120_000); // ~800 requests at 0.9 of 40–60 a second, on a machine that may be busy
    const clients = newClients();
    const server = await startReferenceServer({ clients, variant: 'legal', preexistingUsers: 10, port: 0, rateLimit: c.rateLimit });
    try {
      const run = await runPlaywright(['--project=contract'], suiteEnv(server.url, clients, dir), 180_000);
      expect(run.code, `${run.stdout.slice(-3000)}\n${run.stderr}`).toBe(0);
      expect(run.stdout).toMatch(/\d+ passed/);
      expect(run.stdout).not.toMatch(/\d+ failed/);
      const stats = await rateStats(server);
      // Paced from what the server shows: the run never went over, so the server never had to say 429.
      expect(stats.throttled, `${stats.requests} requests`).toBe(0);
      expect(stats.requests).toBeGreaterThan(c.rateLimit.limit * 3);
      expect(await ourUsersLeft(server, clients)).toEqual([]);
      expect(await preexisting(server)).toEqual(expect.objectContaining({ count: 20, intact: true }));
    } finally {
      await server.close();
    }
  });
}

test('no rate headers (120 per 3 s by address, 3 s block): one block teaches the budget, no second one; every check passes', async () => {
  // 120/min scaled 20× in time. (At 40 per 1 s, the run's own delays between a permit and the request reaching
  // the server, 100 ms and more on a loaded machine, are a tenth of the window: scaling distorts, not the pacer.)
  // About 30 s alone; a loaded machine (the other self-tests beside it) has taken over 150 s.
  test.setTimeout(330_000);
  const clients = newClients();
  const rateLimit = { limit: 120, windowMs: 3000, blockMs: 3000, addressLimit: 120, clientIdTracker: false, showHeaders: false };
  const server = await startReferenceServer({ clients, variant: 'legal', preexistingUsers: 10, port: 0, rateLimit });
  try {
    const run = await runPlaywright(['--project=contract'], suiteEnv(server.url, clients, dir), 320_000);
    expect(run.code, `${run.stdout.slice(-3000)}\n${run.stderr}`).toBe(0);
    expect(run.stdout).not.toMatch(/\d+ failed/);
    const stats = await rateStats(server);
    // The requests already under way when the first 429 came see the same block; the run never provokes another.
    expect(stats.blocks, `${stats.requests} requests, ${stats.throttled} × 429`).toBe(1);
    expect(stats.requests).toBeGreaterThan(rateLimit.limit * 3);
    // The end-of-run line counts the same 429s, and says what they taught.
    expect(run.stdout).toMatch(new RegExp(`requests: \\d+ sent \\(${stats.throttled} × 429 in 1 block, paused [\\d.]+ s\\), [\\d.]+ s waiting for the rate budget.* \\(share 0\\.9 of \\d+/3\\.15s, learned from a 429\\)`));
    expect(await ourUsersLeft(server, clients)).toEqual([]);
  } finally {
    await server.close();
  }
});

test('blocked anyway mid-run (someone else spent the budget): the run waits Retry-After out, passes, and cleans up', async () => {
  const clients = newClients();
  const server = await startReferenceServer({ clients, port: 0, latencyMs: 20, rateLimit: { limit: 40, windowMs: 2000, blockMs: 2000 } });
  try {
    const { done } = startPlaywright(['--project=contract', 'tests/lifecycle.spec.ts', 'tests/get.spec.ts', 'tests/update.spec.ts', 'tests/delete.spec.ts'], suiteEnv(server.url, clients, dir));
    // Once the run is under way, someone else sends as the main client until it is blocked.
    for (let n = 0; (await rateStats(server)).requests < 25 && n < 600; n++) await new Promise((r) => setTimeout(r, 20));
    const before = await rateStats(server);
    let burnt = 0;
    while ((await rateStats(server)).blocks === before.blocks && burnt < 200) {
      burnt++;
      await fetch(`${server.url}/v2/oauth-clients/${clients[0]!.id}/users?limit=1`, { headers: { 'x-cal-secret-key': clients[0]!.secret, 'x-cal-client-id': clients[0]!.id } });
    }
    const run = await done;
    expect(run.code, `${run.stdout.slice(-3000)}\n${run.stderr}`).toBe(0);
    const after = await rateStats(server);
    expect(after.blocks).toBeGreaterThan(before.blocks); // the block really happened while the run was going
    expect(await ourUsersLeft(server, clients)).toEqual([]);
  } finally {
    await server.close();
  }
});
