/**
 * Low-rank adapters (LoRA, Hu et al. 2021) on a frozen dense network: layer l's weights become
 * W₀ + ΔW with ΔW = (B·A)ᵀ, A r×fanIn, B fanOut×r (θ stores W fanIn × fanOut, so ΔW[i,o] = Σₖ A[k,i]·B[o,k]).
 * Only φ = [A₁, B₁, A₂, B₂, …] trains; θ₀ stays fixed. B starts at 0 (so the adapted network starts as
 * the pretrained one), A at N(0, 1/fanIn) from Philox tag LORA_INIT_TAG.
 *
 * The gradient of any loss over θ reaches φ by the chain rule through the merge:
 *   ∂L/∂A[k,i] = Σₒ G[i,o]·B[o,k],   ∂L/∂B[o,k] = Σᵢ G[i,o]·A[k,i],   G = ∂L/∂Wₗ from the engine.
 */
import { argError, describe } from '../../errors.js';
import type { Mlp } from '../../model/mlp.js';
import { Rng } from '../../random/index.js';
import { priorPrecisionOf, type Objective } from '../../train/fit.js';
import { checkArgument, int, list, nested, required, schema } from '../../options/schema.js';

/** Philox tag (third counter word) of the adapters' A initialisation (c1 = adapted layer). */
export const LORA_INIT_TAG = 0x4c;

/** Which weight layers get an adapter, and its rank. */
export interface AdapterSpec {
  /** Weight-layer indices (0 = the inputs' layer) with their ranks. */
  layers: { layer: number; rank: number }[];
}

/** An adapter spec's shape (its bounds depend on the network: LoraAdapters checks them). */
const ADAPTERS = required(nested<AdapterSpec>(schema('adapters', {
  layers: required(list(nested<AdapterSpec['layers'][number]>(schema('adapter', {
    layer: required(int({ min: 0, help: 'weight-layer index (0 = the inputs\' layer)' })),
    rank: required(int({ min: 1, hint: 'E.g. 2.', help: 'rank r of the adapter' })),
  }), { help: 'one adapted layer' }), { minItems: 1, hint: 'E.g. [{ layer: 1, rank: 2 }].', help: 'the adapted layers with their ranks' })),
}), { help: 'which weight layers get an adapter, and its rank' }));

interface Placed {
  layer: number;
  rank: number;
  fanIn: number;
  fanOut: number;
  /** Offset of W in θ, of A and B in φ. */
  w: number;
  a: number;
  b: number;
}

/** The adapters of one frozen network: sizes, the merge φ → θ and its chain rule. */
export class LoraAdapters {
  readonly placed: readonly Placed[];
  /** Number of adapter parameters (the trainable count). */
  readonly size: number;

  constructor(
    readonly mlp: Mlp,
    /** The frozen pretrained weights (not mutated). */
    readonly theta0: Float32Array,
    readonly spec: AdapterSpec,
  ) {
    const L = mlp.layout.layers;
    if (!(theta0 instanceof Float32Array) || theta0.length !== mlp.size) throw argError('E_SHAPE', 'theta0', `a Float32Array of ${mlp.size} weights`, describe(theta0), "Pass the pretrained network's θ.");
    this.spec = spec = checkArgument(ADAPTERS, spec, 'LoraAdapters', 'adapters');
    let off = 0;
    const seen = new Set<number>();
    this.placed = spec.layers.map(({ layer, rank }, j) => {
      // The schema checked the shape; these bounds depend on the network.
      if (layer >= L.length || seen.has(layer)) throw argError('E_ARG', `adapters.layers[${j}].layer`, `a distinct weight-layer index in 0…${L.length - 1}`, describe(layer), 'Each layer once.');
      const Ly = L[layer];
      if (rank > Math.min(Ly.fanIn, Ly.fanOut)) throw argError('E_ARG', `adapters.layers[${j}].rank`, `an integer in 1…${Math.min(Ly.fanIn, Ly.fanOut)}`, describe(rank), 'E.g. 2.');
      seen.add(layer);
      const p = { layer, rank, fanIn: Ly.fanIn, fanOut: Ly.fanOut, w: Ly.w, a: off, b: off + rank * Ly.fanIn };
      off += rank * (Ly.fanIn + Ly.fanOut);
      return p;
    });
    this.size = off;
  }

