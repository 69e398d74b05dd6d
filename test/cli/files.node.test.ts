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
