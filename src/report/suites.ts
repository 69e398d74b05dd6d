/**
 * The data sets of the method comparison, built from text already in memory (so the same code serves
 * the command line, the tests and a browser page): a UCI regression split, a 1-D toy with a gap in its
 * inputs, and the 8×8 digits with held-out classes and pixel noise as out-of-distribution inputs.
 */
import { makeDataset, subset, type Dataset } from '../data/dataset.js';
import { parseDataset } from '../data/parse.js';
import { trainTestSplit } from '../data/split.js';
import { Rng } from '../random/index.js';
import { argError, describe } from '../errors.js';

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
  /** A few fixed inputs x* (rows × inputs) where samplers trace f(x*); default the first 3 test rows. */
  probe?: Float32Array;
  /** 1-D regression: inputs where the predictive band is drawn. */
  grid?: Float32Array;
  /** Budget overrides for every method on this suite (epochs etc.). */
  options?: Record<string, unknown>;
}

// Randomness tags (Rng stream) of the suites, distinct from the library's own counters.
const TOY_STREAM = 0x70;
const NOISE_STREAM = 0x71;
const SPLIT_STREAM = 0x72;
const CORRUPT_STREAM = 0x73;

/** A UCI regression file (whitespace-separated, target last): one seeded 90/10 split. */
/** `source`: what the parser's errors name (the file the text came from). */
export function uciSuite(name: string, text: string, seed = 1, source = name): Suite {
  const ds = parseDataset(text, { source });
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
    // Inside the data, in the gap, and beyond it: mixing is hardest where the data say least.
    probe: new Float32Array([-2, 0, 4]),
    // A small set: more epochs to reach the same number of steps as the UCI sets.
    options: { epochs: 300, batchSize: 32 },
  };
}

/** The toy's noise-free mean. */
export function toyMean(x: number): number {
  return Math.sin(1.5 * x) + 0.3 * x;
}

/**
 * How the digit images of the classification suite are degraded, independently per image: an
 * occluding square (a smudge) and "salt" pixels (sensor noise). The same family is applied to the
 * training images, the test images and the held-out classes, so a method cannot tell in- from
 * out-of-distribution by the corruption alone.
 */
export interface DigitCorruption {
  /** Side of a square of pixels set to 0 at a uniform position (0: none). */
  occlusion: number;
  /** Probability that a pixel is replaced by a uniform intensity 0–16. */
  salt: number;
}

/**
 * The corruption of the embedded comparison. Chosen for realism, not for any method: with 300
 * training images it brings a MAP network from ~99 % to ~89 % test accuracy, so confidence can be
 * wrong in both directions and calibration is measurable.
 */
export const DIGIT_CORRUPTION: DigitCorruption = { occlusion: 3, salt: 0.05 };

/** Options of {@link digitsSuite}. */
export interface DigitsOptions {
  /** Seed of the split, the corruption and the noise images (default 1). */
  seed?: number;
  /** Images of digits 0–4 to train on (default 300); the other images of 0–4 are the test set. */
  trainSize?: number;
  /** Pure pixel-noise images (default 300). */
  noiseImages?: number;
  /** Default {@link DIGIT_CORRUPTION}; null leaves the images as they are. */
  corruption?: DigitCorruption | null;
  /** What the parser's errors name (default 'digits'): the file the text came from. */
  source?: string;
}

