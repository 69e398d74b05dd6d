/**
 * The fast reader for plain numeric text: no quote characters, one delimiter (a comma, a semicolon,
 * a tab) or runs of whitespace. It reads numbers straight from the character codes into a Float32Array
 * without making a string per cell, which is what a 60,000 × 785 image table needs (a general CSV
 * parser spends seconds on 47 million strings). Files with quotes go to csv-parse instead
 * (`./csv.ts`); property tests check that the two readers agree on every unquoted table
 * (test/data/parse.property.test.ts). Cell syntax and error wording come from `./cells.ts`.
 */
import { cellError, cellNumber, fitsFloat32, widthError } from './cells.js';
import { Float32Rounding } from './precision.js';

/** Delimiter char code, or WHITESPACE for runs of blanks (UCI .txt files). */
export const WHITESPACE = -1;

/** The tab: a delimiter that is also a blank, so a line of tabs is a row of empty cells, not a blank line. */
export const TAB = 9;

/** The characters String.prototype.trim removes (the same set csv-parse trims). */
export function isSpace(c: number): boolean {
  if (c > 32 && c < 160) return false;
  return c === 32 || (c >= 9 && c <= 13) || c === 160 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/** A line of the text: [start, end) without its '\n'; `content` is the first non-blank position. */
export interface Line {
  start: number;
  end: number;
  content: number;
  /** 1-based line number. */
  number: number;
}

/**
 * The first line at or after `pos` that is neither blank nor a comment ('#' first), or undefined.
 * `delimiter` (TAB) is not blank here: csv-parse reads a line holding one as a record of empty cells.
 */
export function nextContentLine(text: string, pos: number, number: number, delimiter = WHITESPACE): Line | undefined {
  const n = text.length;
  while (pos <= n) {
    let end = text.indexOf('\n', pos);
    if (end === -1) end = n;
    let p = pos;
    for (; p < end; p++) {
      const c = text.charCodeAt(p);
      if (c === delimiter || !isSpace(c)) break;
    }
    if (p < end && text.charCodeAt(p) !== 35) return { start: pos, end, content: p, number };
    pos = end + 1;
    number++;
  }
  return undefined;
}

/** The trimmed cells of one unquoted line. */
export function splitLine(text: string, line: Line, delimiter: number): string[] {
  const body = text.slice(line.content, line.end);
  if (delimiter === WHITESPACE) return body.trim().split(/\s+/);
  return body.split(String.fromCharCode(delimiter)).map((c) => c.trim());
}

export interface ScanSpec {
  source: string;
  delimiter: number;
  /** Values per row (the header's names, or the first data row's cells). */
  cols: number;
  /** Column names for messages. */
  header?: string[];
  /** The line that fixed `cols`, and whether it is the header. */
  widthLine: number;
  widthFromHeader: boolean;
}

/**
 * Reads every data row from `line` on into a row-major Float32Array. Throws E_PARSE naming the
 * file, line, data row and column for a cell that is not a finite float32 number in decimal
 * notation, and for a row with a different number of values. Cells are checked left to right and
 * the row's width after its first `cols` cells, in the same order as the csv-parse path. `rounding`
 * holds what float32 did to each column (./precision.ts).
 */
export function scanRows(text: string, first: Line, spec: ScanSpec): { data: Float32Array; rows: number; rounding: Float32Rounding } {
  const { cols, delimiter } = spec;
  const n = text.length;
  const rounding = new Float32Rounding(cols);
  let data = new Float32Array(rowBound(text, first.start, cols) * cols);
  let rows = 0;
  let at: Line | undefined = first;
  while (at) {
    const row = rows + 1;
    const base = rows * cols;
    let c = 0;
    let p = at.content;
    const end = at.end;
    if (delimiter === WHITESPACE) {
      while (p < end) {
        let q = p;
        while (q < end && !isSpace(text.charCodeAt(q))) q++;
        if (c < cols) data[base + c] = rounding.add(c, cellAt(text, p, q, spec, at, row, c));
        c++;
        p = q;
        while (p < end && isSpace(text.charCodeAt(p))) p++;
      }
    } else {
      p = at.start;
      for (;;) {
        let q = p;
        while (q < end && text.charCodeAt(q) !== delimiter) q++;
        if (c < cols) data[base + c] = rounding.add(c, cellAt(text, p, q, spec, at, row, c));
        c++;
        if (q >= end) break;
        p = q + 1;
      }
    }
    if (c !== cols) throw widthError({ source: spec.source, line: at.number, row, header: spec.header, delimiter: delimiterName(delimiter) }, c, cols, spec.widthLine, spec.widthFromHeader);
    rounding.row();
    rows++;
    at = at.end >= n ? undefined : nextContentLine(text, at.end + 1, at.number + 1, delimiter);
  }
  if (data.length !== rows * cols) data = data.slice(0, rows * cols);
  return { data, rows, rounding };
}

/** The delimiter as messages (cells.ts `CellPlace`) take it: its character, or ' ' for runs of blanks. */
export function delimiterName(delimiter: number): string {
  return delimiter === WHITESPACE ? ' ' : String.fromCharCode(delimiter);
}

/** 10^k for k ≤ 15, each exact in a double. */
const POW10 = Array.from({ length: 16 }, (_, k) => 10 ** k);

/**
 * The value of the cell [a, b). Plain decimals of at most 15 digits and no exponent (integers, and
 * fractions such as a scaled pixel's 0.87451: most cells of image and sensor tables) are read from
 * the digits as m / 10^k, where m < 10^15 and 10^k are exact doubles, so the one IEEE division rounds
 * the exact quotient correctly: the same double Number(cell) gives (Clinger's fast path). Anything
 * else goes through the shared decimal syntax.
 */
function cellAt(text: string, a: number, b: number, spec: ScanSpec, line: Line, row: number, col: number): number {
  while (a < b && isSpace(text.charCodeAt(a))) a++;
  while (b > a && isSpace(text.charCodeAt(b - 1))) b--;
  let i = a;
  const sign = text.charCodeAt(i);
  if (sign === 45 || sign === 43) i++;
  let v = 0;
  let digits = 0;
  let fraction = -1;
  while (i < b) {
    const c = text.charCodeAt(i);
    const d = c - 48;
    if (d >= 0 && d <= 9) {
      v = v * 10 + d;
      digits++;
    } else if (c === 46 && fraction < 0) {
      fraction = i + 1;
    } else {
      break;
    }
    i++;
  }
  if (i === b && digits > 0 && digits <= 15) {
    const x = fraction < 0 ? v : v / POW10[b - fraction];
    return sign === 45 ? -x : x;
  }
  const cell = text.slice(a, b);
  const x = cellNumber(cell);
  if (Number.isNaN(x) || !fitsFloat32(x)) throw cellError({ source: spec.source, line: line.number, row, col, header: spec.header, delimiter: delimiterName(spec.delimiter) }, cell);
  return x;
}

/**
 * At most this many data rows start at `from`: one per remaining line, and none shorter than
 * 2·cols characters (cols non-empty cells, cols − 1 separators, a line end), so a file of blank
 * lines cannot make the reader allocate more than twice its own size.
 */
function rowBound(text: string, from: number, cols: number): number {
  let lines = 1;
  for (let p = text.indexOf('\n', from); p !== -1 && p < text.length - 1; p = text.indexOf('\n', p + 1)) lines++;
  return Math.min(lines, Math.ceil((text.length - from + 1) / (2 * cols)));
}
