/**
 * What legal data can still do to a fit without an error: said as warnings before any work, because
 * the numbers that come out look normal. Two shapes an audit found giving wrong answers silently:
 * - an input column whose variance one row carries, far beyond every other row (a data-entry slip,
 *   1e6 among values near 1):
 *   standardized by that spread, the other rows' values all collapse near 0 and the column is lost;
 * - rows repeated many times (a set concatenated with itself): the rows held out for early stopping
 *   and σ are copies of training rows, so σ and the stopping point are fitted to training data and
 *   the intervals come out too narrow.
 */
import type { Dataset } from './dataset.js';

/** One row carrying more than this share of a column's variance is flagged (a normal sample of 300 rows: the largest share is about 3 %). */
const OUTLIER_SHARE = 0.5;
/** How much farther than every other row from their mean the one row must lie to be flagged. */
const OUTLIER_REACH = 100;
/** Rows that are copies of other rows, as a share of all rows, above which the duplication is flagged. */
const DUPLICATE_SHARE = 0.5;

/** Warnings about `data`'s inputs (`names`: the columns' names for messages, when known). */
export function dataWarnings(data: Dataset, names?: readonly string[]): string[] {
  return [...outlierColumns(data, names), ...duplicatedRows(data)];
}

function outlierColumns(data: Dataset, names?: readonly string[]): string[] {
  const { x, n, inputs } = data;
  const out: string[] = [];
  // Below 30 rows one row's share of a column's spread is large by chance alone.
  if (n < 30) return out;
  for (let j = 0; j < inputs; j++) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += x[i * inputs + j];
    mean /= n;
    let total = 0;
    let worst = 0;
    let at = 0;
    for (let i = 0; i < n; i++) {
      const d = (x[i * inputs + j] - mean) ** 2;
      total += d;
      if (d > worst) [worst, at] = [d, i];
    }
    if (total > 0 && worst / total > OUTLIER_SHARE && beyondTheRest(x, n, inputs, j, at)) {
      const name = names?.[j] !== undefined ? ` (${JSON.stringify(names[j])})` : '';
      out.push(`input column ${j}${name}: one row (data row ${at + 1}, value ${x[at * inputs + j]}) carries ${Math.round((100 * worst) / total)} % of its variance: standardized by that spread, the other rows' values collapse together and the column says little. Check that value (a data-entry slip?), or clip or transform the column.`);
    }
  }
  return out;
}

/**
 * Whether row `at`'s value of column j lies more than OUTLIER_REACH times as far from the other rows'
 * mean as the farthest other row: a slip (1e6 among values within ±3), not a sparse column (a pixel
 * that is 0 but in a few images, a rare count of 8 among 0s and 1s).
 */
function beyondTheRest(x: Float32Array, n: number, inputs: number, j: number, at: number): boolean {
  let mean = 0;
  for (let i = 0; i < n; i++) if (i !== at) mean += x[i * inputs + j];
  mean /= n - 1;
  let reach = 0;
  for (let i = 0; i < n; i++) if (i !== at) reach = Math.max(reach, Math.abs(x[i * inputs + j] - mean));
  // The others all equal: an indicator of that one row, not a slip among varying values.
  return reach > 0 && Math.abs(x[at * inputs + j] - mean) > OUTLIER_REACH * reach;
}

function duplicatedRows(data: Dataset): string[] {
  const { x, y, n, inputs, targets } = data;
  const seen = new Set<string>();
  let copies = 0;
  const row = new Float32Array(inputs + targets);
  for (let i = 0; i < n; i++) {
    row.set(x.subarray(i * inputs, (i + 1) * inputs));
    row.set(y.subarray(i * targets, (i + 1) * targets), inputs);
    const key = String(row);
    if (seen.has(key)) copies++;
    else seen.add(key);
  }
  if (copies / n <= DUPLICATE_SHARE) return [];
  return [`${copies} of the ${n} rows repeat another row (inputs and target): rows held out for early stopping and σ are then copies of training rows, and the intervals come out too narrow. Remove the duplicates, or weight rows instead of repeating them.`];
}

/** A test value is far out when it lies this many training standard deviations from the training mean… */
const FAR_STDS = 10;
/** …and more than the training range's width past its nearer end (a heavy-tailed column's own rows reach 12 σ: UCI boston, wine). */
const FAR_RANGES = 1;
/** A column one value holds in this share of the training rows (a border pixel, a rare indicator) has no range to extrapolate from: not checked. */
const SPARSE_SHARE = 0.95;

/**
 * Per input column, the interval outside which a test value is far out of the training data (both
 * FAR_STDS σ from the mean and FAR_RANGES range widths past an end), or null for a column not checked
 * (constant, or SPARSE_SHARE one value). Plain numbers, so a saved posterior can keep them.
 *
 * The rule was chosen to be silent on data that are not out of range: on the 20 standard splits of the
 * five UCI sets the test rows reach 12.4 σ (boston) and 0.78 range widths past an end (wine), and on
 * random splits of the UCI digits the only columns beyond are pixels blank in ≥ 98.8 % of the training
 * images.
 */
