import { describe, expect, it } from 'vitest';
import { FIELD_ORDERINGS, judgeOrdering, type FieldOrdering } from '../../src/report/orderings.js';
import type { SuiteResult } from '../../src/report/run.js';
import { formatTables } from '../../src/report/table.js';

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

  it('flags a reversed pair, calls differences within noise ties (enough for ≥), and marks methods that did not run', () => {
    // ensemble ≥ swag within 0.005: agree; laplace worse than mc-dropout: disagree; vi missing.
    const r = judgeOrdering(calibration, [suite({ ensemble: 0.024, swag: 0.02, laplace: 0.05, 'mc-dropout': 0.04 })]);
    expect(r.pairs.map((p) => p.verdict)).toEqual(['agree', 'agree', 'disagree', 'missing']);
    expect(r.summary).toMatch(/^2 of 3 adjacent pairs agree; not judged .*mc-dropout > vi/);
    // Under a strict '>' the same near tie is a tie; beyond the noise it disagrees.
    const strict: FieldOrdering = { ...calibration, relations: ['>', '>', '>', '>'] };
    expect(judgeOrdering(strict, [suite({ ensemble: 0.024, swag: 0.02 })]).pairs[0].verdict).toBe('tie');
    expect(judgeOrdering(strict, [suite({ ensemble: 0.024, swag: 0.02 })]).summary).toMatch(/^0 of 1 adjacent pairs agree, 1 is a tie within noise/);
    expect(judgeOrdering(strict, [suite({ ensemble: 0.026, swag: 0.02 })]).pairs[0].verdict).toBe('disagree');
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
  it('sums seconds only over the suites where every method of the chain ran', () => {
    const cost = FIELD_ORDERINGS.find((o) => o.name === 'cost')!;
    const a = suite({ 'mc-dropout': 0, hmc: 0 }, { 'mc-dropout': 1, hmc: 10 });
    const b = { ...suite({ 'mc-dropout': 0 }, { 'mc-dropout': 2 }), name: 'energy' };
    b.methods.push({ method: 'hmc', skipped: 'failed', seconds: 0.5 });
    const r = judgeOrdering(cost, [a, b]);
    expect(r.measured).toEqual([{ method: 'mc-dropout', value: 1 }, { method: 'hmc', value: 10 }]);
    expect(r.summary).toMatch(/seconds summed over digits$/);
  });
});
