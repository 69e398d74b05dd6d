// The transforms' and schedules' arguments are checked by their fields: E_ARG naming the argument.
import { describe, expect, it } from 'vitest';
import { adam, clipByGlobalNorm, momentum, weightDecay } from '../../src/train/optimizers.js';
import { constant, cosine, cyclical, stepDecay } from '../../src/train/schedules.js';
import { thrownBdlError as refusal } from '../helpers/errors.js';

describe('optimizer and schedule arguments', () => {
  it('refuse values out of range, naming the argument, and accept the edges', () => {
    for (const [f, argument] of [
      [() => momentum(1), 'mu'],
      [() => adam({ b1: 1 }), 'b1'],
      [() => adam({ b2: -0.1 }), 'b2'],
      [() => adam({ eps: -1 }), 'eps'],
      [() => adam({ b3: 0.9 } as never), 'b3'],
      [() => weightDecay(-1), 'lambda'],
      [() => weightDecay(NaN), 'lambda'],
      [() => clipByGlobalNorm(0), 'maxNorm'],
      [() => constant(0), 'lr'],
      [() => cosine(Infinity), 'lr'],
      [() => stepDecay(1e-3, 0.5), 'every'],
      [() => cyclical(1e-3, 1.5), 'cycles'],
    ] as const) {
      const e = refusal(f);
      expect([e.code, e.argument]).toEqual(['E_ARG', argument]);
    }
    expect(refusal(() => constant(undefined as never)).message).toMatch(/^schedule: lr: expected a finite number > 0, found undefined\. E\.g\. 1e-3\.$/);
    expect(momentum(0).name).toBe('momentum');
    expect(adam({ b1: 0, eps: 0 }).name).toBe('adam');
    expect(weightDecay(0).name).toBe('weight-decay');
    expect(clipByGlobalNorm(Infinity).name).toBe('clip');
    expect(cyclical(1e-3, 4)(0, 100)).toBe(1e-3);
  });
});
