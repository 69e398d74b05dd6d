// The import panel's example: a 1-32-32-1 tanh network trained with TensorFlow.js (@tensorflow/tfjs-layers
// 4.22.0) on y = sin(x) + noise with a gap in x ∈ (−1, 1), saved as a layers model, and its training data.
// Regenerate from the repository root: node demo/models/make-sine.mjs
import { mkdirSync, writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';

await tf.setBackend('cpu');
let state = 7;
const rand = () => {
  state = (state + 0x6d2b79f5) | 0;
  let t = Math.imul(state ^ (state >>> 15), 1 | state);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
const x = [];
const y = [];
for (let i = 0; i < 80; i++) {
  const v = rand() < 0.5 ? -4 + 3 * rand() : 1 + 3 * rand();
  x.push(v);
  y.push(Math.sin(v) + 0.1 * gauss());
}
const model = tfl.sequential({
  layers: [
    tfl.layers.dense({ inputShape: [1], units: 32, activation: 'tanh', kernelInitializer: tfl.initializers.glorotNormal({ seed: 1 }) }),
    tfl.layers.dense({ units: 32, activation: 'tanh', kernelInitializer: tfl.initializers.glorotNormal({ seed: 2 }) }),
    tfl.layers.dense({ units: 1, kernelInitializer: tfl.initializers.glorotNormal({ seed: 3 }) }),
  ],
});
model.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' });
await model.fit(tf.tensor2d(x, [x.length, 1]), tf.tensor2d(y, [y.length, 1]), { epochs: 500, batchSize: 80, shuffle: false, verbose: 0 });
const dir = new URL('./sine/', import.meta.url);
mkdirSync(dir, { recursive: true });
await model.save(tf.io.withSaveHandler(async (a) => {
  writeFileSync(new URL('group1-shard1of1.bin', dir), new Uint8Array(a.weightData));
  writeFileSync(new URL('model.json', dir), JSON.stringify({ format: 'layers-model', generatedBy: a.generatedBy, modelTopology: a.modelTopology, weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: a.weightSpecs }] }));
  return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
}));
writeFileSync(new URL('train.json', dir), JSON.stringify({ x, y }));
console.log('final loss', model.evaluate(tf.tensor2d(x, [x.length, 1]), tf.tensor2d(y, [y.length, 1])).dataSync()[0]);
