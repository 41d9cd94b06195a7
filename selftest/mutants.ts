/**
 * The mutation self-test: does the contract suite catch bugs?
 *
 * One reference-server process serves every variant on its own port — the
 * clean server, the legal variant (differs only in ways the contract allows)
 * and one instance per injected fault. One Playwright run executes the contract
 * suite in self-test mode: each check runs against every variant concurrently
 * and attaches its outcomes. This script reads them from the JSON report and
 * fails unless the clean and legal runs pass, every fault is killed, every
 * check kills at least one fault, and no server's pre-existing users were
 * touched.
 *
 *   npm run mutants                      every fault the named checks must kill (the explore-only
 *                                        ones, server/faults/ `exploreOnly`, are npm run explore's:
 *                                        selftest/explore.spec.ts; the pending ones, PENDING_FAULTS,
 *                                        await their checks and are left out, with a line saying so)
 *   npm run mutants -- --faults a,b      only these faults (plus clean and legal; explore-only and pending ids too)
 *   npm run mutants -- --variants legal-alt,calcom-2025-05
 *                                        also these variants (server/variants/): one made only of version
 *                                        behaviours must pass like legal; one with faults in must be caught
 *   npm run mutants -- --json out.json   also write the result as JSON
 *   npm run mutants -- --transport playwright
 *                                        send the checks' requests through Playwright's
 *                                        APIRequestContext instead of the lean node:http
 *                                        transport (same checks, same verdicts, ~3x slower)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { FAULTS, MUTANT_FAULTS, PENDING_FAULTS } from '../server/faults';
import { isVariant, VARIANT_NAMES, VARIANTS, variantFaults } from '../server/variants';
import { INTERNAL_VARS, seedSetting } from '../fixtures/settings/config';
import { childEnv, environment } from '../fixtures/settings/env';
import { fail, parseCli, usageError } from '../fixtures/settings/cli';
import { firstLine } from '../fixtures/settings/text';

const ROOT = resolve(__dirname, '..');
const PLAYWRIGHT = join(ROOT, 'node_modules', '@playwright', 'test', 'cli.js');

interface Outcome {
  target: string;
  mustPass: boolean;
  status: 'passed' | 'failed' | 'skipped';
  message?: string;
}

interface Preexisting {
  count: number;
  intact: boolean;
  changed: number[];
  changedUsers?: { id: number; email: string; how: string }[];
}

interface CheckResult {
  title: string;
  file: string;
  outcomes: Outcome[];
  playwrightStatus: string;
  error?: string;
}

const CLI = {
  tool: 'mutants',
  usage: 'npm run mutants -- [--faults <id,id,...>] [--variants <name,...>] [--json <file>] [--transport node|playwright] [--verbose]',
  about: [
    'The mutation self-test: runs the contract suite against the clean reference server, its legal variant and one',
    'server per injected fault (server/faults/), and fails unless the clean and legal servers pass, every fault is',
    "killed, every check kills one, and no server's pre-existing users were touched.",
  ],
  flags: {
    faults: { type: 'string', value: '<id,id,...>', help: 'only these faults (plus clean and legal); default: all of them but the pending ones' },
    variants: { type: 'string', value: '<name,...>', help: 'also these variants: of version behaviours only, they must pass (legal-alt); with faults in, they must be caught (calcom-2025-05)' },
    json: { type: 'string', value: '<file>', help: 'also write the result as JSON to this file' },
    transport: { type: 'string', value: 'node|playwright', help: "the checks' HTTP stack: the lean node:http transport (default) or Playwright's APIRequestContext (~3x slower)" },
    verbose: { type: 'boolean', help: "show the Playwright run's own output" },
  },
  notes: ['FAKER_SEED (default 1) seeds the inputs, as in a contract run.', 'exit status: 0 passed, 1 failed, 2 bad input or the servers could not start'],
} as const;

function args() {
  return parseCli(CLI, process.argv.slice(2), ({ values }) => {
    const faults = values.faults?.split(',').map((s) => s.trim()).filter(Boolean);
    const unknown = faults?.filter((f) => !FAULTS.some((x) => x.id === f)) ?? [];
    if (unknown.length) throw usageError(CLI, `unknown fault(s) ${unknown.join(', ')}: see server/faults/ or npm run server -- --list-faults for the ids`);
    const transport = values.transport ?? 'node';
    if (transport !== 'node' && transport !== 'playwright') throw usageError(CLI, `--transport is node or playwright, not ${transport}`);
    const variants = values.variants?.split(',').map((s) => s.trim()).filter((v) => v !== '' && v !== 'legal') ?? [];
    const bad = variants.filter((v) => !isVariant(v) || v === 'standard');
    if (bad.length) throw usageError(CLI, `--variants: unknown variant(s) ${bad.join(', ')}; the others are ${VARIANT_NAMES.filter((v) => v !== 'standard' && v !== 'legal').join(', ')}`);
    const broken = variants.filter((v) => isVariant(v) && variantFaults(v).length > 0);
    return {
      faults: faults ?? MUTANT_FAULTS.map((f) => f.id),
      pendingLeftOut: faults === undefined,
      legal: ['legal', ...variants.filter((v) => !broken.includes(v))],
      broken,
      json: values.json,
      verbose: values.verbose === true,
      transport,
    };
  });
}

function startServers(names: string[], clients: { id: string; secret: string }[]): Promise<{ child: ChildProcess; urls: Map<string, string> }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'server', 'main.ts'), '--instances', names.join(','), '--exit-on-stdin-close'], {
      cwd: ROOT,
      env: childEnv({ [INTERNAL_VARS.embeddedClients]: JSON.stringify(clients) }),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => reject(new Error('the reference servers did not start within 20 s')), 20_000);
    child.on('exit', (code) => reject(new Error(`the reference server exited (${code}): ${firstLine(stderr.trim())}`)));
    createInterface({ input: child.stdout }).once('line', (line) => {
      clearTimeout(timer);
      try {
        const parsed = JSON.parse(line) as { instances: { name: string; url: string }[] };
        resolvePromise({ child, urls: new Map(parsed.instances.map((i) => [i.name, i.url])) });
      } catch {
        reject(new Error(`unexpected first line from the reference server: ${line.slice(0, 120)}`));
      }
    });
  });
}

function runSuite(dir: string, targetsFile: string, reportFile: string, verbose: boolean, transport: string, seed: number): Promise<number> {
  return new Promise((resolvePromise) => {
    const env = childEnv({
      [INTERNAL_VARS.selftestTargets]: targetsFile,
      [INTERNAL_VARS.selftestTransport]: transport,
      PLAYWRIGHT_JSON_OUTPUT_NAME: reportFile,
      FAKER_SEED: String(seed),
      CONTRACT_OUTPUT_DIR: join(dir, 'test-results'),
      CONTRACT_STATE_DIR: join(dir, 'state'),
    });
    const child = spawn(process.execPath, [PLAYWRIGHT, 'test', '--project=contract', '--reporter=json'], {
      cwd: ROOT,
      env,
      stdio: ['ignore', verbose ? 'inherit' : 'ignore', 'inherit'],
    });
    child.on('exit', (code) => resolvePromise(code ?? 1));
  });
}

/** Walk the Playwright JSON report: every test with its selftest-outcomes attachment. */
function readReport(file: string): CheckResult[] {
  const report = JSON.parse(readFileSync(file, 'utf8'));
  const results: CheckResult[] = [];
  const walk = (suite: any, path: string[]) => {
    const here = suite.title && !suite.title.endsWith('.ts') ? [...path, suite.title] : path;
    for (const spec of suite.specs ?? []) {
      for (const t of spec.tests ?? []) {
        const r = t.results?.[t.results.length - 1];
        const att = r?.attachments?.find((a: any) => a.name === 'selftest-outcomes');
        const outcomes: Outcome[] = att?.body ? JSON.parse(Buffer.from(att.body, 'base64').toString('utf8')) : [];
        results.push({
          title: [...here, spec.title].join(' › '),
          file: spec.file,
          outcomes,
          playwrightStatus: r?.status ?? 'unknown',
          error: r?.error?.message,
        });
      }
    }
    for (const s of suite.suites ?? []) walk(s, here);
  };
  for (const s of report.suites ?? []) walk(s, []);
  return results;
}

