/**
 * What a cell of a numeric table may hold, and the one error every reader raises for a cell that
 * does not hold it. Both readers (the fast scanner and csv-parse) go through here, so they accept
 * exactly the same cells and word their errors identically.
 */
import { BdlError } from '../errors.js';

/**
 * Plain decimal notation only. `Number()` alone would also take hex (`0x1f`), binary, octal,
 * `Infinity` and an empty string (as 0): none of these is a measurement in a data file.
 */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Spellings of a missing value, named as such in the error so the user knows what to do. */
const MISSING = new Set(['', 'na', 'n/a', 'nan', 'null', 'none', '?', '-', '.', 'missing']);

/** The value of an already-trimmed cell, or NaN when it is not plain decimal notation. */
export function cellNumber(cell: string): number {
  return DECIMAL.test(cell) ? Number(cell) : NaN;
}

/** Whether an already-trimmed cell is a number in decimal notation (used to tell a header from data). */
export function isNumberCell(cell: string): boolean {
  return DECIMAL.test(cell);
}

/** Whether a value survives conversion to float32, the precision the networks compute in. */
export function fitsFloat32(v: number): boolean {
  return Number.isFinite(Math.fround(v));
}

/** Where a cell sits, for messages: the file, its line (1-based), the data row (1-based) and the column (0-based). */
export interface CellPlace {
  source: string;
  line: number;
  row: number;
  col: number;
  header?: readonly string[];
  /** The table's delimiter character; ' ' for runs of blanks (whitespace-separated text). */
  delimiter: string;
}

/**
 * What a tab-separated table's reading means for a cell, said where it matters: a tab is both a
 * delimiter and a blank, and whitespace-separated text uses tabs too, to align its columns.
 */
const TAB_EMPTY = 'The file is read as tab-separated (its first row has a tab between two values), where each tab ends a cell: two tabs in a row, or a tab at the start or end of a line, leave an empty cell. If the tabs only align the columns, replace them by spaces (any run of spaces separates two values).';
const TAB_BLANKS = 'The file is read as tab-separated (its first row has a tab between two values), where only a tab separates values: separate every value by one tab, or every value by spaces.';
/** "1,5;2,5" split at its commas: a semicolon table with decimal commas whose first row has no header. */
const SEMICOLON_DECIMALS = 'The file is read as comma-separated (its first row has a comma outside quotes). If semicolons separate its values and the commas are decimal commas, write the numbers with a point (1.5;2.5, not 1,5;2,5).';
/** Whitespace-separated text has no quoting (a quote is part of its cell). */
const WS_QUOTES = 'A whitespace-separated file does not quote its values: remove the quotes (or save the file as CSV, where a quoted number is read as one).';

/** The E_PARSE error for a cell that is not a finite float32 number: names file, line, row, column and what was found. */
export function cellError(at: CellPlace, cell: string): BdlError {
  const shown = JSON.stringify(cell.length > 40 ? cell.slice(0, 40) + '…' : cell);
  let found: string;
  let hint: string;
  if (MISSING.has(cell.toLowerCase())) {
    found = `${shown}, a missing value`;
    hint = `Remove the row or impute the value before training.${cell === '' && at.delimiter === '\t' ? ` ${TAB_EMPTY}` : ''}`;
  } else if (isNumberCell(cell)) {
    found = `${cell}, beyond the float32 range (±3.4e38) the networks compute in`;
    hint = 'Rescale the column (e.g. divide it by a power of ten) before training.';
  } else {
    found = shown;
    const plain = notationHint(cell, at.delimiter);
    // A header is detected when none of its cells is a number: a name such as "2020" makes the line data
    // (not said below a header: the line that names the columns is the one above).
    hint = at.row === 1 && at.header === undefined ? `${plain} If this line names the columns, give every column a name that is not a number (or pass header: true to parseDataset).` : plain;
  }
  return new BdlError('E_PARSE', `${placeOf(at)}: expected a finite number, found ${found}. ${hint}`, at.source);
}

/** How to write a cell that is not a number so that it reads as one, by what it looks like and the file's delimiter. */
function notationHint(cell: string, delimiter: string): string {
  if (/^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$/.test(cell)) return thousandsHint(cell);
  if (/^[+-]?\d+,\d+$/.test(cell)) return `Write numbers in plain decimal notation with a point (${cell.replace(',', '.')}, not ${cell}).`;
  if (delimiter === '\t' && /\S\s+\S/.test(cell)) return TAB_BLANKS;
  if (delimiter === ',' && /^[+-]?\d+;\d/.test(cell)) return SEMICOLON_DECIMALS;
  if (delimiter === ' ' && /^".*"$/.test(cell) && isNumberCell(cell.slice(1, -1).trim())) return WS_QUOTES;
  return 'Write numbers in plain decimal notation.';
}

/**
 * A cell such as "5,976" or "1,234,567.5" (a quoted number, or one in a semicolon table): commas
 * between groups of three digits are thousands separators, unless a single one is a decimal comma —
 * which one, only the writer knows, so the hint names both readings.
 */
function thousandsHint(cell: string): string {
  const grouped = cell.replace(/,/g, '');
  const single = (cell.match(/,/g) ?? []).length === 1 && !cell.includes('.');
  return `Write numbers without thousands separators (${grouped}, not ${cell})${single ? `, or with a point if the comma is a decimal comma (${cell.replace(',', '.')})` : ''}.`;
}

/** The E_PARSE error for a row whose number of cells differs from the header's or the first data row's. */
export function widthError(at: Omit<CellPlace, 'col'>, found: number, cols: number, firstLine: number, fromHeader: boolean): BdlError {
  const what = fromHeader ? `the header on line ${firstLine} names ${cols} columns` : `the first data row (line ${firstLine}) has ${cols} columns`;
  // A whitespace-separated file has no quoting: a blank inside a name always splits it.
  const hint = fromHeader
    ? `Make the header name one column per value (${at.delimiter === ' ' ? 'in a whitespace-separated file a name cannot hold a blank: join its words with _, or save the file as CSV' : 'a name containing the separator must be quoted'}).`
    : 'Fix the ragged row: every row needs the same number of values.';
  return new BdlError('E_PARSE', `${at.source} line ${at.line} (data row ${at.row}): expected ${cols} values because ${what}, found ${found}. ${hint}`, at.source);
}

function placeOf(at: CellPlace): string {
  const name = at.header?.[at.col];
  return `${at.source} line ${at.line}, column ${at.col + 1}${name !== undefined && name !== '' ? ` (${JSON.stringify(name)})` : ''}`;
}
