// The queue's options by schema: the pool's and the worker's (refused before Redis is contacted), and a
// job's options by the very schema its runner checks in a local pool.
import { expect, test } from 'vitest';
import { createQueuePool } from '../../src/queue/pool.js';
import { createQueueWorker } from '../../src/queue/worker.js';
import { validateTask } from '../../src/queue/validate.js';
import { JOB } from '../../src/queue/protocol.js';
import { checkArgument } from '../../src/options/schema.js';
import { CHAIN_TASK_OPTIONS } from '../../src/samplers/chain-task.js';
import { MEMBER_OPTIONS } from '../../src/methods/ensembles/train-member.js';
import { TASKS } from '../../src/orchestration/tasks.js';
import { registerTasks } from '../../src/pool/registry.js';

registerTasks(TASKS);

const connection = 'redis://127.0.0.1:1';

test('createQueuePool and createQueueWorker refuse bad options naming them', async () => {
  for (const [o, arg] of [[{ connection, pollMs: 0 }, 'pollMs'], [{ connection, queue: 'a b' }, 'queue'], [{ connection, maxRestarts: -1 }, 'maxRestarts'], [{}, 'connection'], [{ connection, pool: 1 }, 'pool'], [{ connection, core: { flavor: 'simd', module: 42 } }, 'core.module']] as const) {
    await expect(createQueuePool(o as never)).rejects.toMatchObject({ code: 'E_ARG', argument: arg, message: expect.stringMatching(/^createQueuePool: /) });
  }
  for (const [o, arg] of [[{ connection, concurrency: 0 }, 'concurrency'], [{ connection, allowTargets: [''] }, 'allowTargets'], [{ connection, cacheSize: 1.5 }, 'cacheSize'], [{ connection, lockDuraton: 5 }, 'lockDuraton']] as const) {
    await expect(createQueueWorker(o as never)).rejects.toMatchObject({ code: 'E_ARG', argument: arg, message: expect.stringMatching(/^createQueueWorker: /) });
  }
});

test("a job's options are refused exactly where the local runner's schema refuses them", () => {
  const spec = { inputs: 1, hidden: [4], outputs: 1, activation: 'relu', likelihood: 'gaussian' };
  const target = { type: 'bnn', spec };
  const chain: [object, string][] = [
    [{ target, kernel: { type: 'hmc' } }, 'kernel.steps'],
    [{ target, kernel: { type: 'nuts', maxDeltaH: -1 } }, 'kernel.maxDeltaH'],
    [{ target, adapt: { targetAccept: 1 } }, 'adapt.targetAccept'],
    [{ target: { ...target, temperature: 0 } }, 'target.temperature'],
    [{ target: { ...target, init: { normal: -1 } } }, 'target.init.normal'],
    [{ target: { type: 'module' } }, 'target.url'],
    [{ warmup: 10 }, 'target'],
  ];
  const none = new Set<string>();
  for (const [options, path] of chain) {
    expect(() => validateTask({ kind: 'chain', seed: 1, stream: 0, options }, none)).toThrow(expect.objectContaining({ code: 'E_ARG', argument: `task.options.${path}` }));
    expect(() => CHAIN_TASK_OPTIONS.check(options)).toThrow(expect.objectContaining({ code: 'E_ARG', argument: path }));
  }
  const member = { epochs: 2, batchSize: 4, learningRate: 1e-3, priorPrecision: 1 };
  for (const [options, path] of [[{ ...member, earlyStopping: { fraction: 0.1, patience: 0 } }, 'earlyStopping.patience'], [{ ...member, epochs: undefined }, 'epochs'], [{ ...member, betaNll: 2 }, 'betaNll']] as const) {
    expect(() => validateTask({ kind: 'train-member', spec, seed: 1, stream: 0, options }, none)).toThrow(expect.objectContaining({ code: 'E_ARG', argument: `task.options.${path}` }));
    expect(() => MEMBER_OPTIONS.check(options)).toThrow(expect.objectContaining({ code: 'E_ARG', argument: path }));
  }
  expect(() => validateTask({ kind: 'train-member', seed: 1, stream: 0, options: member }, none)).toThrow(expect.objectContaining({ argument: 'task.spec' }));
});

test('a connection that is not a redis URL is refused by the schema, its password never shown', async () => {
  for (const [c, shown] of [['http://user:s3cret@127.0.0.1:1', '"http://user:***@127.0.0.1:1"'], ['127.0.0.1:6379', '"127.0.0.1:6379"'], [6379, '6379'], [['redis://a'], 'Array(1)']] as const) {
    for (const create of [createQueuePool, createQueueWorker]) {
      const e = await create({ connection: c } as never).then(() => undefined, (err) => err);
      expect(e).toMatchObject({ code: 'E_ARG', argument: 'connection' });
      expect(e.message).toContain(`connection: expected a redis:// or rediss:// URL, or ioredis options, found ${shown}. E.g. redis://127.0.0.1:6379`);
      expect(e.message).not.toContain('s3cret');
    }
  }
});

test("a job's data is checked field by field before anything else (the worker's first check)", () => {
  const ok = { v: 1, version: '0.1.0', core: 'simd', run: 'r1', taskId: 0, task: '{}', data: 'a'.repeat(64) };
  expect(() => checkArgument(JOB, ok, 'job', 'data')).not.toThrow();
  for (const [d, argument, found] of [
    [{ hello: 'world' }, 'data', 'expected { v: 1, version, core, run, taskId, task, data }, found { hello }'],
    [{ ...ok, v: 2 }, 'data', 'expected { v: 1, version, core, run, taskId, task, data }, found { v: 2, … }'],
    [null, 'data', 'found null'],
    [{ ...ok, taskId: -1 }, 'data.taskId', 'expected an integer ≥ 0, found -1'],
    [{ ...ok, run: 7 }, 'data.run', 'expected a non-empty string, found 7'],
    [{ ...ok, data: 'A'.repeat(64) }, 'data.data', 'expected a SHA-256 in hex'],
    [{ ...ok, task: undefined }, 'data.task', 'expected a non-empty string, found undefined'],
    [{ ...ok, extra: 1 }, 'data.extra', 'unknown option data.extra'],
    [{ ...ok, version: undefined }, 'data.version', 'expected a non-empty string, found undefined'],
    [{ ...ok, core: 'fma' }, 'data.core', "expected 'simd' | 'relaxed'"],
    [{ ...ok, core: undefined }, 'data.core', "expected 'simd' | 'relaxed'"],
  ] as const) {
    expect(() => checkArgument(JOB, d, 'job', 'data'), argument).toThrow(expect.objectContaining({ code: 'E_ARG', argument, message: expect.stringContaining(found) }));
  }
});
