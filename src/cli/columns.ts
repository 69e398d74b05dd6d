/**
 * The training file's columns, and how a test file's rows are read against them: by header name when
 * both files name their columns (a test file may order them differently, and may omit the target), by
 * position otherwise. `bdl fit --save` keeps them in the posterior's file so that `bdl predict` reads
 * its test file the same way — a target that was not the last column, or columns in another order,
 * would otherwise be fed to the network as inputs.
 */
import { BdlError } from '../errors.js';
import { resolveColumn, type Table } from '../data/parse.js';
import { decodePosterior, encodePosterior } from '../posterior/serialize.js';
import type { PosteriorParts } from '../posterior/parts.js';
import { text, type Field } from '../options/schema.js';

/** The training table's columns: how many, which one is the target, and their names when it has a header. */
export interface TrainColumns {
  readonly cols: number;
  readonly target: number;
  readonly names?: readonly string[];
  /** Per input column, where test values are far out of the training data (data/warnings.ts `inputBounds`; null: not checked). */
  readonly bounds?: readonly ([number, number] | null)[];
}

/** The key of the training columns in a saved posterior's state. */
const COLUMNS_KEY = 'trainingColumns';

/**
 * The `--target` flag: a column index or a header name. A negative index counts from the end, so
 * "-0" names no column (the first, read as 0, or one past the last): refused as it is parsed.
 */
export const TARGET_FIELD: Field<string> = {
  ...text({
    default: '-1',
    help: 'target column: index (negative from the end; write --target=-2) or header name',
    hint: 'A negative index counts from the end, so -0 names no column: write 0 for the first column, -1 for the last.',
  }),
  expected: 'a column index (0 is the first, -1 the last) or a header name',
  valid: (v: unknown): v is string => typeof v === 'string' && v !== '' && !/^-0+$/.test(v),
  fromText: (s) => s,
};

/** `--target`: a column index (negative from the end) or a header name. */
export function targetOf(flag: string): number | string {
  return /^-?\d+$/.test(flag) ? Number(flag) : flag;
}

/** The columns of a training table with `--target` resolved to its index. */
export function trainColumns(table: Table, target: string, source: string): TrainColumns {
  return { cols: table.cols, target: resolveColumn(targetOf(target), table, source, '--target'), ...(table.header && { names: table.header }) };
}

/**
 * The test rows of `table` against the training columns. With both headers: each training input
 * column is found by name (any order), the target too when present; a column the training file does
 * not have, or a missing input, is E_SHAPE naming it. Without: the training table's column count
 * (the target where it was in training) or one fewer (inputs only, in training order); a test header
 * that the training file's lack of names leaves unmatched is said in `warnings`.
 */
