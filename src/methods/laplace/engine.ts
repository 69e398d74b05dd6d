/**
 * The linearization engine: for a batch it keeps every layer's augmented input ã = [a; 1] and
 * backpropagates C output-space vectors v_c (rows of the likelihood Hessian's square root for the GGN,
 * or the loss gradient for the empirical Fisher), giving per layer δ_c = ∂(v_cᵀf)/∂(layer output).
 * The Jacobian of v_cᵀf w.r.t. a layer's parameters is then the outer product ã ⊗ δ_c, which is all
 * KFAC, diagonal and last-layer curvature need: no per-example Jacobian of the whole net is formed.
 */
import { ACTIVATION_CODE, layoutOf, type Layout, type MlpSpec } from '../../model/spec.js';
import type { Arena } from '../../wasm/arena.js';
import * as exact from '../../random/exact-math.js';

export type Curvature = 'ggn' | 'ef';

interface LayerBuf {
  /** ã: batch × (fanIn + 1). */
  aug: number;
  z: number;
  y: number;
  /** δ for each of the C vectors: C planes of batch × fanOut. */
  delta: number;
}

export class Linearization {
  readonly layout: Layout;
  private readonly bufs: LayerBuf[];
  private readonly spare: number;
  /** Output vectors: C planes of batch × outputWidth (written by `setOutputVectors`). */
  readonly v: number;

  constructor(
    readonly spec: MlpSpec,
    readonly arena: Arena,
    /** Largest batch. */
    readonly capacity: number,
    /** Number of output vectors per example (K for the GGN, 1 for the empirical Fisher). */
    readonly C: number,
    /** Lowest layer whose δ is needed (the last layer alone needs no backward pass). */
    readonly lowest: number,
  ) {
    this.layout = layoutOf(spec);
    const B = capacity;
    const L = this.layout.layers.length;
    this.bufs = this.layout.layers.map((ly, l) => {
      const z = arena.allocF32(B * ly.fanOut);
      return {
        aug: arena.allocF32(B * (ly.fanIn + 1)),
        z,
        y: l === L - 1 ? z : arena.allocF32(B * ly.fanOut),
        delta: l >= lowest ? arena.allocF32(C * B * ly.fanOut) : 0,
      };
    });
    this.spare = arena.allocF32(B * this.layout.maxWidth);
    this.v = this.bufs[L - 1].delta;
  }

  /** Forward pass at θ (address) for `batch` rows at x; returns the output address (batch × outputWidth). */
  forward(theta: number, x: number, batch: number): number {
    const k = this.arena.k;
    let input = x;
    this.layout.layers.forEach((ly, l) => {
      const b = this.bufs[l];
      k.append_ones_f32(b.aug, input, batch, ly.fanIn);
      k.gemm_f32_nn(b.z, input, theta + 4 * ly.w, batch, ly.fanOut, ly.fanIn, 0, this.arena.gemmWork);
      k.bias_act_f32(b.z, b.y, theta + 4 * ly.b, batch, ly.fanOut, ACTIVATION_CODE[ly.activation]);
      input = b.y;
    });
    return input;
  }

  /** Backpropagates the C output vectors (already in `v`, each batch × outputWidth) down to `lowest`. */
  backward(theta: number, batch: number): void {
    const k = this.arena.k;
    const layers = this.layout.layers;
    for (let c = 0; c < this.C; c++) {
      for (let l = layers.length - 1; l > this.lowest; l--) {
        const ly = layers[l];
        const prev = this.bufs[l - 1];
        const dst = prev.delta + 4 * c * this.capacity * ly.fanIn;
        k.gemm_f32_nt(this.spare, this.delta(l, c), theta + 4 * ly.w, batch, ly.fanIn, ly.fanOut, 0, this.arena.gemmWork);
        k.act_backward_f32(dst, this.spare, prev.z, prev.y, batch * ly.fanIn, ACTIVATION_CODE[layers[l - 1].activation]);
      }
    }
  }

  /** Address of ã for layer l (batch × (fanIn + 1)). */
  aug(l: number): number {
    return this.bufs[l].aug;
  }

  /** Address of δ_c for layer l (batch × fanOut; planes are `capacity` rows apart). */
  delta(l: number, c: number): number {
    return this.bufs[l].delta + 4 * c * this.capacity * this.layout.layers[l].fanOut;
  }
}

/**
 * Writes the C output vectors of each example into the engine's `v` planes, from the network output
 * `out` (batch × K) and targets y. GGN: Λ = Σ_c v_c v_cᵀ with Λ the Hessian of the NLL in the output
 * (gaussian: e_c, scaled by 1/σ² later; categorical: √p_c (e_c − p); bernoulli: √(p(1−p)) e_c).
 * Empirical Fisher: the single vector ∂NLL/∂f (gaussian: f − y, scaled by 1/σ⁴ later).
 */
export function setOutputVectors(lin: Linearization, kind: Curvature, out: Float32Array, y: Float32Array, batch: number): void {
  const K = lin.layout.outputWidth;
  const B = lin.capacity;
  const v = lin.arena.f32(lin.v, lin.C * B * K);
  v.fill(0);
  const lik = lin.spec.likelihood;
  const p = new Float64Array(K);
  for (let n = 0; n < batch; n++) {
    const f = out.subarray(n * K, n * K + K);
    if (lik === 'categorical') {
      let mx = -Infinity;
      for (let c = 0; c < K; c++) mx = Math.max(mx, f[c]);
      let z = 0;
      for (let c = 0; c < K; c++) z += p[c] = exact.exp(f[c] - mx);
      for (let c = 0; c < K; c++) p[c] /= z;
    } else if (lik === 'bernoulli') {
      for (let c = 0; c < K; c++) p[c] = 1 / (1 + exact.exp(-f[c]));
    }
    if (kind === 'ef') {
      for (let c = 0; c < K; c++) {
        const g = lik === 'gaussian' ? f[c] - y[n * K + c] : lik === 'bernoulli' ? p[c] - y[n * K + c] : p[c] - (c === y[n] ? 1 : 0);
        v[n * K + c] = g;
      }
      continue;
    }
    for (let c = 0; c < lin.C; c++) {
      const row = (c * B + n) * K;
      if (lik === 'gaussian') v[row + c] = 1;
      else if (lik === 'bernoulli') v[row + c] = Math.sqrt(p[c] * (1 - p[c]));
      else {
        const s = Math.sqrt(p[c]);
        for (let e = 0; e < K; e++) v[row + e] = s * ((e === c ? 1 : 0) - p[e]);
      }
    }
  }
}
