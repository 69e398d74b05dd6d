// Every method's options are checked by its schema before any work (no epoch, no pool task): typos are
// refused with the nearest valid name, bad values with the option, expected, found and what to do.
import { describe, expect, it } from 'vitest';
import { BdlError } from '../../src/errors.js';
import { makeDataset } from '../../src/data/dataset.js';
import { METHODS, trainMethod } from '../../src/methods/registry.js';
import { trainEnsemble } from '../../src/methods/ensembles/ensemble.js';
import { trainNuts } from '../../src/methods/mcmc/mcmc.js';
import { trainLaplace } from '../../src/methods/laplace/index.js';
import { trainCsgld } from '../../src/methods/sgmcmc/sgld.js';
import { trainSghmcMh } from '../../src/methods/sgmcmc/sghmc.js';
import { trainMap } from '../../src/methods/map.js';
import { trainMcDropout } from '../../src/methods/variational/mc-dropout.js';
import { trainConcreteDropout } from '../../src/methods/variational/concrete-dropout.js';
import { trainSubspace } from '../../src/methods/mcmc/subspace.js';
import { modelSelection } from '../../src/methods/laplace/laplace.js';
import { bayesianHead } from '../../src/methods/posthoc/head.js';
import { advise } from '../../src/methods/posthoc/advise.js';
import { gridPoints } from '../../src/methods/tune/tune.js';
import { linearData } from './helpers.js';

const data = linearData(40, 2, 0.1, 1);

async function refusal(p: Promise<unknown>): Promise<BdlError> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(BdlError);
  return e as BdlError;
}

/** Options that would train, with a progress spy that must stay silent. */
function spy() {
  const calls: unknown[] = [];
  return { calls, opts: { hidden: [4], epochs: 2, onProgress: (p: unknown) => calls.push(p) } };
}

