/**
 * A user's log density, checked at every call. A target's mistakes would otherwise pass as a
 * posterior: a throw, or a result that is not a number (a Promise, undefined, a string), is an
 * error naming the target; so is a logDensity that changes θ (the sampler's own trajectory point).
 * `grad` is filled with NaN before each call, so an entry the target does not write is not finite
 * (the point is rejected) rather than a stale value from another point. Valid targets' bits are
 * unchanged. The library's own targets (the BNN, the subspace targets, a checked one) are marked
 * trusted and run unwrapped.
 */
import { argError, BdlError, describe, isThenable } from '../errors.js';
import { checkArgument, custom, int, required } from '../options/schema.js';
import type { SamplerRng, Target } from './types.js';

/** Most parameters of a target: one vector of them as doubles fills wasm32's 4 GiB memory (NUTS keeps its trajectory there). */
export const MAX_TARGET_DIM = 2 ** 29;

/** A target's dim, as every entry point checks it. */
const TARGET_DIM = required(int({ min: 1, max: MAX_TARGET_DIM, hint: 'Set dim to the number of parameters.', help: 'parameters' }));

/** A target passed to runChain or a kernel: a log density over `dim` parameters (an argument, checked as its field would be). */
const TARGET = required(custom<Target>({
  expected: 'an object with dim and logDensity(theta, grad)',
  valid: (v) => v !== null && typeof v === 'object' && typeof (v as Target).logDensity === 'function',
  hint: 'Wrap your model as { dim, logDensity }.',
  help: 'the log density sampled',
}));

const trusted = new WeakSet<Target>();

/** Up to this dim the checked call copies θ and poisons ∇ in one loop (measured: 10-d 66 ns against 106 ns with set/fill; 100-d 999 against 574). */
const FUSED_MAX_DIM = 32;

/** Marks a target of the library's own (its calls are not checked). */
export function trustTarget<T extends Target>(t: T): T {
  trusted.add(t);
  return t;
}

/** What a target's messages call it, and what its user is told to fix. */
export interface TargetName {
  /** 'runChain: target', 'target module file:///…/model.mjs'. */
  readonly name: string;
  /** 'module' or 'target': "Fix the module; …". */
  readonly noun: string;
}

/**
 * `t` itself when the library made it, else `t` with every call checked (see the module comment).
 * Reads `dim`, `logDensity` and `init` once: the checked target answers with what was read.
 */
export function guardTarget(t: Target, where: string, path: string, what: TargetName): Target {
  if (trusted.has(t)) return t;
  checkArgument(TARGET, t, where, path);
  const dim = checkArgument(TARGET_DIM, t.dim, where, `${path}.dim`);
  return checkedTarget(t, what, dim, t.logDensity, t.init);
}

/**
 * `m` as a trusted Target whose every call is checked (see the module comment): `logDensity` and
 * `init` are called with `m` as `this` (a class instance's methods), read from `m` at each call
 * unless given (what guardTarget read once).
 */
export function checkedTarget(m: Target, { name, noun }: TargetName, dim = m.dim, logDensity?: Target['logDensity'], init: Target['init'] = m.init): Target {
  const theta0 = new Float64Array(dim);
  const at = () => `θ = [${Array.from(theta0.subarray(0, 4), (v) => v.toPrecision(4)).join(', ')}${dim > 4 ? ', …' : ''}]`;
  const target: Target = {
    dim,
    logDensity(theta, grad) {
      // One pass for both is cheaper than set() and fill() up to a few dozen entries, slower beyond.
      if (dim <= FUSED_MAX_DIM) {
        for (let i = 0; i < dim; i++) {
          theta0[i] = theta[i];
          grad[i] = NaN;
        }
      } else {
        theta0.set(theta);
        grad.fill(NaN);
      }
      let lp: unknown;
      try {
        lp = logDensity ? logDensity.call(m, theta, grad) : m.logDensity(theta, grad);
      } catch (e) {
        throw new BdlError('E_ARG', `${name}: logDensity threw at ${at()}: ${e instanceof Error ? e.message : String(e)}. Fix the ${noun}; return -Infinity where θ is outside the support.`, 'target');
      }
      if (typeof lp !== 'number') {
        throw argError('E_ARG', `${name}: logDensity(theta, grad)`, 'a number (log p(θ), returned synchronously)', isThenable(lp) ? 'a Promise' : describe(lp), 'Return log p(θ) as a number and write its gradient into grad; logDensity cannot be async.');
      }
      for (let i = 0; i < dim; i++) {
        if (theta[i] !== theta0[i] && theta0[i] === theta0[i]) {
          throw argError('E_ARG', `${name}: logDensity(theta, grad)`, 'theta left unchanged', `theta[${i}] changed from ${theta0[i]} to ${theta[i]}`, 'Copy theta before modifying it (theta is the sampler\'s state).');
        }
      }
      return lp;
    },
  };
  if (typeof init === 'function') {
    target.init = (rng: SamplerRng) => {
      let x: unknown;
      try {
        x = init.call(m, rng);
      } catch (e) {
        throw new BdlError('E_ARG', `${name}: init(rng) threw: ${e instanceof Error ? e.message : String(e)}. Fix the ${noun}'s init, or remove it for Stan's uniform(−2, 2) starts.`, 'target');
      }
      if (isThenable(x)) throw argError('E_ARG', `${name}: init(rng)`, `${dim} initial values, returned synchronously`, 'a Promise', 'init cannot be async.');
      return x as ArrayLike<number>;
    };
  }
  return trustTarget(target);
}
