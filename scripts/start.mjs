// `npm start`: train an MLP on the embedded UCI energy data set (90/10 split) and print test RMSE and time.
import { readFileSync } from 'node:fs';
import { Mlp, fit, parseDataset, standardizeX, trainTestSplit, unscaleMean } from '../dist/index.js';

const ds = parseDataset(readFileSync(new URL('../data/uci/energy.txt', import.meta.url), 'utf8'), { source: 'energy' });
const { train, test } = trainTestSplit(ds, { seed: 1 });
const mlp = await Mlp.create({ inputs: ds.inputs, hidden: [50], outputs: 1, activation: 'relu', likelihood: 'gaussian' });
const t0 = performance.now();
const r = await fit(mlp, train, { epochs: 400, batchSize: 32, learningRate: 3e-3, seed: 1, loss: { noiseVar: 0.01 } });
const seconds = (performance.now() - t0) / 1000;
const pred = unscaleMean(r.standardizer, mlp.forward(r.params, standardizeX(r.standardizer, test.x)));
let se = 0;
for (let i = 0; i < test.n; i++) se += (pred[i] - test.y[i]) ** 2;
console.log(`energy: ${train.n} train / ${test.n} test rows, MLP ${ds.inputs}-50-1 relu, 400 epochs, wasm ${mlp.arena.flavor}`);
console.log(`test RMSE ${Math.sqrt(se / test.n).toFixed(3)} (heating load, original units); training ${seconds.toFixed(2)} s`);
