/** GEMM benchmarks: bdl-wasm's three products and TF.js-wasm's matMul on the same shapes. */
import type { Arena } from '../src/wasm/index.js';
import type { Tf } from './tfjs.js';
import { median, randomData, timeInterleaved, timePerCall } from './timing.js';

export interface GemmShape {
  m: number;
  n: number;
  k: number;
}

export const GEMM_SHAPES: GemmShape[] = [
  { m: 64, n: 64, k: 64 },
  { m: 256, n: 256, k: 256 },
  { m: 512, n: 512, k: 512 },
  { m: 1024, n: 1024, k: 1024 },
  { m: 128, n: 256, k: 784 },
];

export interface GemmResult extends GemmShape {
  /** A·B, the headline figure. */
  bdl_gflops: number;
  bdl_nn_gflops: number;
  bdl_tn_gflops: number;
  bdl_nt_gflops: number;
  /** tf.matMul(a, b). */
  tfjs_wasm_gflops: number;
  /** tf.matMul with transposeA / transposeB: the products backprop needs. */
  /** Null above 512³, where one call would take seconds on a loaded machine. */
  tfjs_wasm_tn_gflops: number | null;
  tfjs_wasm_nt_gflops: number | null;
  /** bdl A·B speed over TF.js A·B: the median over interleaved rounds of their time ratio. */
  ratio: number;
  /** bdl A·B GFLOP/s over the f32x4 peak loop's, median over the same interleaved rounds. */
  bdl_of_peak: number;
}

const PEAK_ITERS = 2_000_000;

export function benchGemm(arena: Arena, tf: Tf, shape: GemmShape): GemmResult {
  const { m, n, k } = shape;
  const flops = 2 * m * n * k;
  const mark = arena.mark();
  const a = arena.putF32(randomData(m * k, 11));
  const b = arena.putF32(randomData(k * n, 12));
  const c = arena.allocF32(m * n);
  const work = arena.alloc(Number(arena.k.gemm_workspace_bytes()));
  const K = arena.k;
  const ta = tf.tensor2d(randomData(m * k, 11), [m, k]);
  const tb = tf.tensor2d(randomData(k * n, 12), [k, n]);
  const taT = tf.tensor2d(randomData(m * k, 11), [k, m]);
  const tbT = tf.tensor2d(randomData(k * n, 12), [n, k]);
  // bdl's three products and TF.js's A·B, interleaved: the ratio is the robust figure here.
  // The transposed calls read the same buffers as k×m / n×k matrices: same sizes, same work.
  const t = timeInterleaved([
    () => tf.matMul(ta, tb).dispose(),
    () => K.gemm_f32_nn(c, a, b, m, n, k, 0, work),
    () => K.gemm_f32_tn(c, a, b, m, n, k, 0, work),
    () => K.gemm_f32_nt(c, a, b, m, n, k, 0, work),
    () => K.peak_f32x4(PEAK_ITERS),
  ]);
  arena.reset(mark);
  const [tfnn, nn, tn, nt] = t.sec.map((sec) => flops / sec / 1e9);
  const peakFlops = K.peak_f32x4(1);
  const ofPeak = median(t.per[1].map((sec, s) => flops / sec / (PEAK_ITERS * peakFlops / t.per[4][s])));
  // TF.js's transposed products are an order of magnitude slower: short batches, and none at 1024³.
  const small = m * n * k <= 512 ** 3;
  const tfTime = (x: typeof ta, y: typeof tb, transA: boolean, transB: boolean) =>
    timePerCall(() => tf.matMul(x, y, transA, transB).dispose(), 5, 1);
  const tftn = small ? flops / tfTime(taT, tb, true, false) / 1e9 : null;
  const tfnt = small ? flops / tfTime(ta, tbT, false, true) / 1e9 : null;
  tf.dispose([ta, tb, taT, tbT]);
  return {
    ...shape,
    bdl_gflops: nn,
    bdl_nn_gflops: nn,
    bdl_tn_gflops: tn,
    bdl_nt_gflops: nt,
    tfjs_wasm_gflops: tfnn,
    tfjs_wasm_tn_gflops: tftn,
    tfjs_wasm_nt_gflops: tfnt,
    ratio: 1 / t.rel[1],
    bdl_of_peak: ofPeak,
  };
}

/** GFLOP/s of the register-only f32x4 multiply-add loop: the ceiling for this binary here. */
export function benchPeak(arena: Arena): number {
  let flops = 0;
  const sec = timePerCall(() => {
    flops = arena.k.peak_f32x4(PEAK_ITERS);
  }, 7, 60);
  return flops / sec / 1e9;
}