async function main(): Promise<void> {
  const started = Date.now();
  const { faults, pendingLeftOut, legal, broken, json, verbose, transport } = args();
  const pending = Object.keys(PENDING_FAULTS);
  if (pendingLeftOut && pending.length > 0) {
    const why = Object.entries(PENDING_FAULTS).map(([id, reason]) => `  ${id}: ${reason}`);
    process.stdout.write(`${pending.length} pending fault(s) left out (PENDING_FAULTS in server/faults/index.ts; run one with --faults):\n${why.join('\n')}\n`);
  }
  // The caller's FAKER_SEED (not a .env's: the self-test's run never reads one), else 1.
  const seed = seedSetting(environment({ dotenv: false })) ?? 1;
  const clients = [0, 1].map(() => ({ id: `c${randomBytes(12).toString('hex')}`, secret: randomBytes(24).toString('hex') }));
  // Mutants: what the suite must catch, broken variants first.
  const mutants = [...broken, ...faults];
  const names = ['clean', ...legal, ...mutants];
  const dir = mkdtempSync(join(tmpdir(), 'contract-mutants-'));
  const { child, urls } = await startServers(names, clients);
  const stop = () => {
    child.stdin?.end();
    child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  };
  // Interrupted: stop the servers we started (by pid) and remove our temp dir.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      stop();
      process.exit(130);
    });
  }
  let exitCode = 1;
  try {
    const mustPass = ['clean', ...legal];
    const targets = names.map((name) => ({ name, baseUrl: urls.get(name)!, clients, mustPass: mustPass.includes(name) }));
    const targetsFile = join(dir, 'targets.json');
    writeFileSync(targetsFile, JSON.stringify(targets));
    const reportFile = join(dir, 'report.json');
    const serversUp = Date.now();
    const pwExit = await runSuite(dir, targetsFile, reportFile, verbose, transport, seed);
    const suiteDone = Date.now();
    // The cleanup does not judge (it skips in self-test mode); the schema report is a check like the others.
    const checks = readReport(reportFile).filter((c) => !c.file.endsWith('run.teardown.ts'));
    // Every server held users the suite did not create (lookalikes of its own among them): none may have been touched.
    const preexisting = new Map(
      await Promise.all(
        names.map(async (name) => [name, await fetch(`${new URL(urls.get(name)!).origin}/__control/preexisting`).then((r) => r.json() as Promise<Preexisting>)] as const),
      ),
    );
    exitCode = report({ checks, faults: mutants, mustPass, preexisting, pwExit, transport, times: { total: Date.now() - started, servers: serversUp - started, suite: suiteDone - serversUp } }, json);
  } finally {
    stop();
  }
  process.exit(exitCode);
}

