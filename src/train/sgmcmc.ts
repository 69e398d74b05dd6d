/**
 * Stochastic-gradient MCMC as optimizer transforms on the one training loop (`fit`).
 *
 * Scaling (derived once, used by every transform here). The loop's gradient is the per-example mean
 *   g = ∇Ũ(θ)/N,   U(θ) = Σᵢ NLLᵢ(θ) + (λ/2)‖θ‖²   (Ũ: the minibatch estimate of U),
 * and the loop applies θ ← θ − lr·u. Langevin dynamics on exp(−U/T) in U's own units reads
 *   θ ← θ − ε·∇Ũ + √(2εT)·ξ,   ξ ~ N(0, I).
 * With u = g + c·ξ the loop gives θ − lr·g − lr·c·ξ; matching lr·g = ε·∇Ũ gives ε = lr/N, and
 * matching lr·c = √(2εT) gives c = √(2T/(lr·N)) (the sign of ξ is immaterial by symmetry).
 * So the noise added to u is √(2T/(lr·N))·ξ, and the posterior step size is ε = lr/N.
 *
 * SGHMC (Chen et al. 2014, eq. 15) in velocity form v = θ-increment per step, η = ε = lr/N:
 *   v ← (1−α)·v − η·∇Ũ + √(2αηT)·ξ,   θ ← θ + v;
 * here η·∇Ũ = lr·g, and u = −v/lr makes the loop's step θ + v. The stationary momentum is
 * v ~ N(0, η·T·I), i.e. kinetic energy ‖v‖²/(2η).
 *
 * Philox counters (key = keyOf(seed, stream)): injected noise c1 = step, c3 = 0x5c; SGHMC-MH momentum
 * draws c1 = step, c3 = 0x5d; MH uniforms (TS mirror) c1 = test index, c3 = 0x5b; step jitter (TS
 * mirror) c1 = step, c3 = 0x5a.
 */
import { custom, int, num, required, schema, type Field } from '../options/schema.js';
import { keyOf, Rng } from '../random/index.js';
import type { Arena } from '../wasm/index.js';
import type { LoopContext } from './fit.js';
import type { Transform } from './optimizers.js';
import * as exact from '../random/exact-math.js';

/** Philox counter tags of the SG-MCMC noise, momentum refresh, MH test and jitter streams (kept apart from each other and the loop's). */
export const SGMCMC_TAG = { noise: 0x5c, momentum: 0x5d, accept: 0x5b, jitter: 0x5a } as const;

export interface LangevinOptions {
  /** Training-set size N (the loop's gradient is ∇Ũ/N). */
  n: number;
  seed?: number;
  stream?: number;
  /** Posterior temperature T (default 1; T < 1 is a cold posterior). */
  temperature?: number;
  /** Whether step t (1-based) injects noise (default always; cyclical SGLD turns it off while exploring). */
  noisy?: (step: number) => boolean;
}

const N = required(int({ min: 1, hint: 'Pass data.n.', help: 'training-set size N (the loop gradient is ∇Ũ/N)' }));
const SEED = { seed: int({ min: 0, default: 0, help: 'seed of the injected noise' }), stream: int({ min: 0, max: 2 ** 32 - 1, default: 0, help: 'stream of the injected noise' }) };

/** The Langevin transforms' options (sgld; psgld and sghmc add theirs). */
export const LANGEVIN_OPTIONS = schema('sgld', {
  n: N,
  ...SEED,
  temperature: num({ gt: 0, default: 1, hint: 'Use 1 for the Bayesian posterior.', help: 'posterior temperature T (T < 1: a cold posterior)' }),
  noisy: custom<(step: number) => boolean>({ expected: 'a function (step) => boolean', valid: (v) => typeof v === 'function', defaultText: 'always', help: 'whether step t (1-based) injects noise' }),
} satisfies { [K in keyof Required<LangevinOptions>]: Field<Required<LangevinOptions>[K]> });

export const PSGLD_OPTIONS = LANGEVIN_OPTIONS.extend('psgld', {
  alpha: num({ min: 0, lt: 1, default: 0.99, hint: 'Use 0.99.', help: 'decay of the RMSprop second moment' }),
  eps: num({ gt: 0, default: 1e-3, help: "the preconditioner's floor" }),
});

export const SGHMC_OPTIONS = LANGEVIN_OPTIONS.extend('sghmc', {
  friction: num({ gt: 0, max: 1, default: 0.05, hint: 'Use 0.01…0.1.', help: 'friction α per step' }),
});

function checkLangevin(o: LangevinOptions): { k0: number; k1: number; T: number } {
  const [k0, k1] = keyOf(o.seed ?? 0, o.stream ?? 0);
  return { k0, k1, T: LANGEVIN_OPTIONS.value(o, 'temperature') };
}

