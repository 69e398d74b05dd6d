import { describe, expect, it } from 'vitest';
import { FIELD_ORDERINGS, judgeOrdering, type FieldOrdering } from '../../src/report/orderings.js';
import type { SuiteResult } from '../../src/report/run.js';
import { formatTables } from '../../src/report/table.js';
import { Rng } from '../../src/random/index.js';

const suite = (ece: Record<string, number>, seconds: Record<string, number> = {}): SuiteResult => ({
  name: 'digits',
  task: 'classification',
  description: 'fixture',
  nTrain: 10,
  nTest: 5,
  methods: Object.entries(ece).map(([method, v]) => ({ method, seconds: seconds[method] ?? 1, metrics: { ece: v, auroc: 1 - v } })),
});

const calibration = FIELD_ORDERINGS.find((o) => o.name === 'calibration')!;

describe('judgeOrdering', () => {
  it('agrees pair by pair with a measured order equal to the field’s', () => {
    const r = judgeOrdering(calibration, [suite({ ensemble: 0.01, swag: 0.02, laplace: 0.03, 'mc-dropout': 0.04, vi: 0.05 })]);
    expect(r.pairs.map((p) => p.verdict)).toEqual(['agree', 'agree', 'agree', 'agree']);
    expect(r.measured.map((m) => m.method)).toEqual(['ensemble', 'swag', 'laplace', 'mc-dropout', 'vi']);
    expect(r.summary).toBe('4 of 4 adjacent pairs agree');
  });

  it('flags a reversed pair, calls differences within 2 standard errors ties (enough for ≥), and marks methods that did not run', () => {
    // A stand-in for the bootstrap: every difference has SE 0.003, so ties are within ±0.006.
    const noisy: FieldOrdering = { ...calibration, differenceSe: () => 0.003 };
    // ensemble ≥ swag within noise: agree; laplace worse than mc-dropout: disagree; vi missing.
    const r = judgeOrdering(noisy, [suite({ ensemble: 0.024, swag: 0.02, laplace: 0.05, 'mc-dropout': 0.04 })]);
    expect(r.pairs.map((p) => p.verdict)).toEqual(['agree', 'agree', 'disagree', 'missing']);
    expect(r.pairs[0]).toMatchObject({ se: 0.003, tolerance: 0.006 });
    expect(r.summary).toMatch(/^2 of 3 adjacent pairs agree; not judged .*mc-dropout > vi/);
    // Under a strict '>' the same near tie is a tie; beyond the noise it disagrees.
    const strict: FieldOrdering = { ...noisy, relations: ['>', '>', '>', '>'] };
    expect(judgeOrdering(strict, [suite({ ensemble: 0.024, swag: 0.02 })]).pairs[0].verdict).toBe('tie');
    expect(judgeOrdering(strict, [suite({ ensemble: 0.024, swag: 0.02 })]).summary).toMatch(/^0 of 1 adjacent pairs agree, 1 is a tie within noise/);
    expect(judgeOrdering(strict, [suite({ ensemble: 0.027, swag: 0.02 })]).pairs[0].verdict).toBe('disagree');
    // Without a noise estimate every difference counts.
    expect(judgeOrdering({ ...strict, differenceSe: () => undefined }, [suite({ ensemble: 0.0201, swag: 0.02 })]).pairs[0].verdict).toBe('disagree');
  });

  it('calibration: the SE of an ECE difference is the paired bootstrap over test points (closed form 2·√(acc(1 − acc)/n) here)', () => {
    // 400 points, 80 % right. A says 0.9 everywhere, B 0.6: ECE_A − ECE_B = (0.9 − acc) − (acc − 0.6) = 1.5 − 2·acc.
    const n = 400;
    const correct = Array.from({ length: n }, (_, i) => (i % 5 === 0 ? 0 : 1));
    const s = suite({ ensemble: 0.1, swag: 0.2 });
    s.methods[0].topClass = { confidence: Array(n).fill(0.9), correct };
    s.methods[1].topClass = { confidence: Array(n).fill(0.6), correct };
    const se = calibration.differenceSe!([s], 'ensemble', 'swag')!;
    const exact = 2 * Math.sqrt((0.8 * 0.2) / n);
    expect(se / exact).toBeGreaterThan(0.9);
    expect(se / exact).toBeLessThan(1.1);
    // The same predictions: no noise in the difference at all.
    s.methods[1].topClass = s.methods[0].topClass;
    expect(calibration.differenceSe!([s], 'ensemble', 'swag')).toBe(0);
    // A method without per-point data (or skipped) gives no estimate.
    expect(calibration.differenceSe!([s], 'ensemble', 'laplace')).toBeUndefined();
  });

  it('OOD detection: the SE of an AUROC difference resamples the in- and out-of-distribution scores, read from the set the key names', () => {
    const ood = FIELD_ORDERINGS.find((o) => o.name === 'OOD detection')!;
    const rng = new Rng(3);
    const normals = (m: number, k: number) => Array.from({ length: k }, () => m + rng.normal());
    const s: SuiteResult = { ...suite({ svgd: 0, swag: 0 }), oodSets: [{ name: 'held-out', key: 'auroc' }, { name: 'noise', key: 'aurocNoise' }] };
    s.methods[0].scores = { 'in-distribution': normals(0, 200), 'held-out': normals(1, 300), noise: [] };
    s.methods[1].scores = { 'in-distribution': normals(0, 200), 'held-out': normals(1, 300), noise: [] };
    const se = ood.differenceSe!([s], 'svgd', 'swag')!;
    // Two independent AUROCs near 0.76 from 200 vs 300 points: each has SE ≈ 0.021 (Hanley & McNeil), the difference ≈ 0.03.
    expect(se).toBeGreaterThan(0.02);
    expect(se).toBeLessThan(0.04);
    s.methods[1].scores = s.methods[0].scores;
    expect(ood.differenceSe!([s], 'svgd', 'swag')).toBe(0);
    expect(ood.differenceSe!([{ ...s, oodSets: [] }], 'svgd', 'swag')).toBeUndefined();
  });

  it('reads higher-is-better metrics and summed seconds the right way round', () => {
    const ood = FIELD_ORDERINGS.find((o) => o.name === 'OOD detection')!;
    // auroc = 1 − ece in the fixture: swag (0.9) beats mc-dropout (0.8).
    expect(judgeOrdering(ood, [suite({ swag: 0.1, 'mc-dropout': 0.2 })]).pairs[2].verdict).toBe('agree');
    const cost = FIELD_ORDERINGS.find((o) => o.name === 'cost')!;
    const two = [suite({ 'mc-dropout': 0, laplace: 0 }, { 'mc-dropout': 1, laplace: 2 }), { ...suite({ 'mc-dropout': 0, laplace: 0 }, { 'mc-dropout': 5, laplace: 1 }), name: 'energy' }];
    const r = judgeOrdering(cost, two);
    expect(r.measured).toEqual([{ method: 'laplace', value: 3 }, { method: 'mc-dropout', value: 6 }]);
    expect(r.pairs[0].verdict).toBe('disagree');
  });
});

