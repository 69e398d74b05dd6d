/**
 * Datasets: inputs X (n × inputs, row-major f32) and targets Y (n × targets, f32; class indices for
 * classification). Built from user arrays with every check at this boundary; the user's arrays are
 * copied, never mutated.
 */
import { argError, BdlError, describe, isThenable } from '../errors.js';
import { Float32Rounding, precisionError } from './precision.js';

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
 * `x`: rows (`number[][]`, or an array of typed arrays) or `{ data, cols }`; `y`: one value per row
 * (an array or typed array), rows, or `{ data, cols }`. Every value must be a number that is finite
 * in float32 (the networks' precision): `null`, strings, booleans, nested arrays and holes are
 * E_ARG, NaN, ±Infinity and values beyond ±3.4e38 E_NONFINITE, each naming the argument, row and
 * column. Ragged rows, mismatched lengths and empty sets are refused too, and so is a column whose
 * variation float32 would round away (E_ARG; ./precision.ts). Nothing is mutated.
 */
export function makeDataset(x: MatrixLike, y: ArrayLike<number> | ArrayLike<number>[] | MatrixLike, name = 'dataset'): Dataset {
  if (typeof name !== 'string') throw argError('E_ARG', 'name', 'a string naming the data set in messages', describe(name), "Pass a name such as 'train', or omit it.");
  const X = toMatrix(x, `${name}.x`);
  const Y = isRows(y) || isFlatMatrix(y) ? toMatrix(y, `${name}.y`) : toMatrix(columnOf(y, `${name}.y`), `${name}.y`);
  if (X.rows !== Y.rows) {
    throw argError('E_SHAPE', `${name}.y`, `${X.rows} rows (one per row of x)`, `${Y.rows}`, 'Pass one target per input row.');
  }
  return { x: X.data, y: Y.data, n: X.rows, inputs: X.cols, targets: Y.cols };
}

/** Validates and copies a matrix into a fresh Float32Array (see makeDataset for what is refused). */
export function toMatrix(m: MatrixLike, argument: string): { data: Float32Array; rows: number; cols: number } {
  let rows: number;
  let cols: number;
  let data: Float32Array;
  let rounding: Float32Rounding;
  if (Array.isArray(m)) {
    rows = m.length;
    if (rows === 0) throw argError('E_EMPTY', argument, 'at least one row', 'none', 'Pass a non-empty data set.');
    const first: unknown = m[0];
    if (!isVector(first)) throw argError('E_ARG', `${argument}[0]`, 'a row: an array or typed array of numbers', describe(first), 'Pass number[][] or { data, cols }.');
    cols = first.length;
    if (cols === 0) throw argError('E_SHAPE', argument, 'at least one column', '0 columns', 'Each row needs values.');
    data = new Float32Array(rows * cols);
    rounding = new Float32Rounding(cols);
    for (let i = 0; i < rows; i++) {
      const row: unknown = m[i];
      if (!isVector(row)) throw argError('E_ARG', `${argument}[${i}]`, 'a row: an array or typed array of numbers', describe(row), 'Every row must be an array of numbers.');
      if (row.length !== cols) {
        throw argError('E_SHAPE', `${argument}[${i}]`, `${cols} values (as in row 0)`, describe(row.length), 'Every row needs the same number of columns.');
      }
      copyChecked(row, data, i * cols, argument, i, -1, rounding);
    }
  } else if (isFlatMatrix(m)) {
    cols = m.cols;
    if (typeof cols !== 'number' || !Number.isInteger(cols) || cols < 1) throw argError('E_SHAPE', `${argument}.cols`, 'a positive integer', describe(cols), 'Give the number of columns.');
    const flat: unknown = m.data;
    if (!isVector(flat)) throw argError('E_ARG', `${argument}.data`, 'an array or typed array of numbers', describe(flat), 'Pass { data: Float32Array, cols }.');
    if (flat.length % cols !== 0) {
      throw argError('E_SHAPE', `${argument}.data`, `a length divisible by cols = ${cols}`, `length ${flat.length}`, 'Check the column count.');
    }
    rows = flat.length / cols;
    if (rows === 0) throw argError('E_EMPTY', argument, 'at least one row', 'none', 'Pass a non-empty data set.');
    data = new Float32Array(flat.length);
    rounding = new Float32Rounding(cols);
    copyChecked(flat, data, 0, argument, -1, cols, rounding);
  } else {
    throw argError('E_ARG', argument, 'an array of rows or { data, cols }', describe(m), 'Pass number[][] or { data: Float32Array, cols }.');
  }
  const lossy = rounding.lossyColumn();
  if (lossy) throw precisionError('E_ARG', cols > 1 ? `${argument} column ${lossy.col}` : argument, argument, lossy);
  return { data, rows, cols };
}

/** An array or a typed array holding numbers (not a DataView, not BigInt64Array). */
function isVector(v: unknown): v is ArrayLike<unknown> {
  if (Array.isArray(v)) return true;
  return ArrayBuffer.isView(v) && !(v instanceof DataView) && !(v instanceof BigInt64Array) && !(v instanceof BigUint64Array);
}

function isRows(v: unknown): v is ArrayLike<number>[] {
  return Array.isArray(v) && v.length > 0 && isVector(v[0]);
}

function isFlatMatrix(v: unknown): v is { data: ArrayLike<number>; cols: number } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v) && 'data' in v && 'cols' in v;
}

function columnOf(y: unknown, argument: string): { data: ArrayLike<number>; cols: number } {
  if (!isVector(y)) {
    throw argError('E_ARG', argument, 'one target per row (an array or typed array of numbers), rows of targets, or { data, cols }', describe(y), 'Pass the targets, e.g. [1.5, 2.0, …].');
  }
  return { data: y as ArrayLike<number>, cols: 1 };
}

