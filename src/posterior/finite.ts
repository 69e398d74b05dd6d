/**
 * A predictive never carries NaN or ±∞ silently. Inputs are finite when they arrive (toInputs), but
 * an input far outside the training range (|x| near 1e30) overflows the network's float32 arithmetic
 * and gives ∞ − ∞ = NaN variances; corrupt weights do the same. Such a prediction is refused with
 * E_NONFINITE naming the test row, the quantity and the input's size.
 */
import { argError } from '../errors.js';
import type { Predictive } from './types.js';

/** Throws E_NONFINITE at the first row whose predictive has a non-finite number; returns p otherwise. */
export function checkFinite<P extends Predictive>(p: P, x: Float32Array, inputs: number): P {
  const fields: [string, ArrayLike<number>][] =
    p.kind === 'regression' ? [['mean', p.mean], ['variance', p.variance], ['aleatoric', p.aleatoric], ['epistemic', p.epistemic]] : [['probs', p.probs], ['entropy', p.entropy]];
  const N = x.length / inputs;
  for (const [name, a] of fields) {
    const per = a.length / N;
    for (let i = 0; i < a.length; i++) {
      if (Number.isFinite(a[i])) continue;
      const row = Math.floor(i / per);
      let big = 0;
      for (let j = 0; j < inputs; j++) big = Math.max(big, Math.abs(x[row * inputs + j]));
      throw argError(
        'E_NONFINITE',
        `x[${row}]`,
        'an input whose prediction is finite',
        `${name} = ${a[i]} (largest |input| ${big.toPrecision(3)})`,
        'The input is far outside what the float32 network can evaluate, or the posterior is corrupt: rescale or drop that row.',
      );
    }
  }
  return p;
}
