/**
 * Adversarial training as deep ensembles use it (Lakshminarayanan et al. 2017, after Goodfellow et
 * al. 2015's fast gradient sign method): each minibatch also trains on x' = x + ε ⊙ sign(∂ℓ/∂x),
 * the inputs nudged the way that most raises the loss, and the objective is ℓ(θ, x, y) + ℓ(θ, x', y).
 * It smooths the predictive around the data. ε is per input (the paper: 1 % of each input's range).
 */
import type { Mlp } from '../../model/mlp.js';
import type { Objective } from '../../train/fit.js';
import { heldOutLoss, type NoiseEstimate } from '../noise.js';

/**
 * The adversarial objective over θ for batches of at most `capacity` rows; `eps` has one entry per
 * input; `betaNll` weights a heteroscedastic head's gradients (LossOptions.betaNll) on both terms.
 */
export function adversarialObjective(mlp: Mlp, noise: NoiseEstimate | undefined, eps: Float32Array, capacity: number, betaNll?: number): Objective {
  const D = mlp.spec.inputs;
  const P = mlp.size;
  const arena = mlp.arena;
  // Scratch, allocated with the engine (outside fit's mark): ∂ℓ/∂x, x' and the second gradient.
  const dx = arena.allocF32(capacity * D);
  const xAdv = arena.allocF32(capacity * D);
  const g2 = arena.allocF32(P);
  return {
    size: P,
    init: (seed, stream) => mlp.init(seed, stream),
    validationLossAt: (params, x, y, batch) => heldOutLoss(mlp, params, x, y, batch),
    validationOutputsAt: (params, x, batch) => mlp.forwardAt(params, x, batch),
    lossAndGradAt(params, grad, x, y, batch, ctx) {
      const o = { scale: 1 / batch, noiseVar: noise?.variance, betaNll };
      const clean = mlp.lossAndGradAt(params, grad, x, y, batch, { ...o, inputGrad: dx });
      noise?.record(clean * batch, batch, mlp.spec.outputs, ctx.epoch);
      // Fresh views: the memory may have grown since the last step.
      const xs = arena.f32(x, batch * D);
      const gs = arena.f32(dx, batch * D);
      const xa = arena.f32(xAdv, batch * D);
      for (let i = 0; i < batch * D; i++) xa[i] = xs[i] + eps[i % D] * Math.sign(gs[i]);
      const adv = mlp.lossAndGradAt(params, g2, xAdv, y, batch, o);
      arena.k.axpy_f32(grad, 1, g2, P);
      return clean + adv;
    },
  };
}
