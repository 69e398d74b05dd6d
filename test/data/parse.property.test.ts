/**
 * Property tests of the table reader: any finite float32 matrix written as text in any of the
 * accepted dialects reads back bit for bit; the scanner agrees with csv-parse on every unquoted
 * table (values, or the same error word for word); any text at all gives a Table or a BdlError.
 * Budget: FUZZ_RUNS (test/helpers/fuzz.ts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDataset, parseTable, parseTableWithCsvParse, type Table } from '../../src/data/parse.js';
import { BdlError } from '../../src/errors.js';
import { fuzz } from '../helpers/fuzz.js';

type Dialect = { delimiter: ',' | ';' | '\t' | 'ws'; crlf: boolean; quoteCells: boolean; trailingNewline: boolean };

const dialect: fc.Arbitrary<Dialect> = fc.record({
  delimiter: fc.constantFrom(',' as const, ';' as const, '\t' as const, 'ws' as const),
  crlf: fc.boolean(),
  quoteCells: fc.boolean(),
  trailingNewline: fc.boolean(),
});

const matrix = fc.integer({ min: 2, max: 6 }).chain((cols) =>
  fc.array(fc.array(fc.float({ noNaN: true, noDefaultInfinity: true }), { minLength: cols, maxLength: cols }), { minLength: 1, maxLength: 12 }),
);

/** Column names that are not numbers; in CSV they may hold the delimiter, spaces and quotes. */
const csvName = fc.stringMatching(/^[A-Za-z_](?:[A-Za-z0-9_ ,;"]{0,6}[A-Za-z0-9_])?$/);
const wsName = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,6}$/);

function formatNumber(v: number, style: number): string {
  const sign = Object.is(v, -0) ? '-' : '';
  return sign + (style === 0 ? String(v) : v.toExponential());
}

function quote(s: string): string {
  return `"${s.replace(/"/g, '""')}"`;
}

/** Lines of blanks only, read as blank lines: every kind String.prototype.trim removes, no tab (a cell boundary in a tab table). */
const BLANK_LINES = ['', '   ', '\v', '\f', '\u2028', '\u2029', ' \u00a0 ', '\f\u2028\v'];

/**
 * Writes the matrix (and header) in a dialect, with padding, blank and comment lines from `noise`.
 * Whitespace text separates and pads with tabs too, except on its first row (a tab there makes the
 * text tab-separated); tab-separated text pads with spaces.
 */
function write(m: number[][], header: string[] | undefined, d: Dialect, noise: number[]): string {
  const eol = d.crlf ? '\r\n' : '\n';
  let k = 0;
  let rows = 0;
  const pick = () => noise[k++ % noise.length];
  const blanks = () => (d.delimiter === 'ws' && rows > 0 ? [' ', '\t', '  ', ' \t '] : [' ', '  '])[pick() % (rows > 0 ? 4 : 2)];
  const sep = () => (d.delimiter === 'ws' ? blanks() : d.delimiter);
  const pad = (s: string) => (pick() % 3 === 0 ? ` ${s}${d.delimiter === 'ws' ? blanks() : ' '}` : s);
  const line = (cells: string[]) => {
    let out = cells[0];
    for (let i = 1; i < cells.length; i++) out += sep() + cells[i];
    rows++;
    return out;
  };
  const lines: string[] = [];
  if (pick() % 4 === 0) lines.push('# written by the property test');
  if (header) lines.push(line(header.map((h) => (d.delimiter !== 'ws' && (/[,;"\t]/.test(h) || d.quoteCells) ? quote(h) : h))));
  for (const row of m) {
    if (pick() % 5 === 0) lines.push(BLANK_LINES[pick() % BLANK_LINES.length]);
    const cells = row.map((v) => formatNumber(v, pick() % 2));
    lines.push(line(cells.map((c) => (d.delimiter !== 'ws' && d.quoteCells && pick() % 2 ? quote(c) : pad(c)))));
  }
  return lines.join(eol) + (d.trailingNewline ? eol : '');
}

function expectSameBits(t: Table, m: number[][]) {
  expect(t.rows).toBe(m.length);
  expect(t.cols).toBe(m[0].length);
  const flat = m.flat();
  for (let i = 0; i < flat.length; i++) {
    if (!Object.is(t.data[i], flat[i])) throw new Error(`cell ${i}: wrote ${flat[i]}, read ${t.data[i]}`);
  }
}

function outcome(f: () => Table): unknown {
  try {
    const t = f();
    return { rows: t.rows, cols: t.cols, header: t.header, data: Array.from(t.data, (v) => (Object.is(v, -0) ? '-0' : v)) };
  } catch (e) {
    if (!(e instanceof BdlError)) throw e;
    return { code: e.code, message: e.message };
  }
}

describe('parseTable (property)', () => {
  it('reads back any finite float32 matrix bit for bit, with or without header, quotes and padding', () => {
    fc.assert(
      fc.property(matrix, dialect, fc.boolean(), fc.array(fc.nat(1000), { minLength: 1, maxLength: 16 }), fc.array(csvName, { minLength: 6, maxLength: 6 }), fc.array(wsName, { minLength: 6, maxLength: 6 }),
        (m, d, withHeader, noise, csvNames, wsNames) => {
          const cols = m[0].length;
          const header = withHeader ? (d.delimiter === 'ws' ? wsNames : csvNames).slice(0, cols) : undefined;
          const text = write(m, header, d, noise);
          const t = parseTable(text, { source: 'prop.csv' });
          expectSameBits(t, m);
          expect(t.header).toEqual(header);
        }),
      fuzz(),
    );
  });

  it('the scanner agrees with csv-parse on unquoted tables: the same values or the same error', () => {
    const cell = fc.constantFrom('0', '1', '-2', '3.5', ' 4 ', '\t5', '+6', '.5', '7.', '-0', '1e3', '2E-2', '1e39', '-1e40', 'NA', '', 'nan', 'x', '0x1f', 'Infinity', '1 2', '--1', '#', '9999999999999999', '1e-50');
    const row = fc.array(cell, { minLength: 1, maxLength: 5 });
    const lineOf = (delimiter: string) => fc.oneof(
      { weight: 8, arbitrary: row.map((cells) => cells.join(delimiter)) },
      // Blank lines of every blank String.prototype.trim removes (\v, \f, U+2028, U+2029, NBSP): blank to both readers.
      { weight: 1, arbitrary: fc.constantFrom('', '  ', '# comment', '\t# c', '  # c', ' \t ', '\v', '\f', '\u2028', ' \u2029 ', '\v\t', '\u00a0\f', '\u2028# c', 'a' + delimiter + 'b' + delimiter + 'c') },
    );
    const text = fc.constantFrom(',', ';', '\t').chain((delimiter) =>
      fc.tuple(fc.constant(delimiter), fc.array(lineOf(delimiter), { minLength: 1, maxLength: 8 }), fc.constantFrom('\n', '\r\n'), fc.boolean()),
    );
    fc.assert(
      fc.property(text, fc.constantFrom(true, false, 'auto' as const), ([delimiter, lines, eol, trailing], header) => {
        // The first line must carry the delimiter for both readers to see a delimited table.
        const body = ['1' + delimiter + '2', ...lines].join(eol) + (trailing ? eol : '');
        const fast = outcome(() => parseTable(body, { source: 'agree.csv', header }));
        const general = outcome(() => parseTableWithCsvParse(body, { source: 'agree.csv', header }));
        expect(fast).toEqual(general);
      }),
      fuzz(),
    );
  });

  it('any text gives a Table of finite float32 values or a BdlError, never another error', () => {
    const csvish = fc.string({ unit: fc.constantFrom(...'0123456789.,;"\n\r \t#eE+-NAx'.split('')), maxLength: 80 });
    const anyText = fc.oneof(csvish, fc.string({ unit: 'binary', maxLength: 40 }));
    fc.assert(
      fc.property(anyText, fc.constantFrom(true, false, 'auto' as const), fc.oneof(fc.integer({ min: -4, max: 4 }), fc.string({ maxLength: 3 })), (text, header, target) => {
        try {
          const t = parseTable(text, { header });
          expect(t.rows).toBeGreaterThan(0);
          expect(t.data.length).toBe(t.rows * t.cols);
          for (const v of t.data) expect(Number.isFinite(v)).toBe(true);
          parseDataset(text, { header, target });
        } catch (e) {
          if (!(e instanceof BdlError)) throw e;
        }
      }),
      fuzz(),
    );
  });
});
