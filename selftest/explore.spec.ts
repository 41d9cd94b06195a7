/**
 * npm run explore, tested: alone (no named check), it finds every fault written
 * for it (server/faults/, exploreOnly) within a stated budget, shrinks the
 * divergence to a short sequence that replays from its seed and path, finds
 * nothing against the clean server and the legal variant (200 sequences),
 * touches no user it did not create and leaves none behind; it collects
 * several distinct divergences in one run, one per root cause; it honours the
 * profile (a deviation the profile accepts, a behaviour it names, is no
 * divergence); its CLI answers --help and refuses bad input with one line.
 *
 * Budget per fault: at most FAULT_RUNS sequences of up to 25 steps, within
 * FAULT_TIME_MS (shrinking included). The faults run concurrently in this one
 * process, each against its own reference server.
 */
import { test, expect } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXPLORE_ONLY_FAULTS, FAULTS, startReferenceServer, type ReferenceServer, type StartOptions } from '../server';
import type { Patch } from '../server/seams';
import { loadProfile } from '../fixtures/contract/profile';
import { modelPatch } from '../tools/explore/model';
import { DEFAULT_SPEC, parseSettings, type Settings } from '../fixtures/settings/config';
import { parseContractDocument } from '../fixtures/contract/openapi';
import { activate, contractOf } from '../fixtures/client/context';
import { UNPACED } from '../fixtures/settings/budget';
import { explore, type ExploreOptions, type ExploreResult } from '../tools/explore/run';
import { formatResult } from '../tools/explore/report';
import { parseCli } from '../tools/explore';
import { newClients, ROOT } from './support';

/** The CLI as a user runs it, its run state in a throwaway directory. */
function cli(...args: string[]) {
  const state = mkdtempSync(join(tmpdir(), 'explore-cli-'));
  try {
    return spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'tools', 'explore.ts'), ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, CAL_API_URL: '', CONTRACT_ENV_FILE: '/dev/null', CONTRACT_STATE_DIR: state },
      timeout: 45_000,
    });
  } finally {
    rmSync(state, { recursive: true, force: true });
  }
}

const FAULT_RUNS = 300;
const FAULT_TIME_MS = 40_000;
const LEGAL_RUNS = 200;

const text = readFileSync(DEFAULT_SPEC, 'utf8');
const contract = contractOf(parseContractDocument(text, DEFAULT_SPEC), false);

async function against(options: Omit<StartOptions, 'clients'>, run: Partial<ExploreOptions>, profile = 'published'): Promise<{ result: ExploreResult; server: ReferenceServer; settings: Settings }> {
  const clients = newClients();
  const server = await startReferenceServer({ clients, port: 0, ...options });
  const settings = parseSettings({ CONTRACT_NAMESPACE: 'xpl', CONTRACT_ENV_FILE: '/dev/null', CONTRACT_PROFILE: profile }, { baseUrl: server.url, clients });
  const inForce = profile === 'published' ? contract : contractOf(contract.doc, false, loadProfile(profile));
  const result = await explore({ ctx: activate(settings, { contract: inForce, budget: UNPACED }), runs: 100, timeMs: 20_000, seed: 1, maxSteps: 25, shrink: true, ledger: false, ...run });
  return { result, server, settings };
}

/** Users of a run still on a server (by the run stamp in their e-mails), per client. */
async function leftBehind(server: ReferenceServer, settings: Settings): Promise<string[]> {
  const left: string[] = [];
  for (const c of [settings.target.client, settings.target.other!]) {
    const res = await fetch(`${server.url}/v2/oauth-clients/${c.id}/users?limit=250`, { headers: { 'x-cal-secret-key': c.secret } });
    const body = (await res.json()) as { data: { id: number; email: string }[] };
    for (const u of body.data) if (u.email.includes(settings.runId)) left.push(`${u.id} <${u.email}>`);
  }
  return left;
}

test('explore alone finds every explore-only fault within its budget, shrunk to a short sequence, and leaves no user behind', async () => {
  test.setTimeout(100_000); // 40 s of search and shrinking per fault, concurrently; a loaded machine needs it
  expect(EXPLORE_ONLY_FAULTS.length).toBeGreaterThanOrEqual(10);
  const started = Date.now();
  const outcomes = await Promise.all(
    EXPLORE_ONLY_FAULTS.map(async (f) => {
      const { result, server, settings } = await against({ fault: f.id }, { runs: FAULT_RUNS, timeMs: FAULT_TIME_MS, seed: 20240401, maxDivergences: 1 });
      try {
        return { fault: f.id, result, left: await leftBehind(server, settings) };
      } finally {
        await server.close();
      }
    }),
  );
  const lines = outcomes.map(({ fault, result: r }) => `${fault}: ${r.divergences[0] ? `found in sequence ${r.runs}, ${r.divergences[0].steps.length} step(s) after ${r.divergences[0].shrinks} shrink(s)` : `NOT FOUND in ${r.runs} sequences`} (${(r.ms / 1000).toFixed(1)} s)`);
  console.log(`explore self-test (${((Date.now() - started) / 1000).toFixed(1)} s, budget ${FAULT_RUNS} sequences / ${FAULT_TIME_MS / 1000} s per fault):\n  ${lines.join('\n  ')}`);
  for (const { fault, result, left } of outcomes) {
    expect(result.aborted, fault).toBeNull();
    expect(result.divergences, `${fault}: ${formatResult(result, { steps: 25 })}`).toHaveLength(1);
    expect(result.divergences[0]!.steps.length, `${fault}: ${formatResult(result, { steps: 25 })}`).toBeLessThanOrEqual(6);
    expect(result.cleanup, fault).toEqual([]);
    expect(left, `${fault}: users left behind`).toEqual([]);
  }
});

