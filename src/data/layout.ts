/**
 * What the layout of a legal table may mean other than what it reads as, said as the table's
 * warnings (it is read as written): shapes that data-frame libraries write by default.
 * - A row index as a first, unnamed column: pandas' `to_csv` writes the index unless `index=False`
 *   (its header starts with an empty name), R's `write.csv` its row names unless
 *   `row.names = FALSE` (`""`); read back by pandas and written again, it is named "Unnamed: 0".
 *   Read as data, the row numbers become an input the network fits to.
 * - Column labels 0, 1, …, k−1 as the header: what pandas writes for a data frame made from an
 *   array. A header of numbers is read as data (./parse.ts `isHeader`), so it becomes a bogus first
 *   row, and every row after it is one off from the user's own numbering.
 */

/** The parts of a table (./parse.ts `Table`) read here. */
interface Read {
  rows: number;
  cols: number;
  data: Float32Array;
  header?: readonly string[];
}

/** Values of the index column shown in the message. */
const SHOWN = 4;

/** The layout warnings of a table read with `mode` (header detection) whose first content line is `line`. */
export function layoutWarnings(t: Read, source: string, mode: boolean | 'auto', line: number): string[] {
  const out: string[] = [];
  for (let j = 0; j < t.cols && t.header; j++) {
    const name = t.header[j];
    // pandas names a column it read without a name "Unnamed: j": an index written, read back and written again.
    if (!((j === 0 && name === '') || /^Unnamed: \d+$/.test(name))) continue;
    const index = indexColumn(t, j);
    if (!index) continue;
    const which = name === '' ? 'has no name' : `is named ${JSON.stringify(name)}, pandas' name for a column it read without one,`;
    out.push(`${source}: column ${j + 1} ${which} and holds ${t.rows === 1 ? 'a whole number' : `${t.rows} distinct whole numbers`} (${index}): a row index — pandas' to_csv writes one unless index=False, R's write.csv unless row.names = FALSE — read here as a column of data like any other. Write the file without it, or name the column if it is data.`);
  }
  if (mode === 'auto' && numberedFirstRow(t)) {
    out.push(`${source} line ${line}: the first row reads 0, 1, …, ${t.cols - 1}: the column labels pandas writes as a header for unnamed columns, read here as a data row (a header of numbers is data). If it labels the columns, remove it or give the columns names that are not numbers; if it is data, ignore this.`);
  }
  return out;
}

/** The first values of column j when it holds distinct non-negative integers, else undefined. */
function indexColumn(t: Read, j: number): string | undefined {
  const col = new Float64Array(t.rows);
  for (let r = 0; r < t.rows; r++) {
    const v = t.data[r * t.cols + j];
    if (!(Number.isInteger(v) && v >= 0)) return undefined;
    col[r] = v;
  }
  const shown = Array.from(col.subarray(0, SHOWN), String).join(', ') + (t.rows > SHOWN ? ', …' : '');
  col.sort();
  for (let r = 1; r < t.rows; r++) if (col[r] === col[r - 1]) return undefined;
  return shown;
}

/** Whether a headerless table of at least 3 columns and 2 rows starts with the row 0, 1, …, cols − 1. */
function numberedFirstRow(t: Read): boolean {
  if (t.header || t.cols < 3 || t.rows < 2) return false;
  for (let j = 0; j < t.cols; j++) if (!Object.is(t.data[j], j)) return false;
  return true;
}
