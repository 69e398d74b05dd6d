/**
 * Optimizers as composable transforms, in the manner of optax: each is `{ init, update }`; `update`
 * rewrites the update vector u in place (u enters holding the gradient) using its own state in the
 * arena. `compose(...)` runs transforms in order (optax's `chain`: here "chain" names only a Markov chain); the training loop then applies θ ← θ − lr·u.
 * Adding noise (SGLD), weight decay (a Gaussian prior) or clipping is one more transform.
 */
import { checkArgument, custom, num, required, schema } from '../options/schema.js';
import type { Arena } from '../wasm/index.js';

/** What a transform sees at each step. */
export interface StepInfo {
  /** 1-based optimizer step. */
  step: number;
  /** Learning rate for this step (after the schedule). */
  lr: number;
  /** Address and length of θ (read-only for transforms) and of the update u. */
  theta: number;
  u: number;
  n: number;
}

export interface Transform<S = unknown> {
  readonly name: string;
  /** Reserves and initializes state for n parameters. */
  init(arena: Arena, n: number): S;
  /** Rewrites u in place. */
  update(arena: Arena, state: S, info: StepInfo): void;
}

/** Runs transforms one after another. */
export function compose(...transforms: Transform[]): Transform<unknown[]> {
  return {
    name: transforms.map((t) => t.name).join('+'),
    init: (arena, n) => transforms.map((t) => t.init(arena, n)),
    update: (arena, states, info) => transforms.forEach((t, i) => t.update(arena, states[i], info)),
  };
}

/** Plain SGD: leaves the gradient as it is (the loop multiplies by the learning rate). */
export function sgd(): Transform<null> {
  return { name: 'sgd', init: () => null, update: () => {} };
}

/** A decay rate in [0, 1): momentum's μ, Adam's β's. */
const decay = (d: number, help: string) => num({ min: 0, lt: 1, default: d, hint: 'Use the default.', help });

/** Heavy-ball momentum μ (optionally Nesterov). */
export function momentum(mu = 0.9, nesterov = false): Transform<number> {
  checkArgument(decay(0.9, 'momentum μ'), mu, 'momentum', 'mu');
  return {
    name: nesterov ? 'nesterov' : 'momentum',
    init: (arena, n) => arena.allocF32(n),
    update: (arena, buf, s) => arena.k.momentum_f32(s.u, buf, s.n, mu, nesterov ? 1 : 0),
  };
}

/** Adam's options. */
export const ADAM_OPTIONS = schema('adam', {
  b1: decay(0.9, 'first-moment decay β₁'),
  b2: decay(0.999, 'second-moment decay β₂'),
  eps: num({ min: 0, default: 1e-8, help: "added to the second moment's root" }),
});

/** Adam's scaling by bias-corrected first and second moments (Kingma & Ba 2015). */
export function adam(opts: { b1?: number; b2?: number; eps?: number } = {}): Transform<{ m: number; v: number }> {
  opts = ADAM_OPTIONS.check(opts);
  const b1 = ADAM_OPTIONS.value(opts, 'b1');
  const b2 = ADAM_OPTIONS.value(opts, 'b2');
  const eps = ADAM_OPTIONS.value(opts, 'eps');
  return {
    name: 'adam',
    init: (arena, n) => ({ m: arena.allocF32(n), v: arena.allocF32(n) }),
    update: (arena, st, s) => arena.k.adam_f32(s.u, st.m, st.v, s.n, b1, b2, eps, 1 - b1 ** s.step, 1 - b2 ** s.step),
  };
}

/**
 * Adds λ·θ to the update: the gradient of a Gaussian prior N(0, 1/λ) per example. Place it before
 * `adam` for L2 regularization, after it for decoupled decay (AdamW).
 */
export function weightDecay(lambda: number): Transform<null> {
  checkArgument(required(num({ min: 0, hint: 'Use e.g. 1e-4.', help: 'λ' })), lambda, 'weightDecay', 'lambda');
  return {
    name: 'weight-decay',
    init: () => null,
    update: (arena, _st, s) => {
      if (lambda > 0) arena.k.axpy_f32(s.u, lambda, s.theta, s.n);
    },
  };
}

/** A norm > 0 (Infinity: no clipping). */
const MAX_NORM = required(custom<number>({ expected: 'a positive norm', valid: (v) => typeof v === 'number' && v > 0, hint: 'Use e.g. 10.', help: 'the largest norm' }));

/** Rescales u so that its Euclidean norm is at most `maxNorm`. */
export function clipByGlobalNorm(maxNorm: number): Transform<null> {
  checkArgument(MAX_NORM, maxNorm, 'clipByGlobalNorm', 'maxNorm');
  return {
    name: 'clip',
    init: () => null,
    update: (arena, _st, s) => {
      const norm = Math.sqrt(arena.k.sumsq_f32(s.u, s.n));
      if (norm > maxNorm) arena.k.scal_f32(s.u, maxNorm / norm, s.n);
    },
  };
}
