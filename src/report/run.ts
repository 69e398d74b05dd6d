/**
 * Runs methods side by side on comparison suites and keeps what the table and the report need:
 * metrics, seconds, reliability bins, the 1-D band, OOD scores and each posterior's `info`.
 * Iterates over whatever method table it is given, so new methods appear without changes here.
 * Each method on a suite is a 'compare-cell' task fanned out like every other fan-out (fanOut: one
 * cancellation path, one progress shape) on an in-thread pool of one slot.
 */
import { BdlError } from '../errors.js';
import { pollingSignal, signalOption } from '../signal.js';
import { fanOut } from '../pool/fan-out.js';
import { registerTask } from '../pool/registry.js';
import type { TaskContext } from '../pool/types.js';
import type { MethodEntry } from '../methods/registry.js';
import type { MethodProgress } from '../methods/common.js';
import type { ClassificationPredictive, Predictive, RegressionPredictive } from '../posterior/types.js';
import { accuracy, auroc, brier, ece, gaussianLogLik, intervalWidth, mce, mixtureLogLik, nll, oodScore, picp, reliability, rmse, topClass, type ReliabilityBin } from '../metrics/index.js';
import type { Suite } from './suites.js';

/** The key of the in-distribution test inputs' OOD scores in `MethodResult.scores`. */
export const IN_DISTRIBUTION = 'in-distribution';

/** One method on one suite: its metrics, or why it has none. */
export interface MethodResult {
  method: string;
  /** Set when the method refused the task or failed; the other fields are then absent. */
  skipped?: string;
  seconds?: number;
  metrics?: Record<string, number>;
  reliability?: ReliabilityBin[];
  /** 1-D suites: the predictive on the grid (original units). */
  band?: { mean: number[]; aleatoric: number[]; epistemic: number[] };
  /** Classification: the OOD score (predictive entropy) of the test inputs and of each OOD set. */
  scores?: Record<string, number[]>;
  /** Classification: per test point, the top-class probability and whether it is the label (what ECE is computed from; the orderings bootstrap it). */
  topClass?: { confidence: number[]; correct: number[] };
  info?: Record<string, unknown>;
  /** The options the run set for this method over its defaults (compare's short sampler budgets), as plain values. */
  budget?: Record<string, unknown>;
}

export interface SuiteResult {
  name: string;
  task: 'regression' | 'classification';
  description: string;
  nTrain: number;
  nTest: number;
  methods: MethodResult[];
  /** Where samplers trace f(x*), in words. */
  probes?: string;
  /** Classification: the OOD sets, by the name their scores are kept under and the key of their AUROC. */
  oodSets?: { name: string; key: string }[];
  /** 1-D suites: the grid and the training points, for the band plot. */
  grid?: number[];
  trainPoints?: { x: number[]; y: number[] };
}

export interface CompareOptions {
  seed?: number;
  /** Per-method option overrides (budgets), merged over the suite's. */
  budgets?: Record<string, Record<string, unknown>>;
  /** A method still running after this many seconds is cancelled and reported as skipped. Default 120. */
  timeLimit?: number;
  /** Cancels the comparison (BdlError E_ABORTED). A real AbortSignal. */
  signal?: AbortSignal;
  onMethodStart?: (suite: string, method: string) => void;
  /** The method's own progress (epochs and loss, or chain iterations with phase, acceptance and divergences). */
  onProgress?: (suite: string, method: string, p: MethodProgress) => void;
  onMethodEnd?: (suite: string, result: MethodResult) => void;
}

