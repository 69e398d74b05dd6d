/**
 * The predictive types compile as a user writes them (`npm run typecheck` checks this file under
 * --strict): a regression fit's predict has `mean` and `interval`, a classification fit's has
 * `probs`, without casts; an open task gives the union, which must be narrowed first.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { makeDataset } from '../../src/data/dataset.js';
import { trainTestSplit } from '../../src/data/split.js';
import { rmse } from '../../src/metrics/index.js';
import { trainEnsemble } from '../../src/methods/ensembles/ensemble.js';
import { trainLaplace } from '../../src/methods/laplace/index.js';
import { trainMap } from '../../src/methods/map.js';
import { trainNuts } from '../../src/methods/mcmc/mcmc.js';
import { trainVi } from '../../src/methods/variational/vi.js';
import type { ClassificationPredictive, Interval, Predictive, RegressionPredictive, TaskOf } from '../../src/posterior/types.js';

const regression = makeDataset([[0], [1], [2], [3]], [0, 1, 0, 1]);

describe('predictive types', () => {
  it('regression fits predict a RegressionPredictive with intervals, no cast', async () => {
    const p = await (await trainMap(regression, { hidden: [2], epochs: 1 })).predict([[0], [0.5]]);
    expectTypeOf(p.mean).toEqualTypeOf<Float64Array>();
    expectTypeOf(p.interval(0.95)).toEqualTypeOf<Interval>();
    expectTypeOf(p).toExtend<RegressionPredictive>();
    expect(p.mean.length).toBe(2);
    // @ts-expect-error -- a regression predictive has no class probabilities
    void p.probs;
  });

  it("compiles the README's quick start as written (no cast)", async () => {
    const x = Array.from({ length: 200 }, (_, i) => [i / 50 - 2]);
    const y = x.map(([v]) => 2 * v + 0.3 * Math.sin(40 * v));
    const { train, test } = trainTestSplit(makeDataset(x, y), { seed: 1 });
    const posterior = await trainMap(train, { hidden: [32], epochs: 2, seed: 1 });
    const pred = await posterior.predict(test.x);
    const { lower, upper } = pred.interval(0.95);
    expect(rmse(pred.mean, test.y)).toBeGreaterThan(0);
    expect(Math.sqrt(pred.aleatoric[0])).toBeGreaterThan(0);
    expect(lower[0]).toBeLessThan(upper[0]);
  });

  it('classification fits predict a ClassificationPredictive', async () => {
    const post = await trainMap(regression, { hidden: [2], epochs: 1, task: 'classification' });
    const p = await post.predict([[0]]);
    expectTypeOf(p.probs).toEqualTypeOf<Float64Array>();
    expectTypeOf(p).toExtend<ClassificationPredictive>();
    // @ts-expect-error -- a classification predictive has no mean
    void p.mean;
    expect(p.classes).toBe(2);
  });

  it('holds for every family and for options typed as variables', () => {
    type Reg<F extends (...a: never[]) => Promise<{ predict: (...a: never[]) => Promise<unknown> }>> = Awaited<ReturnType<Awaited<ReturnType<F>>['predict']>>;
    expectTypeOf<Reg<typeof trainEnsemble<{ members: 2 }>>>().toExtend<RegressionPredictive>();
    expectTypeOf<Reg<typeof trainVi<{ task: 'regression' }>>>().toExtend<RegressionPredictive>();
    expectTypeOf<Reg<typeof trainNuts<{ task: 'classification' }>>>().toExtend<ClassificationPredictive>();
    expectTypeOf<Reg<typeof trainLaplace<{ hessian: 'full' }>>>().toExtend<RegressionPredictive>();
    // A task only known at run time: the union, to narrow by `kind`.
    expectTypeOf<TaskOf<{ task?: 'regression' | 'classification' }>>().toEqualTypeOf<'regression' | 'classification'>();
    expectTypeOf<Reg<typeof trainMap<{ task?: 'regression' | 'classification' }>>>().toExtend<Predictive>();
    expectTypeOf<TaskOf<object>>().toEqualTypeOf<'regression'>();
  });
});
