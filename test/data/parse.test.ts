import { describe, expect, it, vi } from 'vitest';
import { parseDataset, parseTable, parseTableWithCsvParse, tableToDataset, type Table } from '../../src/data/parse.js';
import { BdlError } from '../../src/errors.js';

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return e instanceof BdlError ? e.code : 'not-a-BdlError';
  }
  return undefined;
}

describe('parseTable / parseDataset', () => {
  it('says how to write a decimal comma (1,5 in a semicolon file) and a header with a numeric name', () => {
    expect(() => parseTable('a;b\n1,5;2\n', { source: 'eu.csv' })).toThrow(/eu\.csv line 2, column 1 \("a"\): expected a finite number, found "1,5"\. Write numbers in plain decimal notation with a point \(1\.5, not 1,5\)\./);
    expect(() => parseTable('year;x\n2020;1\nq;2\n')).toThrow(/found "q"\. Write numbers in plain decimal notation\.$/);
    expect(() => parseTable('1;size\n2;3\n')).toThrow(/give every column a name that is not a number/);
    // Without a header, the first row's decimal commas make the file read as comma-separated.
    expect(() => parseTable('1,5;2,25\n3,5;4,75\n', { source: 'eu.csv' })).toThrow(/^eu\.csv line 1, column 2: expected a finite number, found "5;2"\. The file is read as comma-separated \(its first row has a comma outside quotes\)\. If semicolons separate its values and the commas are decimal commas, write the numbers with a point/);
  });

  it('reads whitespace-separated numbers, target last by default', () => {
    const ds = parseDataset('1 2 3\n4   5\t6\n\n7 8 9\n');
    expect(ds.n).toBe(3);
    expect(ds.inputs).toBe(2);
    expect(Array.from(ds.x)).toEqual([1, 2, 4, 5, 7, 8]);
    expect(Array.from(ds.y)).toEqual([3, 6, 9]);
  });

  it('reads CSV with a header and a named or indexed target', () => {
    const text = 'a,b,c\n1,2,3\n4,5,6\n';
    expect(Array.from(parseDataset(text, { target: 'a' }).y)).toEqual([1, 4]);
    expect(Array.from(parseDataset(text, { target: 1 }).x)).toEqual([1, 3, 4, 6]);
    expect(Array.from(parseDataset(text, { target: -2 }).y)).toEqual([2, 5]);
    expect(parseTable(text).header).toEqual(['a', 'b', 'c']);
  });

  it('treats an all-numeric first row as data unless told otherwise', () => {
    expect(parseTable('1,2\n3,4').rows).toBe(2);
    expect(parseTable('1,2\n3,4', { header: true }).rows).toBe(1);
  });

  it('names the row and column of a non-numeric cell', () => {
    try {
      parseTable('1 2\n3 x\n', { source: 'f.txt' });
      expect.unreachable();
    } catch (e) {
      expect((e as BdlError).code).toBe('E_PARSE');
      expect((e as Error).message).toMatch(/f\.txt line 2, column 2.*"x"/);
    }
  });

  it('says that a whitespace-separated header cannot quote a name holding a blank (a CSV can)', () => {
    expect(() => parseTable('"size m" "y"\n1 2\n', { source: 'h.txt' })).toThrow(/^h\.txt line 2 \(data row 1\): expected 3 values because the header on line 1 names 3 columns, found 2\. Make the header name one column per value \(in a whitespace-separated file a name cannot hold a blank: join its words with _, or save the file as CSV\)\.$/);
    expect(() => parseTable('size m,y,z\n1,2\n', { source: 'h.csv' })).toThrow(/\(a name containing the separator must be quoted\)\.$/);
    expect(() => parseTable('1 2\n3 "4"\n', { source: 'q.txt' })).toThrow(/^q\.txt line 2, column 2: expected a finite number, found "\\"4\\""\. A whitespace-separated file does not quote its values: remove the quotes/);
  });

  it('rejects ragged rows, empty input and a bad target', () => {
    expect(codeOf(() => parseTable('1 2 3\n4 5\n'))).toBe('E_PARSE');
    expect(codeOf(() => parseTable('\n\n# only a comment\n'))).toBe('E_EMPTY');
    expect(codeOf(() => parseDataset('1 2\n3 4', { target: 5 }))).toBe('E_ARG');
    expect(codeOf(() => parseDataset('a,b\n1,2', { target: 'z' }))).toBe('E_ARG');
    expect(codeOf(() => parseTable('1 2\n3 inf\n'))).toBe('E_PARSE');
  });

  it('refuses target -0 (a negative index counts from the end: it names no column), naming the option, before reading the text', () => {
    const minusZero = /^parseDataset: target: expected a column index \(0 is the first, -1 the last\) or a header name, found -0, which names no column: a negative index counts from the end\. Give 0 for the first column, -1 for the last\.$/;
    expect(() => parseDataset('1 2\n3 4', { target: -0 })).toThrow(minusZero);
    // Checked before the text is read: a ragged table is not what is reported.
    expect(() => parseDataset('1 2 3\n4 5', { target: -0 })).toThrow(minusZero);
    const e = (() => { try { tableToDataset(parseTable('1 2\n3 4'), -0, 't.csv'); } catch (err) { return err; } })();
    expect(e).toBeInstanceOf(BdlError);
    expect(e).toMatchObject({ code: 'E_ARG', argument: 'target', message: expect.stringMatching(/^target: expected a column index .* found -0, which names no column/) });
    expect(Array.from(parseDataset('1 2\n3 4', { target: 0 }).y)).toEqual([1, 3]);
  });

  it('reads plain decimals from their digits to the same float32 as Number() (the fast path), at every length and sign', () => {
    // Seeded cells: up to 15 digits, the point anywhere, signs, leading zeros, trailing points and
    // the digit strings scaled pixels and sensors write; plus the fast path's edges.
    let s = 12345;
    const next = (n: number) => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) % n);
    const cells: string[] = ['0.0039216', '0.87451', '-0', '+.5', '5.', '.000000000000001', '999999999999999', '99999999999999.9', '0.1', '0.30000000000000004', '1234567890123456', '0.12345678901234567'];
    for (let k = 0; k < 3000; k++) {
      const len = 1 + next(15);
      let d = '';
      for (let j = 0; j < len; j++) d += String(next(10));
      const at = next(len + 1);
      const body = at === len ? d : `${d.slice(0, at)}.${d.slice(at)}`;
      cells.push(['', '-', '+'][next(3)] + body);
    }
    const cols = 6;
    while (cells.length % cols) cells.push('1');
    const lines: string[] = [];
    for (let r = 0; r < cells.length; r += cols) lines.push(cells.slice(r, r + cols).join(','));
    const t = parseTable(lines.join('\n'));
    expect(t.rows * t.cols).toBe(cells.length);
    for (let i = 0; i < cells.length; i++) {
      if (!Object.is(t.data[i], Math.fround(Number(cells[i])))) throw new Error(`cell ${cells[i]}: ${t.data[i]} against ${Math.fround(Number(cells[i]))}`);
    }
  });
});

