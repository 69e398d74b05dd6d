/**
 * Delimited text with quotes, read by csv-parse (RFC 4180 quoting: a quoted name may hold the
 * delimiter, a quote is doubled, a quoted cell may span lines). The browser build of its sync API
 * is the one that bundles for every runtime: the Node build needs Node's `Buffer` at import time.
 * It is slower than the scanner (`./scan.ts`), so only text containing a quote character comes
 * here.
 */
import { parse, type CsvError } from 'csv-parse/browser/esm/sync';
import { BdlError } from '../errors.js';
import { cellError, cellNumber, fitsFloat32, widthError } from './cells.js';
import { Float32Rounding } from './precision.js';

/** One record: its trimmed cells and the line it ends on (1-based). */
export interface CsvRecord {
  cells: string[];
  line: number;
}

/** Every non-blank, non-comment record of `text`; a malformed quote is E_PARSE naming the line. */
export function readRecords(text: string, delimiter: string, source: string): CsvRecord[] {
  let out: { record: string[]; info: { lines: number } }[];
  try {
    out = parse(text, {
      delimiter,
      trim: true,
      relax_column_count: true,
      comment: '#',
      comment_no_infix: true,
      skip_empty_lines: true,
      record_delimiter: ['\r\n', '\n'],
      info: true,
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (e) {
    const err = e as CsvError & { lines?: number };
    const where = typeof err.lines === 'number' ? ` line ${err.lines}` : '';
    throw new BdlError('E_PARSE', `${source}${where}: expected CSV with balanced quotes, found: ${err.message} Check the quoting (a quote inside a quoted cell is written "").`, source);
  }
  return out.map((r) => ({ cells: r.record, line: r.info.lines }));
}

export interface RecordSpec {
  source: string;
  cols: number;
  header?: string[];
  widthLine: number;
  widthFromHeader: boolean;
  /** The delimiter character, for messages. */
  delimiter: string;
}

/** Converts data records into a row-major Float32Array with the scanner's checks, in its order. */
export function recordsToRows(records: CsvRecord[], spec: RecordSpec): { data: Float32Array; rounding: Float32Rounding } {
  const { cols } = spec;
  const data = new Float32Array(records.length * cols);
  const rounding = new Float32Rounding(cols);
  for (let r = 0; r < records.length; r++) {
    const { cells, line } = records[r];
    const upto = Math.min(cells.length, cols);
    for (let c = 0; c < upto; c++) {
      // Spaces inside quotes (`" 1.5"`) are trimmed too: the scanner trims every cell.
      const cell = cells[c].trim();
      const v = cellNumber(cell);
      if (Number.isNaN(v) || !fitsFloat32(v)) throw cellError({ source: spec.source, line, row: r + 1, col: c, header: spec.header, delimiter: spec.delimiter }, cell);
      data[r * cols + c] = rounding.add(c, v);
    }
    if (cells.length !== cols) throw widthError({ source: spec.source, line, row: r + 1, header: spec.header, delimiter: spec.delimiter }, cells.length, cols, spec.widthLine, spec.widthFromHeader);
    rounding.row();
  }
  return { data, rounding };
}
