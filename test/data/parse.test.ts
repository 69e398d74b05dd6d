import { describe, expect, it } from 'vitest';
import { parseDataset, parseTable } from '../../src/data/parse.js';
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

  it('rejects ragged rows, empty input and a bad target', () => {
    expect(codeOf(() => parseTable('1 2 3\n4 5\n'))).toBe('E_PARSE');
    expect(codeOf(() => parseTable('\n\n# only a comment\n'))).toBe('E_EMPTY');
    expect(codeOf(() => parseDataset('1 2\n3 4', { target: 5 }))).toBe('E_ARG');
    expect(codeOf(() => parseDataset('a,b\n1,2', { target: 'z' }))).toBe('E_ARG');
    expect(codeOf(() => parseTable('1 2\n3 inf\n'))).toBe('E_PARSE');
  });
});
