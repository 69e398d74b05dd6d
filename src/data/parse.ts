/**
 * Parsing numeric tables: CSV (comma, semicolon or tab, RFC 4180 quotes) or whitespace-separated,
 * an optional header, the target column selectable (the last by default).
 *
 * Every cell must be a finite float32 number in plain decimal notation; anything else (a missing
 * value, a word, 1e39) is E_PARSE naming the file, line, data row and column, and so is a row whose
 * width differs from the header's or the first row's, and a column whose variation float32 would
 * round away (./precision.ts). Plain text is read by the scanner
 * (`./scan.ts`), quoted CSV by csv-parse (`./csv.ts`); both accept the same cells.
 */
import { BdlError } from '../errors.js';
import { bool, custom, enumOf, int, nearest, schema, text, union } from '../options/schema.js';
import { isNumberCell } from './cells.js';
import { readRecords, recordsToRows } from './csv.js';
import { type Dataset } from './dataset.js';
import { layoutWarnings } from './layout.js';
import { type Float32Rounding, precisionError } from './precision.js';
import { nextContentLine, scanRows, splitLine, TAB, WHITESPACE } from './scan.js';

export interface ParseOptions {
  /** Target column: an index (negative counts from the end; default -1, the last), or a header name. */
  target?: number | string;
  /**
   * true: the first row is a header; false: it is data; 'auto' (default): a header when none of its
   * cells is a number, quoted or not (a first row holding numbers and a missing value is data, and
   * its missing value an error).
   */
  header?: boolean | 'auto';
  /** Shown in error messages (a file name). */
  source?: string;
  /**
   * parseDataset: called with each warning about what legal text may still mean wrongly (a thousands
   * separator read as a delimiter, a row index read as a column: ./layout.ts); default: console.warn,
   * so that it is said somewhere.
   */
  onWarning?: (message: string) => void;
}

/** ParseOptions as a schema: parseDataset refuses a misspelt name ({ targt: 0 } would otherwise read the last column as the target). */
export const PARSE_OPTIONS = schema('parseDataset', {
  target: union(int({ help: '' }), text({ help: '' }), { default: -1, help: 'target column: an index (negative from the end) or a header name' }),
  header: union(bool({ help: '' }), enumOf(['auto'], { help: '' }), { default: 'auto', help: "whether the first row is a header ('auto': when none of its cells is a number)" }),
  source: text({ default: 'input', help: 'shown in error messages (a file name)' }),
  onWarning: custom<(message: string) => void>({ expected: 'a function', valid: (v) => typeof v === 'function', defaultText: 'console.warn', help: 'called with each warning about what the text may mean wrongly (a thousands separator read as a delimiter, a row index read as a column)' }),
});

export interface Table {
  rows: number;
  cols: number;
  /** rows × cols, row-major, float32: the precision the networks compute in (every value was checked to fit). */
  data: Float32Array;
  header?: string[];
  /** What legal text can still mean wrongly (a thousands separator read as a delimiter, a row index read as a column), said rather than refused. */
  warnings?: string[];
}

/** Parses the text of a numeric table into a row-major Float32Array. */
export function parseTable(text: string, opts: ParseOptions = {}): Table {
  return tableOf(text, opts, false);
}

/**
 * The same table read by csv-parse even when the text has no quotes (delimited text only): what
 * the property tests hold the scanner to. Not part of the package's entry point.
 */
export function parseTableWithCsvParse(text: string, opts: ParseOptions = {}): Table {
  return tableOf(text, opts, true);
}

