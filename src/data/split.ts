/** Seeded train/test splits (the UCI protocol: 20 random 90/10 splits, one stream per split). */
import { argError } from '../errors.js';
import { Rng } from '../random/index.js';
import { subset, type Dataset } from './dataset.js';

export interface Split {
  train: Dataset;
  test: Dataset;
  trainIndex: Uint32Array;
  testIndex: Uint32Array;
}

/**
 * A random split: `testFraction` of the rows (rounded, at least 1) go to the test set. The same
 * (seed, stream) gives the same split on every platform; use stream = split number for the protocol.
 */
export function trainTestSplit(ds: Dataset, opts: { testFraction?: number; seed?: number; stream?: number } = {}): Split {
  const f = opts.testFraction ?? 0.1;
  if (!(f > 0 && f < 1)) throw argError('E_ARG', 'testFraction', 'a number in (0, 1)', String(f), 'Use e.g. 0.1 for a 90/10 split.');
  if (ds.n < 2) throw argError('E_EMPTY', 'dataset', 'at least 2 rows to split', `${ds.n}`, 'Pass more data.');
  const perm = new Rng(opts.seed ?? 0, opts.stream ?? 0).permutation(ds.n);
  const nTest = Math.min(ds.n - 1, Math.max(1, Math.round(ds.n * f)));
  const testIndex = Uint32Array.from(perm.subarray(0, nTest)).sort();
  const trainIndex = Uint32Array.from(perm.subarray(nTest)).sort();
  return { train: subset(ds, trainIndex), test: subset(ds, testIndex), trainIndex, testIndex };
}