/** Degrades one square image (intensities 0–16, row-major) with `c`, drawing from `rng`: occlusion, then salt. Returns a new array. */
export function corruptDigit(img: ArrayLike<number>, c: DigitCorruption, rng: Rng): Float32Array {
  const side = Math.round(Math.sqrt(img.length));
  if (side * side !== img.length) throw argError('E_SHAPE', 'img', 'a square image (side² pixels)', `${img.length} pixels`, 'Pass one 8×8 digit.');
  if (!(Number.isInteger(c.occlusion) && c.occlusion >= 0 && c.occlusion <= side)) throw argError('E_ARG', 'occlusion', `an integer in [0, ${side}]`, describe(c.occlusion), 'E.g. 3.');
  if (!(c.salt >= 0 && c.salt <= 1)) throw argError('E_ARG', 'salt', 'a probability in [0, 1]', describe(c.salt), 'E.g. 0.05.');
  const out = Float32Array.from(img);
  if (c.occlusion > 0) {
    const top = rng.int(side - c.occlusion + 1);
    const left = rng.int(side - c.occlusion + 1);
    for (let r = top; r < top + c.occlusion; r++) out.fill(0, r * side + left, r * side + left + c.occlusion);
  }
  for (let i = 0; i < out.length; i++) if (rng.uniform() < c.salt) out[i] = rng.int(17);
  return out;
}

/**
 * Digits (CSV: 64 pixels 0–16 then the label), made realistically hard: `trainSize` images of
 * digits 0–4 to train on, the remaining images of 0–4 to test on, every image corrupted (occlusion
 * and salt: see DigitCorruption; image i by its own Philox counter, so an image's corruption
 * does not depend on the split). Digits 5–9, corrupted alike, are held-out-class OOD inputs, and
 * images of uniform pixel noise far OOD.
 */
export function digitsSuite(csv: string, o: DigitsOptions = {}): Suite {
  const seed = o.seed ?? 1;
  const trainSize = o.trainSize ?? 300;
  const noiseImages = o.noiseImages ?? 300;
  const c = o.corruption === undefined ? DIGIT_CORRUPTION : o.corruption;
  const parsed = parseDataset(csv, { source: o.source ?? 'digits' });
  const all = c ? corruptAll(parsed, c, seed) : parsed;
  const known: number[] = [];
  const unknown: number[] = [];
  for (let i = 0; i < all.n; i++) (all.y[i] < 5 ? known : unknown).push(i);
  if (!(Number.isInteger(trainSize) && trainSize >= 1 && trainSize < known.length)) {
    throw argError('E_ARG', 'trainSize', `an integer in [1, ${known.length - 1}] (images of 0–4 less one for testing)`, describe(o.trainSize), 'E.g. 300.');
  }
  const order = new Rng(seed, SPLIT_STREAM).permutation(known.length);
  const pick = (from: number, to: number) => Array.from(order.subarray(from, to), (j) => known[j]).sort((a, b) => a - b);
  const train = subset(all, pick(0, trainSize));
  const test = subset(all, pick(trainSize, known.length));
  const rng = new Rng(seed, NOISE_STREAM);
  const noise = new Float32Array(noiseImages * all.inputs);
  for (let i = 0; i < noise.length; i++) noise[i] = rng.int(17);
  const how = c ? `every image with a random ${c.occlusion}×${c.occlusion} square blanked and ${Math.round(100 * c.salt)} % of pixels set to random intensities` : 'images as they are';
  return {
    name: 'digits',
    task: 'classification',
    description: `8×8 digits (${how}): train on ${train.n} images of 0–4, test on the other ${test.n}; OOD: ${unknown.length} images of 5–9 (corrupted alike) and ${noiseImages} pixel-noise images`,
    train,
    test,
    classes: 5,
    ood: [
      { name: 'held-out digits 5–9', key: 'auroc', x: subset(all, unknown).x },
      { name: 'pixel noise', key: 'aurocNoise', x: noise },
    ],
    // No budget override: every method trains for its own default on 300 images (defaultEpochs).
  };
}

/** Every image of `ds` corrupted by `c`, image i from the Philox counter (i, 0, 0) of (seed, CORRUPT_STREAM). */
function corruptAll(ds: Dataset, c: DigitCorruption, seed: number): Dataset {
  const x = new Float32Array(ds.x.length);
  for (let i = 0; i < ds.n; i++) {
    const img = ds.x.subarray(i * ds.inputs, (i + 1) * ds.inputs);
    x.set(corruptDigit(img, c, new Rng(seed, CORRUPT_STREAM, [i, 0, 0])), i * ds.inputs);
  }
  return { ...ds, x };
}