/**
 * Copies `src` into `dst` at `offset`, refusing non-numbers (E_ARG) and values that are not finite
 * in float32 (E_NONFINITE); `rounding` sees every value (one row per `rounding.cols` values). Messages name [row][column]: `row` is given for a row of a row list
 * (−1 for a flat matrix, whose row and column follow from the index and `cols`).
 */
function copyChecked(src: ArrayLike<unknown>, dst: Float32Array, offset: number, argument: string, row: number, cols: number, rounding: Float32Rounding): void {
  const width = rounding.cols;
  for (let j = 0, c = 0; j < src.length; j++) {
    const v = src[j];
    if (typeof v !== 'number') throw argError('E_ARG', cellName(argument, row, cols, j), 'a number', describe(v), 'Convert the data to numbers first (missing values must be removed or imputed).');
    const f = Math.fround(v);
    if (!Number.isFinite(f)) {
      const found = Number.isFinite(v) ? `${v}, beyond the float32 range (±3.4e38)` : describe(v);
      throw argError('E_NONFINITE', cellName(argument, row, cols, j), 'a finite number', found, 'Remove or impute missing and infinite values, and rescale columns beyond ±3.4e38, first.');
    }
    dst[offset + j] = rounding.add(c, v);
    if (++c === width) {
      c = 0;
      rounding.row();
    }
  }
}

function cellName(argument: string, row: number, cols: number, j: number): string {
  return row >= 0 ? `${argument}[${row}][${j}]` : cols > 1 ? `${argument}[${Math.floor(j / cols)}][${j % cols}]` : `${argument}[${j}]`;
}

/**
 * Checks a Dataset a caller may have built by hand (it is a plain interface): x and y are
 * Float32Arrays of exactly n × inputs and n × targets values, n, inputs and targets are positive
 * integers, and every value is finite. `makeDataset` guarantees all of this; a hand-built one that
 * breaks it would otherwise train on part of the rows, or on NaN columns, and answer as if it had
 * not. O(n·(inputs + targets)): nothing next to training.
 */
export function checkDataset(d: unknown, argument: string): asserts d is Dataset {
  const hint = 'Build it with makeDataset(x, y), which checks every value.';
  // A Dataset's promise (a forgotten `await`) is named as such, not by the first field it lacks.
  if (typeof d !== 'object' || d === null || Array.isArray(d) || ArrayBuffer.isView(d) || isThenable(d)) throw argError('E_ARG', argument, 'a Dataset { x, y, n, inputs, targets } (makeDataset)', describe(d), isThenable(d) ? 'Pass the Dataset it resolves to.' : hint);
  const ds = d as Partial<Record<keyof Dataset, unknown>>;
  for (const k of ['n', 'inputs', 'targets'] as const) {
    const v = ds[k];
    if (!(typeof v === 'number' && Number.isSafeInteger(v) && v >= 1)) throw argError(k === 'n' ? 'E_EMPTY' : 'E_SHAPE', `${argument}.${k}`, 'a positive integer', describe(v), hint);
  }
  const n = ds.n as number;
  for (const [k, cols] of [['x', ds.inputs as number], ['y', ds.targets as number]] as const) {
    const a = ds[k];
    if (!(a instanceof Float32Array)) throw argError('E_ARG', `${argument}.${k}`, 'a Float32Array', describe(a), hint);
    if (a.length !== n * cols) throw argError('E_SHAPE', `${argument}.${k}`, `n × ${k === 'x' ? 'inputs' : 'targets'} = ${n} × ${cols} = ${n * cols} values`, `${a.length}`, hint);
    for (let i = 0; i < a.length; i++) {
      if (!Number.isFinite(a[i])) throw argError('E_NONFINITE', `${argument}.${k}[${Math.floor(i / cols)}][${i % cols}]`, 'a finite number', describe(a[i]), 'Remove or impute missing and infinite values first.');
    }
  }
}

/** Rows `idx` of a dataset, as a new Dataset. */
export function subset(ds: Dataset, idx: ArrayLike<number>): Dataset {
  const x = new Float32Array(idx.length * ds.inputs);
  const y = new Float32Array(idx.length * ds.targets);
  for (let r = 0; r < idx.length; r++) {
    const i = idx[r];
    if (!(Number.isInteger(i) && i >= 0 && i < ds.n)) throw new BdlError('E_ARG', `subset: row index ${i} is not an integer in 0..${ds.n - 1}.`, 'idx');
    x.set(ds.x.subarray(i * ds.inputs, (i + 1) * ds.inputs), r * ds.inputs);
    y.set(ds.y.subarray(i * ds.targets, (i + 1) * ds.targets), r * ds.targets);
  }
  return { x, y, n: idx.length, inputs: ds.inputs, targets: ds.targets };
}

/**
 * Refuses classification labels (one column) that are all one class: a classifier fitted to them
 * answers P = 1 for that class whatever the input, and with `classes: K` given nothing else would
 * notice (the other outputs are just never seen). Called before any work.
 */
export function checkSeveralClasses(ds: Dataset, argument: string): void {
  const y = ds.y;
  for (let i = 1; i < y.length; i++) if (y[i] !== y[0]) return;
  throw argError('E_ARG', argument, 'labels of at least two classes', `all ${ds.n} labels are class ${y[0]}; classification needs at least two classes present`, 'A classifier needs examples of each class: check the target column and the labels (were the rows filtered to one class?).');
}
