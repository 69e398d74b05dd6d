// Simulation-based calibration at a small budget (eval/sbc.mjs runs 200 replicates of both models and
// both samplers, eval/SBC.md): ranks of the true θ among thinned posterior draws must look uniform for
// NUTS, and must not when the simulator is broken on purpose. Through the built package (dist/): the
// targets are data: URL modules imported inside the workers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pool } from '../../src/index.js';
import { chiSquare, gammaQ, histogram, runSbc } from '../../eval/sbc/core.mjs';
import { MODELS } from '../../eval/sbc/models.mjs';
import { lib } from '../pool/lib.js';

// 60 replicates, 10 bins of 10 ranks (6 expected per bin); chains of 500 + 500 iterations to keep the
// test to tens of seconds (the thinned 99 draws are still ≈ 20 iterations apart).
const SMALL = { replicates: 60, sample: { warmup: 500, draws: 500 } };
const BINS = 10;

let pool: Pool;
beforeAll(async () => { pool = await lib.createPool({ size: 2 }); });
afterAll(async () => { await pool?.close(); });

describe('simulation-based calibration', () => {
  it('χ² p-values: the regularized gamma matches known quantiles', () => {
    expect(gammaQ(9.5, 30.1435 / 2)).toBeCloseTo(0.05, 4); // χ²(19) 95 % point
    expect(gammaQ(4.5, 21.666 / 2)).toBeCloseTo(0.01, 4); // χ²(9) 99 % point
    expect(gammaQ(1, 3)).toBeCloseTo(Math.exp(-3), 12);
    expect(chiSquare([6, 6, 6, 6]).p).toBe(1);
  });

  it('NUTS on the logistic regression: ranks uniform (every quantity p > 0.001)', async () => {
    const r = await runSbc(MODELS.logistic, { ...SMALL, pool, seed: 3 });
    for (let k = 0; k < r.quantities.length; k++) {
      expect(r.ranks[k]).toHaveLength(60);
      expect(chiSquare(histogram(r.ranks[k], r.L, BINS)).p).toBeGreaterThan(0.001);
    }
  });

  it('detects a broken simulator (hierarchical model, prior scales doubled): some p < 0.001', async () => {
    const r = await runSbc(MODELS.hierarchical, { ...SMALL, pool, seed: 3, priorScale: 2 });
    const ps = r.ranks.map((rk) => chiSquare(histogram(rk, r.L, BINS)).p);
    expect(Math.min(...ps)).toBeLessThan(0.001);
  });
});
