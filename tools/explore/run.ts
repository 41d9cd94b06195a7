/**
 * Stateful, differential exploration: fast-check's model-based testing drives
 * random sequences of the six operations (tools/explore/steps.ts) against the
 * target and the reference model at once (tools/explore/world.ts). The model
 * answers what the document and the profile in force promise (model.ts,
 * behaviours.ts). Up to `maxDivergences` distinct divergences are collected,
 * one per key (one root cause), each shrunk to a minimal sequence replayable
 * from its seed and path. Bounded by runs, time and the run's rate budget.
 */
import fc from 'fast-check';
import { NodeHttpContext } from '../../fixtures/client/node-transport';
import { clientsFor, runGate, type RunContext } from '../../fixtures/client/context';
import { UNPACED } from '../../fixtures/settings/budget';
import { cleanRun } from '../../fixtures/client/cleanup';
import { Ledger } from '../../fixtures/client/ledger';
import { firstLine } from '../../fixtures/settings/text';
import { Divergence } from './compare';
import { type Step, describeStep, stepArbitraries } from './steps';
import { Abandoned, Aborted, World, type Shared, type Stats } from './world';
import { modelPatch, startModel, type Settled } from './model';
import { settleBehaviours, type Settlement } from './behaviours';

export interface ExploreOptions {
  /** The run's context: settings, the contract in force (its raw document feeds the inputs, its profile the model), the redactor and the rate budget. */
  ctx: RunContext;
  /** Sequences, over every round. */
  runs: number;
  timeMs: number;
  seed: number;
  /** Replay: fast-check's counterexample path and the commands' replay path. */
  path?: string;
  replayPath?: string;
  maxSteps: number;
  /** Shrink a divergence to a minimal sequence (default); off: report each as found. */
  shrink: boolean;
  /** Distinct divergences to collect before stopping (default 5). */
  maxDivergences?: number;
  /** Write the run's ledger (and clean up from it at the end). Off only for throwaway targets. */
  ledger: boolean;
  /** A line of progress (e.g. stderr). */
  progress?: (line: string) => void;
  /** Aborted (Ctrl-C): the sequence under way stops at its next step, then everything is cleaned up. */
  signal?: AbortSignal;
}

export interface DivergenceReport {
  /** One root cause: the step's operation and what differs (or `schema: …`, `behaviour: …`). */
  key: string;
  message: string;
  /** The seed of the round that found it (replay with it). */
  seed: number;
  /** fast-check's path to the counterexample (with the seed: replay); empty for a behaviour probe. */
  path: string;
  replayPath: string;
  shrinks: number;
  /** The minimal sequence's steps as they ran, the failing one last. */
  steps: { index: number; text: string; curls: string[] }[];
}

export interface ExploreResult {
  seed: number;
  /** Sequences run, over every round (shrinking not counted). */
  runs: number;
  ms: number;
  /** Stopped by the time budget before `runs` sequences. */
  interrupted: boolean;
  /** Distinct divergences, in the order found (at most maxDivergences). */
  divergences: DivergenceReport[];
  /** Why exploring stopped early without a verdict (rate limited, the model failed). */
  aborted: string | null;
  /** Lines about users that could not be removed (empty: nothing left behind). */
  cleanup: string[];
  /** Target answers per operation and status, over every sequence (shrinking included). */
  stats: Stats;
  /** The version behaviours the model followed (the profile's, or the target's where the profile leaves a choice). */
  settled: Settled;
}

type FcModel = { slots: number };

class StepCommand implements fc.AsyncCommand<FcModel, World> {
  constructor(readonly step: Step) {}
  check(m: Readonly<FcModel>): boolean {
    return this.step.op === 'create' || this.step.op === 'list' || (this.step.op === 'get' && typeof this.step.who === 'string') || m.slots > 0;
  }
  async run(m: FcModel, w: World): Promise<void> {
    if (w.abandoned) throw new Abandoned('abandoned');
    if (w.stopped) throw new Aborted(w.stopped);
    await w.run(this.step);
    m.slots = w.slotCount;
  }
  toString(): string {
    return describeStep(this.step);
  }
}

/** What a run keeps between its rounds. */
interface Run {
  o: ExploreOptions;
  shared: Shared;
  commands: fc.Arbitrary<fc.AsyncCommand<FcModel, World>>[];
  started: number;
  found: DivergenceReport[];
  aborted: string | null;
  interrupted: boolean;
  runs: number;
  /** Sequences run, shrinking included (progress lines). */
  sequences: number;
  cleanup: string[];
}

