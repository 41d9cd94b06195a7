/**
 * The timed process runs: the contract suite against the embedded server, a
 * bare Playwright run of one trivial API test (the floor), and the mutation
 * self-test. Each is a child process (own process group) timed from spawn to
 * exit, with its process tree's memory sampled from /proc every 50 ms.
 */
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Child, TreeSampler, reapStrays, type TreeMemory } from './procs';
import { INTERNAL_VARS } from '../fixtures/settings/config';
import { childEnv, nodeOptions } from '../fixtures/settings/env';

export interface RunFigures {
  wallMs: number;
  exitCode: number | null;
  timedOut: boolean;
  /** Tests Playwright said it would run ("Running N tests"). */
  tests: number | null;
  /** "76 passed" → { passed: 76 } */
  outcomes: Record<string, number>;
  memory: TreeMemory;
  /** Phases from Playwright's JSON report; null without one. */
  timeline: Timeline | null;
  /** Last lines of output when the run failed. */
  tail?: string;
}

/** ms since the bench spawned the run. */
export interface Timeline {
  /** Playwright's own run start (stats.startTime): node up, config loaded. */
  runStart: number;
  firstTest: number;
  /** End of the last test outside the cleanup project. */
  lastTest: number;
  /** The cleanup (teardown) project's tests, when there are any. */
  teardown: { start: number; end: number } | null;
  exit: number;
  /** Distinct worker processes that ran tests (a failing test or a new project costs a new one). */
  workers: number;
  /** Sum of test durations outside the cleanup project. */
  busyMs: number;
  /** Only for the contract run: the embedded server, from bench/count-requests.cjs. */
  server?: { started: number; listening: number | null; probes: number[] };
}

export interface RequestCounts {
  total: number;
  byOperation: Record<string, number>;
  startedAt: number;
  listeningAt: number | null;
  healthAt: number[];
}

export interface ContractFigures extends RunFigures {
  /** From bench/count-requests.cjs inside the reference server; null when it wrote nothing. */
  requests: Omit<RequestCounts, 'startedAt' | 'listeningAt' | 'healthAt'> | null;
}

export interface SelftestFigures extends RunFigures {
  /** The `time: X s (servers a s, suite b s)` line mutants.ts prints. */
  reported: { totalS: number; serversS: number; suiteS: number } | null;
  score: string | null;
}

/** Every timed run's seed: the same inputs every time (childEnv drops anything else that would steer the suite). */
export const BENCH_SEED = { FAKER_SEED: '1' } as const;

const stripAnsi = (s: string) => s.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');

function parseCounts(out: string): { tests: number | null; outcomes: Record<string, number> } {
  const text = stripAnsi(out);
  const running = /Running (\d+) tests?/.exec(text);
  const outcomes: Record<string, number> = {};
  for (const m of text.matchAll(/^\s*(\d+) (passed|failed|flaky|skipped|did not run|interrupted)\b/gm)) {
    outcomes[m[2]!] = Number(m[1]);
  }
  return { tests: running ? Number(running[1]) : null, outcomes };
}

function classifyPlaywright(root: number) {
  return (pid: number, cmd: string): string => {
    if (pid === root) return 'runner';
    if (/(^|[\s/])server\/main\.ts\b/.test(cmd)) return cmd.startsWith('/bin/sh') ? 'shell' : 'server';
    if (cmd.includes('workerProcessEntry')) return 'worker';
    return 'other';
  };
}

async function timed(
  label: string,
  command: string,
  args: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number; classify: (root: number) => (pid: number, cmd: string) => string; combos?: Record<string, string[]> },
): Promise<{ child: Child; wallMs: number; spawnedAt: number; exitCode: number | null; timedOut: boolean; memory: TreeMemory }> {
  const spawnedAt = Date.now();
  const started = performance.now();
  const child = new Child(label, command, args, { cwd: opts.cwd, env: opts.env, group: true });
  const sampler = child.pid !== undefined ? new TreeSampler(child.pid, opts.classify(child.pid), opts.combos).start() : null;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void child.stop();
  }, opts.timeoutMs);
  const exit = await child.exited;
  const wallMs = performance.now() - started;
  clearTimeout(timer);
  const memory = sampler?.stop() ?? { supported: false, samples: 0, procs: [], peakConcurrentKiB: {}, cpuS: 0, cpuByGroupS: {} };
  await reapStrays();
  return { child, wallMs, spawnedAt, exitCode: exit.code, timedOut, memory };
}

interface JsonResult {
  startTime: string;
  duration: number;
  workerIndex: number;
}
interface JsonSuite {
  specs?: { tests?: { projectName?: string; results?: JsonResult[] }[] }[];
  suites?: JsonSuite[];
}