function tableOf(text: string, opts: ParseOptions, general: boolean): Table {
  const source = opts.source ?? 'input';
  if (typeof text !== 'string') throw new BdlError('E_ARG', `text: expected the table as a string, found ${typeof text}. Read the file as UTF-8 text first.`, 'text');
  const header = opts.header ?? 'auto';
  if (header !== true && header !== false && header !== 'auto') {
    throw new BdlError('E_ARG', `header: expected true, false or 'auto', found ${JSON.stringify(header)}.`, 'header');
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  checkText(text, source);
  // A carriage return alone ends a line too (classic Mac OS, Excel for Mac's "CSV (Macintosh)"): read
  // as nothing, a whitespace table would be one long row, and a CSV's cells would hold line breaks.
  if (/\r(?!\n)/.test(text)) text = text.replace(/\r(?!\n)/g, '\n');
  let first = nextContentLine(text, 0, 1);
  if (!first) throw new BdlError('E_EMPTY', `${source}: expected rows of numbers, found no data. Check the file.`, source);
  const delimiter = delimiterOf(text.slice(first.content, recordEnd(text, first)));
  // A line of blanks holding a tab is a row of empty cells in a tab table (csv-parse reads it so).
  if (delimiter === TAB) first = nextContentLine(text, 0, 1, TAB)!;
  const t = delimiter !== WHITESPACE && (general || text.includes('"'))
    ? quotedTable(text, String.fromCharCode(delimiter), header, source)
    : plainTable(text, first, delimiter, header, source);
  const layout = layoutWarnings(t, source, header, first.number);
  return layout.length ? { ...t, warnings: [...(t.warnings ?? []), ...layout] } : t;
}

function plainTable(text: string, first: NonNullable<ReturnType<typeof nextContentLine>>, delimiter: number, mode: boolean | 'auto', source: string): Table {
  // A whitespace file's names may be quoted ("x1" "y"); their quotes go, and the header test sees
  // what they hold, so that `"1" "2"` is a row of numbers here as `"1","2"` is in a CSV.
  const cells = splitLine(text, first, delimiter).map((c) => (delimiter === WHITESPACE ? c.replace(/^"(.*)"$/, '$1') : c));
  const hasHeader = isHeader(cells, mode);
  const dataLine = hasHeader ? (first.end >= text.length ? undefined : nextContentLine(text, first.end + 1, first.number + 1, delimiter)) : first;
  if (!dataLine) throw new BdlError('E_EMPTY', `${source}: expected data rows after the header, found none.`, source);
  const header = hasHeader ? cells : undefined;
  const cols = header ? header.length : splitLine(text, dataLine, delimiter).length;
  const { data, rows, rounding } = scanRows(text, dataLine, { source, delimiter, cols, header, widthLine: first.number, widthFromHeader: hasHeader });
  checkRounding(rounding, source, header);
  const split = delimiter === 44 && !header ? thousandsSplit(text, dataLine, cols, source) : undefined;
  return { rows, cols, data, header, ...(split && { warnings: [split] }) };
}

/** Data lines the thousands-separator check reads (the start of the file tells). */
const THOUSANDS_LINES = 1000;

/**
 * A headerless comma table where, in every row read, a column of 1–3 digit integers is followed by one
 * of exactly three digits, at least one of them zero-padded ("5,076"): a number written with a
 * thousands separator, which the comma splits into two columns, shifting every column after it.
 * Rows without the separator (values below 1,000) would have one cell fewer and be refused as ragged,
 * so only a separator in every row gets here. The zero-padded group is the tell: a measurement is not
 * written "076" (a 3-digit integer column such as UCI boston's TAX, after its 1–24 RAD, is not flagged);
 * with 30 rows a true split shows one with probability 1 − 0.9³⁰ ≈ 96 %. With a header the width
 * differs from the names and the row is refused already.
 */
function thousandsSplit(text: string, first: NonNullable<ReturnType<typeof nextContentLine>>, cols: number, source: string): string | undefined {
  const lines: { number: number; cells: string[] }[] = [];
  for (let at: ReturnType<typeof nextContentLine> = first; at && lines.length < THOUSANDS_LINES; at = at.end >= text.length ? undefined : nextContentLine(text, at.end + 1, at.number + 1)) {
    lines.push({ number: at.number, cells: splitLine(text, at, 44) });
  }
  for (let j = 1; j < cols; j++) {
    if (!lines.every((l) => /^[+-]?\d{1,3}$/.test(l.cells[j - 1]) && /^\d{3}$/.test(l.cells[j]))) continue;
    const padded = lines.find((l) => l.cells[j].startsWith('0'));
    if (!padded) continue;
    const shown = `${padded.cells[j - 1]},${padded.cells[j]}`;
    return `${source}: columns ${j} and ${j + 1} read like one number with a thousands separator in every row (line ${padded.number}: ${shown}, read as ${padded.cells[j - 1]} and ${Number(padded.cells[j])}): the comma splits it in two and shifts every column after it. Write numbers without thousands separators (${shown.replace(',', '')}).`;
  }
  return undefined;
}

function quotedTable(text: string, delimiter: string, mode: boolean | 'auto', source: string): Table {
  const records = readRecords(text, delimiter, source);
  if (records.length === 0) throw new BdlError('E_EMPTY', `${source}: expected rows of numbers, found no data. Check the file.`, source);
  const hasHeader = isHeader(records[0].cells, mode);
  // Names trimmed inside their quotes too, as cells are (`" y "` is the column y: --target y, and a test file's y, name it).
  const header = hasHeader ? records[0].cells.map((c) => c.trim()) : undefined;
  const body = hasHeader ? records.slice(1) : records;
  if (body.length === 0) throw new BdlError('E_EMPTY', `${source}: expected data rows after the header, found none.`, source);
  const cols = (header ?? body[0].cells).length;
  const { data, rounding } = recordsToRows(body, { source, cols, header, widthLine: records[0].line, widthFromHeader: hasHeader, delimiter });
  checkRounding(rounding, source, header);
  return { rows: body.length, cols, data, header };
}

/** Refuses a column that float32 would reduce to rounding noise (./precision.ts), naming it. */
function checkRounding(rounding: Float32Rounding, source: string, header: string[] | undefined): void {
  const lossy = rounding.lossyColumn();
  if (!lossy) return;
  const name = header?.[lossy.col];
  throw precisionError('E_PARSE', `${source} column ${lossy.col + 1}${name ? ` (${JSON.stringify(name)})` : ''}`, source, lossy);
}

/**
 * Refuses text holding a NUL character: no table of numbers has one, while a binary file (a
 * spreadsheet, a compressed or model file) and UTF-16 text read as UTF-8 do, and would otherwise
 * meet the user as a cell of garbled characters.
 */
function checkText(text: string, source: string): void {
  const nul = text.indexOf('\0');
  if (nul < 0) return;
  let line = 1;
  for (let p = text.indexOf('\n'); p !== -1 && p < nul; p = text.indexOf('\n', p + 1)) line++;
  throw new BdlError('E_PARSE', `${source} line ${line}: expected text (CSV or whitespace-separated numbers), found a NUL character: the file is binary (a spreadsheet, a compressed or saved model file) or UTF-16 text. Export or save it as UTF-8 CSV first.`, source);
}

/** Where the record starting on `line` ends: past the line's end while its quotes are unbalanced (a quoted name may span lines). */
function recordEnd(text: string, line: NonNullable<ReturnType<typeof nextContentLine>>): number {
  let quotes = 0;
  let start = line.content;
  let end = line.end;
  for (;;) {
    for (let p = text.indexOf('"', start); p !== -1 && p < end; p = text.indexOf('"', p + 1)) quotes++;
    if (quotes % 2 === 0 || end >= text.length) return end;
    start = end;
    const next = text.indexOf('\n', end + 1);
    end = next === -1 ? text.length : next;
  }
}

/**
 * A comma when the first record has one outside quotes, else a semicolon, else a tab between two of
 * its values, else whitespace. A tab there makes each tab one cell boundary: read as a run of blanks,
 * an empty cell in every row (two tabs, or a tab ending each line) would vanish and shift the columns
 * after it without a word. A tab only before or after the row's values (indenting, trailing) leaves a
 * whitespace-separated file read as one.
 */
function delimiterOf(line: string): number {
  // A quoted name stays a value (its quotes), so that a tab between two names counts.
  const bare = line.replace(/"(?:[^"]|"")*"/g, '""');
  return bare.includes(',') ? 44 : bare.includes(';') ? 59 : bare.trim().includes('\t') ? TAB : WHITESPACE;
}