export function inputBounds(train: Dataset): ([number, number] | null)[] {
  const { x, n, inputs } = train;
  const out: ([number, number] | null)[] = [];
  const column = new Float64Array(n);
  for (let j = 0; j < inputs; j++) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += column[i] = x[i * inputs + j];
    mean /= n;
    let ss = 0;
    for (let i = 0; i < n; i++) ss += (column[i] - mean) ** 2;
    const std = Math.sqrt(ss / n);
    column.sort();
    const lo = column[0];
    const hi = column[n - 1];
    let mode = 0;
    for (let i = 0, run = 0; i < n; i++) {
      run = i > 0 && column[i] === column[i - 1] ? run + 1 : 1;
      mode = Math.max(mode, run);
    }
    if (!(std > 0) || mode >= SPARSE_SHARE * n) out.push(null);
    else out.push([Math.min(mean - FAR_STDS * std, lo - FAR_RANGES * (hi - lo)), Math.max(mean + FAR_STDS * std, hi + FAR_RANGES * (hi - lo))]);
  }
  return out;
}

/**
 * Warnings about test rows (`x`, row-major, `bounds.length` inputs) far outside the training data
 * (`inputBounds`): one per column, with how many rows and the first few, because the predictive there
 * is the network's extrapolation — a guess, however confident or narrow it looks.
 */
export function outOfRangeWarnings(x: Float32Array, bounds: readonly ([number, number] | null)[], names?: readonly string[]): string[] {
  const inputs = bounds.length;
  const n = x.length / inputs;
  const out: string[] = [];
  bounds.forEach((b, j) => {
    if (!b) return;
    const rows: number[] = [];
    for (let i = 0; i < n; i++) {
      const v = x[i * inputs + j];
      if (v < b[0] || v > b[1]) rows.push(i + 1);
    }
    if (rows.length === 0) return;
    const name = names?.[j] !== undefined ? ` (${JSON.stringify(names[j])})` : '';
    const which = rows.length > 5 ? `${rows.slice(0, 5).join(', ')}, …` : rows.join(', ');
    out.push(`input column ${j}${name}: ${rows.length} of ${n} rows (data row${rows.length > 1 ? 's' : ''} ${which}) lie far outside the training data (beyond [${fmt(b[0])}, ${fmt(b[1])}]: ${FAR_STDS} training standard deviations from its mean and its range's width past its ends): the predictive there is the model's extrapolation, a guess however confident it looks. Check those values and their units.`);
  });
  return out;
}

const fmt = (v: number) => String(Number(v.toPrecision(4)));

/** The rows in the top 1 % of a target's squared deviations (at least one)… */
const TAIL_ROWS = 0.01;
/** …carrying more than this share of the sum of squared deviations make a target heavy-tailed (UCI's five: at most 10 %). */
const TAIL_SHARE = 0.5;

/**
 * Regression targets whose spread a few rows carry (Cauchy-like, or log-normal on a raw scale): the
 * top 1 % of rows by squared deviation hold more than half of the sum. A Gaussian likelihood is then
 * dominated by those rows: the mean is pulled towards them and σ, sized by them, is far too wide for
 * every other row. Measured: on the five UCI targets the share is 4–10 %; on standard Cauchy samples
 * its 10 % quantile is 64 % at 300 rows and 84 % at 1,000 (log-normal: about 55 %).
 */
export function targetWarnings(data: Dataset): string[] {
  const { y, n, targets } = data;
  const out: string[] = [];
  if (n < 30) return out;
  const k = Math.max(1, Math.floor(TAIL_ROWS * n));
  const d2 = new Float64Array(n);
  for (let t = 0; t < targets; t++) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += y[i * targets + t];
    mean /= n;
    let total = 0;
    for (let i = 0; i < n; i++) total += d2[i] = (y[i * targets + t] - mean) ** 2;
    if (!(total > 0)) continue;
    d2.sort();
    let top = 0;
    for (let i = n - k; i < n; i++) top += d2[i];
    if (top / total <= TAIL_SHARE) continue;
    const z = Math.sqrt(d2[n - 1] / (total / n));
    const which = targets > 1 ? `target column ${t}` : 'the target';
    out.push(`${which} is heavy-tailed: ${k === 1 ? 'one row carries' : `${k} of ${n} rows carry`} ${Math.round((100 * top) / total)} % of its spread (the farthest ${z.toFixed(1)} standard deviations out): a Gaussian likelihood is dominated by ${k === 1 ? 'it' : 'them'}, pulling the mean and widening σ for every other row. Transform the target (e.g. log or asinh), or remove the outliers if they are errors.`);
  }
  return out;
}

/** The most classes a target of whole numbers 0…K−1 is read as labels at. */
const LABEL_CLASSES = 100;

/**
 * A regression target (one column) that holds exactly the whole numbers 0…K−1, each of them, with
 * 2 ≤ K ≤ LABEL_CLASSES and at least 2K rows: the way class labels are written (digits 0…9, a 0/1 outcome). Fitted as a
 * regression, the output is a real number between classes and metrics that look normal; said when the
 * task was left to its default. An ordinal score that starts elsewhere (UCI wine's 3…8) is not flagged.
 */
export function labelTargetWarnings(data: Dataset): string[] {
  const { y, n, targets } = data;
  if (targets !== 1) return [];
  let max = 0;
  for (let i = 0; i < n; i++) {
    const v = y[i];
    if (!(Number.isInteger(v) && v >= 0 && v < LABEL_CLASSES)) return [];
    if (v > max) max = v;
  }
  const k = max + 1;
  // One or two rows per value is a rank or an identifier, not a class.
  if (k < 2 || n < 2 * k) return [];
  const seen = new Uint8Array(k);
  for (let i = 0; i < n; i++) seen[y[i]] = 1;
  if (seen.includes(0)) return [];
  return [`the target holds only the whole numbers 0…${k - 1}, as class labels do, and is fitted as a regression (the default task): the predictions are numbers between the classes, not class probabilities. For classes, fit with task 'classification' (bdl fit --task classification); to keep the regression (a count, a score), say so with --task regression.`];
}
