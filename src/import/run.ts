/** An imported network's own outputs, as its producer computes them (for checks and for users). */
import { Mlp } from '../model/mlp.js';
import type { ImportedNetwork } from './layers.js';
import * as exact from '../random/exact-math.js';

/**
 * The producer's outputs at inputs x (rows × inputs, row-major): the engine's forward pass, then the
 * network's output transform (softmax, log-softmax or sigmoid) in f64. No dropout, no scaling.
 */
export async function networkOutputs(net: ImportedNetwork, x: Float32Array, mlp?: Mlp): Promise<Float64Array> {
  const engine = mlp ?? (await Mlp.create(net.spec));
  const z = engine.forward(net.theta, x);
  const K = engine.layout.outputWidth;
  const out = Float64Array.from(z);
  for (let r = 0; r < out.length / K; r++) {
    const row = out.subarray(r * K, (r + 1) * K);
    if (net.output === 'sigmoid') {
      for (let j = 0; j < K; j++) row[j] = 1 / (1 + exact.exp(-row[j]));
    } else if (net.output === 'softmax' || net.output === 'log-softmax') {
      let m = -Infinity;
      for (let j = 0; j < K; j++) m = Math.max(m, row[j]);
      let s = 0;
      for (let j = 0; j < K; j++) s += exact.exp(row[j] - m);
      const lse = m + exact.log(s);
      for (let j = 0; j < K; j++) row[j] = net.output === 'softmax' ? exact.exp(row[j] - lse) : row[j] - lse;
    }
  }
  return out;
}
