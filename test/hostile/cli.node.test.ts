/**
 * Hostile input through `bdl fit`, issue 16 parts 2 and 3: bad tables and impossible sizes exit
 * non-zero (1) by themselves, with the file, line and column (or the memory estimate) in a one-line
 * message, and write no output file. Every child has a timeout and must have exited.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'bdl-hostile-'));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const good = file('good.csv', 'a,b,y\n' + Array.from({ length: 20 }, (_, i) => `${i},${i % 3},${i * 2}`).join('\n') + '\n');

function fit(train: string, ...extra: string[]) {
  const out = join(dir, `out-${Math.random().toString(36).slice(2)}.json`);
  const r = spawnSync(process.execPath, [join(root, 'bin/bdl.js'), 'fit', '--method', 'map', '--train', train, ...(extra.includes('--test') ? [] : ['--test', good]), '--epochs', '2', '--out', out, ...extra], { encoding: 'utf8', timeout: 60_000 });
  return { ...r, wrote: existsSync(out) };
}

describe('bdl fit on hostile files', () => {
  const cases: [string, string, RegExp][] = [
    ['wide-header.csv', 'a,b,c,y\n1,2,3\n4,5,6\n', /wide-header\.csv line 2 \(data row 1\): expected 4 values because the header on line 1 names 4 columns, found 3/],
    ['huge.csv', 'a,b,y\n1,2,3\n4,1e39,6\n', /huge\.csv line 3, column 2 \("b"\): expected a finite number, found 1e39, beyond the float32 range/],
    ['na-first.csv', '1,NA,3\n4,5,6\n', /na-first\.csv line 1, column 2: expected a finite number, found "NA", a missing value/],
    ['bad-quote.csv', 'a,b,y\n1,"2,3\n', /bad-quote\.csv line \d+: expected CSV with balanced quotes/],
  ];
  for (const [name, text, message] of cases) {
    it(`${name}: exits 1 naming the place, writes nothing`, () => {
      const r = fit(file(name, text));
      expect(r.error, 'the child must exit by itself before the timeout').toBeUndefined();
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.wrote).toBe(false);
    });
  }

  it('a quoted header name holding a comma trains on the right target', () => {
    const rows = Array.from({ length: 20 }, (_, i) => `${i},${i % 3},${i * 2}`).join('\n') + '\n';
    const quoted = file('quoted.csv', '"weight, kg",b,y\n' + rows);
    // The test file's columns are read by name: the same header, in another order.
    const test = file('quoted-test.csv', 'y,b,"weight, kg"\n' + rows.split('\n').map((l) => l && l.split(',').reverse().join(',')).join('\n'));
    const r = fit(quoted, '--target', 'y', '--test', test);
    expect(r.status, r.stderr).toBe(0);
    expect(r.wrote).toBe(true);
  });

  it('10 rows × 1e6 columns: E_MEMORY before any training, exit 1, nothing written', () => {
    const row = Array.from({ length: 1e6 + 1 }, (_, j) => j % 10).join(',');
    const wide = Array.from({ length: 10 }, () => row).join('\n');
    const path = file('wide.csv', wide + '\n');
    const r = spawnSync(process.execPath, [join(root, 'bin/bdl.js'), 'fit', '--method', 'ensemble', '--train', path, '--test', path, '--out', join(dir, 'wide.json')], { encoding: 'utf8', timeout: 60_000 });
    expect(r.error).toBeUndefined();
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/ensemble: expected at most 4\.00 GiB .* found an estimated \d+\.\d\d GiB before starting/);
    expect(existsSync(join(dir, 'wide.json'))).toBe(false);
  });
});