function report(
  r: { checks: CheckResult[]; faults: string[]; mustPass: string[]; preexisting: Map<string, Preexisting>; pwExit: number; transport: string; times: { total: number; servers: number; suite: number } },
  jsonFile: string | undefined,
): number {
  const problems: string[] = [];
  const missing = r.checks.filter((c) => c.outcomes.length === 0 && c.playwrightStatus !== 'skipped');
  for (const c of missing) problems.push(`check "${c.title}" produced no outcomes (${c.playwrightStatus}: ${firstLine(c.error)})`);
  for (const must of r.mustPass) {
    for (const c of r.checks) {
      const o = c.outcomes.find((x) => x.target === must);
      if (o?.status === 'failed') problems.push(`${must} server failed "${c.title}": ${firstLine(o.message)}`);
    }
  }
  for (const [server, p] of r.preexisting) {
    if (p.intact) continue;
    const named = (p.changedUsers ?? p.changed.map((id) => ({ id, email: '?', how: 'changed' }))).slice(0, 5).map((u) => `${u.id} <${u.email}> ${u.how}`);
    problems.push(`against ${r.mustPass.includes(server) ? `the ${server} server` : isVariant(server) ? `variant ${server}` : `fault ${server}`}, the suite touched ${p.changed.length} of ${p.count} users it did not create: ${named.join('; ')}`);
  }
  const preexistingTotal = [...r.preexisting.values()].reduce((n, p) => n + p.count, 0);
  const untouched = [...r.preexisting.values()].every((p) => p.intact);

  const killers = new Map<string, { title: string; message: string }[]>();
  for (const f of r.faults) killers.set(f, []);
  for (const c of r.checks) {
    for (const o of c.outcomes) {
      if (o.status === 'failed' && killers.has(o.target)) killers.get(o.target)!.push({ title: c.title, message: firstLine(o.message) });
    }
  }
  const survivors = r.faults.filter((f) => killers.get(f)!.length === 0);
  for (const f of survivors) {
    problems.push(isVariant(f) ? `variant ${f} survived: no check caught "${VARIANTS[f].describes}"` : `fault ${f} survived: no check caught "${FAULTS.find((x) => x.id === f)?.description}"`);
  }
  const idle = r.checks.filter((c) => c.outcomes.length > 0 && !c.outcomes.some((o) => o.status === 'failed' && !o.mustPass));
  if (MUTANT_FAULTS.every((f) => r.faults.includes(f.id))) for (const c of idle) problems.push(`check "${c.title}" caught no fault: it was never seen failing`);

  const width = Math.max(...r.faults.map((f) => f.length));
  const lines: string[] = ['', 'fault'.padEnd(width) + '  caught by'];
  for (const f of r.faults) {
    const k = killers.get(f)!;
    const first = k[0];
    lines.push(`${f.padEnd(width)}  ${first ? `${k.length} check(s), e.g. "${first.title}": ${first.message.slice(0, 140)}` : 'NOT CAUGHT'}`);
  }
  const killed = r.faults.length - survivors.length;
  const score = r.faults.length ? (100 * killed) / r.faults.length : 100;
  lines.push('');
  lines.push(`checks: ${r.checks.length}; servers: ${r.mustPass.join(' + ')} + ${r.faults.length} faults; ${preexistingTotal} users the suite did not create, across all servers: ${untouched ? 'untouched' : 'SOME TOUCHED'}`);
  lines.push(`mutation score: ${killed}/${r.faults.length} faults killed (${score.toFixed(1)}%)`);
  lines.push(`time: ${(r.times.total / 1000).toFixed(1)} s (servers ${(r.times.servers / 1000).toFixed(1)} s, suite ${(r.times.suite / 1000).toFixed(1)} s; ${r.transport === 'node' ? 'lean node:http transport' : "Playwright's APIRequestContext"})`);
  process.stdout.write(`${lines.join('\n')}\n`);
  if (jsonFile) {
    writeFileSync(jsonFile, JSON.stringify({ score, killed, faults: r.faults.length, survivors, problems, times: r.times, killers: Object.fromEntries(killers), checks: r.checks.map((c) => ({ title: c.title, killed: c.outcomes.filter((o) => o.status === 'failed' && !o.mustPass).map((o) => o.target) })) }, null, 2));
  }
  if (problems.length) {
    process.stdout.write(`\nself-test FAILED:\n${problems.map((p) => `  - ${p}`).join('\n')}\n`);
    return 1;
  }
  if (r.pwExit !== 0) {
    process.stdout.write(`\nself-test FAILED: the Playwright run exited ${r.pwExit}\n`);
    return 1;
  }
  process.stdout.write('\nself-test passed\n');
  return 0;
}

main().catch((e) => fail(CLI.tool, e));
