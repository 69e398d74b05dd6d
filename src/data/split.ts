/** Seeded train/test splits (the UCI protocol: 20 random 90/10 splits, one stream per split). */
import { argError } from '../errors.js';
import { Rng } from '../random/index.js';
import { checkDataset, subset, type Dataset } from './dataset.js';
import { int, num, schema } from '../options/schema.js';

export interface Split {
  train: Dataset;
  test: Dataset;
  trainIndex: Uint32Array;
  testIndex: Uint32Array;
}

/** trainTestSplit's options, checked before any work (a misspelt name is refused, not ignored). */
export const SPLIT_OPTIONS = schema('trainTestSplit', {
  testFraction: num({ gt: 0, lt: 1, default: 0.1, hint: 'Use e.g. 0.1 for a 90/10 split.', help: 'share of the rows in the test set' }),
  seed: int({ min: 0, default: 0, help: 'seed of the permutation' }),
  stream: int({ min: 0, default: 0, help: 'stream of the permutation (one per split of a seed)' }),
});

/**
 * A random split: `testFraction` of the rows (rounded, at least 1) go to the test set. The same
 * (seed, stream) gives the same split on every platform; use stream = split number for the protocol.
 */
export function trainTestSplit(ds: Dataset, opts: { testFraction?: number; seed?: number; stream?: number } = {}): Split {
  SPLIT_OPTIONS.check(opts);
  checkDataset(ds, 'dataset');
  const f = opts.testFraction ?? 0.1;
  if (ds.n < 2) throw argError('E_EMPTY', 'dataset', 'at least 2 rows to split', `${ds.n}`, 'Pass more data.');
  const perm = new Rng(opts.seed ?? 0, opts.stream ?? 0).permutation(ds.n);
  const nTest = Math.min(ds.n - 1, Math.max(1, Math.round(ds.n * f)));
  const testIndex = Uint32Array.from(perm.subarray(0, nTest)).sort();
  const trainIndex = Uint32Array.from(perm.subarray(nTest)).sort();
  return { train: subset(ds, trainIndex), test: subset(ds, testIndex), trainIndex, testIndex };
}
