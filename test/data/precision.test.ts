// A column whose variation float32 would round away is refused before any work, by every reader;
// columns float32 keeps (small values, exact integers, constants, wide timestamps) pass.
import { describe, expect, it } from 'vitest';
import { makeDataset } from '../../src/data/dataset.js';
import { parseTable, parseTableWithCsvParse } from '../../src/data/parse.js';
import { Float32Rounding, PRECISION_LIMIT } from '../../src/data/precision.js';

/** Rows of [time, reading]: `span` seconds of timestamps from 1.7e9 (float32 steps by 128 there). */
function rows(n: number, span: number): number[][] {
  return Array.from({ length: n }, (_, i) => [1.7e9 + Math.round((i * span) / n), (i % 10) / 10]);
}
const csv = (r: number[][], header = 'time,reading') => [header, ...r.map((v) => v.join(','))].join('\n');

describe('float32 rounding of a column', () => {
  it('timestamps over an hour: refused by both readers and makeDataset, naming the column and an offset', () => {
    const hour = rows(200, 3600);
    for (const read of [parseTable, parseTableWithCsvParse]) {
      expect(() => read(csv(hour), { source: 'sensor.csv' })).toThrow(
        expect.objectContaining({ code: 'E_PARSE', message: expect.stringMatching(/^sensor\.csv column 1 \("time"\): .*near 1700000000 with a standard deviation of 10\d\d that float32 rounds by 3\d\.\d .*Subtract an offset \(e\.g\. 1700000000\)/) }),
      );
    }
    expect(() => makeDataset(hour, hour.map((r) => r[1]), 'train')).toThrow(expect.objectContaining({ code: 'E_ARG', message: expect.stringMatching(/^train\.x column 0: /) }));
    // Quoted cells go through csv-parse: the same refusal.
    expect(() => parseTable(csv(hour, '"time","reading"'))).toThrow(expect.objectContaining({ code: 'E_PARSE' }));
  });

  it('a target of 1e8 ± 1 is refused too (float32 steps by 8 there)', () => {
    const y = Array.from({ length: 100 }, (_, i) => 1e8 + (i % 3) - 1);
    expect(() => makeDataset(y.map((_, i) => [i]), y, 'train')).toThrow(expect.objectContaining({ code: 'E_ARG', message: expect.stringMatching(/^train\.y: /) }));
    expect(() => parseTable(y.map((v, i) => `${i} ${v}`).join('\n'))).toThrow(expect.objectContaining({ code: 'E_PARSE', message: expect.stringMatching(/column 2/) }));
  });

  it('passes what float32 keeps: timestamps over a year, large integers, constants, ordinary decimals', () => {
    expect(parseTable(csv(rows(200, 365 * 86400))).rows).toBe(200);
    expect(parseTable(Array.from({ length: 50 }, (_, i) => `${16777216 + i * 2},0.${i}`).join('\n')).rows).toBe(50);
    expect(parseTable(Array.from({ length: 50 }, (_, i) => `123456789.123,${i}`).join('\n')).rows).toBe(50);
    expect(makeDataset(Array.from({ length: 50 }, (_, i) => [0.1, i / 7]), Array.from({ length: 50 }, (_, i) => Math.sin(i))).n).toBe(50);
    // A constant up to float64 arithmetic noise is a constant, not lost data.
    expect(makeDataset(Array.from({ length: 50 }, (_, i) => [i % 2 ? 0.3 : 0.1 + 0.2, i]), Array.from({ length: 50 }, (_, i) => i)).n).toBe(50);
  });

  it('measures the root-mean-square rounding error against the standard deviation', () => {
    // Values 2^24 + k/4, k = 0..7 repeated: float32 steps by 2 there, so most of the spread is lost.
    const values = Array.from({ length: 800 }, (_, i) => 16777216 + (i % 8) / 4);
    const r = new Float32Rounding(1);
    for (const v of values) {
      r.add(0, v);
      r.row();
    }
    const mean = values.reduce((a, v) => a + v, 0) / values.length;
    const std = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length);
    const rms = Math.sqrt(values.reduce((a, v) => a + (v - Math.fround(v)) ** 2, 0) / values.length);
    expect(rms).toBeGreaterThan(PRECISION_LIMIT * std);
    const lossy = r.lossyColumn()!;
    expect(lossy.col).toBe(0);
    expect(lossy.std).toBeCloseTo(std, 9);
    expect(lossy.rms).toBeCloseTo(rms, 9);
    expect(lossy.mean).toBeCloseTo(mean, 6);
  });
});