describe('line ends, quoted names and binary text', () => {
  it('reads a carriage return alone as a line end (classic Mac OS, Excel for Mac), not as one long row', () => {
    // Whitespace-separated: the CRs were whitespace, so the file was one row of 6 values.
    const ws = parseTable('1 2\r3 4\r5 6\r');
    expect([ws.rows, ws.cols]).toEqual([3, 2]);
    expect(Array.from(ws.data)).toEqual([1, 2, 3, 4, 5, 6]);
    const csv = parseTable('a,b\r1,2\r3,4', { source: 'mac.csv' });
    expect([csv.rows, csv.cols, csv.header]).toEqual([2, 2, ['a', 'b']]);
    expect(parseTable('"a","b"\r"1","2"\r"3","4"').rows).toBe(2);
    // CRLF and a mix of line ends read as before; errors count lines as an editor does.
    expect(parseTable('1,2\r\n3,4\r5,6\n7,8').rows).toBe(4);
    expect(() => parseTable('1,2\r3,x', { source: 'mac.csv' })).toThrow(/mac\.csv line 2, column 2: expected a finite number, found "x"/);
  });

  it('skips a line made only of blanks as a blank line, whichever blanks: \\v, \\f, U+2028, U+2029 too, in both readers', () => {
    // What String.prototype.trim removes is a blank to both readers (the scanner's isSpace, csv-parse
    // 7.0.3's trim), so such a line is blank wherever it stands: before the header, between rows, last.
    const outcome = (f: () => Table) => {
      try {
        const t = f();
        return { header: t.header, data: Array.from(t.data) };
      } catch (e) {
        return { error: (e as Error).message };
      }
    };
    for (const blank of ['\v', '\f', '\u2028', '\u2029', ' \u2028 ', '\v\f\u2029\u00a0', '\ufeff\u2028']) {
      for (const d of [',', ';', '\t', ' ']) {
        for (const eol of ['\n', '\r\n']) {
          const text = [blank, `a${d}b`, blank, `1${d}2`, blank, `3${d}4`, blank].join(eol);
          const plain = outcome(() => parseTable(text, { source: 'b.csv' }));
          expect(plain, JSON.stringify(text)).toEqual({ header: ['a', 'b'], data: [1, 2, 3, 4] });
          if (d !== ' ') {
            expect(outcome(() => parseTableWithCsvParse(text, { source: 'b.csv' })), JSON.stringify(text)).toEqual(plain);
            // Quoted (csv-parse reads it whatever the option): the same table.
            expect(outcome(() => parseTable(text.replace('a', '"a"'), { source: 'b.csv' })), JSON.stringify(text)).toEqual(plain);
          }
        }
      }
    }
    // A tab on such a line is a cell boundary in a tab-separated table: a row of empty cells, E_PARSE
    // naming its line and column in both readers, as for a line of spaces and a tab.
    for (const blank of ['\v\t', '\u2028\t\f', ' \t ']) {
      const text = `1\t2\n${blank}\n3\t4\n`;
      const error = /^t\.tsv line 2, column 1: expected a finite number, found "", a missing value\./;
      expect(() => parseTable(text, { source: 't.tsv' })).toThrow(error);
      expect(() => parseTableWithCsvParse(text, { source: 't.tsv' })).toThrow(error);
    }
  });

  it('reads a header whose quoted name spans lines (the delimiter is found outside the quotes of the whole first record)', () => {
    const t = parseTable('"length\n(m)",y\n1,2\n3,4\n');
    expect(t.header).toEqual(['length\n(m)', 'y']);
    expect(Array.from(t.data)).toEqual([1, 2, 3, 4]);
  });

  it('refuses text holding a NUL character (a binary file, UTF-16 read as UTF-8) with E_PARSE naming the line', () => {
    // "a,b\n1,2" as UTF-16LE bytes read as UTF-8.
    const utf16 = '\ufffd\ufffda\0,\0b\0\n\x001\0,\x002\0';
    expect(() => parseTable(utf16, { source: 'u16.csv' })).toThrow(expect.objectContaining({ code: 'E_PARSE', message: expect.stringMatching(/^u16\.csv line 1: expected text .*found a NUL character: the file is binary .* or UTF-16 text\. Export or save it as UTF-8 CSV first\.$/) }));
    expect(() => parseTable('1,2\n3,4\n\0\0PK')).toThrow(/input line 3: expected text/);
  });

  it('trims a quoted name as it trims a quoted cell, so that --target and a test file name it without its spaces', () => {
    const t = parseTable('a,b," y "\n1,2,3\n');
    expect(t.header).toEqual(['a', 'b', 'y']);
    expect(Array.from(parseDataset('a,b," y "\n1,2,3\n4,5,6\n', { target: 'y' }).y)).toEqual([3, 6]);
    expect(parseTable('"a b"\t" c "\n1\t2\n').header).toEqual(['a b', 'c']);
  });

  it('the hint about a header that a number in it made data is given for a first line read as data only, not for the row below a header', () => {
    // A semicolon table with decimal commas: the header a;y is found, the first data row is the error.
    let m = '';
    try {
      parseTable('a;y\n1,5;2\n3;4\n', { source: 's.csv' });
    } catch (e) {
      m = (e as Error).message;
    }
    expect(m).toMatch(/^s\.csv line 2, column 1 \("a"\): expected a finite number, found "1,5"\. Write numbers in plain decimal notation with a point \(1\.5, not 1,5\)\.$/);
    expect(() => parseTable('x,2020\n1,2\n', { source: 'h.csv' })).toThrow(/^h\.csv line 1, column 1: expected a finite number, found "x"\. .* If this line names the columns/);
  });

  it('a first row of quoted numbers is data in a whitespace file as in a CSV (header \'auto\': a header only when none of its cells is a number)', () => {
    // CSV: the quotes are quoting, and the row is three numbers.
    const csv = parseTable('"1","2","3"\n4,5,6\n', { source: 'q.csv' });
    expect(csv.header).toBeUndefined();
    expect(Array.from(csv.data)).toEqual([1, 2, 3, 4, 5, 6]);
    // Whitespace: the same row is data too, not three column names "1", "2", "3" that drop a row in
    // silence; whitespace text does not quote its values, so the quoted number is E_PARSE saying so.
    expect(() => parseTable('"1" "2" "3"\n4 5 6\n', { source: 'q.txt' })).toThrow(expect.objectContaining({
      code: 'E_PARSE',
      message: expect.stringMatching(/^q\.txt line 1, column 1: expected a finite number, found "\\"1\\""\. A whitespace-separated file does not quote its values: remove the quotes .* If this line names the columns, give every column a name that is not a number/),
    }));
    // One quoted number among names makes the row data in both, and the name is the error, at the same place.
    const place = /^input line 1, column 1: expected a finite number, found "(\\")?x(\\")?"\./;
    expect(() => parseTable('"x","2"\n4,5\n')).toThrow(place);
    expect(() => parseTable('"x" "2"\n4 5\n')).toThrow(place);
    // Quoted names stay a header in both, unquoted; header: true still takes any first row.
    expect(parseTable('"a" "b"\n1 2\n').header).toEqual(['a', 'b']);
    expect(parseTable('"a","b"\n1,2\n').header).toEqual(['a', 'b']);
    expect(parseTable('"1" "2"\n4 5\n', { header: true }).header).toEqual(['1', '2']);
  });

  it('suggests the nearest header name for an unknown target name', () => {
    expect(() => parseDataset('a,b,Price\n1,2,3', { target: 'price', source: 't.csv' })).toThrow(/^target: expected a column name of t\.csv \(a, b, Price\), found "price"\. Did you mean "Price"\?$/);
    expect(() => parseDataset('1,2,3', { target: 'price' })).toThrow(/it has no header\), found "price"\. Give the column's index/);
  });
});