test('a divergence prints its steps, redacted curl lines and a replay line; replayed from seed and path, it diverges again at once', async () => {
  const { result, server, settings } = await against({ fault: 'patch-metadata-merges' }, { runs: 300, seed: 5, maxDivergences: 1 });
  try {
    const d = result.divergences[0]!;
    expect(d, formatResult(result, { steps: 25 })).toBeDefined();
    const out = formatResult(result, { steps: 25 });
    expect(out).toMatch(/^explore: 1 distinct divergence\(s\) in \d+ sequence\(s\)/);
    expect(out).toMatch(/^explore: DIVERGENCE 1 \[update: field metadata\], shrunk \d+ time\(s\) to \d+ step\(s\)/m);
    expect(out).toContain('metadata is {');
    expect(out).toContain(`replay: npm run explore -- --seed ${d.seed} --path ${d.path}`);
    expect(out).toMatch(/curl -sS -i -X PATCH '.*' .*-H "x-cal-secret-key: \$CAL_OAUTH_CLIENT_SECRET"/);
    for (const c of [settings.target.client, settings.target.other!]) expect(out).not.toContain(c.secret);
    expect(out).not.toMatch(/eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\./);
    // The same seed, path and replay path: only that sequence, and it diverges the same way.
    const again = await explore({ ctx: activate(settings, { contract, budget: UNPACED }), runs: 100, timeMs: 20_000, seed: d.seed, path: d.path, replayPath: d.replayPath, maxSteps: 25, shrink: false, ledger: false });
    expect(again.runs).toBe(1);
    expect(again.divergences[0]?.steps.map((s) => s.text.replace(/x[0-9a-z]+-u@/g, '<e>@')), formatResult(again, { steps: 25 })).toEqual(d.steps.map((s) => s.text.replace(/x[0-9a-z]+-u@/g, '<e>@')));
  } finally {
    await server.close();
  }
});

test(`no divergence against the legal variant over ${LEGAL_RUNS} sequences or the clean server, and no user it did not create touched`, async () => {
  test.setTimeout(60_000);
  // The legal variant as the mutation self-test runs it (behind /api, 40 users per client it did not create, lookalikes
  // of the suite's among them), without its latency jitter: explore sends one request at a time, so jitter only slows it.
  const [legal, clean] = await Promise.all([
    against({ variant: 'legal', prefix: '/api', lookalikes: 3, jitterMs: 0 }, { runs: LEGAL_RUNS, timeMs: 50_000, seed: 77 }),
    against({ preexistingUsers: 8, lookalikes: 3 }, { runs: 100, timeMs: 50_000, seed: 78 }),
  ]);
  try {
    for (const [name, { result, server, settings }] of [['legal', legal], ['clean', clean]] as const) {
      expect(result.divergences, `${name}: ${formatResult(result, { steps: 25 })}`).toEqual([]);
      expect(result.aborted, name).toBeNull();
      expect(result.runs, name).toBe(name === 'legal' ? LEGAL_RUNS : 100);
      expect(Object.values(result.stats).reduce((n, s) => n + Object.values(s).reduce((a, b) => a + b, 0), 0), `${name}: steps sent`).toBeGreaterThan(result.runs * 5);
      const preexisting = (await fetch(`${new URL(server.url).origin}/__control/preexisting`).then((r) => r.json())) as { count: number; intact: boolean };
      expect(preexisting.count, name).toBeGreaterThan(0);
      expect(preexisting.intact, `${name}: users explore did not create were touched`).toBe(true);
      expect(await leftBehind(server, settings), `${name}: users left behind`).toEqual([]);
    }
  } finally {
    await Promise.all([legal.server.close(), clean.server.close()]);
  }
});

/** `second` laid over `first`. */
const both = (first: Patch, second: Patch): Patch => (s, env) => {
  const a = first(s, env);
  return { ...a, ...second({ ...s, ...a }, env) };
};
const faultPatchOf = (id: string) => FAULTS.find((f) => f.id === id)!.patch;

