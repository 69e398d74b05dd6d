/** Reading the command line's data files: a training table with its target column, a test table with or without it. */
import { readFile } from 'node:fs/promises';
import { BdlError } from '../errors.js';
import type { Dataset } from '../data/dataset.js';
import { parseTable, tableToDataset, type Table } from '../data/parse.js';

/** `--target`: a column index (negative from the end) or a header name. */
function targetOf(flag: string): number | string {
  return /^-?\d+$/.test(flag) ? Number(flag) : flag;
}

export async function readTable(path: string): Promise<Table> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new BdlError('E_ARG', `${path}: cannot read the file (${(e as NodeJS.ErrnoException).code ?? 'error'}). Check the path.`, path);
  }
  return parseTable(text, { source: path });
}

export async function readTrainTable(path: string, target: string): Promise<{ table: Table; data: Dataset }> {
  const table = await readTable(path);
  return { table, data: tableToDataset(table, targetOf(target), path) };
}

/** The test rows: with the target column when they have the training table's columns, inputs only when one fewer. */
export async function readTestTable(path: string, target: string, train: Pick<Table, 'cols'>, flag = 'test'): Promise<{ x: Float32Array; y?: Float32Array }> {
  const table = await readTable(path);
  if (table.cols === train.cols) {
    const d = tableToDataset(table, targetOf(target), path);
    return { x: d.x, y: d.y };
  }
  if (table.cols !== train.cols - 1) {
    throw new BdlError('E_SHAPE', `--${flag}: expected ${train.cols} columns (with the target) or ${train.cols - 1} (inputs only), as in --train; found ${table.cols}.`, flag);
  }
  return { x: Float32Array.from(table.data) };
}
