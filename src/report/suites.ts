/**
 * The data sets of the method comparison, built from text already in memory (so the same code serves
 * the command line, the tests and a browser page): a UCI regression split, a 1-D toy with a gap in its
 * inputs, and the 8×8 digits with held-out classes and pixel noise as out-of-distribution inputs.
 */
import { makeDataset, subset, type Dataset } from '../data/dataset.js';
import { parseDataset } from '../data/parse.js';
import { trainTestSplit } from '../data/split.js';
import { Rng } from '../random/index.js';

/** One comparison problem: what every method trains on and is scored against. */
export interface Suite {
  name: string;
  task: 'regression' | 'classification';
  /** One line for the report: where the data came from and how it was split. */
  description: string;
  train: Dataset;
  test: Dataset;
  /** Classification: number of classes the networks output. */
  classes?: number;
  /** Out-of-distribution input sets (rows × inputs), scored against the in-distribution test inputs; `key` names its AUROC column. */
  ood?: { name: string; key: string; x: Float32Array }[];
  /** 1-D regression: inputs where the predictive band is drawn. */
  grid?: Float32Array;
  /** Budget overrides for every method on this suite (epochs etc.). */
  options?: Record<string, unknown>;
}

// Randomness tags (Rng stream) of the suites, distinct from the library's own counters.
const TOY_STREAM = 0x70;
const NOISE_STREAM = 0x71;

/** A UCI regression file (whitespace-separated, target last): one seeded 90/10 split. */
export function uciSuite(name: string, text: string, seed = 1): Suite {
  const ds = parseDataset(text, { source: name });
  const { train, test } = trainTestSplit(ds, { seed });
  return { name, task: 'regression', description: `UCI ${name}: ${ds.n} rows × ${ds.inputs} inputs, one 90/10 split (seed ${seed}); metrics in original units`, train, test };
}

/**
 * A 1-D regression toy with a gap: x uniform on [−3, −1] ∪ [1, 3], y = sin(1.5x) + 0.3x + N(0, 0.15²).
 * A Bayesian method should widen its epistemic band in the gap and outside [−3, 3], while the
 * aleatoric part stays near 0.15².
 */
export function toyGapSuite(seed = 0, n = 120): Suite {
  const draw = (rng: Rng, m: number): Dataset => {
    const x: number[] = [];
    const y: number[] = [];
    for (let i = 0; i < m; i++) {
      const u = rng.uniform() * 2 + 1;
      const xi = i % 2 === 0 ? -u : u;
      x.push(xi);
      y.push(toyMean(xi) + 0.15 * rng.normal());
    }
    return makeDataset({ data: x, cols: 1 }, y, 'toy');
  };
  const rng = new Rng(seed, TOY_STREAM);
  const train = draw(rng, n);
  const test = draw(rng, Math.round(n / 2));
  const grid = new Float32Array(161);
  for (let i = 0; i < grid.length; i++) grid[i] = -5 + (10 * i) / (grid.length - 1);
  return {
    name: 'toy-gap',
    task: 'regression',
    description: `1-D toy: ${n} points, x on [−3,−1] ∪ [1,3], y = sin(1.5x) + 0.3x + N(0, 0.15²); the band is drawn on [−5, 5]`,
    train,
    test,
    grid,
    // A small set: more epochs to reach the same number of steps as the UCI sets.
    options: { epochs: 300, batchSize: 32 },
  };
}

/** The toy's noise-free mean. */
export function toyMean(x: number): number {
  return Math.sin(1.5 * x) + 0.3 * x;
}

/**
 * Digits (CSV: 64 pixels 0–16 then the label): train on digits 0–4 (80 % of them, seeded), test on
 * the other 20 %; digits 5–9 are held-out-class OOD inputs and images of uniform pixel noise far OOD.
 */
export function digitsSuite(csv: string, seed = 1, noiseImages = 300): Suite {
  const all = parseDataset(csv, { source: 'digits' });
  const known: number[] = [];
  const unknown: number[] = [];
  for (let i = 0; i < all.n; i++) (all.y[i] < 5 ? known : unknown).push(i);
  const { train, test } = trainTestSplit(subset(all, known), { seed, testFraction: 0.2 });
  const rng = new Rng(seed, NOISE_STREAM);
  const noise = new Float32Array(noiseImages * all.inputs);
  for (let i = 0; i < noise.length; i++) noise[i] = rng.int(17);
  return {
    name: 'digits',
    task: 'classification',
    description: `8×8 digits: train on 0–4 (${train.n} images), test on ${test.n} held-back images of 0–4; OOD: ${unknown.length} images of 5–9 and ${noiseImages} pixel-noise images`,
    train,
    test,
    classes: 5,
    ood: [
      { name: 'held-out digits 5–9', key: 'auroc', x: subset(all, unknown).x },
      { name: 'pixel noise', key: 'aurocNoise', x: noise },
    ],
    options: { epochs: 40 },
  };
}