export async function explore(o: ExploreOptions): Promise<ExploreResult> {
  const started = Date.now();
  const request = new NodeHttpContext();
  const shared = sharedOf(o, request);
  const run: Run = { o, shared, commands: [], started, found: [], aborted: null, interrupted: false, runs: 0, sequences: 0, cleanup: [] };
  let settlement: Settlement = { settled: {}, dropped: new Set(), probes: [] };
  try {
    settlement = await settle(run);
    shared.model = await startModel(clientsOf(o), modelPatch(settlement.settled, o.ctx.contract.profile.accepted));
    run.commands = stepArbitraries(o.ctx.contract.doc.raw, !!o.ctx.settings.target.other, { timeFormatString: !settlement.dropped.has('timeFormat-numeric-string'), timeZoneNull: !settlement.dropped.has('timeZone-null-on-create') }).map((a) => a.map((s) => new StepCommand(s)));
    await rounds(run);
  } catch (e) {
    if (!(e instanceof Aborted)) throw e;
    run.aborted ??= e.message;
  } finally {
    await finish(run, request);
  }
  return { seed: o.seed, runs: run.runs, ms: Date.now() - started, interrupted: run.interrupted, divergences: run.found, aborted: run.aborted, cleanup: run.cleanup, stats: shared.stats, settled: settlement.settled };
}

function clientsOf(o: ExploreOptions) {
  const t = o.ctx.settings.target;
  return [t.client, ...(t.other ? [t.other] : [])];
}

/** What every sequence shares: the target's clients (budget, gate, ledger), the model (started once settled), the profile. */
function sharedOf(o: ExploreOptions, request: NodeHttpContext): Shared {
  const { ctx } = o;
  const { settings } = ctx;
  const doc = ctx.contract.doc;
  const gate = runGate(settings);
  const ledger = o.ledger ? new Ledger(settings.stateDir, settings.runId, `explore-${process.pid}`) : null;
  let sequence = 0;
  return {
    target: settings.target,
    targetClients: clientsFor(ctx, { http: request, gate, ledger, deferDeviations: true }),
    modelContext: { ...ctx, budget: UNPACED },
    http: request,
    model: null as unknown as Shared['model'],
    gate,
    ledger,
    namespace: { prefix: settings.namespace, runId: settings.runId, domain: settings.emailDomain },
    declared: Object.keys(doc.definitions.ManagedUserOutput?.properties ?? {}),
    required: (doc.definitions.ManagedUserOutput?.required as string[] | undefined) ?? [],
    nextSequence: () => ++sequence,
    stopped: () => (o.signal?.aborted ? 'interrupted' : null),
    stats: {},
    profile: ctx.contract.profile,
    otherCase: true,
  };
}

/** The behaviours the model follows; each probe the target answered with none of the known values is a divergence. */
async function settle(run: Run): Promise<Settlement> {
  const { shared, o } = run;
  const { prefix, runId, domain } = shared.namespace;
  let n = 0;
  const settlement = await settleBehaviours(o.ctx.contract.profile, { api: shared.targetClients.api, gate: shared.gate, email: () => `${prefix}-${runId}-p${++n}-u@${domain}` });
  shared.otherCase = settlement.settled['email-case'] === 'lower-cased';
  for (const p of settlement.probes.slice(0, o.maxDivergences ?? 5)) {
    run.found.push({ key: `behaviour: ${p.name}`, message: o.ctx.redactor.redact(p.what), seed: o.seed, path: '', replayPath: '', shrinks: 0, steps: [{ index: 1, text: `probe: ${p.what.split(':')[0]}`, curls: [p.call.curl()] }] });
  }
  return settlement;
}

/** Round after round, a new seed each, until enough distinct divergences, the runs or the time are used up. */
async function rounds(run: Run): Promise<void> {
  const { o } = run;
  const max = o.maxDivergences ?? 5;
  for (let round = 0; run.found.length < max && !run.aborted; round++) {
    const runsLeft = o.runs - run.runs;
    const timeLeft = o.timeMs - (Date.now() - run.started);
    if (runsLeft <= 0 || timeLeft <= 0) return;
    const found = await oneRound(run, o.seed + round, runsLeft, timeLeft, round === 0 ? o.path : undefined);
    if (!found) return;
    run.found.push(found);
    if (o.path !== undefined) return; // a replay runs one sequence
  }
}

