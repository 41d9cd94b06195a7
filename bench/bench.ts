/**
 * npm run bench [-- --quick] [-- --json <file>]
 *
 * 1. contract suite vs Playwright's floor (wall time, requests, per-test cost)
 * 2. mutation self-test (wall time, per fault, vs one contract run)   [not with --quick]
 * 3. peak memory of runner + workers and of the reference server
 * 4. reference-server throughput vs a bare node:http server (GET by id, create)
 * 5. npm run smoke against a host with 100 ms latency
 * 6. requests per run (by operation, per check) and the contract suite under Cal.com's rate limits (time scaled 10×;
 *    without rate headers; and 500/min with 700 ms creates in real time), beside their floors
 * 7. the contract suite against a server whose create takes 700 ms, and the users a run creates
 * 8. a run where every check fails vs a passing run, and Playwright's floor for that many failures
 *
 * Figures, not tests: exits 0 when a goal is missed (and says MISSED), 1 only
 * when the bench itself could not run, 2 on a usage error. See bench/README.md.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FAULTS } from '../server/faults';
import { installHandlers, reapStrays, registerTemp, removeTemp, stopAll } from './procs';
import { BareProject, runContract, runSelftest, type ContractFigures, type RunFigures, type SelftestFigures } from './suite';
import { measureThroughput, type ThroughputResult } from './throughput';
import { runSmoke, type SmokeFigures } from './smoke';
import { BUDGET_CASES, budgetRows, byOperationText, describeBudgetRun, runBudgetCase, type BudgetFigures } from './budget';
import { runSlowCreate, type SlowCreateFigures } from './slow-create';
import { runFailing, type FailingFigures } from './failing';
import { parseCli } from '../fixtures/settings/cli';

const ROOT = resolve(__dirname, '..');

const GOALS = {
  contractVsBare: 3, // contract wall ≤ 3 × bare Playwright run
  smokeS: 15, // npm run smoke against a host with 100 ms latency: well under 15 s
  selftestS: 60, // self-test < 60 s
  throughputRatio: 0.5, // reference server ≥ 50 % of bare node:http
  slowCreateMs: 700, // a create on a real Cal.com API v2
  slowCreateS: 25, // the full suite against it
  failingVsPassing: 2, // a run where every check fails, against a passing one
};

const CLI = {
  tool: 'bench',
  usage: 'npm run bench [-- --quick] [-- --json <file>]',
  about: [
    'Speed and memory figures as ratios to their floors (see bench/README.md): the contract suite vs a bare Playwright',
    'run, the mutation self-test, peak memory, reference-server throughput vs bare node:http, smoke at 100 ms latency,',
    "and the suite under Cal.com's rate limits (time scaled 10x). Figures, not tests: a missed goal says MISSED.",
  ],
  flags: {
    quick: { type: 'boolean', help: 'fewer rounds and shorter slices, and no self-test' },
    budget: { type: 'boolean', help: "only the request and rate-budget figures: smoke and the suite under Cal.com's limits (~5 min)" },
    json: { type: 'string', value: '<file>', help: 'also write every figure as JSON to this file' },
  },
  notes: ['exit status: 0 figures printed (goals met or not), 1 the bench could not run, 2 bad input'],
} as const;

interface Options {
  quick: boolean;
  budget: boolean;
  json: string | undefined;
}

function parseArgs(argv: string[]): Options {
  const { values } = parseCli(CLI, argv);
  return { quick: values.quick === true, budget: values.budget === true, json: values.json };
}

const out = (line = '') => process.stdout.write(`${line}\n`);
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const mib = (kib: number | undefined) => (kib === undefined || !Number.isFinite(kib) ? 'n/a' : `${(kib / 1024).toFixed(0)} MiB`);
const min = (xs: number[]) => Math.min(...xs);
const median = (xs: number[]) => {
  const a = [...xs].sort((x, y) => x - y);
  const m = Math.floor(a.length / 2);
  return a.length % 2 ? a[m]! : (a[m - 1]! + a[m]!) / 2;
};

function outcomeText(r: RunFigures): string {
  const parts = Object.entries(r.outcomes).map(([k, v]) => `${v} ${k}`);
  const status = r.timedOut ? 'TIMED OUT' : r.exitCode === 0 ? 'ok' : `exit ${r.exitCode ?? 'signal'}`;
  return `${parts.join(', ') || 'no summary'}; ${status}`;
}

interface Row {
  metric: string;
  value: string;
  goal: string;
  met: boolean | null;
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  installHandlers();
  const tmp = registerTemp(mkdtempSync(join(tmpdir(), 'contract-bench-')));
  const started = performance.now();
  const date = new Date().toISOString();
  const bareRounds = opts.quick ? 2 : 3;
  const contractRounds = opts.quick ? 1 : 3;
  const throughputMs = opts.quick ? 600 : 2000;
  const throughputRounds = opts.quick ? 2 : 4;
  const warmupMs = opts.quick ? 200 : 400;

  out(`contract-suite bench ${date}${opts.quick ? ' (--quick)' : ''}`);
  out(`node ${process.version}, ${cpus().length} CPU(s) ${cpus()[0]?.model.trim() ?? ''}, load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  out('absolute times on a shared machine are noise; compare the ratios');
  if (opts.budget) return budgetOnly(tmp, opts, started, date);

  // ── 1. contract suite vs Playwright's floor ───────────────────────────────
  out();
  out(`[1/8] contract suite vs a bare Playwright run (runs interleaved; best of ${contractRounds} contract, ${bareRounds} bare)`);
  const bare = new BareProject(ROOT, join(tmp, 'bare'));
  await bare.prepare();
  const bareRuns: RunFigures[] = [];
  const contractRuns: ContractFigures[] = [];
  const bareManyRuns: RunFigures[] = [];
  try {
    for (let i = 0; i < Math.max(bareRounds, contractRounds); i++) {
      if (i < bareRounds) {
        const r = await bare.run(tmp);
        bareRuns.push(r);
        out(`  bare      run ${i + 1}: ${s(r.wallMs).padStart(8)}  (${outcomeText(r)})`);
        if (r.tail) out(indent(r.tail));
      }
      if (i < contractRounds) {
        const r = await runContract(ROOT, tmp, i);
        contractRuns.push(r);
        const req = r.requests ? `, ${r.requests.total} requests` : ', requests n/a';
        out(`  contract  run ${i + 1}: ${s(r.wallMs).padStart(8)}  (${r.tests ?? '?'} tests: ${outcomeText(r)}${req})`);
        if (r.tail) out(indent(r.tail));
        // Playwright alone with as many trivial tests as the suite has, on its 2 workers: the per-test floor.
        const n = contractRuns.find((c) => c.tests)?.tests ?? 0;
        if (n > 1) {
          const m = await bare.run(tmp, n, 2);
          bareManyRuns.push(m);
          out(`  bare x${n}  run ${i + 1}: ${s(m.wallMs).padStart(8)}  (${n} trivial tests, 2 workers: ${outcomeText(m)})`);
          if (m.tail) out(indent(m.tail));
        }
      }
    }
  } finally {
    await bare.close();
  }
  const bareBest = min(bareRuns.map((r) => r.wallMs));
  const contractBest = min(contractRuns.map((r) => r.wallMs));
  const contractRatio = contractBest / bareBest;
  const ref = contractRuns.reduce((a, b) => (b.wallMs < a.wallMs ? b : a));
  const tests = ref.tests ?? 0;
  const req = ref.requests;
  const apiRequests = req ? req.total - (req.byOperation.health ?? 0) - (req.byOperation.control ?? 0) : null;
  out(`  bare Playwright (1 test, 1 request): best ${s(bareBest)}, median ${s(median(bareRuns.map((r) => r.wallMs)))}`);
  out(`  contract suite:                     best ${s(contractBest)}, median ${s(median(contractRuns.map((r) => r.wallMs)))}`);
  out(`  ratio contract / bare: ${contractRatio.toFixed(2)}x   (goal <= ${GOALS.contractVsBare}x)`);
  const bareManyBest = bareManyRuns.length ? min(bareManyRuns.map((r) => r.wallMs)) : null;
  if (bareManyBest !== null) {
    out(
      `  Playwright alone, ${bareManyRuns[0]?.tests ?? '?'} trivial tests on 2 workers: best ${s(bareManyBest)} = ${(bareManyBest / bareBest).toFixed(2)}x the 1-test run` +
        ` (${((bareManyBest - bareBest) / Math.max(1, (bareManyRuns[0]?.tests ?? 1) - 1)).toFixed(0)} ms wall per extra test); the suite's own work on top: ${s(contractBest - bareManyBest)}`,
    );
  }
  out(`  tests: ${tests}; per test: ${tests ? (contractBest / tests).toFixed(0) : '?'} ms wall; above the floor: ${tests ? ((contractBest - bareBest) / tests).toFixed(0) : '?'} ms/test`);
  const bestBare = bareRuns.reduce((a, b) => (b.wallMs < a.wallMs ? b : a));
  printPhases(ref, bestBare, bareManyRuns.length ? bareManyRuns.reduce((a, b) => (b.wallMs < a.wallMs ? b : a)) : null);
  const cpuSplit = (m: RunFigures['memory']) =>
    Object.entries(m.cpuByGroupS)
      .filter(([, v]) => v >= 0.05)
      .sort((a, b) => b[1] - a[1])
      .map(([g, v]) => `${g} ${v.toFixed(1)}`)
      .join(', ');
  out(
    `  CPU time of the process tree (user+sys): contract ${ref.memory.cpuS.toFixed(1)} s (${cpuSplit(ref.memory)}), bare ${bestBare.memory.cpuS.toFixed(1)} s (${cpuSplit(bestBare.memory)})`,
  );
  if (req && apiRequests !== null) {
    const ops = Object.entries(req.byOperation)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    out(`  requests to the reference server: ${apiRequests} API (+${req.total - apiRequests} health/control): ${ops}`);
    out(`  per test: ${(apiRequests / Math.max(1, tests)).toFixed(1)} requests; ${(contractBest / Math.max(1, apiRequests)).toFixed(1)} ms wall per request`);
    const other = contractRuns.filter((r) => r !== ref && r.requests && r.requests.total !== req.total);
    if (other.length) out(`  (request count differed between runs: ${contractRuns.map((r) => r.requests?.total ?? 'n/a').join(', ')})`);
  } else out('  requests: n/a (the reference server wrote no counts)');

  // ── 3. memory (printed here: it comes from the contract runs) ─────────────
  const peak = (runs: RunFigures[], key: string) => Math.max(...runs.map((r) => r.memory.peakConcurrentKiB[key] ?? 0));
  const hwm = (runs: RunFigures[], group: string) => Math.max(0, ...runs.flatMap((r) => r.memory.procs.filter((p) => p.group === group).map((p) => p.hwmKiB)));
  const memSupported = contractRuns.some((r) => r.memory.supported);
  const mem = {
    contractRunnerKiB: hwm(contractRuns, 'runner'),
    contractWorkerMaxKiB: hwm(contractRuns, 'worker'),
    contractWorkers: Math.max(...contractRuns.map((r) => r.memory.procs.filter((p) => p.group === 'worker').length)),
    contractRunnerWorkersKiB: peak(contractRuns, 'runner+workers'),
    contractServerKiB: hwm(contractRuns, 'server'),
    contractTotalKiB: peak(contractRuns, 'total'),
    bareRunnerWorkersKiB: peak(bareRuns, 'runner+workers'),
  };
  out();
  out('[2/8] peak memory during the contract runs (/proc VmHWM per process, VmRSS sums sampled every 50 ms)');
  if (!memSupported) out('  n/a: no /proc on this system');
  else {
    out(`  Playwright runner: ${mib(mem.contractRunnerKiB)}; workers: ${mem.contractWorkers}, largest ${mib(mem.contractWorkerMaxKiB)}`);
    out(`  runner + workers, peak of the sum: ${mib(mem.contractRunnerWorkersKiB)}   (bare Playwright run: ${mib(mem.bareRunnerWorkersKiB)})`);
    out(`  reference server: ${mib(mem.contractServerKiB)}`);
    out(`  whole tree, peak of the sum: ${mib(mem.contractTotalKiB)}`);
  }

  // ── 2. self-test ──────────────────────────────────────────────────────────
  out();
  let selftest: SelftestFigures | null = null;
  if (opts.quick) out('[3/8] self-test: skipped (--quick)');
  else {
    out(`[3/8] self-test: tsx selftest/mutants.ts (${FAULTS.length} faults)...`);
    selftest = await runSelftest(ROOT, tmp);
    const rep = selftest.reported;
    out(`  wall ${s(selftest.wallMs)}${rep ? ` (it reports ${rep.totalS.toFixed(1)} s: servers ${rep.serversS.toFixed(1)} s, suite ${rep.suiteS.toFixed(1)} s)` : ''}; ${selftest.timedOut ? 'TIMED OUT' : selftest.exitCode === 0 ? 'passed' : `FAILED (exit ${selftest.exitCode})`}${selftest.score ? `; score ${selftest.score}` : ''}`);
    out(`  per fault: ${(selftest.wallMs / FAULTS.length).toFixed(0)} ms; vs one contract run: ${(selftest.wallMs / contractBest).toFixed(1)}x; peak RSS of its tree: ${mib(selftest.memory.peakConcurrentKiB.total)}`);
    const split = Object.entries(selftest.memory.cpuByGroupS)
      .sort((a, b) => b[1] - a[1])
      .map(([g, v]) => `${g} ${v.toFixed(1)} s`)
      .join(', ');
    out(`  CPU time of its tree (user+sys): ${selftest.memory.cpuS.toFixed(1)} s = ${(selftest.memory.cpuS / (selftest.wallMs / 1000)).toFixed(2)} cores busy on average (this machine has ${cpus().length}): ${split}`);
    if (selftest.tail) out(indent(selftest.tail));
  }

  // ── 4. throughput ─────────────────────────────────────────────────────────
  out();
  out(`[5/8] reference server vs bare node:http, keep-alive: ${s(throughputMs)} per server and case, in ${throughputRounds} alternating slices (best slice kept)`);
  const tp: ThroughputResult = await measureThroughput(ROOT, { durationMs: throughputMs, warmupMs, rounds: throughputRounds, concurrencies: [8, 32], log: out });
  out(`  bodies: GET ${tp.bodyBytes.get.ref} B (bare ${tp.bodyBytes.get.bare} B), create ${tp.bodyBytes.create.ref} B (bare ${tp.bodyBytes.create.bare} B)`);
  await reapStrays(1000);

  // ── 4. smoke against a distant host ──────────────────────────────────────
  out();
  out('[4/8] npm run smoke against a host with 100 ms latency on every request');
  const smoke: SmokeFigures = await runSmoke(ROOT, tmp, 100);
  out(`  wall ${s(smoke.wallMs)} for ${smoke.requests} requests (${smoke.exitCode === 0 ? 'passed' : `exit ${smoke.exitCode}`})`);
  out(`  requests by operation: ${byOperationText(smoke.tally)}; ${(smoke.tally.total / Math.max(1, smoke.checks)).toFixed(1)} per check (${smoke.checks} checks)`);
  if (smoke.tail) out(indent(smoke.tail));
  await reapStrays(1000);

  // ── 6. under Cal.com's rate limits ───────────────────────────────────────
  out();
  out("[6/8] the contract suite under Cal.com's rate limits (see bench/budget.ts)");
  const limited = await runBudgetCases(tmp);

  // ── 7. a real server's slow create ───────────────────────────────────────
  out();
  out(`[7/8] the contract suite against a server whose successful create takes ${GOALS.slowCreateMs} ms (a real Cal.com API v2)`);
  const slow: SlowCreateFigures = await runSlowCreate(ROOT, tmp, GOALS.slowCreateMs);
  out(`  wall ${s(slow.wallMs)}; users created ${slow.created} (of ${slow.createRequests} create requests, ${slow.requests} API requests) (${slow.exitCode === 0 ? 'passed' : `exit ${slow.exitCode}`})`);
  if (slow.tail) out(indent(slow.tail));
  await reapStrays(1000);

  // ── 8. a run where every check fails ─────────────────────────────────────
  out();
  out('[8/8] a run where every check fails (a server that answers 500 after the preflight) vs a passing run');
  const failing: FailingFigures = await runFailing(ROOT, tmp);
  const failFloorBare = new BareProject(ROOT, join(tmp, 'bare-failing'));
  await failFloorBare.prepare();
  let failFloor: RunFigures;
  try {
    failFloor = await failFloorBare.run(tmp, Math.max(1, failing.failed), 2, true);
  } finally {
    await failFloorBare.close();
  }
  const failRatio = failing.wallMs / contractBest;
  out(`  failing run: ${s(failing.wallMs)} (${failing.failed} failed, ${failing.passed} passed) = ${failRatio.toFixed(2)}x the passing run (${s(contractBest)})`);
  out(`  Playwright's floor: ${failing.failed} trivial failing tests on 2 workers take ${s(failFloor.wallMs)} = ${(failFloor.wallMs / contractBest).toFixed(2)}x the passing run (a fresh worker after every failed test)`);
  await reapStrays(1000);

  // ── summary ───────────────────────────────────────────────────────────────
  const rows: Row[] = [
    { metric: 'contract suite wall (best)', value: s(contractBest), goal: '', met: null },
    { metric: 'bare Playwright run wall (best)', value: s(bareBest), goal: '', met: null },
    { metric: 'contract / bare', value: `${contractRatio.toFixed(2)}x`, goal: `<= ${GOALS.contractVsBare}x`, met: contractRatio <= GOALS.contractVsBare },
    {
      metric: `bare x${tests} trivial tests / bare`,
      value: bareManyBest === null ? 'n/a' : `${(bareManyBest / bareBest).toFixed(2)}x (${s(bareManyBest)})`,
      goal: '',
      met: null,
    },
    { metric: 'contract tests', value: String(tests), goal: '', met: null },
    { metric: 'contract per test', value: tests ? `${(contractBest / tests).toFixed(0)} ms` : 'n/a', goal: '', met: null },
    { metric: 'contract API requests', value: apiRequests === null ? 'n/a' : String(apiRequests), goal: '', met: null },
    {
      metric: 'contract suite all passed',
      value: contractRuns.every((r) => r.exitCode === 0) ? 'yes' : 'NO',
      goal: 'yes',
      met: contractRuns.every((r) => r.exitCode === 0),
    },
  ];
  if (selftest) {
    rows.push(
      { metric: 'self-test wall', value: s(selftest.wallMs), goal: `< ${GOALS.selftestS} s`, met: selftest.wallMs < GOALS.selftestS * 1000 },
      { metric: 'self-test per fault', value: `${(selftest.wallMs / FAULTS.length).toFixed(0)} ms`, goal: '', met: null },
      { metric: 'self-test CPU time (user+sys)', value: `${selftest.memory.cpuS.toFixed(1)} s`, goal: '', met: null },
      { metric: 'self-test / contract run', value: `${(selftest.wallMs / contractBest).toFixed(1)}x`, goal: '', met: null },
      { metric: 'self-test passed', value: selftest.exitCode === 0 ? 'yes' : 'NO', goal: 'yes', met: selftest.exitCode === 0 },
    );
  } else rows.push({ metric: 'self-test wall', value: 'skipped (--quick)', goal: `< ${GOALS.selftestS} s`, met: null });
  rows.push({ metric: 'smoke at 100 ms latency', value: `${s(smoke.wallMs)} (${smoke.requests} requests)`, goal: `< ${GOALS.smokeS} s`, met: smoke.exitCode === 0 && smoke.wallMs < GOALS.smokeS * 1000 });
  rows.push({ metric: 'every check failing / passing run', value: `${failRatio.toFixed(2)}x (${s(failing.wallMs)}, ${failing.failed} failed)`, goal: `<= ${GOALS.failingVsPassing}x`, met: failRatio <= GOALS.failingVsPassing });
  rows.push({ metric: "Playwright's floor for that many failures / passing run", value: `${(failFloor.wallMs / contractBest).toFixed(2)}x (${s(failFloor.wallMs)})`, goal: '', met: null });
  rows.push({ metric: `suite with ${GOALS.slowCreateMs} ms creates`, value: `${s(slow.wallMs)} (${slow.created} users created)`, goal: `<= ${GOALS.slowCreateS} s`, met: slow.exitCode === 0 && slow.wallMs <= GOALS.slowCreateS * 1000 });
  rows.push({ metric: 'users created per run', value: String(slow.created), goal: '', met: null });
  rows.push(...requestRows(limited, smoke), ...budgetRows(limited));
  rows.push(
    { metric: 'peak RSS runner + workers', value: mib(memSupported ? mem.contractRunnerWorkersKiB : undefined), goal: '', met: null },
    { metric: 'peak RSS reference server', value: mib(memSupported ? mem.contractServerKiB : undefined), goal: '', met: null },
  );
  for (const sc of tp.scenarios) {
    rows.push({
      metric: `${sc.operation === 'get' ? 'GET by id' : 'create'} c=${sc.concurrency}: ref / bare`,
      value: `${(100 * sc.ratio).toFixed(0)}% (${sc.ref.rps.toFixed(0)} / ${sc.bare.rps.toFixed(0)} req/s; by CPU/req ${(100 * sc.cpuRatio).toFixed(0)}%${sc.bare.clientCpu >= 0.9 ? '; generator-bound' : ''})`,
      goal: `>= ${100 * GOALS.throughputRatio}% (both)`,
      // The lower of the two ratios: when the node:http load generator saturates its core first (usual on
      // 2 cores), req/s only says the server kept up; CPU per request says what it would do with a core to itself.
      met: Math.min(sc.ratio, Number.isFinite(sc.cpuRatio) ? sc.cpuRatio : sc.ratio) >= GOALS.throughputRatio && sc.ref.errors === 0,
    });
  }
  const totalMs = performance.now() - started;
  out();
  out(`summary (bench took ${s(totalMs)})`);
  printTable(rows);
  const missed = rows.filter((r) => r.met === false);
  out();
  if (missed.length) out(`MISSED ${missed.length} goal(s): ${missed.map((r) => `${r.metric} = ${r.value} (goal ${r.goal})`).join('; ')}`);
  else out('all goals met');

  if (opts.json) {
    const file = resolve(process.cwd(), opts.json);
    const figures = {
      date,
      quick: opts.quick,
      node: process.version,
      cpus: cpus().length,
      benchSeconds: totalMs / 1000,
      smoke: { wallS: smoke.wallMs / 1000, requests: smoke.requests, latencyMs: smoke.latencyMs, passed: smoke.exitCode === 0 },
      slowCreate: { ...slow, tail: undefined },
      failing: { ...failing, ratio: failRatio, floorMs: failFloor.wallMs },
      rateLimited: limited.map(({ tail: _t, ...r }) => ({ ...r, ratio: r.floorMs ? r.wallMs / r.floorMs : null })),
      goals: GOALS,
      contract: { bestMs: contractBest, bareBestMs: bareBest, ratio: contractRatio, tests, apiRequests, bareManyBestMs: bareManyBest, runs: contractRuns.map(strip), bareRuns: bareRuns.map(strip), bareManyRuns: bareManyRuns.map(strip) },
      memory: memSupported ? mem : null,
      selftest: selftest ? { ...strip(selftest), faults: FAULTS.length, perFaultMs: selftest.wallMs / FAULTS.length, vsContract: selftest.wallMs / contractBest } : null,
      throughput: tp,
      summary: rows,
      missed: missed.map((r) => r.metric),
    };
    writeFileSync(file, `${JSON.stringify(figures, null, 2)}\n`);
    out(`figures written to ${file}`);
  }
  removeTemp(tmp);
}

/** Every case of bench/budget.ts, printed as it ends. */
async function runBudgetCases(tmp: string): Promise<BudgetFigures[]> {
  const figures: BudgetFigures[] = [];
  for (const c of BUDGET_CASES) {
    const f = await runBudgetCase(ROOT, tmp, c);
    figures.push(f);
    for (const line of describeBudgetRun(f, figures)) out(`  ${line}`);
    if (f.tail) out(indent(f.tail));
    await reapStrays(1000);
  }
  return figures;
}