  /** A ~ N(0, 1/fanIn), B = 0: the adapted network starts as the pretrained one. */
  init(seed: number, stream: number): Float32Array {
    const phi = new Float32Array(this.size);
    for (const p of this.placed) {
      const rng = new Rng(seed, stream, [0, p.layer, LORA_INIT_TAG]);
      const sd = 1 / Math.sqrt(p.fanIn);
      for (let i = 0; i < p.rank * p.fanIn; i++) phi[p.a + i] = sd * rng.normal();
    }
    return phi;
  }

  /** θ = θ₀ + the adapters' ΔW, written into `theta` (length of θ₀; only adapted layers are rewritten). */
  mergeInto(theta: Float32Array, phi: ArrayLike<number>): Float32Array {
    for (const p of this.placed) {
      const { fanIn: I, fanOut: O, rank: r } = p;
      for (let i = 0; i < I; i++) {
        for (let o = 0; o < O; o++) {
          let s = 0;
          for (let k = 0; k < r; k++) s += phi[p.a + k * I + i] * phi[p.b + o * r + k];
          theta[p.w + i * O + o] = this.theta0[p.w + i * O + o] + s;
        }
      }
    }
    return theta;
  }

  /** The merged weight vector θ₀ + ΔW(φ). */
  merge(phi: ArrayLike<number>): Float32Array {
    if (phi.length !== this.size) throw argError('E_SHAPE', 'phi', `${this.size} adapter values`, String(phi.length), 'Pass the fine-tuned adapter vector.');
    return this.mergeInto(this.theta0.slice(), phi);
  }

  /** ∂L/∂φ from ∂L/∂θ (the chain rule through the merge), written into `out`. */
  pullBack(gTheta: ArrayLike<number>, phi: ArrayLike<number>, out: Float32Array | Float64Array): void {
    for (const p of this.placed) {
      const { fanIn: I, fanOut: O, rank: r } = p;
      for (let j = 0; j < r * (I + O); j++) out[p.a + j] = 0;
      for (let i = 0; i < I; i++) {
        for (let o = 0; o < O; o++) {
          const g = gTheta[p.w + i * O + o];
          if (g === 0) continue;
          for (let k = 0; k < r; k++) {
            out[p.a + k * I + i] += g * phi[p.b + o * r + k];
            out[p.b + o * r + k] += g * phi[p.a + k * I + i];
          }
        }
      }
    }
  }
}

/**
 * The fine-tuning objective over φ: mean NLL of the adapted network per example + λ/(2N)‖φ‖² (a
 * N(0, 1/λ) prior on the adapters; λ = 0 for none). Scratch lives in the engine's arena.
 */
export function adapterObjective(ad: LoraAdapters, o: { priorPrecision?: number } = {}): Objective & { gradAt(phi: Float32Array, x: number, y: number, batch: number): { loss: number; grad: Float32Array } } {
  const mlp = ad.mlp;
  const arena = mlp.arena;
  const P = ad.size;
  const lambda = priorPrecisionOf(o.priorPrecision, 'adapterObjective');
  const thetaPtr = arena.putF32(ad.theta0);
  const gThetaPtr = arena.allocF32(mlp.size);
  const theta = ad.theta0.slice();
  /** Data term only: loss and ∂/∂φ at φ for `batch` rows already in the arena. */
  const dataGrad = (phi: Float32Array, x: number, y: number, batch: number, out: Float32Array) => {
    ad.mergeInto(theta, phi);
    arena.f32(thetaPtr, mlp.size).set(theta);
    const loss = mlp.lossAndGradAt(thetaPtr, gThetaPtr, x, y, batch, { scale: 1 / batch });
    ad.pullBack(arena.f32(gThetaPtr, mlp.size), phi, out);
    return loss;
  };
  return {
    size: P,
    init: (seed, stream) => ad.init(seed, stream),
    gradAt(phi, x, y, batch) {
      const grad = new Float32Array(P);
      return { loss: dataGrad(phi, x, y, batch, grad), grad };
    },
    lossAndGradAt(params, grad, x, y, batch, ctx) {
      const phi = arena.f32(params, P).slice();
      const g = new Float32Array(P);
      let loss = dataGrad(phi, x, y, batch, g);
      const w = lambda / ctx.n;
      let sq = 0;
      for (let i = 0; i < P; i++) {
        sq += phi[i] * phi[i];
        g[i] += w * phi[i];
      }
      loss += 0.5 * w * sq;
      arena.f32(grad, P).set(g);
      return loss;
    },
  };
}
