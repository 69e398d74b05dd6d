/** The TF.js side of the MLP benchmarks: a train step (forward, backward, Adam) or a prediction. */
import type { MlpCase, MlpData } from './mlp-cases.js';
import type { Tf } from './tfjs.js';
import { timePerCall } from './timing.js';

/** Examples per second of TF.js on case `c`, on the same data as the bdl side. */
export function tfjsMlp(tf: Tf, c: MlpCase, data: MlpData): number {
  const { layers, batch } = c;
  const ws = data.weights.map((w, l) => tf.variable(tf.tensor2d(w, [layers[l], layers[l + 1]])));
  const bs = layers.slice(1).map((n) => tf.variable(tf.zeros([n])));
  const x = tf.tensor2d(data.x, [batch, layers[0]]);
  const outputs = layers[layers.length - 1];
  const y = c.loss === 'mse' ? tf.tensor2d(data.y, [batch, 1]) : tf.tensor2d(data.y, [batch, outputs]);
  const forward = () => {
    let h: ReturnType<Tf['matMul']> = x;
    for (let l = 0; l < ws.length; l++) {
      const z = tf.add(tf.matMul(h, ws[l]), bs[l]);
      h = l + 1 < ws.length ? tf.relu(z) : z;
    }
    return h;
  };
  let step: () => void;
  if (c.kind === 'train') {
    const opt = tf.train.adam(1e-3);
    const vars = [...ws, ...bs];
    const loss = () =>
      c.loss === 'mse' ? tf.losses.meanSquaredError(y, forward()) : tf.losses.softmaxCrossEntropy(y, forward());
    step = () => {
      opt.minimize(loss as () => ReturnType<Tf['scalar']>, false, vars);
    };
  } else {
    step = () => {
      tf.tidy(() => tf.softmax(forward()).dataSync());
    };
  }
  const sec = timePerCall(step, 7, 150);
  tf.dispose([...ws, ...bs, x, y]);
  return batch / sec;
}