export function testRows(table: Table, c: TrainColumns, source: string, flag: string): { x: Float32Array; y?: Float32Array; warnings?: string[] } {
  const rows = table.rows;
  const inputs = c.cols - 1;
  let pick: number[];
  let yCol: number | undefined;
  if (c.names && table.header) {
    // A name used twice would send one column's values to both (the last one's, as a Map keeps it).
    for (const [whose, names] of [['the training file names', c.names], [`${source} names`, table.header]] as const) {
      const twice = repeatedName(names);
      if (!twice) continue;
      const [name, i, j] = twice;
      throw new BdlError('E_SHAPE', `--${flag}: expected column names used once, as ${source}'s columns are matched to the training file's by name; found ${whose} ${JSON.stringify(name)} twice (columns ${i} and ${j}). Give each column its own name, or leave out the test file's header to read its columns by position.`, flag);
    }
    const at = new Map(table.header.map((n, i) => [n, i]));
    const trained = new Set(c.names);
    const unknown = table.header.filter((n) => !trained.has(n));
    if (unknown.length) {
      throw new BdlError('E_SHAPE', `--${flag}: ${source} has column${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => JSON.stringify(n)).join(', ')} that the training file does not (its columns: ${c.names.map((n) => JSON.stringify(n)).join(', ')}). Use the training file's column names, or leave out the test file's header to read its columns by position.`, flag);
    }
    const names = c.names.filter((_, i) => i !== c.target);
    const missing = names.filter((n) => !at.has(n));
    if (missing.length) {
      throw new BdlError('E_SHAPE', `--${flag}: ${source} lacks the input column${missing.length > 1 ? 's' : ''} ${missing.map((n) => JSON.stringify(n)).join(', ')} of the training file (its inputs: ${names.map((n) => JSON.stringify(n)).join(', ')}). Every input the network was trained on must be given.`, flag);
    }
    pick = names.map((n) => at.get(n)!);
    yCol = at.get(c.names[c.target]);
  } else if (table.cols === c.cols) {
    pick = Array.from({ length: c.cols }, (_, i) => i).filter((i) => i !== c.target);
    yCol = c.target;
  } else if (table.cols === inputs) {
    pick = Array.from({ length: inputs }, (_, i) => i);
  } else {
    throw new BdlError('E_SHAPE', `--${flag}: expected ${c.cols} columns (with the target) or ${inputs} (inputs only), as the training file; found ${table.cols}.`, flag);
  }
  // Names the training file lacks cannot be matched: the columns are read by position, which the names may contradict.
  const unmatched = !c.names && table.header
    ? [`${source} names its columns (${table.header.slice(0, 5).map((n) => JSON.stringify(n)).join(', ')}${table.header.length > 5 ? ', …' : ''}) but the training data's columns have no names, so they are read by position, in the training columns' order. Check that they are in that order, or give the training file a header too (and fit again) to match the columns by name.`]
    : undefined;
  const x = new Float32Array(rows * inputs);
  const y = yCol === undefined ? undefined : new Float32Array(rows);
  const d = table.data;
  for (let r = 0; r < rows; r++) {
    const row = r * table.cols;
    for (let j = 0; j < inputs; j++) x[r * inputs + j] = d[row + pick[j]];
    if (y) y[r] = d[row + yCol!];
  }
  return { x, ...(y && { y }), ...(unmatched && { warnings: unmatched }) };
}

/** The first name `names` holds twice, with its two columns (1-based). */
function repeatedName(names: readonly string[]): [string, number, number] | undefined {
  const seen = new Map<string, number>();
  for (let i = 0; i < names.length; i++) {
    const j = seen.get(names[i]);
    if (j !== undefined) return [names[i], j + 1, i + 1];
    seen.set(names[i], i);
  }
  return undefined;
}

/** A posterior's bytes with the training columns in its state (what `bdl fit --save` writes). */
export function withColumns(bytes: Uint8Array, c: TrainColumns): Uint8Array {
  const parts = decodePosterior(bytes);
  return encodePosterior({ ...parts, state: { ...parts.state, [COLUMNS_KEY]: { cols: c.cols, target: c.target, ...(c.names && { names: [...c.names] }), ...(c.bounds && { bounds: c.bounds.map((b) => b && [...b]) }) } } });
}

/**
 * The training columns a saved posterior keeps, if it keeps them (files of `bdl fit --save`; files
 * written otherwise, or before, do not: their test files are read by position, the target last),
 * with their names trimmed as the table reader trims a header's.
 */
export function columnsOf(parts: PosteriorParts): TrainColumns | undefined {
  const c = parts.state?.[COLUMNS_KEY] as { cols?: unknown; target?: unknown; names?: unknown; bounds?: unknown } | undefined;
  if (c === undefined) return undefined;
  const interval = (b: unknown) => b === null || (Array.isArray(b) && b.length === 2 && b.every((v) => typeof v === 'number' && Number.isFinite(v)) && b[0] <= b[1]);
  const ok = Number.isInteger(c.cols) && Number.isInteger(c.target) && (c.target as number) >= 0 && (c.target as number) < (c.cols as number) &&
    (c.names === undefined || (Array.isArray(c.names) && c.names.length === c.cols && c.names.every((n) => typeof n === 'string'))) &&
    (c.bounds === undefined || (Array.isArray(c.bounds) && c.bounds.length === (c.cols as number) - 1 && c.bounds.every(interval)));
  if (!ok) throw new BdlError('E_FORMAT', `posterior bytes: its ${COLUMNS_KEY} are malformed. Save the posterior again with bdl fit --save.`, 'posterior');
  // Names as the reader gives a header now, trimmed inside their quotes too: files saved before it
  // trimmed them keep `" x1 "` as " x1 ", which no test file's header would match any more.
  const columns = c as TrainColumns;
  return columns.names ? { ...columns, names: columns.names.map((n) => n.trim()) } : columns;
}