describe('formatTables', () => {
  it('prints the columns that have values, one row per method, skipped ones with their reason, and each ordering', () => {
    const s = suite({ map: 0.01 });
    s.methods.push({ method: 'hmc', skipped: 'refuses classification' });
    const text = formatTables([s], [judgeOrdering(calibration, [s])]);
    expect(text).toMatch(/ECE\s+AUROC 5–9\s+seconds\n.*\n\s+map\s+0\.010\s+0\.990\s+1\.00/);
    expect(text).toMatch(/hmc\s+skipped: refuses classification/);
    expect(text).toMatch(/calibration — ECE/);
  });
});

describe('cost ordering', () => {
  it('sums seconds only over the suites where every method of the ranking ran', () => {
    const cost = FIELD_ORDERINGS.find((o) => o.name === 'cost')!;
    const a = suite({ 'mc-dropout': 0, hmc: 0 }, { 'mc-dropout': 1, hmc: 10 });
    const b = { ...suite({ 'mc-dropout': 0 }, { 'mc-dropout': 2 }), name: 'energy' };
    b.methods.push({ method: 'hmc', skipped: 'failed', seconds: 0.5 });
    const r = judgeOrdering(cost, [a, b]);
    expect(r.measured).toEqual([{ method: 'mc-dropout', value: 1 }, { method: 'hmc', value: 10 }]);
    expect(r.summary).toMatch(/seconds summed over digits$/);
  });
});
