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
