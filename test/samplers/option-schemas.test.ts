// Warmup, the kernels, BnnTarget.create and runChain refuse bad options by their schemas, naming the
// option (with its path inside kernel/adapt/init), before any work: the target is never evaluated.
import { expect, test } from 'vitest';
import { BdlError } from '../../src/errors.js';
import { BnnTarget } from '../../src/samplers/bnn-target.js';
import { runChain } from '../../src/samplers/chain.js';
import { hmc } from '../../src/samplers/hmc.js';
import { nuts } from '../../src/samplers/nuts.js';
import type { ChainCheckpoint } from '../../src/samplers/checkpoint.js';
import { Warmup } from '../../src/samplers/warmup.js';
import type { Target } from '../../src/samplers/types.js';
import { Arena } from '../../src/wasm/arena.js';
import { makeDataset } from '../../src/data/dataset.js';

async function refusal(f: () => unknown): Promise<BdlError> {
  try {
    await f();
  } catch (e) {
    expect(e).toBeInstanceOf(BdlError);
    return e as BdlError;
  }
  throw new Error('accepted');
}
const shaped = (e: BdlError, argument: string) => {
  expect(e.code).toBe('E_ARG');
  expect(e.argument).toBe(argument);
  expect(e.message).toMatch(new RegExp(`${argument.replace(/[.[\]]/g, '\\$&')}: expected .+, found .+\\. .+`));
};

test('Warmup: every field by its schema, unknown names with the nearest one', async () => {
  for (const [o, arg] of [[{ gamma: 0 }, 'gamma'], [{ t0: -1 }, 't0'], [{ initBuffer: 1.5 }, 'initBuffer'], [{ termBuffer: -1 }, 'termBuffer'],
    [{ adaptMetric: 'yes' }, 'adaptMetric'], [{ targetAccept: NaN }, 'targetAccept'], [{ kappa: 0.5 }, 'kappa']] as const) {
    shaped(await refusal(() => new Warmup(2, 100, o as never)), arg);
  }
  expect((await refusal(() => new Warmup(2, 100, { targetAcept: 0.9 } as never))).message).toMatch(/Did you mean targetAccept\?/);
});

test('HMC: steps is required, jitter and maxDeltaH in range, the type must be its own', async () => {
  const t: Target = { dim: 1, logDensity: () => 0 };
  shaped(await refusal(() => hmc(t, {} as never)), 'steps');
  shaped(await refusal(() => hmc(t, { steps: 4, jitter: -0.1 })), 'jitter');
  shaped(await refusal(() => hmc(t, { steps: 4, maxDeltaH: 0 })), 'maxDeltaH');
  shaped(await refusal(() => hmc(t, { type: 'nuts', steps: 4 } as never)), 'type');
});

test('runChain checks kernel and adapt fields by path before evaluating the target', async () => {
  let calls = 0;
  const t: Target = { dim: 2, logDensity: (_q, g) => (calls++, g.fill(0), 0) };
  const cases: [object, string][] = [
    [{ kernel: { type: 'hmc' } }, 'kernel.steps'],
    [{ kernel: { type: 'hmc', steps: 4, jitter: 1 } }, 'kernel.jitter'],
    [{ kernel: { type: 'nuts', maxTreeDepth: 31 } }, 'kernel.maxTreeDepth'],
    [{ kernel: { type: 'mala' } }, 'kernel.type'],
    [{ kernel: { type: 'nuts', steps: 4 } }, 'kernel.steps'],
    [{ adapt: { kappa: 2 } }, 'adapt.kappa'],
    [{ adapt: { metric: 'full' } }, 'adapt.metric'],
  ];
  for (const [o, arg] of cases) {
    const e = await refusal(() => runChain(t, { seed: 1, warmup: 10, draws: 10, ...o }));
    expect(e.argument).toBe(arg);
    expect(e.message).toMatch(/^runChain: /);
  }
  expect((await refusal(() => runChain(t, { seed: 1, adapt: { baseWindw: 3 } as never }))).message).toMatch(/adapt\.baseWindw\. Did you mean adapt\.baseWindow\?/);
  expect(calls).toBe(0);
});

