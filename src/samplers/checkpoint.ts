/**
 * A chain's state between two iterations, and its checkpoint: the checkpoint is that state as plain
 * data (JSON and structured clone keep it intact) plus what identifies the run, so a resumed chain
 * continues with bit-identical draws (iteration t always draws from counter t + 1 of key (seed, chain)).
 */
import { argError, describe } from '../errors.js';
import type { Rule } from '../options/schema.js';
import type { MetricKind } from './metric.js';
import type { KernelState } from './types.js';
import { Warmup, type MetricLinalg, type WarmupState } from './warmup.js';

/** Which kernel to run (plain data, so checkpoints and worker tasks can carry it). */
export type KernelSpec =
  | { type: 'nuts'; maxTreeDepth?: number; maxDeltaH?: number }
  | { type: 'hmc'; steps: number; jitter?: number; maxDeltaH?: number };

/** What identifies a run: a checkpoint resumes only a run with the same. */
export interface RunIdentity {
  dim: number;
  seed: number;
  chain: number;
  warmup: number;
  draws: number;
  thin: number;
  kernel: KernelSpec;
}

/** Running totals of a chain. `acceptSum` / `acceptCount` cover the current phase only. */
export interface ChainCounters {
  /** Kept draws delivered through onDraws so far. */
  drawsEmitted: number;
  divergences: number;
  warmupDivergences: number;
  gradEvals: number;
  acceptSum: number;
  acceptCount: number;
}

/** Everything a chain carries from one iteration to the next. */
export interface ChainState {
  /** Iterations completed: the next one to run. */
  iteration: number;
  kernel: KernelState;
  warmup: Warmup;
  counters: ChainCounters;
}

/** Everything needed to continue a chain exactly. Plain data: JSON and structured clone keep it intact. */
export interface ChainCheckpoint extends RunIdentity, ChainCounters {
  version: 1;
  /** Iterations completed; the resumed run starts with this one. */
  iteration: number;
  position: number[];
  logDensity: number;
  grad: number[];
  adaptation: WarmupState;
}

/** The state as a checkpoint of run `id`. */
export function toCheckpoint(id: RunIdentity, s: ChainState): ChainCheckpoint {
  const { kernel: k, counters: c } = s;
  return {
    version: 1, ...id, iteration: s.iteration,
    position: Array.from(k.position), logDensity: k.logDensity, grad: Array.from(k.grad),
    adaptation: s.warmup.toJSON(),
    drawsEmitted: c.drawsEmitted, divergences: c.divergences, warmupDivergences: c.warmupDivergences,
    gradEvals: c.gradEvals, acceptSum: c.acceptSum, acceptCount: c.acceptCount,
  };
}

/**
 * The state a checkpoint holds, after checking that it is one and belongs to a target of `id.dim`
 * parameters (the options it must share are `resumeRules` of runChain's schema; `linalg` restores a
 * dense metric's factorizations).
 */
export function fromCheckpoint(cp: ChainCheckpoint, id: RunIdentity, linalg: MetricLinalg | undefined): ChainState {
  if (cp == null || cp.version !== 1) {
    throw argError('E_FORMAT', 'resumeFrom', 'a version 1 chain checkpoint', describe(cp), 'Pass an object produced by onCheckpoint.');
  }
  // The target is an argument, not an option: no rule between options can compare its size.
  if (cp.dim !== id.dim) {
    throw argError('E_ARG', 'resumeFrom.dim', `${id.dim} as the target's dim`, describe(cp.dim), 'Resume with the target of the run that wrote the checkpoint.');
  }
  const { drawsEmitted, divergences, warmupDivergences, gradEvals, acceptSum, acceptCount } = cp;
  return {
    iteration: cp.iteration,
    kernel: { position: Float64Array.from(cp.position), logDensity: cp.logDensity, grad: Float64Array.from(cp.grad) },
    warmup: Warmup.fromJSON(cp.adaptation, linalg),
    counters: { drawsEmitted, divergences, warmupDivergences, gradEvals, acceptSum, acceptCount },
  };
}

/** What a resumed run's options resolve to, beside its target's dim: what its checkpoint must match. */
export type ResumeIdentity = Omit<RunIdentity, 'dim'> & { metric: MetricKind };

/**
 * The rules of a schema with a `resumeFrom` option: a checkpoint resumes only the run that wrote it,
 * the one with the same seed, chain, lengths, thinning, kernel and metric (`identity`: the options'
 * values with their defaults). A checkpoint that is not one (no version 1) is left to fromCheckpoint's
 * E_FORMAT.
 */
export function resumeRules(identity: (o: Readonly<Record<string, unknown>>) => ResumeIdentity): Rule[] {
  const cpOf = (o: Readonly<Record<string, unknown>>) => o.resumeFrom as ChainCheckpoint | undefined;
  const resuming = (o: Readonly<Record<string, unknown>>) => cpOf(o)?.version === 1;
  const rule = (option: string, name: string, ours: (id: ResumeIdentity) => unknown, theirs: (cp: ChainCheckpoint) => unknown, show: (v: unknown) => string = describe): Rule => ({
    option: `resumeFrom.${option}`,
    expected: `the ${name} of these options (a checkpoint resumes only the run that wrote it)`,
    hint: `Resume with the ${name} of the run that wrote the checkpoint.`,
    holds: (o) => !resuming(o) || theirs(cpOf(o)!) === ours(identity(o)),
    found: (o) => `${show(theirs(cpOf(o)!))} where these options have ${show(ours(identity(o)))}`,
  });
  return [
    ...(['seed', 'chain', 'warmup', 'draws', 'thin'] as const).map((k) => rule(k, k, (id) => id[k], (cp) => cp[k])),
    rule('kernel', 'kernel', (id) => canonical(id.kernel), (cp) => canonical(cp.kernel), String),
    rule('adaptation.options.metric', 'metric', (id) => id.metric, (cp) => cp.adaptation?.options?.metric ?? 'diag'),
  ];
}

/** JSON with sorted keys, so that key order does not matter when comparing specs. */
function canonical(spec: KernelSpec): string {
  return spec == null || typeof spec !== 'object' ? String(spec) : JSON.stringify(spec, Object.keys(spec).sort());
}