/** SGLD (Welling & Teh 2011): adds √(2T/(lr·N))·ξ to u (see the module comment for the scaling). */
export function sgld(o: LangevinOptions): Transform<number> {
  o = LANGEVIN_OPTIONS.check(o);
  const { k0, k1, T } = checkLangevin(o);
  return {
    name: 'sgld',
    init: (arena, n) => arena.allocF32(n),
    update: (arena, xi, s) => {
      if (o.noisy && !o.noisy(s.step)) return;
      arena.k.rng_normal_f32(xi, s.n, k0, k1, s.step >>> 0, 0, SGMCMC_TAG.noise);
      arena.k.axpy_f32(s.u, Math.sqrt((2 * T) / (s.lr * o.n)), xi, s.n);
    },
  };
}

/**
 * Preconditioned SGLD (Li et al. 2016): RMSprop preconditioner G = 1/(√v̂ + eps) on the mean gradient
 * (v̂ bias-corrected as in Adam),
 * u ← G·g + √(2T·G/(lr·N))·ξ (the small Γ(θ) drift term is dropped, as in the paper's experiments).
 */
export function psgld(o: LangevinOptions & { alpha?: number; eps?: number }): Transform<{ v: number; xi: number }> {
  o = PSGLD_OPTIONS.check(o);
  const { k0, k1, T } = checkLangevin(o);
  const a = PSGLD_OPTIONS.value(o, 'alpha');
  const eps = PSGLD_OPTIONS.value(o, 'eps');
  return {
    name: 'psgld',
    init: (arena, n) => ({ v: arena.allocF32(n), xi: arena.allocF32(n) }),
    update: (arena, st, s) => {
      const on = !o.noisy || o.noisy(s.step);
      if (on) arena.k.rng_normal_f32(st.xi, s.n, k0, k1, s.step >>> 0, 0, SGMCMC_TAG.noise);
      arena.k.psgld_f32(s.u, st.v, st.xi, s.n, a, 1 - a ** s.step, eps, on ? Math.sqrt((2 * T) / (s.lr * o.n)) : 0);
    },
  };
}

/** SGHMC with friction α (Chen et al. 2014; velocity form and scaling in the module comment). */
export function sghmc(o: LangevinOptions & { friction?: number }): Transform<{ v: number; xi: number }> {
  o = SGHMC_OPTIONS.check(o);
  const { k0, k1, T } = checkLangevin(o);
  const alpha = SGHMC_OPTIONS.value(o, 'friction');
  return {
    name: 'sghmc',
    init: (arena, n) => ({ v: arena.allocF32(n), xi: arena.allocF32(n) }),
    update: (arena, st, s) => {
      const on = !o.noisy || o.noisy(s.step);
      if (on) arena.k.rng_normal_f32(st.xi, s.n, k0, k1, s.step >>> 0, 0, SGMCMC_TAG.noise);
      const noise = on ? Math.sqrt((2 * alpha * s.lr * T) / o.n) : 0;
      arena.k.sghmc_f32(s.u, st.v, st.xi, s.n, 1 - alpha, s.lr, noise);
    },
  };
}

/** The full-data energy U(θ) = Σ NLL + (λ/2)‖θ‖² and its gradient, in f64. */
export type Energy = (arena: Arena, theta: number, size: number) => { u: number; grad: Float64Array };

export interface MhOptions {
  n: number;
  /** Steps per proposed segment (the loop's steps between two energy tests). */
  every: number;
  energy: Energy;
  seed?: number;
  stream?: number;
  /**
   * Each segment's step is lr·(1 + jitter·(2U − 1)), U uniform (default 0.5): a fixed step with a
   * fixed segment length can resonate with a direction of the posterior (a near-half-period
   * trajectory maps θ to its mirror image and never explores the radius).
   */
  jitter?: number;
  /** Called after each test (with the acceptance probability), e.g. to adapt the step during burn-in. */
  onTest?: (accepted: boolean, prob: number, ctx: LoopContext) => void;
}

/** sghmcMh's options. */
export const MH_OPTIONS = schema('sghmcMh', {
  n: N,
  every: required(int({ min: 1, hint: 'E.g. 20.', help: 'steps per proposed segment' })),
  energy: required(custom<Energy>({ expected: 'a function (arena, theta, size) => { u, grad }', valid: (v) => typeof v === 'function', help: 'the full-data energy and its gradient' })),
  ...SEED,
  jitter: num({ min: 0, lt: 1, default: 0.5, hint: 'E.g. 0.5.', help: "each segment's step is lr·(1 + jitter·(2U − 1))" }),
  onTest: custom<NonNullable<MhOptions['onTest']>>({ expected: 'a function', valid: (v) => typeof v === 'function', help: 'called after each test' }),
} satisfies { [K in keyof Required<MhOptions>]: Field<Required<MhOptions>[K]> });