function isHeader(cells: string[], mode: boolean | 'auto'): boolean {
  return mode === 'auto' ? !cells.some((c) => isNumberCell(c.trim())) : mode;
}

/** Parses a table and splits it into inputs and one target column. */
export function parseDataset(text: string, opts: ParseOptions = {}): Dataset {
  opts = PARSE_OPTIONS.check(opts);
  if (opts.target !== undefined) checkTargetIndex(opts.target, 'parseDataset: target');
  const t = parseTable(text, opts);
  const ds = tableToDataset(t, opts.target ?? -1, opts.source ?? 'input');
  // Said once the whole table is read (an error in it would make the warning moot).
  for (const w of t.warnings ?? []) (opts.onWarning ?? ((m: string) => console.warn(`bdl-wasm: ${m}`)))(w);
  return ds;
}

/** Splits a parsed table into inputs and the target column (index, negative from the end, or header name). */
export function tableToDataset(t: Table, target: number | string, source: string): Dataset {
  if (t.cols < 2) throw new BdlError('E_SHAPE', `${source}: expected at least 2 columns (inputs and a target), found ${t.cols}.`, source);
  const tc = resolveColumn(target, t, source);
  const inputs = t.cols - 1;
  const x = new Float32Array(t.rows * inputs);
  const y = new Float32Array(t.rows);
  const d = t.data;
  // Two block copies per row (the columns before and after the target): a memcpy, not a branch per cell.
  for (let r = 0; r < t.rows; r++) {
    const row = r * t.cols;
    x.set(d.subarray(row, row + tc), r * inputs);
    x.set(d.subarray(row + tc + 1, row + t.cols), r * inputs + tc);
    y[r] = d[row + tc];
  }
  return { x, y, n: t.rows, inputs, targets: 1 };
}

