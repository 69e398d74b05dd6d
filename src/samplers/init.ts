/**
 * Initial positions as Stan chooses them: uniform in (−r, r)^dim on the unconstrained scale, retried
 * up to 100 times until the log density and its gradient are finite; or a user position, checked.
 */
import { argError, BdlError, describe } from '../errors.js';
import type { Kernel, KernelState, SamplerRng } from './types.js';

/** Stan's number of attempts at a random initialization. */
export const INIT_ATTEMPTS = 100;

/**
 * Starts `kernel` at `init` when given, else at the first of 100 random draws with a finite density
 * and gradient: from `draw` when the target offers one, uniform in (−radius, radius)^dim otherwise.
 */
export function initialState(
  kernel: Kernel, rng: SamplerRng, radius: number, init?: ArrayLike<number>, draw?: (rng: SamplerRng) => ArrayLike<number>,
): KernelState {
  const dim = kernel.dim;
  if (init !== undefined) {
    if (init == null || init.length !== dim) {
      throw argError('E_SHAPE', 'init', `${dim} values (one per dimension)`, describe(init), 'Pass an initial position of the target\'s dimension, or omit init for a random one.');
    }
    const q = Float64Array.from(init);
    if (!q.every(Number.isFinite)) {
      throw argError('E_NONFINITE', 'init', 'finite numbers', 'a non-finite entry', 'Replace NaN/Infinity in the initial position.');
    }
    const state = kernel.init(q);
    if (state.logDensity === -Infinity) {
      throw new BdlError('E_NONFINITE', 'init: the log density or its gradient is not finite at the given initial position. Start inside the support, or omit init to draw one at random.', 'init');
    }
    return state;
  }
  const q = new Float64Array(dim);
  for (let attempt = 0; attempt < INIT_ATTEMPTS; attempt++) {
    if (draw) {
      const x = draw(rng);
      if (x == null || x.length !== dim) {
        throw argError('E_SHAPE', 'target.init()', `${dim} values`, describe(x), 'Return one initial value per dimension from init(rng).');
      }
      q.set(x);
      if (!q.every(Number.isFinite)) {
        throw argError('E_NONFINITE', 'target.init()', 'finite numbers', `[${Array.from(q.subarray(0, 4)).join(', ')}${dim > 4 ? ', …' : ''}]`, 'Return finite initial values from init(rng).');
      }
    } else {
      for (let i = 0; i < dim; i++) q[i] = radius * (2 * rng.uniform() - 1);
    }
    const state = kernel.init(q);
    if (state.logDensity > -Infinity) return state;
  }
  throw new BdlError(
    'E_NONFINITE',
    `init: the log density or its gradient was not finite at any of ${INIT_ATTEMPTS} random positions ${draw ? 'from target.init()' : `uniform in (−${radius}, ${radius})^${dim}`}. ` +
      'Check that logDensity returns a finite value and writes a finite gradient into every entry of grad, on the unconstrained scale (e.g. by evaluating it at zeros), ' +
      'pass a smaller initRadius (e.g. 0.1 for large networks), or pass init explicitly.',
    'init',
  );
}
