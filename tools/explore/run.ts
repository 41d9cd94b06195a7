/**
 * Stateful, differential exploration: fast-check's model-based testing drives
 * random sequences of the six operations (tools/explore/steps.ts) against the
 * target and the reference model at once (tools/explore/world.ts); the first
 * divergence is shrunk to a minimal sequence, replayable from its seed and
 * path. Bounded by runs, time and the run's rate budget.
 */
import fc from 'fast-check';
import { NodeHttpContext } from '../../fixtures/client/node-transport';
import { transportFor } from '../../fixtures/client/client';
import { OwnershipGate } from '../../fixtures/client/ownership';
import { budgetFor, UNPACED } from '../../fixtures/client/pacer';
import { parseOwnEmail } from '../../fixtures/contract/inputs';
import { redact } from '../../fixtures/contract/redact';
import type { ContractValidator } from '../../fixtures/contract/validator';
import type { Settings } from '../../fixtures/run/config';
import { cleanRun } from '../../fixtures/run/cleanup';
import { Ledger } from '../../fixtures/run/ledger';
import { Divergence } from './compare';
import { type Step, describeStep, stepArbitraries } from './steps';
import { Aborted, startModel, World, type Shared, type Stats } from './world';

export interface ExploreOptions {
  settings: Settings;
  validator: ContractValidator;
  /** The raw contract document (the rule catalogue reads keywords the normalised one drops). */
  raw: any;
  runs: number;
  timeMs: number;
  seed: number;
  /** Replay: fast-check's counterexample path and the commands' replay path. */
  path?: string;
  replayPath?: string;
  maxSteps: number;
  /** Shrink a divergence to a minimal sequence (default); off: report the first one found. */
  shrink: boolean;
  /** Write the run's ledger (and clean up from it at the end). Off only for throwaway targets. */
  ledger: boolean;
  /** A line of progress (e.g. stderr). */
  progress?: (line: string) => void;
  /** Aborted (Ctrl-C): the sequence under way stops at its next step, then everything is cleaned up. */
  signal?: AbortSignal;
}

export interface DivergenceReport {
  message: string;
  /** fast-check's path to the counterexample (with the seed: replay). */
  path: string;
  replayPath: string;
  shrinks: number;
  /** The minimal sequence's steps as they ran, the failing one last. */
  steps: { index: number; text: string; curls: string[] }[];
}

export interface ExploreResult {
  seed: number;
  /** Sequences run (up to and including the first that diverged). */
  runs: number;
  ms: number;
  /** Stopped by the time budget before `runs` sequences. */
  interrupted: boolean;
  divergence: DivergenceReport | null;
  /** Why exploring stopped early without a verdict (rate limited, the model failed). */
  aborted: string | null;
  /** Lines about users that could not be removed (empty: nothing left behind). */
  cleanup: string[];
  /** Target answers per operation and status, over every sequence (shrinking included). */
  stats: Stats;
}

type FcModel = { slots: number };

class StepCommand implements fc.AsyncCommand<FcModel, World> {
  constructor(readonly step: Step) {}
  check(m: Readonly<FcModel>): boolean {
    return this.step.op === 'create' || this.step.op === 'list' || (this.step.op === 'get' && typeof this.step.who === 'string') || m.slots > 0;
  }
  async run(m: FcModel, w: World): Promise<void> {
    if (w.stopped) throw new Aborted(w.stopped);
    await w.run(this.step);
    m.slots = w.slotCount;
  }
  toString(): string {
    return describeStep(this.step);
  }
}

