// A test file is read against the training file's columns: by header name when both have one, by
// position otherwise; bdl fit --save keeps the columns so that bdl predict reads it the same way.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { columnsOf, testRows, trainColumns, withColumns } from '../../src/cli/columns.js';
import { parseTable } from '../../src/data/parse.js';
import { decodePosterior, encodePosterior } from '../../src/posterior/serialize.js';
import { bdl, yachtFiles } from './helpers.js';

const table = (text: string) => parseTable(text, { source: 't.csv' });

describe('testRows', () => {
  const train = table('y,a,b\n1,2,3\n4,5,6');
  const c = trainColumns(train, 'y', 't.csv');

  it('resolves --target by name and reads a test file by header names in any order', () => {
    expect(c).toEqual({ cols: 3, target: 0, names: ['y', 'a', 'b'] });
    const r = testRows(table('b,y,a\n30,10,20\n60,40,50'), c, 'test.csv', 'test');
    expect([...r.x]).toEqual([20, 30, 50, 60]);
    expect([...r.y!]).toEqual([10, 40]);
    const inputsOnly = testRows(table('b,a\n3,2'), c, 'test.csv', 'test');
    expect([...inputsOnly.x]).toEqual([2, 3]);
    expect(inputsOnly.y).toBeUndefined();
  });

  it('refuses a missing input or an unknown column with E_SHAPE naming it', () => {
    expect(() => testRows(table('y,a\n1,2'), c, 'test.csv', 'test')).toThrow(expect.objectContaining({ code: 'E_SHAPE', message: expect.stringMatching(/lacks the input column "b"/) }));
    expect(() => testRows(table('y,a,b,z\n1,2,3,4'), c, 'test.csv', 'test')).toThrow(expect.objectContaining({ code: 'E_SHAPE', message: expect.stringMatching(/column "z" that the training file does not/) }));
  });

  it('refuses a column name used twice when matching by name (its values went to both inputs), naming the file and columns', () => {
    const dup = trainColumns(table('a,a,y\n1,2,3\n4,5,6'), 'y', 't.csv');
    expect(() => testRows(table('a,a,y\n10,20,30'), dup, 'test.csv', 'test')).toThrow(
      expect.objectContaining({ code: 'E_SHAPE', message: expect.stringMatching(/^--test: expected column names used once, .*found the training file names "a" twice \(columns 1 and 2\)\. .*leave out the test file's header/) }),
    );
    // The test file's own duplicate (the target's name given to an input too).
    expect(() => testRows(table('y,b,y\n10,20,30'), c, 'test.csv', 'test')).toThrow(expect.objectContaining({ code: 'E_SHAPE', message: expect.stringMatching(/found test\.csv names "y" twice \(columns 1 and 3\)/) }));
    // By position, the names do not matter.
    expect([...testRows(table('10,20,30'), dup, 'test.csv', 'test').x]).toEqual([10, 20]);
  });

  it('matches a wide header by name in linear time (100,000 columns)', () => {
    const names = Array.from({ length: 100_000 }, (_, i) => `c${i}`);
    const wide = { rows: 1, cols: names.length, data: new Float32Array(names.length), header: names };
    const t0 = performance.now();
    const r = testRows(wide, trainColumns(wide, '-1', 'w.csv'), 'w.csv', 'test');
    expect(r.x.length).toBe(names.length - 1);
    // Quadratic, the same took over a minute.
    expect(performance.now() - t0).toBeLessThan(3000);
  });

  it('names --target when the training file has no such column, with the nearest name', () => {
    expect(() => trainColumns(train, 'Y', 't.csv')).toThrow(expect.objectContaining({ code: 'E_ARG', message: expect.stringMatching(/^--target: expected a column name of t\.csv \(y, a, b\), found "Y"\. Did you mean "y"\?/) }));
    expect(() => trainColumns(train, '7', 't.csv')).toThrow(/^--target: expected a column index in -3\.\.2, found 7/);
  });

  it('without headers: by position with the target where it was in training, or the inputs alone', () => {
    const plain = trainColumns(table('1 2 3\n4 5 6'), '0', 't');
    expect([...testRows(table('10 20 30'), plain, 't', 'test').x]).toEqual([20, 30]);
    expect([...testRows(table('10 20 30'), plain, 't', 'test').y!]).toEqual([10]);
    expect([...testRows(table('20 30'), plain, 't', 'test').x]).toEqual([20, 30]);
    expect(() => testRows(table('1 2 3 4'), plain, 't', 'test')).toThrow(expect.objectContaining({ code: 'E_SHAPE' }));
    expect(testRows(table('10 20 30'), plain, 't', 'test').warnings).toBeUndefined();
  });

  it('says when the test file names its columns and the training file does not: read by position, whatever the names say', () => {
    const plain = trainColumns(table('1 2 3\n4 5 6'), '-1', 't.csv');
    const r = testRows(table('y,b,a\n30,20,10'), plain, 'test.csv', 'test');
    expect([...r.x, ...r.y!]).toEqual([30, 20, 10]);
    expect(r.warnings).toEqual([expect.stringMatching(/^test\.csv names its columns \("y", "b", "a"\) but the training data's columns have no names, so they are read by position, in the training columns' order\. Check that they are in that order/)]);
    // Both named, or the test file not: nothing to say.
    expect(testRows(table('a,b,y\n1,2,3'), trainColumns(table('a,b,y\n1,2,3'), '-1', 't.csv'), 'test.csv', 'test').warnings).toBeUndefined();
    expect(testRows(table('1,2,3'), trainColumns(table('a,b,y\n1,2,3'), '-1', 't.csv'), 'test.csv', 'test').warnings).toBeUndefined();
  });

  it('columnsOf gives the names trimmed, as the reader now gives a header\'s (files saved before kept " x1 " for `" x1 "`)', async () => {
    const { trainMethod, makeDataset } = await import('../../src/index.js');
    const { posterior } = await trainMethod('map', makeDataset([[0], [1], [2], [3]], [0, 1, 0, 1]), { epochs: 1, seed: 1 });
    const older = withColumns(posterior.toBytes(), { cols: 2, target: 1, names: [' x1 ', '\t"y" '] });
    const columns = columnsOf(decodePosterior(older))!;
    expect(columns.names).toEqual(['x1', '"y"']);
    const test = table('" x1 ",y\n5,6');
    expect(test.header).toEqual(['x1', 'y']);
    expect([...testRows(table(' x1 ,"\t""y"" "\n5,6'), columns, 'test.csv', 'test').y!]).toEqual([6]);
  });

  it('withColumns / columnsOf round-trip through the posterior bytes; malformed columns are E_FORMAT', async () => {
    const { trainMethod, makeDataset } = await import('../../src/index.js');
    const d = makeDataset([[0], [1], [2], [3], [4], [5]], [0, 1, 0, 1, 0, 1]);
    const { posterior } = await trainMethod('map', d, { epochs: 1, seed: 1 });
    const bytes = withColumns(posterior.toBytes(), c);
    expect(columnsOf(decodePosterior(bytes))).toEqual(c);
    const parts = decodePosterior(bytes);
    const bad = encodePosterior({ ...parts, state: { ...parts.state, trainingColumns: { cols: 3, target: 7 } } });
    expect(() => columnsOf(decodePosterior(bad))).toThrow(expect.objectContaining({ code: 'E_FORMAT' }));
  });
});

describe('bdl fit --target then bdl predict', () => {
  it('predict reads the test file with fit\'s columns: the same numbers, also with the columns reordered', () => {
    const { dir, train, test } = yachtFiles();
    // The target first, with a header: the shape bdl fit --target resistance accepts.
    const names = ['resistance', 'lcb', 'pc', 'ldr', 'bdr', 'ltr', 'fr'];
    const toCsv = (p: string, order: number[]) => {
      const rows = readFileSync(p, 'utf8').trim().split('\n').map((l) => { const v = l.trim().split(/\s+/); return [v[6], ...v.slice(0, 6)]; });
      return [order.map((i) => names[i]).join(','), ...rows.map((r) => order.map((i) => r[i]).join(','))].join('\n');
    };
    const trainCsv = join(dir, 'train.csv');
    const testCsv = join(dir, 'test.csv');
    const shuffled = join(dir, 'shuffled.csv');
    writeFileSync(trainCsv, toCsv(train, [0, 1, 2, 3, 4, 5, 6]));
    writeFileSync(testCsv, toCsv(test, [0, 1, 2, 3, 4, 5, 6]));
    writeFileSync(shuffled, toCsv(test, [6, 3, 0, 5, 1, 4, 2]));
    const saved = join(dir, 'map.bdl');
    const f = bdl(['fit', '--method', 'map', '--epochs', '20', '--train', trainCsv, '--test', testCsv, '--target', 'resistance', '--seed', '2', '--save', saved]);
    expect(f.status, f.stderr).toBe(0);
    const a = JSON.parse(f.stdout);
    for (const file of [testCsv, shuffled]) {
      const p = bdl(['predict', '--posterior', saved, '--test', file, '--seed', '2']);
      expect(p.status, p.stderr).toBe(0);
      const b = JSON.parse(p.stdout);
      expect(b.mean).toEqual(a.mean);
      expect(b.metrics).toEqual(a.metrics);
    }
    const missing = join(dir, 'missing.csv');
    writeFileSync(missing, toCsv(test, [0, 1, 2, 3, 4, 5]));
    const m = bdl(['predict', '--posterior', saved, '--test', missing]);
    expect(m.status).toBe(1);
    expect(m.stderr).toMatch(/lacks the input column "fr"/);
  });
});

/** A 1-input regression table whose header quotes its names with blanks inside the quotes. */
function paddedNames(dir: string, header: string): string {
  const rows = Array.from({ length: 40 }, (_, i) => `${(i / 10).toFixed(2)},${Math.sin(i / 10).toFixed(3)}`);
  const file = join(dir, 'padded.csv');
  writeFileSync(file, [header, ...rows].join('\n') + '\n');
  writeFileSync(join(dir, 'headerless.csv'), rows.join('\n') + '\n');
  return file;
}

/**
 * Written by `bdl fit --method map --epochs 5 --save` of the build before quoted names were trimmed
 * (3f400a2^) on paddedNames's file with the header `" x1 "," y "`: its trainingColumns keep the names
 * as that reader gave them, " x1 " and " y ".
 */
const OLDER_POSTERIOR = 'QkRMUAIAAAC9AQAAeyJtZXRob2QiOiJtYXAiLCJzcGVjIjp7ImlucHV0cyI6MSwiaGlkZGVuIjpbNTBdLCJvdXRwdXRzIjoxLCJhY3RpdmF0aW9uIjoicmVsdSIsImxpa2VsaWhvb2QiOiJnYXVzc2lhbiJ9LCJzdGFuZGFyZGl6ZXIiOnsieE1lYW4iOlsxLjk1MDAwMDAwMDU1ODc5MzZdLCJ4U3RkIjpbMS4xNTQzMzk2Mzg2ODI3NTc2XSwieU1lYW4iOlswLjQyMjQyNDk5NTgwNjA2ODNdLCJ5U3RkIjpbMC41MDI2ODU1NzgyMDI2MjY3XX0sInN0YXRlIjp7Im5vaXNlVmFyIjozLjIzNzIxNzUwOTQ4ODg5OCwidHJhaW5pbmdDb2x1bW5zIjp7ImNvbHMiOjIsInRhcmdldCI6MSwibmFtZXMiOlsiIHgxICIsIiB5ICJdLCJib3VuZHMiOltbLTkuNTkzMzk2Mzg2MjY4NzgzLDEzLjQ5MzM5NjM4NzM4NjM2OV1dfX0sImFycmF5cyI6W3sibmFtZSI6InRoZXRhIiwiZHR5cGUiOiJmMzIiLCJsZW5ndGgiOjE1MX1dfQAAAAAAAACi3RRAcQ+aP130HL4sjjC+pCF0vm+aED8Cf8W/fyOVvw6v8T+NdxrAtVrcv0X2+z9kBlm/6eaJv00VTb8nStS+F90kQNLKyr9y67S/VWzzPuhrer+gDaw/xGDfPZNk3D+J4bW/SMXVvhZcO7522SW/88a7P6rSYb+YYgg/60PNvqqfqz/mEZO/1XLgv4voej8IRJu+oO7Bvgd68j+ENWy+fi5uPgWsCUBPLNC/M75XP6PJWcAYpeS8I6WQP+yFxL9uvzDA+w+HvvOgBrw6Wgc8pkcRPItxETzosOO7FjgHPNHHELwCCBG86oEHPFgBEbyi1hC8MHAGvDPCD7xXqxC8Z5IPvPQoCrxZJga8kuEQvJoAD7yHgAc8TMjruyxoBzxTjga8n5oGvIRgETzOthC8GN8RPGw8ELzMqga88GcRPLJYBzyYlxE8wz0GvB68ELwlkRE8/rEGvMjYELyZjxE8eVYGvFPXETyGyQa8nysHPG2HEzy7GQc8mv8QvPnVDzybNwc8vVMRPENTD7yiXA68PGN9PoroL74La6a+aMh/vjbtSbsIQ4K+Pg8lPmUM1j7GEQC+xey3PrayQD5E0h0+WuExPT4dAT4xbhs9HXGtO+Euxz2Crls+vxPdPK4LAb45iC67bWcbvkCzHD5tIms+PgKuvoalDT5FAcO94YaJPRI+kD7QlZa+bykyvnPCIr5M7uE9uC0UPuSMLb5bhKA+jL1FPlIuML5ZVQM+psDLvdr//z5FW5++5i34vFTI574hYbE+x1iUvuqFg77gxO2+9qMEPXAfozyPoiC8AAAAAA+tAFZCRExa';

describe('bdl predict on the file the posterior was trained on, its names quoted with blanks', () => {
  it('fit --save then predict --test on the same file: exit 0 and fit\'s numbers, whatever blanks pad the quoted names', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bdl-padded-'));
    for (const header of ['" x1 "," y "', ' "x1" ,"y"', '"x1 ",\t" y"']) {
      const file = paddedNames(dir, header);
      const saved = join(dir, 'map.bdl');
      const f = bdl(['fit', '--method', 'map', '--epochs', '5', '--train', file, '--test', file, '--seed', '3', '--save', saved]);
      expect(f.status, f.stderr).toBe(0);
      const p = bdl(['predict', '--posterior', saved, '--test', file, '--seed', '3']);
      expect(p.status, `${header}: ${p.stderr}`).toBe(0);
      expect(JSON.parse(p.stdout).mean).toEqual(JSON.parse(f.stdout).mean);
    }
  });

  it('a posterior saved before quoted names were trimmed (" x1 ") still predicts on its training file: the numbers of reading it by position', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bdl-older-'));
    const file = paddedNames(dir, '" x1 "," y "');
    const saved = join(dir, 'older.bdl');
    writeFileSync(saved, Buffer.from(OLDER_POSTERIOR, 'base64'));
    const byName = bdl(['predict', '--posterior', saved, '--test', file, '--seed', '3']);
    expect(byName.status, byName.stderr).toBe(0);
    const byPosition = bdl(['predict', '--posterior', saved, '--test', join(dir, 'headerless.csv'), '--seed', '3']);
    expect(byPosition.status, byPosition.stderr).toBe(0);
    const [a, b] = [JSON.parse(byName.stdout), JSON.parse(byPosition.stdout)];
    expect(a.mean).toEqual(b.mean);
    expect(a.metrics).toEqual(b.metrics);
    // What the build that wrote it printed: test RMSE 0.9044, test LL -1.3185.
    expect(a.metrics.rmse).toBeCloseTo(0.9044, 4);
    expect(columnsOf(decodePosterior(new Uint8Array(readFileSync(saved))))?.names).toEqual(['x1', 'y']);
  });
});
