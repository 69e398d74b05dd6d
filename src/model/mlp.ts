/**
 * The MLP engine: loss, gradient and forward pass for a batch over ANY flat θ, run by the wasm core.
 *
 * Two levels. The pointer level (`forwardAt`, `lossAndGradAt`) works on arena addresses and is what
 * the training loop and samplers call on their hot paths: a whole step is a handful of kernel calls
 * and no JavaScript allocation. The array level (`forward`, `loss`, `lossAndGrad`, `init`) copies
 * user arrays in and results out, in chunks of the engine's batch capacity.
 */
import { argError, describe } from '../errors.js';
import { keyOf } from '../random/index.js';
import { Arena } from '../wasm/arena.js';
import type { Dataset } from '../data/dataset.js';
import { ACTIVATION_CODE, checkSpec, layoutOf, type Layout, type MlpSpec } from './spec.js';
import * as exact from '../random/exact-math.js';

/** Philox counter tags (third counter word) that keep the engine's random streams apart. */
export const RNG_TAG = { init: 1, dropout: 2 } as const;

/** Where dropout masks come from: a key and a counter (e.g. the training step, or the test sample). */
export interface MaskSource {
  seed: number;
  stream: number;
  counter: number;
}

export interface LossOptions {
  /** Observation noise variance for the 'gaussian' likelihood (default spec.noise², i.e. 1). */
  noiseVar?: number;
  /** Minimum variance of the heteroscedastic head (default 1e-6). */
  minVar?: number;
  /**
   * β of the β-NLL for the heteroscedastic head (Seitzer et al. 2022; default 0, the plain NLL): the
   * gradient of each element is weighted by its predicted variance^β, held constant. 0.5 is the
   * paper's recommendation; 1 fits the mean like squared error. The loss returned stays the plain NLL.
   */
  betaNll?: number;
  /** Multiply the data term and its gradient by this (default 1: the sum over the batch). */
  scale?: number;
  /** Draw dropout masks from this source; without it the network is deterministic. */
  masks?: MaskSource;
  /**
   * Caller-made masks (e.g. Concrete dropout's relaxed ones): per weight layer, the address of a
   * batch × fanIn mask multiplied into that layer's input, or 0 for none. Takes precedence over
   * `masks`; only layers whose spec has a dropout rate > 0 have room for a masked input.
   */
  maskPtrs?: readonly number[];
  /**
   * Per weight layer, an address where the backward pass writes ∂L/∂mask (batch × fanIn, overwritten),
   * or 0: what a method needs to learn the masks' parameters. Only for layers given in `maskPtrs`.
   */
  maskGrads?: readonly number[];
  /**
   * An address where the backward pass writes ∂L/∂x, the gradient with respect to the inputs as
   * given (batch × inputs, through any input dropout mask), or 0: what adversarial training needs.
   */
  inputGrad?: number;
}

interface LayerBuffers {
  /** Pre-activation (B × fanOut) and activation (B × fanOut; the same region for the last layer). */
  z: number;
  y: number;
  /** Dropped-out input of this layer (B × fanIn), and its mask; 0 when the layer has no dropout. */
  xd: number;
  mask: number;
}

/** A dense network's engine (see the module comment); create with `Mlp.create(spec)`. */
export class Mlp {
  readonly spec: MlpSpec;
  readonly layout: Layout;
  readonly arena: Arena;
  /** Largest batch the pointer-level calls accept. */
  readonly capacity: number;
  private readonly bufs: LayerBuffers[];
  /** Two ping-pong buffers for ∂L/∂(layer input) during backprop (B × maxWidth each). */
  private readonly dA: number;
  private readonly dB: number;
  /** Scratch for the array-level calls: one batch of x and y, θ and its gradient. */
  private readonly xBuf: number;
  private readonly yBuf: number;
  private readonly thetaBuf: number;
  private readonly gradBuf: number;

  private constructor(spec: MlpSpec, arena: Arena, capacity: number) {
    this.spec = spec;
    this.layout = layoutOf(spec);
    this.arena = arena;
    this.capacity = capacity;
    const B = capacity;
    this.bufs = this.layout.layers.map((L, l) => {
      const last = l === this.layout.layers.length - 1;
      const z = arena.allocF32(B * L.fanOut);
      const y = last || L.activation === 'identity' ? z : arena.allocF32(B * L.fanOut);
      const drop = L.dropout > 0;
      return { z, y, xd: drop ? arena.allocF32(B * L.fanIn) : 0, mask: drop ? arena.allocF32(B * L.fanIn) : 0 };
    });
    this.dA = arena.allocF32(B * this.layout.maxWidth);
    this.dB = arena.allocF32(B * this.layout.maxWidth);
    this.xBuf = arena.allocF32(B * spec.inputs);
    this.yBuf = arena.allocF32(B * this.targetWidth);
    this.thetaBuf = arena.allocF32(this.layout.size);
    this.gradBuf = arena.allocF32(this.layout.size);
  }