/** One fast-check run: the first divergence whose key is new, shrunk (other keys are ignored meanwhile). */
async function oneRound(run: Run, seed: number, runs: number, timeMs: number, path: string | undefined): Promise<DivergenceReport | null> {
  const known = new Set(run.found.map((d) => d.key));
  const hunt: Hunt = { hunting: null, lastFailed: null };
  // fast-check stops waiting for a sequence at its time limit, but it keeps running: each is tracked, to be stopped and cleaned up.
  const live = new Map<World, Promise<unknown>>();
  const property = fc.asyncProperty(fc.commands(run.commands, { maxCommands: run.o.maxSteps, size: 'max', replayPath: path ? run.o.replayPath : undefined }), (cmds) => {
    if (run.o.signal?.aborted) run.aborted ??= 'interrupted';
    if (run.aborted) return Promise.resolve(); // stopped: let fast-check finish at once
    const world = new World(run.shared);
    const done = sequence(run, world, cmds, known, hunt);
    live.set(world, done.catch(() => undefined).finally(() => live.delete(world)));
    return done;
  });
  const details = await fc.check(property, { numRuns: runs, seed, path, endOnFailure: !run.o.shrink, plugins: [fc.interruptAfterTimeLimit(timeMs)] });
  for (const world of live.keys()) world.abandoned = true;
  await Promise.all(live.values());
  run.runs += run.aborted ? 0 : details.numRuns;
  run.interrupted = details.interrupted;
  const { hunting, lastFailed } = hunt;
  if (!details.failed || run.aborted || !details.counterexample || !lastFailed || hunting === null) return null;
  return reportOf(run, lastFailed, details, seed, hunting);
}

/** The root cause a round hunts (the first new key it meets), and the last sequence that showed it (after shrinking: the smallest). */
interface Hunt {
  hunting: string | null;
  lastFailed: { world: World; error: unknown } | null;
}

/** One sequence, cleaned up whatever happens: it fails fast-check's property only for the key the round hunts. */
async function sequence(run: Run, world: World, cmds: Iterable<fc.AsyncCommand<FcModel, World>>, known: Set<string>, hunt: Hunt): Promise<void> {
  try {
    await fc.asyncModelRun(() => ({ model: { slots: 0 }, real: world }), cmds);
  } catch (e) {
    if (e instanceof Abandoned || world.abandoned) return;
    if (e instanceof Aborted) return void (run.aborted ??= e.message);
    const key = e instanceof Divergence ? e.key : `error: ${firstLine(e)}`;
    if (known.has(key) || (hunt.hunting !== null && key !== hunt.hunting)) return; // found before, or another root cause while shrinking
    hunt.hunting = key;
    hunt.lastFailed = { world, error: e };
    throw e;
  } finally {
    await cleanUpWorld(run, world);
  }
}

async function cleanUpWorld(run: Run, world: World): Promise<void> {
  try {
    run.cleanup.push(...(await world.cleanup()));
  } catch (e) {
    run.aborted ??= (e as Error).message;
  }
  if (++run.sequences % 25 === 0) run.o.progress?.(`explore: ${run.sequences} sequences, ${run.found.length} divergence(s), ${Math.round((Date.now() - run.started) / 1000)} s`);
}

function reportOf(run: Run, failed: { world: World; error: unknown }, details: fc.RunDetails<unknown>, seed: number, key: string): DivergenceReport {
  const redact = (text: string) => run.o.ctx.redactor.redact(text);
  const text = String((details.counterexample as unknown[])[0]);
  const err = failed.error;
  return {
    key,
    message: redact(err instanceof Divergence ? err.what : firstLine(err)),
    seed,
    path: details.counterexamplePath ?? '',
    replayPath: /replayPath="([^"]*)"/.exec(text)?.[1] ?? '',
    shrinks: details.numShrinks,
    steps: failed.world.log.map((s) => ({ index: s.index, text: redact(s.text), curls: s.calls.map((c) => c.curl()) })),
  };
}

/** Whatever the sequences left (a killed request, a server whose delete did not delete): the run's ledger says, cleanRun removes. */
async function finish(run: Run, request: NodeHttpContext): Promise<void> {
  if (run.o.ledger) {
    try {
      run.cleanup.push(...(await cleanRun(run.o.ctx, request)).filter((l) => !l.startsWith('removed leftover')));
    } catch (e) {
      run.cleanup.push(`could not clean: ${firstLine(e)}`);
    }
  }
  await run.shared.model?.close();
  await request.dispose();
}
