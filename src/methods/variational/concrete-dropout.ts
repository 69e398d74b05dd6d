/**
 * Concrete dropout (Gal, Hron & Kendall 2017): the drop rate p of each weight layer's input is
 * learned with the weights, through the relaxed-Bernoulli (Concrete) mask
 *   z = sigmoid((logit p + log u − log(1−u))/t),  input ⊙ (1 − z)/(1 − p),   t = 0.1,
 * on the objective (per example)
 *   mean NLL + Σₗ [ wr·‖Wₗ‖²/(1 − pₗ) + dr·Kₗ·(pₗ log pₗ + (1 − pₗ) log(1 − pₗ)) ]   (Kₗ = fan-in).
 * The trainable vector is φ = (θ, logit p per layer). The engine takes the relaxed masks from us and
 * hands back ∂L/∂mask; one wasm kernel gives the mask and ∂mask/∂logit p, so ∂L/∂logit p is a dot.
 *
 * Regularizer scale: the reference code's defaults (wr = 1e−6, dr = 1e−5) are per-example values
 * that match its KL/N derivation at N = 10⁵ (wr = 0.1/N, dr = 1/N); we scale them by N — wr = 0.1/N,
 * dr = 1/N — so that, as the KL term should, the pull towards p = ½ fades with more data. Passing
 * `weightRegularizer` / `dropoutRegularizer` sets the per-example values directly.
 * At test time the learned rates drive ordinary Bernoulli masks (MC dropout with the learned p).
 * Philox tag of the training uniforms: 0x43 (c1 = step, c2 = layer).
 */
import type { Dataset } from '../../data/dataset.js';
import type { Mlp } from '../../model/mlp.js';
import { taskOf } from '../../model/spec.js';
import { NetworkPosterior } from '../../posterior/network-posterior.js';
import { MaskSource } from '../../posterior/sources/masks.js';
import type { TaskOf } from '../../posterior/types.js';
import { keyOf } from '../../random/index.js';
import { fit, type Objective } from '../../train/fit.js';
import { checkRun, engineFor, fitOptionsOf, specFor, withPatience, METHOD_OPTIONS, SAMPLED_PATIENCE } from '../common.js';
import type { McDropoutPosterior } from './mc-dropout.js';
import { residualVariance } from '../map.js';
import { heldOutLoss, heldOutNoiseVar, noiseFor, predictiveNoiseVar, standardized, type NoiseEstimate, NOISE, PREDICTIVE_NOISE } from '../noise.js';
import { enumOf, int, num, type Infer } from '../../options/schema.js';
import { checkMemory, estimateNetwork } from '../memory.js';
import { MAX_SAMPLES } from '../../posterior/source.js';
import * as exact from '../../random/exact-math.js';

export const CONCRETE_TAG = 0x43;

export const CONCRETE_DROPOUT_OPTIONS = METHOD_OPTIONS.extend('trainConcreteDropout', {
  ...NOISE,
  ...PREDICTIVE_NOISE,
  layers: enumOf(['all', 'hidden'], { default: 'all', help: "weight layers with a learned rate: 'all' (the paper's code) or 'hidden' (not the inputs)" }),
  initialRate: num({ gt: 0, lt: 1, default: 0.1, help: 'initial drop rate of every layer' }),
  temperature: num({ gt: 0, default: 0.1, help: 'Concrete relaxation temperature' }),
  weightRegularizer: num({ min: 0, defaultText: '0.1/N', help: 'per-example weight regularizer' }),
  dropoutRegularizer: num({ min: 0, defaultText: '1/N', help: 'per-example dropout (entropy) regularizer' }),
  samples: int({ min: 1, max: MAX_SAMPLES, default: 30, help: 'stochastic passes at test time' }),
}).refine({
  option: 'layers',
  expected: 'at least one layer to drop',
  hint: "Use layers: 'all' or add a hidden layer.",
  holds: (o) => o.layers !== 'hidden' || ((o.hidden as number[] | undefined) ?? METHOD_OPTIONS.fields.hidden.default!).length > 0,
  found: () => "'hidden' with no hidden layer",
});
export type ConcreteDropoutOptions = Infer<typeof CONCRETE_DROPOUT_OPTIONS>;

interface ConcreteSettings {
  layers: number[];
  temperature: number;
  wr: number;
  dr: number;
  initialRate: number;
  noise?: NoiseEstimate;
}