describe('thousands separators', () => {
  it('a quoted "5,976" is refused with a hint naming both readings; "1,234,567.5" with the separators', () => {
    expect(() => parseTable('1,"5,976",3\n2,"6,001",4\n', { source: 't.csv' })).toThrow(/t\.csv line 1, column 2: expected a finite number, found "5,976"\. Write numbers without thousands separators \(5976, not 5,976\), or with a point if the comma is a decimal comma \(5\.976\)\./);
    expect(() => parseTable('a;b\n1,234,567.5;2\n')).toThrow(/found "1,234,567\.5"\. Write numbers without thousands separators \(1234567\.5, not 1,234,567\.5\)\./);
  });

  it('unquoted in every row of a headerless CSV: read as two columns, and said in the table\'s warnings', () => {
    const t = parseTable('0.5,5,076,3\n0.25,12,345,4\n0.75,1,000,5\n', { source: 'sep.csv' });
    expect(t.cols).toBe(4);
    expect(t.warnings).toEqual([expect.stringMatching(/^sep\.csv: columns 2 and 3 read like one number with a thousands separator in every row \(line 1: 5,076, read as 5 and 76\).*Write numbers without thousands separators \(5076\)\.$/)]);
  });

  it('parseDataset gives the warning to onWarning, else to console.warn', () => {
    const text = '0.5,5,076,3\n0.25,12,345,4\n0.75,1,000,5\n';
    const said: string[] = [];
    const ds = parseDataset(text, { source: 'sep.csv', onWarning: (m) => said.push(m) });
    expect(ds.inputs).toBe(3);
    expect(said).toEqual([expect.stringMatching(/^sep\.csv: columns 2 and 3 read like one number with a thousands separator/)]);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      parseDataset(text, { source: 'sep.csv' });
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(/^bdl-wasm: sep\.csv: columns 2 and 3/));
    } finally {
      warn.mockRestore();
    }
    expect(() => parseDataset(text, { onWarning: 'log' as never })).toThrow(/onWarning/);
  });

  it('says nothing without a zero-padded group (a 3-digit integer column after a small one, as boston\'s RAD and TAX)', () => {
    expect(parseTable('1,5,296,3\n2,24,666,4\n').warnings).toBeUndefined();
  });
});
