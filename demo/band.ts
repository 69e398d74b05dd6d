/**
 * 'band': trains one method of the table on a small 1-D data set (the run's data { x, y }) and
 * returns its predictive on a grid — what the browser demo runs, one task per method, so the page
 * never freezes. options: { method, grid, options? } where `options` are the method's own (checked
 * by its schema). Registered by the demo's worker entry (demo/worker.ts) and passed to the demo's
 * pool; it uses only the package's public surface, so the page's bundle maps it onto the built library.
 */
import { BdlError, makeDataset, METHODS, trainLaplace } from '../src/index.js';
import type { TaskContext } from '../src/subpaths/advanced.js';
import { cosine } from '../src/train/schedules.js';

export interface BandOptions {
  method: string;
  /** Inputs where the predictive is evaluated. */
  grid: number[];
  /**
   * The method's options (epochs, learningRate, chains, …); seed, signal and onProgress are the task's.
   * One more, the demo's own: `schedule: 'cosine'` anneals `learningRate` to 0 over the run (a schedule
   * is a function, which cannot travel to the worker in the task, so the task names it).
   */
  options?: Record<string, unknown>;
}

/** What a run of a Markov chain sampler says about itself (absent for methods that report none). */
export interface ChainFacts {
  /** Mean over the chains of each chain's last reported acceptance statistic (or the run's acceptance rate). */
  acceptance?: number;
  /** Divergent transitions after warmup, over every chain. */
  divergences?: number;
  /** Largest rank-normalized R̂: of the traced predictive means (NUTS, HMC) or the subspace coordinates. */
  rhat?: number;
}

export interface BandResult extends ChainFacts {
  method: string;
  mean: Float64Array;
  aleatoric: Float64Array;
  epistemic: Float64Array;
  /**
   * The final training loss (objective per example): the mean of the last tailOf(…) epochs' losses (the last
   * epoch's for fan-outs), averaged over the method's members or runs; absent for Markov chains.
   */
  loss?: number;
  seconds: number;
}

/**
 * Epochs the final loss averages over: one epoch of the demo's few points is 4 minibatches, and the
 * objectives that draw noise (VI's weights, dropout masks, SG-MCMC's Langevin noise, SWAG's collection
 * at a high SGD rate) make a single epoch's mean wander by more than the gap to a converged run.
 */
export const TAIL = 20;

/**
 * Epochs the final loss averages over for a run of `epochs`: TAIL, or under an annealed rate (a
 * `schedule`) the last 5 % — the weights then stand still and the epochs' losses differ only by the
 * objective's own sampling (VI's one draw per step: 20 epochs of the demo's points left its ELBO ±0.05).
 */
export function tailOf(epochs: number, annealed: boolean): number {
  return annealed ? Math.max(TAIL, Math.ceil(epochs / 20)) : TAIL;
}

