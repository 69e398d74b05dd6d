/** Seeded train/test splits (the UCI protocol: 20 random 90/10 splits, one stream per split). */
import { argError } from '../errors.js';
import { Rng } from '../random/index.js';
import { checkDataset, subset, type Dataset } from './dataset.js';
import { bool, int, num, schema } from '../options/schema.js';

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
  stratify: bool({ default: false, help: "keep each label's share of the rows in the test set (one label column y; as scikit-learn's stratify=y)" }),
});

/**
 * A random split: `testFraction` of the rows (rounded, at least 1) go to the test set. The same
 * (seed, stream) gives the same split on every platform; use stream = split number for the protocol.
 * `stratify`: the test rows are drawn class by class (`stratifiedBlocks`), so a rare label is not left
 * out of them by chance; the plain split's rows are not its first block.
 */
export function trainTestSplit(ds: Dataset, opts: { testFraction?: number; seed?: number; stream?: number; stratify?: boolean } = {}): Split {
  opts = SPLIT_OPTIONS.check(opts);
  checkDataset(ds, 'dataset');
  const f = opts.testFraction ?? 0.1;
  if (ds.n < 2) throw argError('E_EMPTY', 'dataset', 'at least 2 rows to split', `${ds.n}`, 'Pass more data.');
  if (opts.stratify && ds.targets !== 1) throw argError('E_SHAPE', 'dataset.y', 'one label column to stratify by', `${ds.targets} columns`, 'Drop stratify, or pass the class of each row as y.');
  const rng = new Rng(opts.seed ?? 0, opts.stream ?? 0);
  const nTest = Math.min(ds.n - 1, Math.max(1, Math.round(ds.n * f)));
  const order = opts.stratify ? stratifiedBlocks(ds.y, nTest, 1, rng) : rng.permutation(ds.n);
  const testIndex = Uint32Array.from(order.subarray(0, nTest)).sort();
  const trainIndex = Uint32Array.from(order.subarray(nTest)).sort();
  return { train: subset(ds, trainIndex), test: subset(ds, testIndex), trainIndex, testIndex };
}

/**
 * A stratified order of the rows 0…n−1 of `labels` (n = labels.length): `blocks` consecutive
 * disjoint blocks of m rows, each drawn from the rows the blocks before it left, then the rest; each
 * block's rows and the rest ascending. Why: a held-out share drawn by a plain permutation can miss a
 * rare class (5 rows of 1,000 at 10 %: missed 59 % of the time), and a temperature or a stopping
 * epoch is then chosen without it.
 *
 * Per block, class c of r_c remaining rows gets ⌊m·r_c/R⌋ of the m seats (R = rows remaining), and
 * the seats left go one each, in this order (largest remainder first; ties in seeded order): to a
 * class that has none yet and would keep a row, then to one that would keep a row, then to any that
 * has one left. So every class of at least two rows is in the block while seats last, and no class
 * gives its last row to it unless seats force it. A class's rows are taken in a seeded shuffle.
 * Labels are compared by value. The draws come from `rng` in order: each class's shuffle (labels
 * ascending), then per block one tie-break word per class.
 */
export function stratifiedBlocks(labels: ArrayLike<number>, m: number, blocks: number, rng: Rng): Int32Array {
  const n = labels.length;
  const classes = shuffledClasses(labels, rng);
  const taken = new Int32Array(classes.length);
  const order = new Int32Array(n);
  let at = 0;
  for (let b = 0; b < blocks && at + m <= n; b++) {
    const R = n - at;
    const seats = classes.map((rows, c) => Math.floor((m * (rows.length - taken[c])) / R));
    const remainder = classes.map((rows, c) => (m * (rows.length - taken[c])) / R - seats[c]);
    const tie = classes.map(() => rng.uint32());
    let left = m - seats.reduce((s, k) => s + k, 0);
    const keeps = (c: number) => classes[c].length - taken[c] - seats[c];
    const tier = (c: number) => (seats[c] === 0 && keeps(c) >= 2 ? 0 : keeps(c) >= 2 ? 1 : keeps(c) >= 1 ? 2 : 3);
    while (left > 0) {
      let best = -1;
      for (let c = 0; c < classes.length; c++) {
        if (tier(c) === 3) continue;
        if (best < 0 || tier(c) < tier(best) || (tier(c) === tier(best) && (remainder[c] > remainder[best] || (remainder[c] === remainder[best] && tie[c] < tie[best])))) best = c;
      }
      seats[best]++;
      remainder[best] = -1;
      left--;
    }
    const block = order.subarray(at, at + m);
    let k = 0;
    classes.forEach((rows, c) => {
      block.set(rows.subarray(taken[c], taken[c] + seats[c]), k);
      k += seats[c];
      taken[c] += seats[c];
    });
    block.sort();
    at += m;
  }
  const rest = order.subarray(at);
  let k = 0;
  classes.forEach((rows, c) => {
    rest.set(rows.subarray(taken[c]), k);
    k += rows.length - taken[c];
  });
  rest.sort();
  return order;
}

/**
 * k stratified folds of the rows 0…n−1 of `labels` (scikit-learn's StratifiedKFold, shuffled): each
 * class's rows in a seeded shuffle (labels ascending) are dealt to the folds in turn, the turn going on
 * from one class to the next, so every class of at least k rows is in every fold and the fold sizes
 * differ by at most one. Each fold's rows ascending.
 */
export function stratifiedFolds(labels: ArrayLike<number>, k: number, rng: Rng): Uint32Array[] {
  const folds: number[][] = Array.from({ length: k }, () => []);
  let turn = 0;
  for (const rows of shuffledClasses(labels, rng)) for (const i of rows) folds[turn++ % k].push(i);
  return folds.map((f) => Uint32Array.from(f).sort());
}

/** The rows of each label (compared by value), labels ascending, each class's rows in a seeded shuffle drawn in that order. */
function shuffledClasses(labels: ArrayLike<number>, rng: Rng): Int32Array[] {
  const byLabel = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const rows = byLabel.get(labels[i]);
    if (rows) rows.push(i);
    else byLabel.set(labels[i], [i]);
  }
  return [...byLabel.keys()].sort((a, b) => a - b).map((c) => rng.shuffle(Int32Array.from(byLabel.get(c)!)));
}
