/**
 * Datasets: inputs X (n × inputs, row-major f32) and targets Y (n × targets, f32; class indices for
 * classification). Built from user arrays with every check at this boundary; the user's arrays are
 * copied, never mutated.
 */
import { argError, BdlError, describe } from '../errors.js';

export interface Dataset {
  /** n × inputs, row-major. */
  readonly x: Float32Array;
  /** n × targets, row-major (targets = 1 for class labels). */
  readonly y: Float32Array;
  readonly n: number;
  readonly inputs: number;
  readonly targets: number;
}

/** A matrix as the user may hold it: rows of numbers, or a flat typed array with a column count. */
export type MatrixLike = ArrayLike<number>[] | { data: ArrayLike<number>; cols: number };

/**
 * Builds a Dataset from user inputs and targets.
 * `x`: rows (`number[][]`) or `{ data, cols }`; `y`: one value per row (`ArrayLike<number>`), or rows.
 * Rejects ragged rows, non-finite values, mismatched lengths and empty sets with a BdlError.
 */
export function makeDataset(x: MatrixLike, y: ArrayLike<number> | ArrayLike<number>[], name = 'dataset'): Dataset {
  const X = toMatrix(x, `${name}.x`);
  const yRows = Array.isArray(y) && y.length > 0 && typeof y[0] === 'object';
  const Y = yRows
    ? toMatrix(y as ArrayLike<number>[], `${name}.y`)
    : toMatrix({ data: y as ArrayLike<number>, cols: 1 }, `${name}.y`);
  if (X.rows !== Y.rows) {
    throw argError('E_SHAPE', `${name}.y`, `${X.rows} rows (one per row of x)`, `${Y.rows}`, 'Pass one target per input row.');
  }
  return { x: X.data, y: Y.data, n: X.rows, inputs: X.cols, targets: Y.cols };
}

/** Validates and copies a matrix into a fresh Float32Array. */
export function toMatrix(m: MatrixLike, argument: string): { data: Float32Array; rows: number; cols: number } {
  let rows: number;
  let cols: number;
  let data: Float32Array;
  if (Array.isArray(m)) {
    rows = m.length;
    if (rows === 0) throw argError('E_EMPTY', argument, 'at least one row', 'none', 'Pass a non-empty data set.');
    cols = m[0]?.length ?? 0;
    data = new Float32Array(rows * cols);
    for (let i = 0; i < rows; i++) {
      const row = m[i];
      if (row == null || row.length !== cols) {
        throw argError('E_SHAPE', `${argument}[${i}]`, `${cols} values (as in row 0)`, describe(row === undefined ? undefined : row.length), 'Every row needs the same number of columns.');
      }
      for (let j = 0; j < cols; j++) data[i * cols + j] = row[j];
    }
  } else if (m && typeof m === 'object' && 'data' in m && 'cols' in m) {
    cols = m.cols;
    if (!Number.isInteger(cols) || cols < 1) throw argError('E_SHAPE', `${argument}.cols`, 'a positive integer', describe(cols), 'Give the number of columns.');
    if (m.data.length % cols !== 0) {
      throw argError('E_SHAPE', `${argument}.data`, `a length divisible by cols = ${cols}`, `length ${m.data.length}`, 'Check the column count.');
    }
    rows = m.data.length / cols;
    if (rows === 0) throw argError('E_EMPTY', argument, 'at least one row', 'none', 'Pass a non-empty data set.');
    data = Float32Array.from(m.data);
  } else {
    throw argError('E_ARG', argument, 'an array of rows or { data, cols }', describe(m), 'Pass number[][] or { data: Float32Array, cols }.');
  }
  if (cols === 0) throw argError('E_SHAPE', argument, 'at least one column', '0 columns', 'Each row needs values.');
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      const r = Math.floor(i / cols);
      throw argError('E_NONFINITE', `${argument}[${r}][${i % cols}]`, 'a finite number', describe(data[i]), 'Remove or impute missing and infinite values first.');
    }
  }
  return { data, rows, cols };
}

/** Rows `idx` of a dataset, as a new Dataset. */
export function subset(ds: Dataset, idx: ArrayLike<number>): Dataset {
  const x = new Float32Array(idx.length * ds.inputs);
  const y = new Float32Array(idx.length * ds.targets);
  for (let r = 0; r < idx.length; r++) {
    const i = idx[r];
    if (!(i >= 0 && i < ds.n)) throw new BdlError('E_ARG', `subset: row index ${i} is outside 0..${ds.n - 1}.`, 'idx');
    x.set(ds.x.subarray(i * ds.inputs, (i + 1) * ds.inputs), r * ds.inputs);
    y.set(ds.y.subarray(i * ds.targets, (i + 1) * ds.targets), r * ds.targets);
  }
  return { x, y, n: idx.length, inputs: ds.inputs, targets: ds.targets };
}
