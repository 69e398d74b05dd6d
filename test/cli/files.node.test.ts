// The files a user hands the commands: compressed, UTF-16, standard input, test labels out of range.
// Each is read as meant, or refused before any work naming the file, the flag or the row.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { bdl, yachtFiles } from './helpers.js';

const { dir, train, test } = yachtFiles();
const fit = (trainFile: string, ...flags: string[]) => bdl(['fit', '--method', 'map', '--epochs', '2', '--seed', '1', '--train', trainFile, '--test', test, ...flags], 60_000);

describe('bdl data files', () => {
  it('reads a gzipped file and a UTF-16 file with its byte-order mark (Excel\'s "Unicode Text") as the plain UTF-8 file', () => {
    const text = readFileSync(train, 'utf8');
    const gz = join(dir, 'train.txt.gz');
    writeFileSync(gz, gzipSync(text));
    const le = join(dir, 'train-utf16le.txt');
    writeFileSync(le, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    const be = join(dir, 'train-utf16be.txt');
    writeFileSync(be, Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]));
    const plain = fit(train);
    expect(plain.status, plain.stderr).toBe(0);
    for (const file of [gz, le, be]) {
      const r = fit(file);
      expect(r.status, `${file}: ${r.stderr}`).toBe(0);
      expect(JSON.parse(r.stdout).mean).toEqual(JSON.parse(plain.stdout).mean);
    }
  });

  it('refuses a file longer than a JavaScript string holds (here a 0.5 MB .gz of 540 MiB) with E_MEMORY naming the flag, not a bare RangeError', () => {
    const huge = join(dir, 'huge.csv.gz');
    writeFileSync(huge, gzipSync(Buffer.alloc(540 << 20, '1,2\n'), { level: 1 }));
    const r = fit(huge);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^bdl: --train: expected a file of at most \d+ characters \(the longest text JavaScript holds, ~512 MiB\), found \S*huge\.csv\.gz with 566231040 bytes once decompressed\. Split it/m);
  });

  it('refuses a binary file (a saved posterior given as --test) naming it, and standard input naming the flag', () => {
    const saved = join(dir, 'map.bdl');
    expect(fit(train, '--save', saved, '--out', join(dir, 'map.json')).status).toBe(0);
    const r = bdl(['predict', '--posterior', saved, '--test', saved]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/map\.bdl line \d+: expected text \(CSV or whitespace-separated numbers\), found a NUL character/);
    const s = fit('-');
    expect(s.status).toBe(1);
    expect(s.stderr).toMatch(/--train: expected a file path, found "-": standard input is not read/);
  });

  it("says the test file's reading warnings too (a thousands separator that makes an inputs-only row look like one with its target), on stderr and in the JSON", () => {
    // Six inputs, the first written 1,0ii: split at the comma, seven values, read as the inputs and a target.
    const rows = readFileSync(test, 'utf8').trim().split('\n').map((l, i) => ['1', String(i).padStart(3, '0'), ...l.trim().split(/\s+/).slice(1, 6)].join(','));
    const sep = join(dir, 'test-sep.csv');
    writeFileSync(sep, rows.join('\n'));
    const saved = join(dir, 'sep.bdl');
    const r = bdl(['fit', '--method', 'map', '--epochs', '2', '--seed', '1', '--train', train, '--test', sep, '--save', saved], 60_000);
    expect(r.status, r.stderr).toBe(0);
    const said = /test-sep\.csv: columns 1 and 2 read like one number with a thousands separator in every row/;
    expect(r.stderr).toMatch(said);
    expect(JSON.parse(r.stdout).warnings).toContainEqual(expect.stringMatching(said));
    const p = bdl(['predict', '--posterior', saved, '--test', sep]);
    expect(p.status, p.stderr).toBe(0);
    expect(p.stderr).toMatch(said);
    expect(JSON.parse(p.stdout).warnings).toContainEqual(expect.stringMatching(said));
  });

  it('says that a target of class labels 0…K−1 is fitted as a regression when --task is not given, and only then', () => {
    const labels = join(dir, 'labels.csv');
    writeFileSync(labels, ['x,y', ...Array.from({ length: 40 }, (_, i) => `${i / 40},${i % 3}`)].join('\n'));
    const run = (...flags: string[]) => bdl(['fit', '--method', 'map', '--epochs', '2', '--train', labels, '--test', labels, ...flags], 60_000);
    const said = /labels\.csv: the target holds only the whole numbers 0…2, as class labels do, and is fitted as a regression/;
    const r = run();
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(said);
    expect(JSON.parse(r.stdout).warnings).toContainEqual(expect.stringMatching(said));
    for (const task of ['regression', 'classification']) {
      const t = run('--task', task);
      expect(t.status, t.stderr).toBe(0);
      expect(t.stderr).not.toMatch(said);
    }
  });

  it('bdl compare --train/--test says what bdl fit says about the files, before any method runs', () => {
    const labels = join(dir, 'labels-compare.csv');
    writeFileSync(labels, ['x,y', ...Array.from({ length: 40 }, (_, i) => `${i / 40},${i % 3}`)].join('\n'));
    const out = join(dir, 'compare-out');
    const run = (...flags: string[]) => bdl(['compare', '--train', labels, '--test', labels, '--methods', 'map', '--time-limit', '30', '--out', out, ...flags], 120_000);
    const said = /compare: warning: .*labels-compare\.csv: the target holds only the whole numbers 0…2, as class labels do, and is fitted as a regression/;
    const r = run();
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(said);
    const t = run('--task', 'regression');
    expect(t.status, t.stderr).toBe(0);
    expect(t.stderr).not.toMatch(said);
  });

  it('bdl predict refuses test labels out of range before predicting, naming the file and row', () => {
    const ctrain = join(dir, 'ctrain.csv');
    const ctest = join(dir, 'ctest.csv');
    writeFileSync(ctrain, ['x,y', ...Array.from({ length: 40 }, (_, i) => `${i / 40},${i % 3}`)].join('\n'));
    writeFileSync(ctest, 'x,y\n0.1,1\n0.2,2\n0.3,7\n');
    const saved = join(dir, 'cls.bdl');
    const f = bdl(['fit', '--method', 'map', '--task', 'classification', '--epochs', '2', '--train', ctrain, '--test', ctrain, '--save', saved, '--out', join(dir, 'cls.json')]);
    expect(f.status, f.stderr).toBe(0);
    const r = bdl(['predict', '--posterior', saved, '--test', ctest]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^bdl: .*ctest\.csv: label of data row 3 \(data\.y\[2\]\): expected an integer class index in 0…2, found 7\./m);
  });
});