test('one run collects several distinct divergences, one per root cause, each shrunk', async () => {
  test.setTimeout(90_000);
  // Two independent bugs in one server: explore reports each once, not the first alone, nor one of them twice.
  const { result, server } = await against({ fault: 'patch-metadata-merges', patch: faultPatchOf('list-empty-name-null') }, { runs: 300, timeMs: 60_000, seed: 11, maxDivergences: 5 });
  try {
    const out = formatResult(result, { steps: 25 });
    const keys = result.divergences.map((d) => d.key);
    // (A merged metadata may also outgrow 50 keys: a schema deviation of its own, keyed apart.)
    expect(keys, out).toEqual(expect.arrayContaining(['list: field name', 'update: field metadata']));
    expect(new Set(keys).size, out).toBe(keys.length);
    for (const d of result.divergences) expect(d.steps.length, out).toBeLessThanOrEqual(6);
    expect(out).toMatch(/^explore: \d distinct divergence\(s\)/);
  } finally {
    await server.close();
  }
});

test("a server of the 2025-05 kind: no divergence under its profile; under published, each deviation once", async () => {
  test.setTimeout(120_000);
  // The reference server with what a real 2025-05 server does: "24" refused, e-mails kept as sent, locale null, weekStart
  // unchecked on create, no bn. Under calcom-2025-05 none of it diverges (behaviours named, deviations accepted).
  const mayFive = loadProfile('calcom-2025-05');
  const keptCase: Patch = () => ({ normaliseEmail: (e) => e });
  const patch = both(both(faultPatchOf('locale-null-when-unset'), keptCase), modelPatch({ 'timeFormat-numeric-string': 'rejected' }, mayFive.accepted));
  const [accepted, published] = await Promise.all([
    against({ patch }, { runs: 100, timeMs: 60_000, seed: 21 }, 'calcom-2025-05'),
    against({ patch }, { runs: 300, timeMs: 60_000, seed: 21, maxDivergences: 10 }),
  ]);
  try {
    expect(accepted.result.divergences, formatResult(accepted.result, { steps: 25 })).toEqual([]);
    expect(accepted.result.settled).toEqual({ 'timeFormat-numeric-string': 'rejected', 'email-case': 'kept', 'timeZone-null-on-create': 'as-absent' });
    const keys = published.result.divergences.map((d) => d.key);
    const out = formatResult(published.result, { steps: 25 });
    // The behaviours were the target's to choose (settled from it, not divergences); the deviations each diverge once.
    expect(published.result.settled, out).toEqual({ 'timeFormat-numeric-string': 'rejected', 'email-case': 'kept', 'timeZone-null-on-create': 'as-absent' });
    expect(keys, out).toContain('schema: type at #/definitions/Locale/type');
    expect(keys.filter((k) => k.startsWith('schema:')), out).toHaveLength(1);
    expect(keys.some((k) => /^create: status 201, the model's 400$/.test(k)), out).toBe(true); // weekStart outside the enum taken
    expect(keys.some((k) => / status 400, the model's 20[01]$/.test(k)), out).toBe(true); // bn refused
  } finally {
    await Promise.all([accepted.server.close(), published.server.close()]);
  }
});

test('the CLI: --help, and one line with exit 2 on bad input', () => {
  const help = cli('--help');
  expect(help.status).toBe(0);
  for (const flag of ['--runs', '--time', '--seed', '--steps', '--path', '--replay-path', '--no-shrink', '--max-divergences', '--json', '--fault', '--variant']) expect(help.stdout).toContain(flag);
  for (const [args, message] of [
    [['--runs', '0'], /^explore: --runs must be a whole number from 1/],
    [['--time', 'soon'], /^explore: --time must be a duration/],
    [['--path', '3:1'], /^explore: --path replays a sequence of one seed: give --seed too/],
    [['--fault', 'nope'], /^explore: --fault: unknown fault "nope"/],
    [['--bogus'], /^explore: unknown flag --bogus; usage: npm run explore/],
    [['--max-divergences', '0'], /^explore: --max-divergences must be a whole number from 1/],
  ] as const) {
    const r = cli(...args);
    expect(r.status, args.join(' ')).toBe(2);
    expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    expect(r.stderr.trim(), args.join(' ')).toMatch(message);
  }
  expect(parseCli(['--time', '2m', '--seed', '9', '--path', '3:1', '--replay-path', 'AB']).timeMs).toBe(120_000);
});

test('explore runs end to end from the CLI against an embedded server with a fault, and says how to replay', () => {
  const r = cli('--fault', 'old-email-still-taken', '--seed', '3', '--runs', '300', '--max-divergences', '1', '--quiet');
  expect(r.status, r.stdout + r.stderr).toBe(1);
  expect(r.stdout).toMatch(/^explore run [0-9a-z]{10} against the embedded reference server with fault old-email-still-taken, both clients, profile published, seed 3/);
  expect(r.stdout).toMatch(/the target answered 409 ConflictException: .*, the model 201/);
  expect(r.stdout).toMatch(/replay: npm run explore -- --seed 3 --path [\d:]+/);
});