test('BnnTarget.create: its options by schema, before the network is built', async () => {
  const spec = { inputs: 1, hidden: [3], outputs: 1, activation: 'relu' as const, likelihood: 'gaussian' as const };
  const data = makeDataset([[0], [1], [2]], [0, 1, 2]);
  const arena = await Arena.create();
  for (const [o, arg] of [[{ temperature: 0 }, 'temperature'], [{ noiseVar: -1 }, 'noiseVar'], [{ init: { normal: 0 } }, 'init.normal'],
    [{ init: 'random' }, 'init'], [{ priorPrecision: [1, -1] }, 'priorPrecision'], [{ capacity: 0 }, 'capacity']] as const) {
    shaped(await refusal(() => BnnTarget.create({ spec, data, arena, ...(o as object) })), arg);
  }
  expect((await refusal(() => BnnTarget.create({ spec, data, arena, noisevar: 1 } as never))).message).toMatch(/Did you mean noiseVar\?/);
  expect((await refusal(() => BnnTarget.create({ spec: { ...spec, inputs: 0 }, data, arena }))).argument).toBe('spec.inputs');
  expect((await refusal(() => BnnTarget.create({ spec } as never))).argument).toBe('data');
});

test('runChain checks its target, its arena and a checkpoint against these options by schema, before any work', async () => {
  for (const [t, arg] of [[null, 'target'], [{ dim: 2 }, 'target'], [{ dim: 0, logDensity: () => 0 }, 'target.dim'], [{ dim: 1.5, logDensity: () => 0 }, 'target.dim']] as const) {
    const e = await refusal(() => runChain(t as never, { seed: 1 }));
    shaped(e, arg);
    expect(e.message).toMatch(/^runChain: /);
  }
  shaped(await refusal(() => nuts({ dim: 1, logDensity: () => 0 }, {}, {} as never)), 'arena');
  shaped(await refusal(() => runChain({ dim: 1, logDensity: () => 0 }, { seed: 1, arena: {} as never })), 'arena');

  let calls = 0;
  const t: Target = { dim: 2, logDensity: (q, g) => (calls++, g[0] = -q[0], g[1] = -q[1], -(q[0] ** 2 + q[1] ** 2) / 2) };
  const run = { seed: 1, warmup: 20, draws: 10, checkpointEvery: 15 };
  let cp: ChainCheckpoint | undefined;
  await runChain(t, { ...run, onCheckpoint: (c) => { cp ??= c; } });
  calls = 0;
  const cases: [object, string, RegExp][] = [
    [{ seed: 2 }, 'resumeFrom.seed', /found 1 where these options have 2\. Resume with the seed of the run/],
    [{ chain: 3 }, 'resumeFrom.chain', /found 0 where these options have 3\./],
    [{ warmup: 21 }, 'resumeFrom.warmup', /found 20 where these options have 21\./],
    [{ draws: 11 }, 'resumeFrom.draws', /found 10 where these options have 11\./],
    [{ thin: 2 }, 'resumeFrom.thin', /found 1 where these options have 2\./],
    [{ kernel: { type: 'nuts', maxTreeDepth: 5 } }, 'resumeFrom.kernel', /found \{"type":"nuts"\} where these options have \{"maxTreeDepth":5,"type":"nuts"\}\./],
    [{ adapt: { metric: 'diag' } }, 'resumeFrom.adaptation.options.metric', /found "auto" where these options have "diag"\./],
  ];
  for (const [o, arg, message] of cases) {
    const e = await refusal(() => runChain(t, { ...run, ...o, resumeFrom: cp }));
    shaped(e, arg);
    expect(e.message).toMatch(/^runChain: resumeFrom\..+: expected the .+ of these options \(a checkpoint resumes only the run that wrote it\)/);
    expect(e.message).toMatch(message);
  }
  // The target is an argument: its size is checked with the checkpoint, still before it is evaluated.
  const wide: Target = { dim: 3, logDensity: () => (calls++, 0) };
  expect(await refusal(() => runChain(wide, { ...run, resumeFrom: cp }))).toMatchObject({ code: 'E_ARG', argument: 'resumeFrom.dim' });
  // Not a checkpoint at all: E_FORMAT, whatever the options.
  expect(await refusal(() => runChain(t, { ...run, seed: 2, resumeFrom: { ...cp!, version: 2 } as never }))).toMatchObject({ code: 'E_FORMAT', argument: 'resumeFrom' });
  expect(calls).toBe(0);
});
