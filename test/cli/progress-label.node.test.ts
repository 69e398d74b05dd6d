import { describe, expect, it } from 'vitest';
import { progressLabel } from '../../src/cli/progress.js';

describe('progress labels', () => {
  it('label Markov chains by iterations, phase, acceptance and divergences, never as a loss', () => {
    const l = progressLabel('nuts', { epoch: 120, epochs: 400, loss: 0.0123, phase: 'sampling', stepSize: 0.0123, acceptance: 0.8123, divergences: 2 });
    expect(l).toEqual({ note: 'draws, acceptance 0.81, 2 divergent, step size 0.0123', unit: 'iterations' });
    expect(progressLabel('hmc', { epoch: 3, epochs: 400, loss: 0.5, phase: 'warmup', stepSize: 0.5 }).note).toBe('warmup, step size 0.500');
  });

  it("label Laplace's phases after its MAP: rows of the curvature, steps of the prior precision, thousandths of the posterior's factorization", () => {
    expect(progressLabel('laplace', { epoch: 256, epochs: 2000, loss: NaN, phase: 'curvature' })).toEqual({ note: 'curvature', unit: 'rows' });
    expect(progressLabel('laplace', { epoch: 370, epochs: 1000, loss: NaN, phase: 'prior' })).toEqual({ note: 'prior precision', unit: 'steps' });
    expect(progressLabel('laplace', { epoch: 370, epochs: 1000, loss: NaN, phase: 'posterior' })).toEqual({ note: 'posterior factorization', unit: '‰' });
  });

  it("label the chains' diagnostics by quantities", () => {
    expect(progressLabel('nuts', { epoch: 40, epochs: 1500, loss: NaN, phase: 'diagnostics' })).toEqual({ note: 'R̂ and ESS', unit: 'quantities' });
  });

  it("label a method's own stage (MC dropout's rate search and refit) by its words, and its loss when it has one", () => {
    expect(progressLabel('mc-dropout', { epoch: 10, epochs: 1000, loss: NaN, stage: 'dropout rate search: round 1 of 2 (3 rates × 10 blocks)' })).toEqual({ note: 'dropout rate search: round 1 of 2 (3 rates × 10 blocks)', unit: 'epochs' });
    expect(progressLabel('mc-dropout', { epoch: 1, epochs: 10, loss: 1.5, stage: 'refit on every row at rate 0.05' })).toEqual({ note: 'refit on every row at rate 0.05: loss 1.5000', unit: 'epochs' });
  });

  it('label SG-MCMC by its potential and optimizers by their loss, per epoch', () => {
    expect(progressLabel('sghmc', { epoch: 1, epochs: 10, loss: 1.5 })).toEqual({ note: 'U/n 1.5000', unit: 'epochs' });
    expect(progressLabel('map', { epoch: 1, epochs: 10, loss: 1.5 })).toEqual({ note: 'loss 1.5000', unit: 'epochs' });
    expect(progressLabel('ensemble', { epoch: 1, epochs: 10, loss: NaN }).note).toBe('');
  });
});