/** Phases of a run from Playwright's JSON report (written next to the dot output). */
function readTimeline(file: string, spawnedAt: number, wallMs: number): Timeline | null {
  let report: { stats?: { startTime?: string }; suites?: JsonSuite[] };
  try {
    report = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
  const main: { start: number; end: number; worker: number; ms: number }[] = [];
  const teardown: { start: number; end: number; worker: number }[] = [];
  const walk = (suite: JsonSuite) => {
    for (const spec of suite.specs ?? []) {
      for (const t of spec.tests ?? []) {
        for (const r of t.results ?? []) {
          const start = Date.parse(r.startTime) - spawnedAt;
          const item = { start, end: start + r.duration, worker: r.workerIndex, ms: r.duration };
          (t.projectName === 'cleanup' ? teardown : main).push(item);
        }
      }
    }
    for (const s of suite.suites ?? []) walk(s);
  };
  for (const s of report.suites ?? []) walk(s);
  if (!main.length || !report.stats?.startTime) return null;
  const workers = new Set([...main, ...teardown].map((x) => x.worker).filter((w) => w >= 0));
  return {
    runStart: Date.parse(report.stats.startTime) - spawnedAt,
    firstTest: Math.min(...main.map((x) => x.start)),
    lastTest: Math.max(...main.map((x) => x.end)),
    teardown: teardown.length ? { start: Math.min(...teardown.map((x) => x.start)), end: Math.max(...teardown.map((x) => x.end)) } : null,
    exit: wallMs,
    workers: workers.size,
    busyMs: main.reduce((a, x) => a + x.ms, 0),
  };
}

function tailOf(child: Child, lines = 15): string {
  return stripAnsi(`${child.stdout}\n${child.stderr}`).trim().split('\n').slice(-lines).join('\n');
}

/** `playwright test --project=contract --reporter=dot` in the project, as `npm run contract` does, with the request counter preloaded. */
export async function runContract(root: string, tmp: string, index: number): Promise<ContractFigures> {
  const countFile = join(tmp, `requests-${index}.json`);
  const stateDir = join(tmp, `state-${index}`);
  const hook = join(root, 'bench', 'count-requests.cjs');
  const reportFile = join(tmp, `report-${index}.json`);
  const env = childEnv({
    ...BENCH_SEED,
    [INTERNAL_VARS.benchCountFile]: countFile,
    PLAYWRIGHT_JSON_OUTPUT_NAME: reportFile,
    NODE_OPTIONS: `${nodeOptions()} --require ${JSON.stringify(hook)}`.trim(),
    // The run's ledger and Playwright's output go to the bench's temp dir, not
    // the checkout: other runs in /work/main keep their test-results.
    CONTRACT_STATE_DIR: stateDir,
  });
  const cli = join(root, 'node_modules', '@playwright', 'test', 'cli.js');
  // dot for the console, json for the phases; the project's redacting reporter first (as its config asks), so the
  // JSON file holds no secret either.
  const redacting = existsSync(join(root, 'fixtures', 'report', 'redact-reporter.ts')) ? './fixtures/report/redact-reporter.ts,' : '';
  const args = [cli, 'test', '--project=contract', `--reporter=${redacting}dot,json`, `--output=${join(tmp, `test-results-${index}`)}`];
  const r = await timed('contract suite', process.execPath, args, {
    cwd: root,
    env,
    timeoutMs: 180_000,
    classify: classifyPlaywright,
    combos: { 'runner+workers': ['runner', 'worker'] },
  });
  // The server writes its counts on exit, which may come just after the runner's.
  for (let i = 0; i < 40 && !existsSync(countFile); i++) await new Promise((res) => setTimeout(res, 50));
  let counted: RequestCounts | null = null;
  try {
    counted = JSON.parse(readFileSync(countFile, 'utf8'));
  } catch {
    counted = null;
  }
  const timeline = readTimeline(reportFile, r.spawnedAt, r.wallMs);
  if (timeline && counted) {
    timeline.server = {
      started: counted.startedAt - r.spawnedAt,
      listening: counted.listeningAt === null ? null : counted.listeningAt - r.spawnedAt,
      probes: counted.healthAt.map((t) => t - r.spawnedAt),
    };
  }
  const counts = parseCounts(r.child.stdout);
  return {
    wallMs: r.wallMs,
    exitCode: r.exitCode,
    timedOut: r.timedOut,
    ...counts,
    memory: r.memory,
    timeline,
    requests: counted ? { total: counted.total, byOperation: counted.byOperation } : null,
    ...(r.exitCode !== 0 ? { tail: tailOf(r.child) } : {}),
  };
}

/** A throwaway Playwright project with one test doing one request.get against a loopback server. */
export class BareProject {
  private server: Server | undefined;
  private url = '';
  private runs = 0;

  constructor(
    private readonly root: string,
    private readonly dir: string,
  ) {}

  async prepare(): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    // The project's node_modules, so '@playwright/test' resolves to the very same copy the CLI runs.
    symlinkSync(join(this.root, 'node_modules'), join(this.dir, 'node_modules'), 'dir');
    writeFileSync(
      join(this.dir, 'playwright.config.ts'),
      [
        "import { defineConfig } from '@playwright/test';",
        "import { readFileSync } from 'node:fs';",
        "import { join } from 'node:path';",
        'export default defineConfig({',
        "  testDir: '.',",
        '  testMatch: /bare\\.spec\\.ts$/,',
        "  outputDir: 'test-results',",
        '  fullyParallel: true,',
        "  workers: (JSON.parse(readFileSync(join(__dirname, 'bare.json'), 'utf8')) as { workers: number }).workers,",
        '  retries: 0,',
        "  use: { trace: 'off', screenshot: 'off', video: 'off' },",
        '});',
        '',
      ].join('\n'),
    );
    // Like the contract suite: one APIRequestContext per worker, one request.get per test.
    writeFileSync(
      join(this.dir, 'bare.spec.ts'),
      [
        "import { test as base, expect, request, type APIRequestContext } from '@playwright/test';",
        "import { readFileSync } from 'node:fs';",
        "import { join } from 'node:path';",
        "const run = JSON.parse(readFileSync(join(__dirname, 'bare.json'), 'utf8')) as { tests: number; url: string; fail?: boolean };",
        'const test = base.extend<{}, { api: APIRequestContext }>({',
        '  api: [async ({}, use) => { const ctx = await request.newContext(); await use(ctx); await ctx.dispose(); }, { scope: \'worker\' }],',
        '});',
        'for (let i = 0; i < run.tests; i++) {',
        '  test(`one request ${i}`, async ({ api }) => {',
        '    const res = await api.get(run.url);',
        '    expect(res.status()).toBe(run.fail ? 599 : 200);',
        '  });',
        '}',
        '',
      ].join('\n'),
    );
    const body = '{"status":"ok"}';
    this.server = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': body.length });
      res.end(body);
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(0, '127.0.0.1', () => resolve());
    });
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }

  /** `tests` trivial tests on `workers` workers (the floor is 1 and 1); `fail`: every test fails (Playwright then restarts a worker after each). */
  async run(tmp: string, tests = 1, workers = 1, fail = false): Promise<RunFigures> {
    const cli = join(this.root, 'node_modules', '@playwright', 'test', 'cli.js');
    const reportFile = join(tmp, `bare-report-${this.runs++}.json`);
    // What this run does, read by the generated config and spec (a data file: the compiled files stay the same).
    writeFileSync(join(this.dir, 'bare.json'), JSON.stringify({ url: this.url, tests, workers, fail }));
    const r = await timed('bare playwright', process.execPath, [cli, 'test', '-c', join(this.dir, 'playwright.config.ts'), '--reporter=dot,json'], {
      cwd: this.dir,
      env: childEnv({ ...BENCH_SEED, PLAYWRIGHT_JSON_OUTPUT_NAME: reportFile }),
      timeoutMs: 60_000,
      classify: classifyPlaywright,
      combos: { 'runner+workers': ['runner', 'worker'] },
    });
    const counts = parseCounts(r.child.stdout);
    const timeline = readTimeline(reportFile, r.spawnedAt, r.wallMs);
    return { wallMs: r.wallMs, exitCode: r.exitCode, timedOut: r.timedOut, ...counts, memory: r.memory, timeline, ...(r.exitCode !== 0 ? { tail: tailOf(r.child) } : {}) };
  }

  async close(): Promise<void> {
    const s = this.server;
    if (!s) return;
    await new Promise<void>((resolve) => {
      s.close(() => resolve());
      s.closeAllConnections();
    });
  }
}

