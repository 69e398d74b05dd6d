/** Reading the command line's data files: a training table with its target column, a test table with or without it. */
import { constants } from 'node:buffer';
import { gunzipSync } from 'node:zlib';
import { BdlError } from '../errors.js';
import { MAX_TEXT_BYTES, readUserFile } from './read.js';
import type { Dataset } from '../data/dataset.js';
import { parseTable, tableToDataset, type Table } from '../data/parse.js';
import { dataWarnings, labelTargetWarnings, outOfRangeWarnings, targetWarnings } from '../data/warnings.js';
import { classesOf } from '../methods/common.js';
import { testRows, trainColumns, type TrainColumns } from './columns.js';

/** The table in the file `flag` names. */
export async function readTable(path: string, flag: string): Promise<Table> {
  return parseTable(await readText(path, flag), { source: path });
}

/**
 * The longest text a JavaScript string holds (V8: 2^29 − 24 characters, ~512 MiB): a file is read
 * whole into one, so a longer one cannot be read. Decompression stops at twice as many bytes (UTF-16
 * text), so that a small .gz cannot fill the memory first.
 */
const MAX_TEXT = constants.MAX_STRING_LENGTH;

/**
 * A data file's text: UTF-8, or UTF-16 with its byte-order mark (Excel's "Unicode Text"), and
 * decompressed first when gzipped (.csv.gz). Standard input ('-') is not read: the commands read
 * their files before any work, and may read one twice.
 */
export async function readText(path: string, flag: string): Promise<string> {
  if (path === '-') throw new BdlError('E_ARG', `--${flag}: expected a file path, found "-": standard input is not read. Save the data to a file and pass its path.`, flag);
  // Text stops at its first bytes when they hold a NUL (a device such as /dev/zero, a binary file):
  // the parser refuses it there, naming the line, without reading the rest.
  const read = await readUserFile(path, MAX_TEXT_BYTES, path, (head) => !isGzip(head) && utf16Of(head) === undefined && head.includes(0));
  if (read === undefined) throw tooLarge(path, flag, `more than ${MAX_TEXT_BYTES} bytes`);
  let bytes = read;
  const gzipped = isGzip(bytes);
  if (gzipped) {
    try {
      bytes = gunzipSync(bytes, { maxOutputLength: 2 * MAX_TEXT });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(path, flag, `more than ${2 * MAX_TEXT} bytes once decompressed`);
      throw new BdlError('E_PARSE', `${path}: expected a whole gzip file (it starts like one), found: ${(e as Error).message}. Check the file, or decompress it yourself.`, path);
    }
  }
  const utf16 = utf16Of(bytes);
  try {
    return utf16 ? new TextDecoder(utf16).decode(bytes) : bytes.toString('utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_STRING_TOO_LONG' || e instanceof RangeError) throw tooLarge(path, flag, `${bytes.length} bytes${gzipped ? ' once decompressed' : ''}`);
    throw e;
  }
}

function isGzip(bytes: Uint8Array): boolean {
  return bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** UTF-16 announced by its byte-order mark (Excel's "Unicode Text"). */
function utf16Of(bytes: Uint8Array): 'utf-16le' | 'utf-16be' | undefined {
  return bytes[0] === 0xff && bytes[1] === 0xfe ? 'utf-16le' : bytes[0] === 0xfe && bytes[1] === 0xff ? 'utf-16be' : undefined;
}

function tooLarge(path: string, flag: string, found: string): BdlError {
  return new BdlError('E_MEMORY', `--${flag}: expected a file of at most ${MAX_TEXT} characters (the longest text JavaScript holds, ~512 MiB), found ${path} with ${found}. Split it into smaller files, or keep a sample of its rows.`, flag);
}

export async function readTrainTable(path: string, target: string): Promise<{ table: Table; data: Dataset; columns: TrainColumns }> {
  const table = await readTable(path, 'train');
  const columns = trainColumns(table, target, path);
  return { table, data: tableToDataset(table, columns.target, path), columns };
}

/**
 * The test rows, read against the training columns (columns.ts `testRows`: by name when both files
 * have headers), with the file's reading warnings (a row index, a thousands separator, names read by
 * position), which concern the rows predicted as much as the training file's concern the fit.
 */
export async function readTestTable(path: string, columns: TrainColumns, flag = 'test'): Promise<{ x: Float32Array; y?: Float32Array; warnings: readonly string[] }> {
  const table = await readTable(path, flag);
  const rows = testRows(table, columns, path, flag);
  return { ...rows, warnings: [...(table.warnings ?? []), ...(rows.warnings ?? [])] };
}

/** Classification labels of a file (integers in 0…classes − 1, or below the limit when not given), named by file and row; returns the number of classes. */
export function labelsOf(d: Dataset, file: string, classes?: number): number {
  try {
    return classesOf(d, classes);
  } catch (e) {
    throw e instanceof BdlError ? new BdlError(e.code, `${file}: ${e.message}`, e.argument) : e;
  }
}

/**
 * What a command says about its files before the run (the numbers that come out would look normal):
 * the training and test tables' reading warnings, its input columns and (regression) target — class labels
 * fitted as a regression when the task was not given (`taskGiven: false`) — and test rows far outside the
 * training inputs' `bounds` (data/warnings.ts inputBounds). Each names its file.
 */
export function fileWarnings(
  train: { path: string; table: Table; data: Dataset; columns: TrainColumns; task: 'regression' | 'classification'; taskGiven?: boolean },
  test: { path: string; x: Float32Array; warnings?: readonly string[] },
  bounds: readonly ([number, number] | null)[],
): string[] {
  const names = train.columns.names?.filter((_, i) => i !== train.columns.target);
  // Once each: a test file that is the training file would repeat its reading warnings.
  return [...new Set([
    ...(train.table.warnings ?? []),
    ...(test.warnings ?? []),
    ...dataWarnings(train.data, names).map((w) => `${train.path}: ${w}`),
    ...(train.task === 'regression' ? targetWarnings(train.data) : []).map((w) => `${train.path}: ${w}`),
    ...(train.taskGiven === false ? labelTargetWarnings(train.data) : []).map((w) => `${train.path}: ${w}`),
    ...outOfRangeWarnings(test.x, bounds, names).map((w) => `${test.path}: ${w}`),
  ])];
}