export async function explore(o: ExploreOptions): Promise<ExploreResult> {
  const started = Date.now();
  const { settings } = o;
  const target = settings.target;
  const request = new NodeHttpContext();
  const budget = budgetFor(settings);
  const ownRule = (email: string) => parseOwnEmail(email, settings.namespace)?.runId === settings.runId;
  const model = await startModel([target.client, ...(target.other ? [target.other] : [])]);
  let sequence = 0;
  const shared: Shared = {
    target,
    targetTransport: transportFor(settings, request, o.validator, budget),
    modelTransport: transportFor(settings, request, o.validator, UNPACED),
    model,
    gate: new OwnershipGate(ownRule, `this run's (${settings.namespace}-${settings.runId}-…)`),
    ledger: o.ledger ? new Ledger(settings.stateDir, settings.runId, `explore-${process.pid}`) : null,
    namespace: { prefix: settings.namespace, runId: settings.runId, domain: settings.emailDomain },
    declared: Object.keys(o.validator.doc.definitions.ManagedUserOutput?.properties ?? {}),
    required: (o.validator.doc.definitions.ManagedUserOutput?.required as string[] | undefined) ?? [],
    nextSequence: () => ++sequence,
    stopped: () => (o.signal?.aborted ? 'interrupted' : null),
    stats: {},
  };

  let aborted: string | null = null;
  let lastFailed: { world: World; error: unknown } | null = null;
  const cleanup: string[] = [];
  const commands = stepArbitraries(o.raw, !!target.other).map((a) => a.map((s) => new StepCommand(s)));
  const property = fc.asyncProperty(fc.commands(commands, { maxCommands: o.maxSteps, size: 'max', replayPath: o.replayPath }), async (cmds) => {
    if (o.signal?.aborted) aborted ??= 'interrupted';
    if (aborted) return; // stopped: let fast-check finish at once
    const world = new World(shared);
    try {
      await fc.asyncModelRun(() => ({ model: { slots: 0 }, real: world }), cmds);
    } catch (e) {
      if (e instanceof Aborted) {
        aborted = e.message;
        return;
      }
      lastFailed = { world, error: e };
      throw e;
    } finally {
      try {
        cleanup.push(...(await world.cleanup()));
      } catch (e) {
        aborted ??= (e as Error).message;
      }
      if (sequence % 25 === 0) o.progress?.(`explore: ${sequence} sequences, ${Math.round((Date.now() - started) / 1000)} s`);
    }
  });

  let details: fc.RunDetails<unknown>;
  try {
    details = await fc.check(property, {
      numRuns: o.runs,
      seed: o.seed,
      path: o.path,
      endOnFailure: !o.shrink,
      plugins: [fc.interruptAfterTimeLimit(o.timeMs)],
    });
  } finally {
    // Whatever the sequences left (a killed request, a server whose delete did not delete): the run's ledger says, cleanRun removes.
    if (o.ledger) {
      try {
        cleanup.push(...(await cleanRun(settings, shared.targetTransport)).filter((l) => !l.startsWith('removed leftover')));
      } catch (e) {
        cleanup.push(`could not clean: ${String((e as Error).message).split('\n')[0]}`);
      }
    }
    await model.close();
    await request.dispose();
  }

  let divergence: DivergenceReport | null = null;
  const failed = lastFailed as { world: World; error: unknown } | null;
  if (details.failed && !aborted && details.counterexample && failed) {
    const text = String((details.counterexample as unknown[])[0]);
    const replayPath = /replayPath="([^"]*)"/.exec(text)?.[1] ?? '';
    const err = failed.error;
    divergence = {
      message: redact(err instanceof Divergence ? err.what : String((err as Error)?.message ?? err).split('\n')[0]!),
      path: details.counterexamplePath ?? '',
      replayPath,
      shrinks: details.numShrinks,
      steps: failed.world.log.map((s) => ({ index: s.index, text: redact(s.text), curls: s.calls.map((c) => c.curl()) })),
    };
  }
  return {
    seed: details.seed,
    // Once stopped, fast-check still walks through the remaining runs (each returns at once): count what really ran.
    runs: aborted ? sequence : details.numRuns,
    ms: Date.now() - started,
    interrupted: details.interrupted,
    divergence,
    aborted,
    cleanup,
    stats: shared.stats,
  };
}