/** `tsx selftest/mutants.ts`, timed from spawn to exit. */
export async function runSelftest(root: string, tmp: string): Promise<SelftestFigures> {
  const tsx = join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');
  const r = await timed('self-test', process.execPath, [tsx, join('selftest', 'mutants.ts')], {
    cwd: root,
    env: childEnv({ ...BENCH_SEED, CONTRACT_STATE_DIR: join(tmp, 'state-selftest') }),
    timeoutMs: 300_000,
    classify: (root) => (pid, cmd) =>
      pid === root
        ? 'tsx'
        : /server\/main\.ts/.test(cmd)
          ? 'servers'
          : cmd.includes('workerProcessEntry')
            ? 'workers'
            : cmd.includes('@playwright/test/cli.js')
              ? 'runner'
              : /selftest\/mutants\.ts/.test(cmd)
                ? 'mutants'
                : 'other',
  });
  const out = stripAnsi(r.child.stdout);
  const time = /^time: ([\d.]+) s \(servers ([\d.]+) s, suite ([\d.]+) s[;)]/m.exec(out);
  const score = /^mutation score: (.*)$/m.exec(out);
  return {
    wallMs: r.wallMs,
    exitCode: r.exitCode,
    timedOut: r.timedOut,
    tests: null,
    outcomes: {},
    memory: r.memory,
    timeline: null,
    reported: time ? { totalS: Number(time[1]), serversS: Number(time[2]), suiteS: Number(time[3]) } : null,
    score: score?.[1] ?? null,
    ...(r.exitCode !== 0 ? { tail: tailOf(r.child) } : {}),
  };
}