/** The pool's runner for 'band' tasks. */
export async function runBand(ctx: TaskContext<unknown, BandOptions>): Promise<BandResult> {
  const o = ctx.task.options;
  const { x, y } = ctx.data as { x?: Float32Array; y?: Float32Array };
  if (!o || typeof o.method !== 'string' || !Array.isArray(o.grid) || !(x instanceof Float32Array) || !(y instanceof Float32Array)) {
    throw bad('task', "a 'band' task with options { method, grid } and data { x, y }", typeof o, 'Build it as the demo does.');
  }
  if (o.options !== undefined && (typeof o.options !== 'object' || o.options === null || Array.isArray(o.options))) {
    throw bad('options.options', "the method's options as an object", Array.isArray(o.options) ? 'an array' : typeof o.options, 'Pass { epochs, learningRate, … } or omit it.');
  }
  const entry = Object.hasOwn(METHODS, o.method) ? METHODS[o.method] : undefined;
  if (!entry) throw bad('options.method', `one of ${Object.keys(METHODS).join(', ')}`, JSON.stringify(o.method), 'Pick a method of the table.');
  const { schedule, ...options } = o.options ?? {};
  if (schedule !== undefined) {
    if (schedule !== 'cosine' || typeof options.learningRate !== 'number') {
      throw bad('options.options.schedule', "'cosine' with a numeric learningRate", JSON.stringify(schedule), 'Name the schedule and give the starting rate.');
    }
    options.learningRate = cosine(options.learningRate);
  }
  const t0 = performance.now();
  // Per member / chain (the progress's task): its last loss, or its last acceptance and divergences.
  const losses = new Map<number, { last: number; every: boolean; tail: number[] }>();
  const accepts = new Map<number, number>();
  let divergences: number | undefined;
  // The table's Laplace trains its MAP at λ = 1 whatever `priorPrecision` says (registry.ts), which 24
  // points cannot overcome; trainLaplace takes the MAP's λ, and still chooses the posterior's by marglik.
  const train = o.method === 'laplace' ? (d: Parameters<typeof trainLaplace>[0], opts: Record<string, unknown>) => trainLaplace(d, opts) : entry.train;
  const posterior = await train(makeDataset({ data: x, cols: 1 }, y, 'points'), {
    // Few points: small batches so every epoch takes several steps.
    batchSize: Math.max(4, Math.min(32, Math.ceil(x.length / 4))),
    ...options,
    seed: ctx.task.seed,
    signal: ctx.signal,
    onProgress: (p) => {
      const task = p.task ?? 0;
      if (p.acceptance !== undefined) {
        accepts.set(task, p.acceptance);
        divergences = p.divergences;
      } else if (Number.isFinite(p.loss)) {
        const t = losses.get(task) ?? { last: 0, every: true, tail: [] };
        // Fan-outs (ensemble, MultiSWAG) relay progress at most every 100 ms (and always the last epoch):
        // their tail would depend on timing, so it is the last epoch alone.
        t.every &&= p.epoch === t.last + 1;
        t.last = p.epoch;
        if (!t.every) t.tail = [];
        t.tail.push(p.loss);
        const keep = tailOf(p.epochs, schedule !== undefined);
        if (t.tail.length > keep) t.tail.splice(0, t.tail.length - keep);
        losses.set(task, t);
      }
      ctx.progress(p.epoch, p.epochs, { loss: p.loss });
    },
  });
  const p = await posterior.predict(Float32Array.from(o.grid), { seed: ctx.task.seed });
  if (p.kind !== 'regression') throw bad('options.method', 'a method with a regression predictive', p.kind, 'Pick a regression method.');
  const info = posterior.info ?? {};
  const chain: ChainFacts = {};
  const mean = (v: Iterable<number>) => [...v].reduce((a, b, _, all) => a + b / all.length, 0);
  if (accepts.size > 0) chain.acceptance = mean(accepts.values());
  else if (typeof info.acceptance === 'number') chain.acceptance = info.acceptance;
  if (typeof info.divergences === 'number') chain.divergences = info.divergences;
  else if (divergences !== undefined) chain.divergences = divergences;
  // NUTS/HMC: R̂ of the predictive (over the weights it stays high: permuted hidden units); subspace: of its coordinates.
  const rhat = typeof info.rhatPredictive === 'number' ? info.rhatPredictive : info.rhatMax;
  if (typeof rhat === 'number' && Number.isFinite(rhat)) chain.rhat = rhat;
  const loss = accepts.size === 0 && losses.size > 0 ? mean([...losses.values()].map((t) => mean(t.tail))) : undefined;
  return { method: o.method, mean: p.mean, aleatoric: p.aleatoric, epistemic: p.epistemic, loss, ...chain, seconds: (performance.now() - t0) / 1000 };
}

/** The library's message shape: "<arg>: expected <expected>, found <found>. <hint>" */
function bad(argument: string, expected: string, found: string, hint: string): BdlError {
  return new BdlError('E_ARG', `${argument}: expected ${expected}, found ${found}. ${hint}`, argument);
}
