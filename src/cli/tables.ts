/** Reading the command line's data files: a training table with its target column, a test table with or without it. */
import { readFile } from 'node:fs/promises';
import { BdlError } from '../errors.js';
import type { Dataset } from '../data/dataset.js';
import { parseTable, tableToDataset, type Table } from '../data/parse.js';
import { dataWarnings, outOfRangeWarnings, targetWarnings } from '../data/warnings.js';
import { targetOf, testRows, trainColumns, type TrainColumns } from './columns.js';

export async function readTable(path: string): Promise<Table> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new BdlError('E_ARG', `${path}: cannot read the file (${(e as NodeJS.ErrnoException).code ?? 'error'}). Check the path.`, path);
  }
  return parseTable(text, { source: path });
}

export async function readTrainTable(path: string, target: string): Promise<{ table: Table; data: Dataset; columns: TrainColumns }> {
  const table = await readTable(path);
  return { table, data: tableToDataset(table, targetOf(target), path), columns: trainColumns(table, target, path) };
}

/** The test rows, read against the training columns (columns.ts `testRows`: by name when both files have headers). */
export async function readTestTable(path: string, columns: TrainColumns, flag = 'test'): Promise<{ x: Float32Array; y?: Float32Array }> {
  return testRows(await readTable(path), columns, path, flag);
}

/**
 * What a command says about its files before the run (the numbers that come out would look normal):
 * the training table's reading warnings, its input columns and (regression) target, and test rows far
 * outside the training inputs' `bounds` (data/warnings.ts inputBounds). Each names its file.
 */
export function fileWarnings(
  train: { path: string; table: Table; data: Dataset; columns: TrainColumns; task: 'regression' | 'classification' },
  test: { path: string; x: Float32Array },
  bounds: readonly ([number, number] | null)[],
): string[] {
  const names = train.columns.names?.filter((_, i) => i !== train.columns.target);
  return [
    ...(train.table.warnings ?? []),
    ...dataWarnings(train.data, names).map((w) => `${train.path}: ${w}`),
    ...(train.task === 'regression' ? targetWarnings(train.data) : []).map((w) => `${train.path}: ${w}`),
    ...outOfRangeWarnings(test.x, bounds, names).map((w) => `${test.path}: ${w}`),
  ];
}
