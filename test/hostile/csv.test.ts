/**
 * Hostile input, issue 16 part 2 (data side): tables that used to give wrong answers with exit 0.
 * One test per bullet; each asserts the error code and that the message names file, line and column.
 */
import { describe, expect, it } from 'vitest';
import { parseDataset, parseTable } from '../../src/data/parse.js';
import { thrownBdlError } from '../helpers/errors.js';

const thrown = thrownBdlError;

describe('hostile tables (16.2)', () => {
  it('a header with more names than columns is E_PARSE naming the header and the row, not a zero target', () => {
    const e = thrown(() => parseDataset('a,b,c,y\n1,2,3\n4,5,6\n', { source: 'wide-header.csv' }));
    expect(e.code).toBe('E_PARSE');
    expect(e.message).toMatch(/^wide-header\.csv line 2 \(data row 1\): expected 4 values because the header on line 1 names 4 columns, found 3\./);
  });

  it('a quoted header name containing a comma is one column, and the target is the right one', () => {
    const ds = parseDataset('"weight, kg",height,y\n1,2,30\n4,5,60\n', { source: 'quoted.csv' });
    expect(Array.from(ds.y)).toEqual([30, 60]);
    expect(Array.from(ds.x)).toEqual([1, 2, 4, 5]);
    expect(parseTable('"weight, kg",height,y\n1,2,30\n').header).toEqual(['weight, kg', 'height', 'y']);
    // Unquoted, the same header names one column too many: refused, not misaligned.
    expect(thrown(() => parseDataset('weight, kg,height,y\n1,2,30\n', { source: 'q.csv' })).code).toBe('E_PARSE');
  });

  it('a cell beyond float32 (1e39) is E_PARSE naming line and column, not a NaN scaling', () => {
    const e = thrown(() => parseDataset('x1,x2,y\n1,2,3\n4,1e39,6\n', { source: 'huge.csv' }));
    expect(e.code).toBe('E_PARSE');
    expect(e.message).toMatch(/^huge\.csv line 3, column 2 \("x2"\): expected a finite number, found 1e39, beyond the float32 range/);
    expect(thrown(() => parseDataset('1 2\n-3.5e38 4\n', { source: 'neg.txt' })).message).toMatch(/neg\.txt line 2, column 1/);
  });

  it('a headerless first row holding NA is data with a missing value (E_PARSE on line 1), not a header', () => {
    const e = thrown(() => parseDataset('1,NA,3\n4,5,6\n7,8,9\n', { source: 'na.csv' }));
    expect(e.code).toBe('E_PARSE');
    expect(e.message).toMatch(/^na\.csv line 1, column 2: expected a finite number, found "NA", a missing value\./);
    // Missing values anywhere else, in any spelling, say so too.
    for (const m of ['', 'NaN', 'null', '?', 'N/A']) {
      expect(thrown(() => parseDataset(`a,b\n1,2\n3,${m}\n`, { source: 'm.csv' })).message).toMatch(/m\.csv line 3, column 2 \("b"\): .*a missing value/);
    }
  });
});