/**
 * Refuses the index -0: a negative index counts from the end, so -0 names no column (read as 0, it
 * took the first column in silence, where `--target=-0` meant one from the end).
 */
function checkTargetIndex(target: number | string, label: string): void {
  if (Object.is(target, -0)) throw new BdlError('E_ARG', `${label}: expected a column index (0 is the first, -1 the last) or a header name, found -0, which names no column: a negative index counts from the end. Give 0 for the first column, -1 for the last.`, 'target');
}

/** The index of the target column (`label`: how messages name the option, e.g. '--target' on the command line). */
export function resolveColumn(target: number | string, t: Table, source: string, label = 'target'): number {
  checkTargetIndex(target, label);
  if (typeof target === 'string') {
    const i = t.header?.indexOf(target) ?? -1;
    if (i < 0) {
      const near = t.header && nearest(target, t.header);
      const hint = near ? `Did you mean ${JSON.stringify(near)}?` : t.header ? 'Name one of its columns, or give the column\'s index.' : 'Give the column\'s index (0 is the first, -1 the last).';
      throw new BdlError('E_ARG', `${label}: expected a column name of ${source} (${t.header ? t.header.join(', ') : 'it has no header'}), found ${JSON.stringify(target)}. ${hint}`, 'target');
    }
    if (t.header!.indexOf(target, i + 1) >= 0) {
      throw new BdlError('E_ARG', `${label}: expected a column name that ${source} uses once, found ${JSON.stringify(target)} on columns ${i + 1} and ${t.header!.indexOf(target, i + 1) + 1}. Give the column's index instead.`, 'target');
    }
    return i;
  }
  const i = typeof target === 'number' && target < 0 ? t.cols + target : target;
  if (typeof i !== 'number' || !Number.isInteger(i) || i < 0 || i >= t.cols) {
    throw new BdlError('E_ARG', `${label}: expected a column index in ${-t.cols}..${t.cols - 1}, found ${String(target)}. Columns count from 0; -1 is the last.`, 'target');
  }
  return i;
}