export interface MhSampler {
  transform: Transform<{ v: number; xi: number; theta0: number }>;
  /** Pass as the loop's onStep hook: runs the test at the end of each segment. */
  onStep(ctx: LoopContext): void;
  readonly tests: number;
  readonly accepted: number;
}

/**
 * SGHMC with a Metropolis–Hastings correction. Each segment of `every` steps starts from a fresh
 * momentum v ~ N(0, η·I) (η = lr/N, lr jittered per segment) and runs frictionless, noiseless SGHMC
 * steps (kick v −= lr·g, drift θ += v) with minibatch gradients; full-data half-kicks at both ends turn the loop's
 * kick-drift steps into leapfrog. The test compares H = U(θ) + ‖v‖²/(2η) (full data, f64) before and
 * after and rejects by restoring θ. With full-batch gradients this is exactly HMC (no discretization
 * bias); with minibatches the segment is volume-preserving and reversible in distribution over the
 * batch order, and the test removes the bulk of the integrator's bias. Keep lr constant within a
 * segment (change it only from `onTest`). One sampler serves one `fit` run (it caches the energy).
 */
export function sghmcMh(o: MhOptions): MhSampler {
  o = MH_OPTIONS.check(o);
  const jitter = MH_OPTIONS.value(o, 'jitter');
  const [k0, k1] = keyOf(o.seed ?? 0, o.stream ?? 0);
  let lrSeg = 0;
  let current: { u: number; grad: Float64Array } | undefined;
  let proposal0: { u: number; grad: Float64Array } | undefined;
  let h0 = 0;
  let eta = 0;
  let st: { v: number; xi: number; theta0: number } | undefined;
  const self = {
    tests: 0,
    accepted: 0,
    transform: {
      name: 'sghmc-mh',
      init: (arena: Arena, n: number) => (st = { v: arena.allocF32(n), xi: arena.allocF32(n), theta0: arena.allocF32(n) }),
      update: (arena: Arena, s: typeof st & object, info: { step: number; lr: number; theta: number; u: number; n: number }) => {
        const k = arena.k;
        if ((info.step - 1) % o.every === 0) {
          const uni = new Rng(o.seed ?? 0, o.stream ?? 0, [info.step >>> 0, 0, SGMCMC_TAG.jitter]).uniform();
          lrSeg = info.lr * (1 + jitter * (2 * uni - 1));
          eta = lrSeg / o.n;
          current ??= o.energy(arena, info.theta, info.n);
          proposal0 = current;
          arena.f32(s.theta0, info.n).set(arena.f32(info.theta, info.n));
          k.rng_normal_f32(s.v, info.n, k0, k1, info.step >>> 0, 0, SGMCMC_TAG.momentum);
          k.scal_f32(s.v, Math.sqrt(eta), info.n);
          h0 = current.u + kinetic(arena.f32(s.v, info.n), eta);
          halfKick(arena.f32(s.v, info.n), current.grad, -eta / 2);
        }
        // Kick with the segment's step; u = −v/lr for the loop's own lr so that θ − lr·u = θ + v.
        k.sghmc_f32(info.u, s.v, s.xi, info.n, 1, lrSeg, 0);
        k.scal_f32(info.u, lrSeg / info.lr, info.n);
      },
    },
    onStep(ctx: LoopContext) {
      if ((ctx.step + 1) % o.every !== 0 || !st) return;
      const e1 = o.energy(ctx.arena, ctx.params, ctx.size);
      // The view is taken after the energy call, which runs the engine on the same memory.
      halfKick(ctx.arena.f32(st.v, ctx.size), e1.grad, eta / 2);
      const h1 = e1.u + kinetic(ctx.arena.f32(st.v, ctx.size), eta);
      const prob = Number.isFinite(h1) ? Math.min(1, exact.exp(h0 - h1)) : 0;
      const uni = new Rng(o.seed ?? 0, o.stream ?? 0, [self.tests, 0, SGMCMC_TAG.accept]).uniform();
      const ok = uni < prob;
      self.tests++;
      if (ok) {
        self.accepted++;
        current = e1;
      } else {
        ctx.arena.f32(ctx.params, ctx.size).set(ctx.arena.f32(st.theta0, ctx.size));
        current = proposal0;
      }
      o.onTest?.(ok, prob, ctx);
    },
  };
  return self as MhSampler;
}

/** v ← v − c·∇U (c = ±η/2: a full-data half-kick, or its inverse). */
function halfKick(v: Float32Array, grad: Float64Array, c: number): void {
  for (let i = 0; i < v.length; i++) v[i] = v[i] - c * grad[i];
}

/** ‖v‖²/(2η) in f64. */
function kinetic(v: Float32Array, eta: number): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return s / (2 * eta);
}
