import { beforeAll, describe, expect, it } from 'vitest';
import { Arena } from '../../../src/wasm/index.js';
import { randF32 } from './ref.js';

let a: Arena;
beforeAll(async () => {
  a = await Arena.create();
});

/** bias_act_f32 over m rows at once, or one row per call (which never takes the grouped path). */
function run(z0: Float32Array, bias: Float32Array, m: number, n: number, act: number, perRow: boolean) {
  const mark = a.mark();
  const z = a.putF32(z0);
  const y = a.allocF32(m * n);
  const b = a.putF32(bias);
  if (perRow) for (let r = 0; r < m; r++) a.k.bias_act_f32(z + 4 * r * n, y + 4 * r * n, b, 1, n, act);
  else a.k.bias_act_f32(z, y, b, m, n, act);
  const out = { z: a.getF32(z, m * n), y: a.getF32(y, m * n) };
  a.reset(mark);
  return out;
}

// n mod 4 = 1, 2, 3 with row counts that leave 0…3 rows outside the groups of whole vectors; n = 50
// (the benchmark's hidden layer); n = 1025, whose 4-row group exceeds the repeated-bias scratch.
const SHAPES: readonly (readonly [number, number])[] = [[2, 1], [5, 2], [4, 3], [7, 5], [9, 6], [300, 50], [301, 50], [6, 7], [5, 1025]];

describe('bias_act_f32 on rows that are not whole vectors', () => {
  for (const [m, n] of SHAPES) {
    it(`gives the bits of the row-by-row computation for every activation (${m}×${n})`, () => {
      const z0 = randF32(m * n, m * 31 + n, 3);
      const bias = randF32(n, n + 5, 0.5);
      for (let act = 0; act <= 10; act++) {
        const all = run(z0, bias, m, n, act, false);
        const rows = run(z0, bias, m, n, act, true);
        expect(Array.from(all.z), `z, code ${act}`).toEqual(Array.from(z0, (v, i) => Math.fround(v + bias[i % n])));
        expect(Array.from(all.y), `y, code ${act}`).toEqual(Array.from(rows.y));
      }
    });
  }
});