  /**
   * An engine for `spec` with room for batches of up to `capacity` rows (default 256), in `arena`
   * (default: a fresh instance of the core).
   */
  static async create(spec: MlpSpec, opts: { arena?: Arena; capacity?: number } = {}): Promise<Mlp> {
    const s = checkSpec(spec);
    const capacity = opts.capacity ?? 256;
    if (!Number.isInteger(capacity) || capacity < 1) throw argError('E_ARG', 'capacity', 'a positive integer batch size', describe(capacity), 'Omit it for 256.');
    return new Mlp(s, opts.arena ?? (await Arena.create()), capacity);
  }

  /** Number of parameters. */
  get size(): number {
    return this.layout.size;
  }

  /** Columns of y: 1 class index per row for categorical, else `outputs`. */
  get targetWidth(): number {
    return this.spec.likelihood === 'categorical' ? 1 : this.spec.outputs;
  }

  // ---------------------------------------------------------------- pointer level (hot paths)

  /**
   * Forward pass of `batch` rows at x (batch × inputs) with parameters at θ. Returns the address of
   * the output (batch × outputWidth), valid until the next call on this engine.
   */
  forwardAt(theta: number, x: number, batch: number, masks?: MaskSource, maskPtrs?: readonly number[]): number {
    const k = this.arena.k;
    const work = this.arena.gemmWork;
    const layers = this.layout.layers;
    let input = x;
    for (let l = 0; l < layers.length; l++) {
      const L = layers[l];
      const b = this.bufs[l];
      const given = maskPtrs?.[l] ?? 0;
      if (given !== 0) {
        if (b.xd === 0) throw argError('E_ARG', `maskPtrs[${l}]`, 'masks only on layers whose spec.dropout rate is > 0', 'a mask on an undropped layer', 'Give the spec a dropout rate at that layer.');
        k.mul_f32(b.xd, input, given, batch * L.fanIn);
        input = b.xd;
      } else if (masks && L.dropout > 0) {
        const [k0, k1] = keyOf(masks.seed, masks.stream);
        k.dropout_mask_f32(b.mask, batch * L.fanIn, L.dropout, k0, k1, masks.counter >>> 0, l, RNG_TAG.dropout);
        k.mul_f32(b.xd, input, b.mask, batch * L.fanIn);
        input = b.xd;
      }
      k.gemm_f32_nn(b.z, input, theta + 4 * L.w, batch, L.fanOut, L.fanIn, 0, work);
      k.bias_act_f32(b.z, b.y, theta + 4 * L.b, batch, L.fanOut, ACTIVATION_CODE[L.activation]);
      input = b.y;
    }
    return input;
  }

