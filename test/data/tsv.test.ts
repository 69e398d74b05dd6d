/**
 * Tab-separated text: when the first row holds a tab (and no comma or semicolon outside quotes),
 * each tab ends a cell, so an empty cell is a missing value — never a run of blanks that shifts
 * the columns after it. Both readers (scanner, csv-parse) give the same cells and the same words.
 */
import { describe, expect, it } from 'vitest';
import { parseDataset, parseTable, parseTableWithCsvParse, type Table } from '../../src/data/parse.js';
import { BdlError } from '../../src/errors.js';

/** What both readers make of `text`: the same table or the same error, word for word. */
function both(text: string, opts: Parameters<typeof parseTable>[1] = {}): Table | BdlError {
  const outcome = (f: () => Table) => {
    try {
      return f();
    } catch (e) {
      if (e instanceof BdlError) return e;
      throw e;
    }
  };
  const fast = outcome(() => parseTable(text, opts));
  const general = outcome(() => parseTableWithCsvParse(text, opts));
  expect(fast instanceof BdlError ? fast.message : fast).toEqual(general instanceof BdlError ? general.message : general);
  return fast;
}

function messageOf(r: Table | BdlError): string {
  if (!(r instanceof BdlError)) throw new Error(`expected an error, read ${r.rows}×${r.cols}`);
  expect(r.code).toBe('E_PARSE');
  return r.message;
}

describe('tab-separated text', () => {
  it('an empty cell in every row (two tabs in a row) is a missing value, not a gap that shifts the columns', () => {
    const m = messageOf(both('1\t\t3\n4\t\t6\n7\t\t9\n', { source: 'gap.tsv' }));
    expect(m).toMatch(/^gap\.tsv line 1, column 2: expected a finite number, found "", a missing value\. Remove the row or impute the value before training\. /);
    expect(m).toMatch(/The file is read as tab-separated \(its first row has a tab between two values\), where each tab ends a cell: two tabs in a row, or a tab at the start or end of a line, leave an empty cell\. If the tabs only align the columns, replace them by spaces/);
  });

  it('a tab at the end of every row (an empty last column of a spreadsheet) is an empty cell, not a dropped column', () => {
    expect(messageOf(both('1\t2\t3\t\n4\t5\t6\t\n', { source: 'end.tsv' }))).toMatch(/^end\.tsv line 1, column 4: expected a finite number, found "", a missing value\./);
    expect(messageOf(both('a\tb\tc\t\n1\t2\t3\t\n', { source: 'end.tsv' }))).toMatch(/^end\.tsv line 2, column 4: expected a finite number, found "", a missing value\./);
    expect(messageOf(both('\t1\t2\n\t3\t4\n', { source: 'start.tsv' }))).toMatch(/^start\.tsv line 1, column 1: expected a finite number, found "", a missing value\./);
  });

  it('a line of tabs is a row of empty cells; a line of spaces is blank', () => {
    expect(messageOf(both('1\t2\n\t\n3\t4\n', { source: 'row.tsv' }))).toMatch(/^row\.tsv line 2, column 1: expected a finite number, found "", a missing value/);
    const t = both('1\t2\n   \n# note\n3\t4\n') as Table;
    expect([t.rows, t.cols, Array.from(t.data)]).toEqual([2, 2, [1, 2, 3, 4]]);
  });

  it('reads one tab per boundary with cells trimmed of spaces (UCI concrete writes "540.0 \\t0.0 \\t…")', () => {
    const t = both('540.0 \t0.0 \t79.99 \n 332.5\t 142.5 \t40.27\r\n') as Table;
    expect([t.rows, t.cols]).toEqual([2, 3]);
    expect(Array.from(t.data)).toEqual([540, 0, 79.99, 332.5, 142.5, 40.27].map(Math.fround));
  });

  it('reads a header of names holding spaces, plain or quoted, and a target by name', () => {
    const plain = both('size (m)\tage\tprice\n1\t2\t3\n4\t5\t6\n') as Table;
    expect(plain.header).toEqual(['size (m)', 'age', 'price']);
    const quoted = both('"size (m)"\t"a\tb"\t"price"\n1\t2\t3\n4\t5\t6\n') as Table;
    expect(quoted.header).toEqual(['size (m)', 'a\tb', 'price']);
    expect(Array.from(quoted.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(parseDataset('size (m)\tage\tprice\n1\t2\t3\n4\t5\t6\n', { target: 'size (m)' }).y)).toEqual([1, 4]);
  });

  it('a cell holding values separated by spaces is refused, saying only a tab separates', () => {
    const m = messageOf(both('1\t2\t3\n4 5\t6\n', { source: 'mixed.tsv' }));
    expect(m).toMatch(/^mixed\.tsv line 2, column 1: expected a finite number, found "4 5"\. .*only a tab separates values/);
  });

  it('a first row without a tab keeps the whitespace reading: tabs and spaces alike, any run of them', () => {
    const t = both('1 2 3\n4\t\t5\t6\n7  8 \t 9\n') as Table;
    expect([t.rows, t.cols, Array.from(t.data)]).toEqual([3, 3, [1, 2, 3, 4, 5, 6, 7, 8, 9]]);
  });

  it('a tab only before or after the first row\'s values (indenting, trailing) keeps the whitespace reading', () => {
    for (const text of ['1 2 3\t\n4 5 6\t\n', '\t1 2 3\n\t4 5 6\n']) {
      const t = both(text) as Table;
      expect([t.rows, t.cols, Array.from(t.data)]).toEqual([2, 3, [1, 2, 3, 4, 5, 6]]);
    }
    // A tab before the values of a tab-separated table's row is an empty first cell.
    expect(messageOf(both('\t1\t2\n\t3\t4\n', { source: 'lead.tsv' }))).toMatch(/^lead\.tsv line 1, column 1: expected a finite number, found "", a missing value/);
  });

  it('a comma or semicolon on the first row outside quotes still decides: tabs are padding there', () => {
    const t = both('1,\t2\n3\t,4\n') as Table;
    expect([t.rows, t.cols, Array.from(t.data)]).toEqual([2, 2, [1, 2, 3, 4]]);
  });
});
