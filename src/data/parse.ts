/**
 * Parsing numeric tables: CSV (comma or semicolon) or whitespace-separated, an optional header
 * (detected when the first row is not all numbers), the target column selectable (the last by default).
 */
import { BdlError } from '../errors.js';
import { type Dataset } from './dataset.js';

export interface ParseOptions {
  /** Target column: an index (negative counts from the end; default -1, the last), or a header name. */
  target?: number | string;
  /** true: the first row is a header; false: it is data; 'auto' (default): a header when any cell is not a number. */
  header?: boolean | 'auto';
  /** Shown in error messages (a file name). */
  source?: string;
}

export interface Table {
  rows: number;
  cols: number;
  data: Float64Array;
  header?: string[];
}

/** Parses the text of a numeric table into a row-major Float64Array. */
export function parseTable(text: string, opts: ParseOptions = {}): Table {
  const source = opts.source ?? 'input';
  const lines = text.split(/\r?\n/);
  const rows: string[][] = [];
  const lineNo: number[] = [];
  let sep: RegExp | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '' || line.startsWith('#')) continue;
    sep ??= line.includes(',') ? /\s*,\s*/ : line.includes(';') ? /\s*;\s*/ : /\s+/;
    rows.push(line.split(sep));
    lineNo.push(i + 1);
  }
  if (rows.length === 0) throw new BdlError('E_EMPTY', `${source}: expected rows of numbers, found no data. Check the file.`, source);
  let header: string[] | undefined;
  const first = rows[0];
  const firstIsHeader = opts.header === true || (opts.header !== false && first.some((c) => !isNumber(c)));
  if (firstIsHeader) {
    header = first.map((c) => c.replace(/^"|"$/g, ''));
    rows.shift();
    lineNo.shift();
    if (rows.length === 0) throw new BdlError('E_EMPTY', `${source}: expected data rows after the header, found none.`, source);
  }
  const cols = rows[0].length;
  const data = new Float64Array(rows.length * cols);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    if (row.length !== cols) {
      throw new BdlError('E_SHAPE', `${source} line ${lineNo[r]}: expected ${cols} columns (as in the first data row), found ${row.length}. Fix the ragged row.`, source);
    }
    for (let c = 0; c < cols; c++) {
      const cell = row[c];
      const v = isNumber(cell) ? Number(cell) : NaN;
      if (!Number.isFinite(v)) {
        throw new BdlError('E_PARSE', `${source} line ${lineNo[r]}, column ${c + 1}: expected a finite number, found ${JSON.stringify(cell)}. Remove or impute it.`, source);
      }
      data[r * cols + c] = v;
    }
  }
  return { rows: rows.length, cols, data, header };
}

/** Parses a table and splits it into inputs and one target column. */
export function parseDataset(text: string, opts: ParseOptions = {}): Dataset {
  const t = parseTable(text, opts);
  return tableToDataset(t, opts.target ?? -1, opts.source ?? 'input');
}

/** Splits a parsed table into inputs and the target column (index, negative from the end, or header name). */
export function tableToDataset(t: Table, target: number | string, source: string): Dataset {
  if (t.cols < 2) throw new BdlError('E_SHAPE', `${source}: expected at least 2 columns (inputs and a target), found ${t.cols}.`, source);
  const tc = resolveColumn(target, t, source);
  const inputs = t.cols - 1;
  const x = new Float32Array(t.rows * inputs);
  const y = new Float32Array(t.rows);
  for (let r = 0; r < t.rows; r++) {
    let j = 0;
    for (let c = 0; c < t.cols; c++) {
      const v = t.data[r * t.cols + c];
      if (c === tc) y[r] = v;
      else x[r * inputs + j++] = v;
    }
  }
  return { x, y, n: t.rows, inputs, targets: 1 };
}

function resolveColumn(target: number | string, t: Table, source: string): number {
  if (typeof target === 'string') {
    const i = t.header?.indexOf(target) ?? -1;
    if (i < 0) {
      throw new BdlError('E_ARG', `target: expected a column name of ${source} (${t.header ? t.header.join(', ') : 'it has no header'}), found ${JSON.stringify(target)}.`, 'target');
    }
    return i;
  }
  const i = target < 0 ? t.cols + target : target;
  if (!Number.isInteger(i) || i < 0 || i >= t.cols) {
    throw new BdlError('E_ARG', `target: expected a column index in ${-t.cols}..${t.cols - 1}, found ${target}. Columns count from 0; -1 is the last.`, 'target');
  }
  return i;
}

function isNumber(cell: string): boolean {
  return cell !== '' && !Number.isNaN(Number(cell));
}