/** Runs every method of `methods` on `suite`. */
export async function runSuite(suite: Suite, methods: Record<string, MethodEntry>, o: CompareOptions = {}): Promise<SuiteResult> {
  signalOption(o.signal);
  const out: SuiteResult = { name: suite.name, task: suite.task, description: suite.description, nTrain: suite.train.n, nTest: suite.test.n, methods: [] };
  out.probes = !suite.probe
    ? `the first ${Math.min(3, suite.test.n)} test inputs`
    : suite.train.inputs === 1
      ? `x* = ${Array.from(suite.probe).join(', ')}`
      : `${suite.probe.length / suite.train.inputs} fixed inputs`;
  if (suite.ood) out.oodSets = suite.ood.map(({ name, key }) => ({ name, key }));
  if (suite.grid) {
    out.grid = Array.from(suite.grid);
    out.trainPoints = { x: Array.from(suite.train.x), y: Array.from(suite.train.y) };
  }
  if (o.signal?.aborted) throw new BdlError('E_ABORTED', `compare: cancelled before ${suite.name}.`);
  registerTask('compare-cell', runCell);
  const names = Object.keys(methods);
  const run = nextRun++;
  RUNS.set(run, { suite, methods, o });
  try {
    // One pool slot in this thread: the cells run one after another, so their seconds compare.
    out.methods = await fanOut<MethodResult>(
      names.map((method, i) => ({ kind: 'compare-cell', seed: o.seed ?? 0, stream: i, options: { run, method } })),
      { pool: { size: 0 }, signal: o.signal, onProgress: o.onProgress && ((e) => o.onProgress!(suite.name, names[e.taskId], e.payload as MethodProgress)) },
    );
  } finally {
    RUNS.delete(run);
  }
  return out;
}

/**
 * The comparisons running in this thread, by id: the one pool task kind whose description is not all
 * of its input. A 'compare-cell' task names its comparison and method; the runner finds the suite,
 * the method entry and the callbacks here. Plain data cannot replace this table: `runSuite` takes any
 * table of MethodEntry, and an entry's `train` is a function (a user's method, a test's stub), as are
 * onMethodStart/onMethodEnd, and functions do not travel in a task description. What keeps the cell
 * a function of (suite, entry, options, seed) all the same: the entry is fixed for the whole call
 * (set before the fan-out, deleted after it), the pool is in-thread (`size: 0`; no worker entry
 * registers the kind), and the cell draws only from the seed. The fan-out is still worth it for its
 * one cancellation path and progress shape, and its one slot runs the cells one after another, so
 * their seconds compare.
 */
const RUNS = new Map<number, { suite: Suite; methods: Record<string, MethodEntry>; o: CompareOptions }>();
let nextRun = 0;

/** 'compare-cell': one method of a comparison on its suite (see runOne). */
async function runCell(ctx: TaskContext<unknown, { run: number; method: string }>): Promise<MethodResult> {
  const { run, method } = ctx.task.options!;
  const cell = RUNS.get(run);
  if (cell === undefined) throw new BdlError('E_ARG', `compare-cell: no comparison ${run} is running in this thread (cells run in-thread only).`, 'task.options.run');
  const { suite, methods, o } = cell;
  o.onMethodStart?.(suite.name, method);
  const r = await runOne(suite, method, methods[method], o, (p) => ctx.progress(p.epoch, p.epochs, p));
  o.onMethodEnd?.(suite.name, r);
  return r;
}

