import { describe, expect, it } from 'vitest';
import { BdlError } from '../../src/errors.js';
import { digitsAsMnist, fashionSuite, readIdx } from '../../src/report/fashion.js';

/** An IDX file of unsigned bytes with this shape and data. */
function idx(shape: number[], data: number[]): Uint8Array {
  const b = new Uint8Array(4 + 4 * shape.length + data.length);
  const v = new DataView(b.buffer);
  b[2] = 0x08;
  b[3] = shape.length;
  shape.forEach((d, i) => v.setUint32(4 + 4 * i, d));
  b.set(data, 4 + 4 * shape.length);
  return b;
}

const code = (f: () => unknown) => {
  try {
    f();
    return 'ok';
  } catch (e) {
    return e instanceof BdlError ? e.code : String(e);
  }
};

describe('fashion suite', () => {
  it('reads IDX images and labels: pixels / 255, the first n of each part, the digits as OOD in MNIST layout', () => {
    const images = (n: number, off: number) => idx([n, 28, 28], Array.from({ length: n * 784 }, (_, i) => (i + off) % 256));
    const labels = (n: number) => idx([n], Array.from({ length: n }, (_, i) => i % 10));
    const digits = [[...Array(64).fill(16), 3].join(','), [...Array(64).fill(0), 5].join(',')].join('\n');
    const s = fashionSuite({ trainImages: images(5, 0), trainLabels: labels(5), testImages: images(4, 7), testLabels: labels(4) }, digits, { trainSize: 3, testSize: 10 });
    expect(s.train.n).toBe(3);
    expect(s.test.n).toBe(4);
    expect(s.train.x[300]).toBeCloseTo(300 % 256 / 255, 7);
    expect(s.test.x[0]).toBeCloseTo(7 / 255, 7);
    expect(Array.from(s.train.y)).toEqual([0, 1, 2]);
    expect(s.classes).toBe(10);
    expect(s.ood![0].x.length).toBe(2 * 784);
    expect(s.options).toEqual({ hidden: [50] });
  });

  it('digitsAsMnist: a uniform 8×8 image fills the centred 20×20 box exactly and nothing else', () => {
    const x = digitsAsMnist([...Array(64).fill(8), 1].join(','));
    for (let i = 0; i < 28; i++) for (let j = 0; j < 28; j++) expect(x[i * 28 + j]).toBe(i >= 4 && i < 24 && j >= 4 && j < 24 ? 0.5 : 0);
    // A left-to-right ramp stays a ramp: bilinear, monotone along each row, the 8×8 ends at the box's edges.
    const ramp = digitsAsMnist([...Array.from({ length: 64 }, (_, k) => 2 * (k % 8)), 0].join(','));
    const row = Array.from({ length: 20 }, (_, j) => ramp[10 * 28 + 4 + j]);
    for (let j = 1; j < 20; j++) expect(row[j]).toBeGreaterThanOrEqual(row[j - 1]);
    expect(row[0]).toBe(0);
    expect(row[19]).toBeCloseTo(14 / 16, 6);
  });

  it('refuses what is not an IDX file of bytes, or whose header disagrees with its length, as E_FORMAT', () => {
    expect(code(() => readIdx(Uint8Array.from([0, 0, 0x0d, 1, 0, 0, 0, 1, 0]), 1, 'x'))).toBe('E_FORMAT');
    expect(code(() => readIdx(idx([3], [1, 2]), 1, 'x'))).toBe('E_FORMAT');
    expect(code(() => readIdx(idx([2], [1, 2]), 3, 'x'))).toBe('E_FORMAT');
    expect(readIdx(idx([2, 1, 1], [4, 5]), 3, 'x').shape).toEqual([2, 1, 1]);
  });
});