  /**
   * Data term of the negative log-likelihood of `batch` rows, times `scale`, and its gradient written
   * to `grad` (overwritten). Returns the f64 loss. The prior is not included (see `fit`'s weight decay
   * and `gaussianPrior`).
   */
  lossAndGradAt(theta: number, grad: number, x: number, y: number, batch: number, opts: LossOptions = {}): number {
    const k = this.arena.k;
    const work = this.arena.gemmWork;
    const layers = this.layout.layers;
    const out = this.forwardAt(theta, x, batch, opts.masks, opts.maskPtrs);
    const scale = opts.scale ?? 1;
    const last = layers.length - 1;
    const dOut = this.dA;
    const loss = this.lossKernel(dOut, out, y, batch, scale, opts);

    let dZ = dOut;
    let spare = this.dB;
    // Set when the previous step already wrote this layer's bias gradient (the fused path below).
    let biasDone = false;
    for (let l = last; l >= 0; l--) {
      const L = layers[l];
      const b = this.bufs[l];
      const given = opts.maskPtrs?.[l] ?? 0;
      const masked = given !== 0 || (L.dropout > 0 && opts.masks !== undefined);
      const undropped = l === 0 ? x : this.bufs[l - 1].y;
      const input = masked ? b.xd : undropped;
      // A one-unit layer (a regression head): ∂Z·Wᵀ is an outer product, fused with the activation's
      // derivative, the layer below's bias gradient and this layer's ∂W, with the bits of the four
      // separate kernels.
      const outer = l > 0 && !masked && L.fanOut === 1 && batch > 1 && L.fanIn > 1;
      // ∂W = inputᵀ·∂Z and ∂b = column sums of ∂Z.
      if (!outer) k.gemm_f32_tn(grad + 4 * L.w, input, dZ, L.fanIn, L.fanOut, batch, 0, work);
      if (!biasDone) k.bias_grad_f32(grad + 4 * L.b, dZ, batch, L.fanOut, 0);
      biasDone = false;
      const maskGrad = given !== 0 ? (opts.maskGrads?.[l] ?? 0) : 0;
      const inputGrad = l === 0 ? (opts.inputGrad ?? 0) : 0;
      if (l === 0 && maskGrad === 0 && inputGrad === 0) break;
      if (outer) {
        const prev = this.bufs[l - 1];
        k.outer_act_backward_f32(spare, grad + 4 * layers[l - 1].b, grad + 4 * L.w, dZ, theta + 4 * L.w, prev.z, prev.y, batch, L.fanIn, ACTIVATION_CODE[layers[l - 1].activation]);
        biasDone = true;
        const t = dZ;
        dZ = spare;
        spare = t;
        continue;
      }
      // ∂(input) = ∂Z·Wᵀ, through the dropout mask, then through the previous activation.
      const dIn = inputGrad !== 0 ? inputGrad : spare;
      k.gemm_f32_nt(dIn, dZ, theta + 4 * L.w, batch, L.fanIn, L.fanOut, 0, work);
      // ∂L/∂mask = ∂L/∂(masked input) ⊙ (undropped input).
      if (maskGrad !== 0) k.mul_f32(maskGrad, dIn, undropped, batch * L.fanIn);
      if (masked && (l > 0 || inputGrad !== 0)) k.mul_f32(dIn, dIn, given !== 0 ? given : b.mask, batch * L.fanIn);
      if (l === 0) break;
      const prev = this.bufs[l - 1];
      k.act_backward_f32(spare, spare, prev.z, prev.y, batch * L.fanIn, ACTIVATION_CODE[layers[l - 1].activation]);
      const t = dZ;
      dZ = spare;
      spare = t;
    }
    return loss;
  }

  /** Data-term loss only (forward pass + the likelihood), times `scale`. */
  lossAt(theta: number, x: number, y: number, batch: number, opts: LossOptions = {}): number {
    const out = this.forwardAt(theta, x, batch, opts.masks, opts.maskPtrs);
    return this.lossKernel(this.dA, out, y, batch, opts.scale ?? 1, opts);
  }

  /** The likelihood's kernel: returns scale × Σ NLL over the batch, writes scale × ∂NLL/∂out. */
  private lossKernel(grad: number, out: number, y: number, batch: number, scale: number, opts: LossOptions): number {
    return scale * this.nllSum(grad, out, y, batch, scale, opts);
  }

  private nllSum(grad: number, out: number, y: number, batch: number, scale: number, opts: LossOptions): number {
    const k = this.arena.k;
    const n = this.spec.outputs;
    switch (this.spec.likelihood) {
      case 'gaussian': {
        const v = opts.noiseVar ?? (this.spec.noise ?? 1) ** 2;
        return k.loss_gaussian_f32(grad, out, y, batch, n, exact.log(v), scale);
      }
      case 'heteroscedastic':
        return k.loss_hetero_f32(grad, out, y, batch, n, opts.minVar ?? 1e-6, opts.betaNll ?? 0, scale);
      case 'categorical':
        return k.loss_softmax_ce_f32(grad, out, y, batch, n, scale);
      case 'bernoulli':
        return k.loss_bernoulli_f32(grad, out, y, batch, n, scale);
    }
  }

  // ---------------------------------------------------------------- array level (convenience)

  /**
   * Initial parameters: He-normal weights for relu/gelu, Glorot-normal for tanh/sigmoid/identity,
   * zero biases; drawn from Philox keyed by (seed, stream), the same bits on every platform.
   */
  init(seed: number, stream = 0): Float32Array {
    const k = this.arena.k;
    const [k0, k1] = keyOf(seed, stream);
    const p = this.thetaBuf;
    this.arena.f32(p, this.size).fill(0);
    this.layout.layers.forEach((L, l) => {
      const fan = L.activation === 'relu' || L.activation === 'gelu' ? L.fanIn : (L.fanIn + L.fanOut) / 2;
      const std = Math.sqrt((L.activation === 'relu' || L.activation === 'gelu' ? 2 : 1) / fan);
      k.rng_normal_f32(p + 4 * L.w, L.fanIn * L.fanOut, k0, k1, l, 0, RNG_TAG.init);
      k.scal_f32(p + 4 * L.w, std, L.fanIn * L.fanOut);
    });
    return this.arena.getF32(p, this.size);
  }