describe('method options', () => {
  it('trainEnsemble(data, { memebers: 2 }) throws E_ARG suggesting members, before training', async () => {
    const s = spy();
    const e = await refusal(trainEnsemble(data, { ...s.opts, memebers: 2 } as never));
    expect(e.code).toBe('E_ARG');
    expect(e.argument).toBe('memebers');
    expect(e.message).toMatch(/unknown option memebers\. Did you mean members\?/);
    expect(s.calls).toHaveLength(0);
  });

  it('every method of the table refuses a misspelt option and a bad value before any epoch', async () => {
    for (const [name, entry] of Object.entries(METHODS)) {
      const s = spy();
      const typo = await refusal(entry.train(data, { ...s.opts, seeed: 1 }));
      expect(typo.message, name).toContain('Did you mean seed?');
      const bad = await refusal(entry.train(data, { ...s.opts, batchSize: 0 }));
      expect([bad.code, bad.argument], name).toEqual(['E_ARG', 'batchSize']);
      expect(bad.message, name).toMatch(/batchSize: expected an integer ≥ 1( and ≤ 256)?, found 0\. /);
      expect(s.calls, name).toHaveLength(0);
      // Through trainMethod too (the command line's path), with the tuning search not started.
      expect((await refusal(trainMethod(name, data, { ...s.opts, epochs: -1 }, true))).argument, name).toBe('epochs');
    }
  });

  it('NUTS warmup/draws and Laplace hessian/subset are checked before the MAP pretraining', async () => {
    for (const o of [{ warmup: -1 }, { draws: 0 }, { chains: -1 }, { keep: 0 }]) {
      const s = spy();
      const e = await refusal(trainNuts(data, { ...s.opts, poolSize: 0, ...o }));
      expect(e.argument).toBe(Object.keys(o)[0]);
      expect(s.calls).toHaveLength(0);
    }
    for (const o of [{ hessian: 'bogus' }, { subset: 'most' }]) {
      const s = spy();
      const e = await refusal(trainLaplace(data, { ...s.opts, ...o } as never));
      expect(e.argument).toBe(Object.keys(o)[0]);
      expect(s.calls).toHaveLength(0);
    }
  });

  it("cyclical SGLD refuses learningRate 'abc'; SGHMC-MH checks its learning rate", async () => {
    const s = spy();
    expect((await refusal(trainCsgld(data, { ...s.opts, learningRate: 'abc' as never }))).argument).toBe('learningRate');
    for (const lr of [-1, 0, NaN, () => 1]) expect((await refusal(trainSghmcMh(data, { ...s.opts, learningRate: lr as never }))).argument).toBe('learningRate');
    expect(s.calls).toHaveLength(0);
  });

  it('classification labels that are not integer class indices are refused naming the row and value', async () => {
    const x = [[0], [1], [2], [3]];
    for (const [y, found] of [[[0, 1, 1.5, 0], '1.5'], [[0, 1, -1, 0], '-1'], [[0, 1, 1e9, 0], '1000000000']] as const) {
      const e = await refusal(trainMap(makeDataset(x, [...y]), { task: 'classification', hidden: [2], epochs: 1 }));
      expect(e.code).toBe('E_ARG');
      expect(e.message).toContain(`label of data row 3 (data.y[2])`);
      expect(e.message).toContain(`found ${found}`);
    }
    // Labels at or above an explicit class count too.
    expect((await refusal(trainMap(makeDataset(x, [0, 1, 2, 0]), { task: 'classification', classes: 2, hidden: [2], epochs: 1 }))).message).toContain('0…1');
  });

  it('rules between options are refused before any work, naming the option to change', async () => {
    const s = spy();
    const cases: [Promise<unknown>, string, RegExp][] = [
      [trainMcDropout(data, { ...s.opts, dropout: [0.1, 0.1], inputDropout: true }), 'inputDropout', /a single dropout rate/],
      [trainConcreteDropout(data, { ...s.opts, hidden: [], layers: 'hidden' }), 'layers', /at least one layer to drop/],
      [trainSubspace(data, { ...s.opts, likelihood: 'heteroscedastic' }), 'likelihood', /'gaussian'/],
      [trainSubspace(data, { ...s.opts, rank: 5, dimension: 6 }), 'dimension', /at most the SWAG rank \(rank\), found 6 with rank 5/],
      [trainEnsemble(data, { ...s.opts, learningRate: () => 1e-3 }), 'learningRate', /found a schedule function/],
      [trainLaplace(data, { ...s.opts, subset: 'subnetwork' }), 'hessian', /'full' or 'diag' for a subnetwork, found 'kron'/],
      [trainMethod('map', data, { ...s.opts, calibrate: 'temperature' }), 'calibrate', /'none' for a regression task/],
      [modelSelection(data, []), 'candidates', /at least 1/],
      [bayesianHead(data, { iterations: 0 }), 'iterations', /an integer ≥ 1/],
    ];
    for (const [p, argument, message] of cases) {
      const e = await refusal(p);
      expect([e.code, e.argument]).toEqual(['E_ARG', argument]);
      expect(e.message).toMatch(message);
    }
    expect(s.calls).toHaveLength(0);
    expect(() => advise({ trained: false })).toThrow(expect.objectContaining({ code: 'E_ARG', argument: 'budget' }));
    expect(() => gridPoints({ a: [1], b: [] })).toThrow(expect.objectContaining({ code: 'E_ARG', argument: 'grid.b' }));
  });
});