/** Requests per run, by operation and per check: the full suite (the first budget case's) and smoke. */
function requestRows(limited: BudgetFigures[], smoke: SmokeFigures): Row[] {
  const full = limited[0];
  const per = (total: number, checks: number) => `${(total / Math.max(1, checks)).toFixed(1)} per check`;
  return [
    ...(full ? [{ metric: 'requests per run, full suite', value: `${full.requests.total} (${per(full.requests.total, full.checks)}): ${byOperationText(full.requests)}`, goal: '', met: null }] : []),
    { metric: 'requests per run, smoke', value: `${smoke.tally.total} (${per(smoke.tally.total, smoke.checks)}): ${byOperationText(smoke.tally)}`, goal: '', met: null },
  ];
}

/** `--budget`: smoke and the rate-budget cases only, with their table. */
async function budgetOnly(tmp: string, opts: Options, started: number, date: string): Promise<void> {
  out();
  out('[1/2] npm run smoke against a host with 100 ms latency on every request');
  const smoke = await runSmoke(ROOT, tmp, 100);
  out(`  wall ${s(smoke.wallMs)}; requests by operation: ${byOperationText(smoke.tally)}; ${(smoke.tally.total / Math.max(1, smoke.checks)).toFixed(1)} per check (${smoke.checks} checks)`);
  await reapStrays(1000);
  out();
  out("[2/2] the contract suite under Cal.com's rate limits (see bench/budget.ts)");
  const limited = await runBudgetCases(tmp);
  const rows = [...requestRows(limited, smoke), ...budgetRows(limited)];
  out();
  out(`summary (bench took ${s(performance.now() - started)})`);
  printTable(rows);
  if (opts.json) {
    const file = resolve(process.cwd(), opts.json);
    const strip = <T extends { tail?: string }>({ tail: _t, ...r }: T) => r;
    writeFileSync(file, `${JSON.stringify({ date, node: process.version, cpus: cpus().length, smoke: strip(smoke), rateLimited: limited.map(strip), summary: rows }, null, 2)}\n`);
    out(`figures written to ${file}`);
  }
  removeTemp(tmp);
}

