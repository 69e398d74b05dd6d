// advise(): the seed's tree, branch by branch, and the measured evidence from a comparison.
import { describe, expect, it } from 'vitest';
import { advise, evidenceFrom } from '../../../src/methods/posthoc/index.js';

describe('advise', () => {
  it('trained model: dropout → MC dropout, none → last-layer Laplace, each with its command', () => {
    const d = advise({ trained: true, dropout: true, model: 'm.onnx' });
    expect(d.method).toBe('mc-dropout');
    expect(d.command).toBe('bdl posthoc --model m.onnx --train train.csv --test test.csv --method mc-dropout');
    const l = advise({ trained: true, dropout: false });
    expect(l.method).toBe('laplace (last layer)');
    expect(l.reason).toMatch(/post hoc/);
    expect(l.command).toMatch(/--method laplace$/);
  });
  it('untrained: the budget picks laplace (1×, single-pass methods out of scope), SWAG (1.2–2×), an ensemble (M×)', () => {
    const one = advise({ trained: false, budget: '1x' });
    expect(one.reason).toMatch(/single-pass .* out of scope .* cheapest method in scope/);
    expect(one.command).toMatch(/^bdl fit --method laplace --subset last-layer/);
    expect(advise({ trained: false, budget: '1.2-2x' }).method).toBe('swag');
    expect(advise({ trained: false, budget: 'Mx' }).command).toMatch(/--method ensemble --members 5/);
  });
  it('refuses missing answers, naming the question', () => {
    expect(() => advise({ trained: true })).toThrow(expect.objectContaining({ code: 'E_ARG', argument: 'dropout' }));
    expect(() => advise({ trained: false, budget: '3x' as '1x' })).toThrow(expect.objectContaining({ argument: 'budget' }));
    expect(() => advise({} as never)).toThrow(expect.objectContaining({ argument: 'trained' }));
  });
  it('ranks each suite by calibration with cost relative to MAP', () => {
    const rows = evidenceFrom({ suites: [
      { name: 'digits', task: 'classification', methods: [
        { method: 'map', seconds: 2, metrics: { ece: 0.08 } },
        { method: 'ensemble', seconds: 10, metrics: { ece: 0.02 } },
        { method: 'vi', skipped: 'time limit', seconds: 60 },
      ] },
    ] });
    expect(rows.map((r) => [r.method, r.rank, r.costVsMap])).toEqual([['ensemble', 1, 5], ['map', 2, 1]]);
    expect(() => evidenceFrom({ nope: 1 })).toThrow(expect.objectContaining({ code: 'E_FORMAT' }));
  });
});