describe('the training data, checked before any work', () => {
  // A Dataset is a plain interface: one built by hand must not train on part of its rows or on NaN.
  const f32 = (a: ArrayLike<number>) => Float32Array.from(a);
  const nan = { ...data, x: f32(data.x).fill(NaN, 5, 6) };
  const cases: [string, unknown, string, RegExp][] = [
    ['NaN in x', nan, 'E_NONFINITE', /^train\.x\[2\]\[1\]: expected a finite number, found NaN/],
    ['n smaller than the rows', { ...data, n: 20 }, 'E_SHAPE', /^train\.x: expected n × inputs = 20 × 2 = 40 values, found 80\. Build it with makeDataset/],
    ['y shorter than n', { ...data, y: data.y.subarray(0, 5) }, 'E_SHAPE', /^train\.y: expected n × targets = 40 × 1 = 40 values, found 5/],
    ['x as number[][]', { ...data, x: [[1, 2]] }, 'E_ARG', /^train\.x: expected a Float32Array/],
    ['no n', { x: data.x, y: data.y, inputs: 2, targets: 1 }, 'E_EMPTY', /^train\.n: expected a positive integer, found undefined/],
    ['null', null, 'E_ARG', /^train: expected a Dataset \{ x, y, n, inputs, targets \} \(makeDataset\), found null/],
    // One row fits exactly: a variance of ~1e-8 around it, as if certain.
    ['one row', { x: data.x.slice(0, 2), y: data.y.slice(0, 1), n: 1, inputs: 2, targets: 1 }, 'E_EMPTY', /^train: expected at least 2 rows, found 1\. One row says nothing about the noise/],
  ];
  for (const [what, bad, code, msg] of cases) {
    it(`${what}: ${code}, no epoch trained (trainMap, trainEnsemble, trainNuts)`, async () => {
      for (const train of [trainMap, trainEnsemble, trainNuts] as ((d: unknown, o: object) => Promise<unknown>)[]) {
        const s = spy();
        const e = await refusal(train(bad, s.opts));
        expect(e.code).toBe(code);
        expect(e.message).toMatch(msg);
        expect(s.calls).toEqual([]);
      }
    });
  }

  it('validation rows: checked like the training data and for its columns, naming the option', async () => {
    const s = spy();
    const e1 = await refusal(trainMap(data, { ...s.opts, validation: { ...data, y: f32(data.y).fill(Infinity, 3, 4) } }));
    expect([e1.code, e1.message]).toEqual(['E_NONFINITE', expect.stringMatching(/^trainMap: validation\.y\[3\]\[0\]: expected a finite number, found Infinity/)]);
    const e2 = await refusal(trainMap(data, { ...s.opts, validation: linearData(30, 3, 0.1, 2) }));
    expect([e2.code, e2.message]).toEqual(['E_SHAPE', expect.stringMatching(/^trainMap: validation: expected 2 input and 1 target column\(s\), as the training data, found 3 and 1/)]);
    expect(s.calls).toEqual([]);
  });

  it('classification takes one label column: two are E_SHAPE, not a model of 3 classes', async () => {
    const two = makeDataset(Array.from({ length: 20 }, (_, i) => [i / 20]), Array.from({ length: 20 }, (_, i) => [i < 10 ? 0 : 1, 2]));
    const e = await refusal(trainMap(two, { task: 'classification', hidden: [4], epochs: 2 }));
    expect([e.code, e.message]).toEqual(['E_SHAPE', expect.stringMatching(/^train\.y: expected one label column for classification, found 2 columns/)]);
  });
});

describe('classification labels', () => {
  it('every row labelled 0 is E_ARG on train.y, not a complaint about a classes option never given', async () => {
    const one = makeDataset(Array.from({ length: 20 }, (_, i) => [i / 20]), Array.from({ length: 20 }, () => 0));
    const e = await refusal(trainMap(one, { task: 'classification', hidden: [4], epochs: 2 }));
    expect([e.code, e.argument, e.message]).toEqual(['E_ARG', 'train.y', expect.stringMatching(/^train\.y: expected labels of at least two classes, found all 20 labels are class 0/)]);
  });

  it('every row of one class with classes given (trainX called directly) is E_ARG too, before any epoch', async () => {
    const ones = makeDataset(Array.from({ length: 20 }, (_, i) => [i / 20]), Array.from({ length: 20 }, () => 1));
    let epochs = 0;
    const e = await refusal(trainMap(ones, { task: 'classification', classes: 2, hidden: [4], epochs: 2, onProgress: () => epochs++ }));
    expect([e.code, e.argument, e.message]).toEqual(['E_ARG', 'train.y', expect.stringMatching(/^train\.y: expected labels of at least two classes, found all 20 labels are class 1/)]);
    expect(epochs).toBe(0);
  });
});

describe("trainMethod's how", () => {
  it('refuses a misspelt name instead of tuning on one split', async () => {
    await expect(trainMethod('map', data, { hidden: [4], epochs: 2 }, true, undefined, { fold: 3 } as never)).rejects.toThrow(/^trainMethod: how: unknown option fold\. Did you mean folds\?/);
  });
});