  /** Network outputs (n × outputWidth) for input rows x (n × inputs). */
  forward(theta: Float32Array, x: Float32Array, masks?: MaskSource): Float32Array {
    this.checkTheta(theta);
    const n = this.rowsOf(x);
    const W = this.layout.outputWidth;
    const out = new Float32Array(n * W);
    this.arena.putF32(theta, this.thetaBuf);
    for (let s = 0; s < n; s += this.capacity) {
      const b = Math.min(this.capacity, n - s);
      this.arena.putF32(x.subarray(s * this.spec.inputs, (s + b) * this.spec.inputs), this.xBuf);
      const m = masks ? { ...masks, counter: masks.counter + s / this.capacity } : undefined;
      const o = this.forwardAt(this.thetaBuf, this.xBuf, b, m);
      out.set(this.arena.f32(o, b * W), s * W);
    }
    return out;
  }

  /** Mean per-example negative log-likelihood over a dataset (data term only). */
  loss(theta: Float32Array, data: Dataset, opts: Omit<LossOptions, 'scale'> = {}): number {
    return this.lossAndGradImpl(theta, data, opts, false).loss;
  }

  /** Mean per-example negative log-likelihood and its gradient w.r.t. θ. */
  lossAndGrad(theta: Float32Array, data: Dataset, opts: Omit<LossOptions, 'scale'> = {}): { loss: number; grad: Float32Array } {
    return this.lossAndGradImpl(theta, data, opts, true) as { loss: number; grad: Float32Array };
  }

  private lossAndGradImpl(theta: Float32Array, data: Dataset, opts: Omit<LossOptions, 'scale'>, withGrad: boolean) {
    this.checkTheta(theta);
    this.checkData(data);
    const P = this.size;
    const grad = withGrad ? new Float64Array(P) : undefined;
    this.arena.putF32(theta, this.thetaBuf);
    let loss = 0;
    const inW = this.spec.inputs;
    const tW = this.targetWidth;
    for (let s = 0; s < data.n; s += this.capacity) {
      const b = Math.min(this.capacity, data.n - s);
      this.arena.putF32(data.x.subarray(s * inW, (s + b) * inW), this.xBuf);
      this.arena.putF32(data.y.subarray(s * tW, (s + b) * tW), this.yBuf);
      const o = { ...opts, scale: 1 / data.n };
      if (grad) {
        loss += this.lossAndGradAt(this.thetaBuf, this.gradBuf, this.xBuf, this.yBuf, b, o);
        const g = this.arena.f32(this.gradBuf, P);
        for (let i = 0; i < P; i++) grad[i] += g[i];
      } else {
        loss += this.lossAt(this.thetaBuf, this.xBuf, this.yBuf, b, o);
      }
    }
    return { loss, grad: grad ? Float32Array.from(grad) : undefined };
  }

  private checkTheta(theta: Float32Array): void {
    if (!(theta instanceof Float32Array) || theta.length !== this.size) {
      throw argError('E_SHAPE', 'theta', `a Float32Array of ${this.size} parameters`, describe(theta), 'Use mlp.init(seed) or a vector of mlp.size values.');
    }
  }

  private rowsOf(x: Float32Array): number {
    if (!(x instanceof Float32Array) || x.length % this.spec.inputs !== 0 || x.length === 0) {
      throw argError('E_SHAPE', 'x', `a non-empty Float32Array of rows × ${this.spec.inputs} inputs`, describe(x), 'Pass inputs row-major.');
    }
    return x.length / this.spec.inputs;
  }

  private checkData(data: Dataset): void {
    if (data.inputs !== this.spec.inputs) {
      throw argError('E_SHAPE', 'data.inputs', `${this.spec.inputs} (spec.inputs)`, String(data.inputs), 'Match the spec to the data.');
    }
    if (data.targets !== this.targetWidth) {
      throw argError('E_SHAPE', 'data.targets', `${this.targetWidth} target column(s) for a ${this.spec.likelihood} likelihood`, String(data.targets), 'Check the likelihood and the target column.');
    }
    if (this.spec.likelihood === 'categorical') {
      const K = this.spec.outputs;
      for (let i = 0; i < data.n; i++) {
        const c = data.y[i];
        if (!Number.isInteger(c) || c < 0 || c >= K) {
          throw argError('E_ARG', `data.y[${i}]`, `a class index in 0..${K - 1}`, describe(c), 'Encode classes as 0…K−1.');
        }
      }
    }
  }
}