/** Run figures without the per-process command lines (which carry ports, never secrets) and output tails. */
function strip<T extends RunFigures>(r: T): Omit<T, 'memory' | 'tail'> & { memory: { samples: number; peakConcurrentKiB: Record<string, number>; procs: { group: string; hwmKiB: number }[] } } {
  const { memory, tail: _tail, ...rest } = r;
  return { ...rest, memory: { samples: memory.samples, peakConcurrentKiB: memory.peakConcurrentKiB, procs: memory.procs.map((p) => ({ group: p.group, hwmKiB: p.hwmKiB })) } };
}

/** Where the wall time goes, contract vs bare, from Playwright's JSON report and the server's own timestamps. */
function printPhases(c: RunFigures, b: RunFigures, many: RunFigures | null): void {
  const ct = c.timeline;
  const bt = b.timeline;
  if (!ct || !bt) {
    out('  phases: n/a (no JSON report)');
    return;
  }
  const ms = (x: number) => `${x.toFixed(0)} ms`;
  const phase = (t: NonNullable<RunFigures['timeline']>) => [t.runStart, t.firstTest - t.runStart, t.lastTest - t.firstTest, t.exit - t.lastTest];
  const cp = phase(ct);
  const bp = phase(bt);
  const mp = many?.timeline ? phase(many.timeline) : null;
  const sv = ct.server;
  const notes = [
    '',
    sv ? `server process at ${ms(sv.started)}, listening at ${sv.listening === null ? '?' : ms(sv.listening)}, readiness probe answered at ${sv.probes.length ? ms(sv.probes[sv.probes.length - 1]!) : '?'}` : '',
    `${ct.workers} worker process(es), checks kept them ${((100 * ct.busyMs) / Math.max(1, 2 * (ct.lastTest - ct.firstTest))).toFixed(0)}% busy`,
    ct.teardown ? `cleanup project ${ms(ct.teardown.start)}..${ms(ct.teardown.end)}, then the server stops` : '',
  ];
  const names = ['spawn -> run start (node, config)', 'run start -> first test', 'first -> last test (contract project)', 'last test -> exit'];
  const manyHead = mp ? `bare x${many?.tests ?? '?'}` : '';
  out(`  phase (best runs)                       ${'contract'.padStart(9)} ${'bare'.padStart(9)} ${'extra'.padStart(9)} ${manyHead.padStart(9)}`);
  names.forEach((n, i) => {
    const x = cp[i] ?? 0;
    const y = bp[i] ?? 0;
    const note = notes[i] ? `  ${notes[i]}` : '';
    const m = mp ? ms(mp[i] ?? 0) : '';
    out(`    ${n.padEnd(37)} ${ms(x).padStart(9)} ${ms(y).padStart(9)} ${`${x >= y ? '+' : ''}${ms(x - y)}`.padStart(9)} ${m.padStart(9)}${note}`);
  });
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `    | ${l}`)
    .join('\n');
}

function printTable(rows: Row[]): void {
  const head = { metric: 'metric', value: 'value', goal: 'goal', met: 'met?' };
  const metText = (m: boolean | null) => (m === null ? '' : m ? 'yes' : 'MISSED');
  const w = {
    metric: Math.max(head.metric.length, ...rows.map((r) => r.metric.length)),
    value: Math.max(head.value.length, ...rows.map((r) => r.value.length)),
    goal: Math.max(head.goal.length, ...rows.map((r) => r.goal.length)),
  };
  const line = (a: string, b: string, c: string, d: string) => `  ${a.padEnd(w.metric)} | ${b.padEnd(w.value)} | ${c.padEnd(w.goal)} | ${d}`;
  out(line(head.metric, head.value, head.goal, head.met));
  out(`  ${'-'.repeat(w.metric)}-+-${'-'.repeat(w.value)}-+-${'-'.repeat(w.goal)}-+------`);
  for (const r of rows) out(line(r.metric, r.value, r.goal || '-', metText(r.met)));
}

main().then(
  () => process.exit(0),
  async (e: unknown) => {
    process.stderr.write(`bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    const n = await stopAll();
    if (n) process.stderr.write(`bench: stopped ${n} child process(es)\n`);
    process.exit(1);
  },
);