/** The Concrete-dropout objective over φ = (θ, logit p for each layer in `s.layers`). Exposed for tests. */
export function concreteObjective(mlp: Mlp, s: ConcreteSettings): Objective {
  const P = mlp.size;
  const L = mlp.layout.layers;
  const a = mlp.arena;
  const B = mlp.capacity;
  const invT = 1 / s.temperature;
  // Per dropped layer: uniforms, mask, ∂mask/∂logit p, ∂L/∂mask (allocated with the engine).
  const bufs = s.layers.map((l) => {
    const n = B * L[l].fanIn;
    return { l, u: a.allocF32(n), mask: a.allocF32(n), dmask: a.allocF32(n), gmask: a.allocF32(n) };
  });
  const maskPtrs = L.map(() => 0);
  const maskGrads = L.map(() => 0);
  for (const b of bufs) {
    maskPtrs[b.l] = b.mask;
    maskGrads[b.l] = b.gmask;
  }
  const logit0 = exact.log(s.initialRate / (1 - s.initialRate));
  return {
    size: P + bufs.length,
    init(seed, stream) {
      const phi = new Float32Array(P + bufs.length);
      phi.set(mlp.init(seed, stream));
      phi.fill(logit0, P);
      return phi;
    },
    // Held-out rows are scored by the deterministic pass of θ (φ's first P values), as MC dropout's.
    validationLossAt: (params, x, y, batch) => heldOutLoss(mlp, params, x, y, batch),
    validationOutputsAt: (params, x, batch) => mlp.forwardAt(params, x, batch),
    lossAndGradAt(params, grad, x, y, batch, ctx) {
      const k = a.k;
      const [k0, k1] = keyOf(ctx.seed, ctx.stream);
      const logits = a.f32(params + 4 * P, bufs.length).slice();
      bufs.forEach((b, j) => {
        const n = batch * L[b.l].fanIn;
        k.rng_uniform_f32(b.u, n, k0, k1, ctx.step >>> 0, b.l, CONCRETE_TAG);
        k.concrete_mask_f32(b.mask, b.dmask, b.u, n, logits[j], invT);
      });
      let loss = mlp.lossAndGradAt(params, grad, x, y, batch, { scale: 1 / batch, noiseVar: s.noise?.variance, maskPtrs, maskGrads });
      s.noise?.record(loss * batch, batch, mlp.spec.outputs, ctx.epoch);
      const gLogit = new Float64Array(bufs.length);
      bufs.forEach((b, j) => {
        const Lr = L[b.l];
        const n = batch * Lr.fanIn;
        gLogit[j] = k.dot_f32(b.gmask, b.dmask, n);
        const p = 1 / (1 + exact.exp(-logits[j]));
        const w2 = k.dot_f32(params + 4 * Lr.w, params + 4 * Lr.w, Lr.fanIn * Lr.fanOut);
        const K = Lr.fanIn;
        const negH = p * exact.log(p) + (1 - p) * exact.log1p(-p);
        loss += (s.wr * w2) / (1 - p) + s.dr * K * negH;
        // ∂/∂W of wr‖W‖²/(1−p); ∂/∂p of both terms, times dp/dlogit = p(1−p).
        k.axpy_f32(grad + 4 * Lr.w, (2 * s.wr) / (1 - p), params + 4 * Lr.w, Lr.fanIn * Lr.fanOut);
        gLogit[j] += ((s.wr * w2) / (1 - p) ** 2 + s.dr * K * logits[j]) * p * (1 - p);
      });
      a.f32(grad + 4 * P, bufs.length).set(gLogit);
      return loss;
    },
  };
}

/** Trains a network with learned per-layer drop rates; returns an MC-dropout posterior at the learned rates. */
export async function trainConcreteDropout<O extends ConcreteDropoutOptions>(train: Dataset, opts: O = {} as O): Promise<McDropoutPosterior<TaskOf<O>>> {
  const o = CONCRETE_DROPOUT_OPTIONS;
  opts = checkRun(o, train, opts);
  checkMemory(estimateNetwork('concrete-dropout', train, opts), opts.memoryBudget);
  const hidden = o.value(opts, 'hidden');
  const nLayers = hidden.length + 1;
  const which = o.value(opts, 'layers');
  const layers = Array.from({ length: nLayers }, (_, l) => l).filter((l) => which === 'all' || l > 0);
  const p0 = o.value(opts, 'initialRate');
  const temperature = o.value(opts, 'temperature');
  const samples = o.value(opts, 'samples');
  const rates = Array.from({ length: nLayers }, (_, l) => (layers.includes(l) ? p0 : 0));
  const spec = specFor(train, opts, { dropout: rates });
  const { data, standardizer } = standardized(train, taskOf(spec) === 'regression');
  const wr = opts.weightRegularizer ?? 0.1 / data.n;
  const dr = opts.dropoutRegularizer ?? 1 / data.n;
  const noise = noiseFor(spec.likelihood, opts.noise, standardizer);
  const mlp = await engineFor(spec);
  const objective = concreteObjective(mlp, { layers, temperature, wr, dr, initialRate: p0, noise });
  const r = await fit(mlp, data, { ...withPatience(fitOptionsOf(opts, 0, data.n, true, standardizer), SAMPLED_PATIENCE), standardize: false, objective });
  noise?.update();
  const P = mlp.size;
  const held = noise && !noise.fixed ? heldOutNoiseVar(r.validationLoss, spec.outputs, residualVariance(mlp, r.params.subarray(0, P), data)) : undefined;
  const learned = [...rates];
  layers.forEach((l, j) => (learned[l] = 1 / (1 + exact.exp(-r.params[P + j]))));
  const testSpec = { ...spec, dropout: learned };
  const source = new MaskSource(r.params.slice(0, P), predictiveNoiseVar(spec.likelihood, opts.predictiveNoise, standardizer, held ?? noise?.variance ?? 1), samples, { method: 'concrete-dropout', learnedRates: learned });
  return new NetworkPosterior<MaskSource, TaskOf<O>>('concrete-dropout', testSpec, standardizer, source);
}
