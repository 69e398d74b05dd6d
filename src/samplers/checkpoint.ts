/**
 * A chain's state between two iterations, and its checkpoint: the checkpoint is that state as plain
 * data (JSON and structured clone keep it intact) plus what identifies the run, so a resumed chain
 * continues with bit-identical draws (iteration t always draws from counter t + 1 of key (seed, chain)).
 */
import { argError, describe } from '../errors.js';
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
 * The state a checkpoint holds, after checking that it belongs to run `id` with metric `metric`
 * (`linalg` restores a dense metric's factorizations).
 */
export function fromCheckpoint(cp: ChainCheckpoint, id: RunIdentity, metric: MetricKind, linalg: MetricLinalg | undefined): ChainState {
  checkResume(cp, id);
  if ((cp.adaptation?.options?.metric ?? 'diag') !== metric) {
    throw argError('E_ARG', 'resumeFrom.adaptation.options.metric', `'${metric}' as in these options`, describe(cp.adaptation?.options?.metric ?? 'diag'), 'Resume with the metric of the run that wrote the checkpoint.');
  }
  const { drawsEmitted, divergences, warmupDivergences, gradEvals, acceptSum, acceptCount } = cp;
  return {
    iteration: cp.iteration,
    kernel: { position: Float64Array.from(cp.position), logDensity: cp.logDensity, grad: Float64Array.from(cp.grad) },
    warmup: Warmup.fromJSON(cp.adaptation, linalg),
    counters: { drawsEmitted, divergences, warmupDivergences, gradEvals, acceptSum, acceptCount },
  };
}

function checkResume(cp: ChainCheckpoint, id: RunIdentity): void {
  if (cp == null || cp.version !== 1) {
    throw argError('E_FORMAT', 'resumeFrom', 'a version 1 chain checkpoint', describe(cp), 'Pass an object produced by onCheckpoint.');
  }
  for (const k of ['dim', 'seed', 'chain', 'warmup', 'draws', 'thin'] as const) {
    if (cp[k] !== id[k]) {
      throw argError('E_ARG', `resumeFrom.${k}`, `${id[k]} as in these options`, describe(cp[k]), 'Resume with the options of the run that wrote the checkpoint.');
    }
  }
  if (canonical(cp.kernel) !== canonical(id.kernel)) {
    throw argError('E_ARG', 'resumeFrom.kernel', canonical(id.kernel), canonical(cp.kernel), 'Resume with the kernel of the run that wrote the checkpoint.');
  }
}

/** JSON with sorted keys, so that key order does not matter when comparing specs. */
function canonical(spec: KernelSpec): string {
  return spec == null || typeof spec !== 'object' ? String(spec) : JSON.stringify(spec, Object.keys(spec).sort());
}
