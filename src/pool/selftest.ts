/**
 * 'selftest': a small, compute-bound, deterministic task kind. It exercises everything a real task
 * does — seeded wasm work, checkpoints every k steps, progress, cancellation checks. Tests and
 * `npm run bench` (pool speedup) use it; the tests make it fail on purpose through their own task
 * kind (test/pool/faults.ts), never through its options.
 */
import { argError, describe } from '../errors.js';
import { int, schema, type Infer } from '../options/schema.js';
import type { TaskContext } from './types.js';

/** The 'selftest' task's options, checked before any work. */
export const SELFTEST_OPTIONS = schema("'selftest' task", {
  steps: int({ min: 0, default: 100, help: 'steps to run' }),
  size: int({ min: 1, default: 1024, help: 'length of the state vector' }),
  reps: int({ min: 1, default: 64, help: 'wasm dot products per step: the work knob' }),
  checkpointEvery: int({ min: 1, default: 100, help: 'checkpoint every k steps' }),
});
export type SelftestOptions = Infer<typeof SELFTEST_OPTIONS>;

/** The carried state, as checkpointed. */
export interface SelftestState {
  readonly step: number;
  readonly x: Float32Array;
  readonly acc: number;
}

export interface SelftestResult {
  /** The final state vector. */
  readonly x: Float32Array;
  /** The sum of every step's dot products (f64). */
  readonly acc: number;
}

/**
 * x ∈ f32^size starts from a hash of (seed, stream); each step sums `reps` wasm dot products of x
 * with shifted windows of w (the run's data `w`, or a fixed pattern), then mixes the sum back in x.
 */
export async function runSelftest(ctx: TaskContext<unknown, SelftestOptions, SelftestState>): Promise<SelftestResult> {
  const S = SELFTEST_OPTIONS;
  const o = S.parse(ctx.task.options);
  const [steps, size, reps, every] = [S.value(o, 'steps'), S.value(o, 'size'), S.value(o, 'reps'), S.value(o, 'checkpointEvery')];
  const w = ctx.data.w;
  if (w !== undefined && !(w instanceof Float32Array && w.length >= size)) {
    throw argError('E_SHAPE', 'data.w', `a Float32Array of at least ${size} values`, describe(w), 'Pass data { w } long enough, or none.');
  }
  let step = ctx.resume?.step ?? 0;
  let acc = ctx.resume?.acc ?? 0;
  if (steps === 0) return { x: ctx.resume?.x ?? hashFill(ctx.task.seed, ctx.task.stream, size), acc };

  const arena = await ctx.arena();
  const px = arena.putF32(ctx.resume?.x ?? hashFill(ctx.task.seed, ctx.task.stream, size));
  const pw = arena.allocF32(size + reps);
  const wv = arena.f32(pw, size + reps);
  for (let i = 0; i < size + reps; i++) wv[i] = w !== undefined ? w[i % size] : ((i * 37) % 101) / 101 - 0.5;

  for (; step < steps; step++) {
    let s = 0;
    for (let r = 0; r < reps; r++) s += arena.k.dot_f32(px, pw + 4 * r, size);
    const f = s - Math.floor(s);
    const x = arena.f32(px, size);
    for (let i = 0; i < size; i++) {
      const t = i * 0.618034 + f;
      x[i] = x[i] * 0.75 + 0.25 * (t - Math.floor(t) - 0.5);
    }
    acc += s;
    ctx.progress(step + 1, steps, { acc });
    if ((step + 1) % every === 0) await ctx.checkpoint({ step: step + 1, x: arena.getF32(px, size), acc });
    else await ctx.check();
  }
  return { x: arena.f32(px, size), acc };
}

/** Deterministic values in [-0.5, 0.5) from (seed, stream, i): an integer hash, not a generator. */
function hashFill(seed: number, stream: number, n: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(stream + 1, 0xc2b2ae35) ^ Math.imul(i + 1, 0x27d4eb2f);
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
    h = Math.imul(h ^ (h >>> 12), 0x297a2d39);
    h ^= h >>> 15;
    out[i] = (h >>> 8) / 16777216 - 0.5;
  }
  return out;
}