/** Trains and scores one method on `suite` within the time limit; `report` gets its progress. */
async function runOne(suite: Suite, name: string, entry: MethodEntry, o: CompareOptions, report: (p: MethodProgress) => void): Promise<MethodResult> {
  const seed = o.seed ?? 0;
  const limit = o.timeLimit ?? 120;
  const deadline = performance.now() + 1000 * limit;
  let timedOut = false;
  // One real AbortSignal for the method (samplers hand it to the worker pool): aborted by the user's
  // signal, by a timer at the time limit, or, when read inside an in-thread loop that never lets the
  // timer fire, by its own check of the deadline.
  const user = o.signal;
  const { signal, abort } = pollingSignal(() => {
    if (user?.aborted) return true;
    timedOut = performance.now() > deadline;
    return timedOut;
  });
  const stop = (late: boolean) => {
    if (signal.aborted) return;
    timedOut = late;
    abort();
  };
  const timer = setTimeout(() => stop(true), 1000 * limit);
  const onUserAbort = () => stop(false);
  if (user?.aborted) stop(false);
  user?.addEventListener('abort', onUserAbort);
  const t0 = performance.now();
  try {
    const posterior = await entry.train(suite.train, {
      task: suite.task,
      classes: suite.classes,
      seed,
      // Samplers trace f(x*) here (other methods have no such option).
      ...('traceAt' in entry.options.fields && { traceAt: suite.probe ?? suite.test.x.slice(0, Math.min(3, suite.test.n) * suite.test.inputs) }),
      ...suite.options,
      ...o.budgets?.[name],
      signal,
      onProgress: (p) => {
        if (performance.now() > deadline) stop(true);
        report(p);
      },
    });
    const pred = await posterior.predict(suite.test.x, { seed, signal });
    const seconds = (performance.now() - t0) / 1000;
    const r: MethodResult = { method: name, seconds, info: plainInfo(posterior.info), ...budgetOf(o.budgets?.[name]) };
    if (pred.kind === 'regression') {
      r.metrics = regressionMetrics(pred, suite.test.y);
      if (suite.grid) {
        const g = (await posterior.predict(suite.grid, { seed, signal })) as RegressionPredictive;
        r.band = { mean: Array.from(g.mean), aleatoric: Array.from(g.aleatoric), epistemic: Array.from(g.epistemic) };
      }
    } else {
      await classificationResults(r, pred, suite, posterior.predict.bind(posterior), seed, signal);
    }
    return r;
  } catch (e) {
    if (o.signal?.aborted) throw e;
    const why = timedOut ? `stopped at the ${limit} s time limit (give it a larger --time-limit or a smaller budget)` : e instanceof Error ? e.message : String(e);
    return { method: name, skipped: why, seconds: (performance.now() - t0) / 1000 };
  } finally {
    clearTimeout(timer);
    user?.removeEventListener('abort', onUserAbort);
  }
}

/** RMSE and test log-likelihood (the mixture over posterior samples where there are samples), PICP and width of the 95 % interval. */
export function regressionMetrics(p: RegressionPredictive, y: Float32Array): Record<string, number> {
  const mixture = p.members !== undefined && p.members.count > 1;
  return {
    rmse: rmse(p.mean, y),
    ll: mixture ? mixtureLogLik(p.members!.mean, p.members!.variance, y) : gaussianLogLik(p.mean, p.variance, y),
    picp: picp(p.mean, p.variance, y),
    width: intervalWidth(p.variance),
  };
}

async function classificationResults(
  r: MethodResult,
  p: ClassificationPredictive,
  suite: Suite,
  predict: (x: Float32Array, o: { seed: number; signal: AbortSignal }) => Promise<Predictive>,
  seed: number,
  signal: AbortSignal,
): Promise<void> {
  const y = suite.test.y;
  r.metrics = { accuracy: accuracy(p.probs, y), nll: nll(p.probs, y), brier: brier(p.probs, y), ece: ece(p.probs, y), mce: mce(p.probs, y) };
  r.reliability = reliability(p.probs, y);
  const top = topClass(p.probs, y);
  r.topClass = { confidence: Array.from(top.confidence), correct: Array.from(top.correct) };
  const inScore = oodScore(p, 'entropy');
  r.scores = { [IN_DISTRIBUTION]: Array.from(inScore) };
  for (const set of suite.ood ?? []) {
    const q = (await predict(set.x, { seed, signal })) as ClassificationPredictive;
    const s = oodScore(q, 'entropy');
    r.scores[set.name] = Array.from(s);
    r.metrics[set.key] = auroc(inScore, s);
  }
}

/** Keeps the JSON-friendly part of a posterior's info (numbers, strings, arrays of them, nested objects). */
/** The plain (number, string, boolean) entries of a method's budget: a worker pool handle is not part of what ran. */
function budgetOf(b: Record<string, unknown> | undefined): { budget?: Record<string, unknown> } {
  const plain = Object.entries(b ?? {}).filter(([, v]) => ['number', 'string', 'boolean'].includes(typeof v));
  return plain.length ? { budget: Object.fromEntries(plain) } : {};
}

function plainInfo(info: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!info) return undefined;
  return JSON.parse(JSON.stringify(info, (_k, v) => (ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<number>) : typeof v === 'bigint' ? Number(v) : v)));
}
