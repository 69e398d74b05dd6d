/** The MLP workloads both engines run, on identical seeded data. */
import { randomData } from './timing.js';

export interface MlpCase {
  name: string;
  kind: 'train' | 'predict';
  /** Layer widths, input first: [8, 50, 1] is 8 inputs, one hidden layer of 50, one output. */
  layers: number[];
  batch: number;
  /** Squared error on a single output, or softmax cross-entropy over the outputs. */
  loss: 'mse' | 'softmax-ce';
  activation: 'relu';
}

export const MLP_CASES: MlpCase[] = [
  { name: '8-50-1 train, batch 32', kind: 'train', layers: [8, 50, 1], batch: 32, loss: 'mse', activation: 'relu' },
  { name: '784-256-256-10 train, batch 128', kind: 'train', layers: [784, 256, 256, 10], batch: 128, loss: 'softmax-ce', activation: 'relu' },
  { name: '784-256-256-10 predict, batch 1000', kind: 'predict', layers: [784, 256, 256, 10], batch: 1000, loss: 'softmax-ce', activation: 'relu' },
];

export interface MlpData {
  /** batch × inputs, row-major. */
  x: Float32Array;
  /** Regression: batch targets. Classification: batch × classes one-hot rows. */
  y: Float32Array;
  /** Classification only: the class index of each row. */
  labels?: Int32Array;
  /** Initial weights per layer (fan-in scaled), then biases (zeros). */
  weights: Float32Array[];
}

export function mlpData(c: MlpCase): MlpData {
  const inputs = c.layers[0];
  const outputs = c.layers[c.layers.length - 1];
  const x = randomData(c.batch * inputs, 1);
  const weights: Float32Array[] = [];
  for (let l = 0; l + 1 < c.layers.length; l++) {
    weights.push(randomData(c.layers[l] * c.layers[l + 1], 100 + l, Math.sqrt(6 / c.layers[l])));
  }
  if (c.loss === 'mse') return { x, y: randomData(c.batch, 2), weights };
  const labels = new Int32Array(c.batch);
  const y = new Float32Array(c.batch * outputs);
  const u = randomData(c.batch, 3);
  for (let i = 0; i < c.batch; i++) {
    labels[i] = Math.min(outputs - 1, Math.floor(((u[i] + 1) / 2) * outputs));
    y[i * outputs + labels[i]] = 1;
  }
  return { x, y, labels, weights };
}
