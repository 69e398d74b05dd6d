/**
 * Two layouts that data-frame libraries write by default and that read as legal tables of the wrong
 * shape: a row index as an unnamed first column (pandas' to_csv, R's write.csv) and pandas' column
 * labels 0…k−1 as a header of numbers (read as a data row). Both readers say them.
 */
import { describe, expect, it } from 'vitest';
import { parseDataset, parseTable, parseTableWithCsvParse } from '../../src/data/parse.js';

describe('layout warnings', () => {
  it("pandas' index (header ',a,b,y') and R's row names ('\"\",\"a\"'): said, naming the column and its values", () => {
    const pandas = ',a,b,y\n0,1.5,2,3\n1,2.5,3,4\n2,3.5,1,2\n';
    for (const read of [parseTable, parseTableWithCsvParse]) {
      expect(read(pandas, { source: 'pd.csv' }).warnings).toEqual([
        expect.stringMatching(/^pd\.csv: column 1 has no name and holds 3 distinct whole numbers \(0, 1, 2\): a row index — pandas' to_csv writes one unless index=False, R's write\.csv unless row\.names = FALSE — read here as a column of data/),
      ]);
    }
    // After a shuffled split the index is a permutation; R's row names are quoted and start at 1.
    expect(parseTable(',x,y\n17,1,2\n3,2,3\n250,3,4\n41,4,5\n9,5,6\n', { source: 's.csv' }).warnings).toEqual([expect.stringMatching(/holds 5 distinct whole numbers \(17, 3, 250, 41, …\)/)]);
    expect(parseTable('"","x","y"\n"1",0.5,2\n"2",0.25,3\n').warnings).toHaveLength(1);
    // Read back by pandas without index_col and written again: "Unnamed: 0".
    expect(parseTable('Unnamed: 0,x,y\n0,1,2\n1,2,3\n2,3,4\n', { source: 'u.csv' }).warnings).toEqual([expect.stringMatching(/^u\.csv: column 1 is named "Unnamed: 0", pandas' name for a column it read without one, and holds 3 distinct whole numbers \(0, 1, 2\): a row index/)]);
    const said: string[] = [];
    expect(parseDataset(pandas, { onWarning: (m) => said.push(m) }).inputs).toBe(3);
    expect(said).toHaveLength(1);
  });

  it('says nothing when the unnamed column repeats a value or holds fractions, or the column is named', () => {
    expect(parseTable(',a,y\n0,1,2\n0,2,3\n').warnings).toBeUndefined();
    expect(parseTable(',a,y\n0.5,1,2\n1,2,3\n').warnings).toBeUndefined();
    expect(parseTable('id,a,y\n0,1,2\n1,2,3\n').warnings).toBeUndefined();
    expect(parseTable('a,,y\n0,1,2\n1,2,3\n').warnings).toBeUndefined();
  });

  it("pandas' default column labels as the header (0,1,…,k−1): read as a data row, and said", () => {
    for (const [text, read] of [['0,1,2,3\n0.5,1.5,2.5,3\n1.5,0.5,2,4\n', parseTable], ['0\t1\t2\n0.5\t1\t2\n1\t2\t3\n', parseTable], ['"0","1","2"\n0.5,1,2\n1,2,3\n', parseTableWithCsvParse]] as const) {
      const t = read(text, { source: 'nums.csv' });
      expect(t.rows).toBe(3);
      expect(t.warnings).toEqual([expect.stringMatching(new RegExp(`^nums\\.csv line 1: the first row reads 0, 1, …, ${t.cols - 1}: the column labels pandas writes as a header for unnamed columns, read here as a data row`))]);
    }
    // Told: a header, or data.
    expect(parseTable('0,1,2\n0.5,1,2\n', { header: true }).warnings).toBeUndefined();
    expect(parseTable('0,1,2\n0.5,1,2\n', { header: false }).warnings).toBeUndefined();
    // Two columns (0,1 is a common data row), another first row, or a single row: nothing.
    expect(parseTable('0,1\n0.5,1\n').warnings).toBeUndefined();
    expect(parseTable('0,1,3\n0.5,1,2\n').warnings).toBeUndefined();
    expect(parseTable('0,1,2\n').warnings).toBeUndefined();
  });
});
