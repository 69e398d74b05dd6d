import { describe, expect, it } from 'vitest';
import { fitDropout, runDropoutFit, DROPOUT_FIT, type DropoutFit } from '../../../src/methods/variational/dropout-fit.js';
import { Mlp } from '../../../src/model/mlp.js';
import type { MlpSpec } from '../../../src/model/spec.js';
import { fanOut } from '../../../src/pool/fan-out.js';
import { registerTask } from '../../../src/pool/registry.js';
import { linearData } from '../helpers.js';

const spec: MlpSpec = { inputs: 2, hidden: [8], outputs: 1, activation: 'relu', likelihood: 'gaussian', dropout: 0.1 };
const data = linearData(120, 2, 0.3, 4);
const options = { epochs: 30, batchSize: 16, learningRate: 1e-2, priorPrecision: 1, earlyStopping: { fraction: 0.2, patience: 30, fold: 1 } };

describe("'dropout-fit'", () => {
  it('is the in-thread fit as a pool task, bit for bit, with its EM σ²', async () => {
    registerTask(DROPOUT_FIT, runDropoutFit);
    const [task] = await fanOut<DropoutFit>([{ kind: DROPOUT_FIT, spec, options, seed: 3, stream: 0 }], { pool: { size: 0 }, data: { x: data.x, y: data.y } });
    const here = await fitDropout(await Mlp.create(spec, { capacity: 256 }), data, options, 3, 0);
    expect(Array.from(task.params)).toEqual(Array.from(here.params));
    expect(task.validationCurve).toEqual(here.validationCurve);
    expect(task.noiseVar).toBe(here.noiseVar);
    expect(here.noiseVar).toBeGreaterThan(0);
    // A fixed σ² stays fixed.
    expect((await fitDropout(await Mlp.create(spec, { capacity: 256 }), data, { ...options, noiseVar: 0.25 }, 3, 0)).noiseVar).toBe(0.25);
  });

  it('refuses a task without its spec or with bad options before any work', async () => {
    registerTask(DROPOUT_FIT, runDropoutFit);
    const run = (t: object) => fanOut([{ kind: DROPOUT_FIT, seed: 0, stream: 0, ...t }], { pool: { size: 0 }, data: { x: data.x, y: data.y } });
    await expect(run({ options })).rejects.toMatchObject({ message: expect.stringContaining('task.spec') });
    await expect(run({ spec, options: { ...options, batchSize: 0 } })).rejects.toMatchObject({ message: expect.stringContaining('batchSize') });
  });
});
