// Property test over a queue worker's gate (protocol.ts, validate.ts): whatever a job's data holds —
// from a caller of another version, a damaged entry, or anyone with access to Redis — the checks a
// worker runs before any work either pass or throw a BdlError naming the field; never another error.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BdlError } from '../../src/errors.js';
import { checkArgument } from '../../src/options/schema.js';
import { TASKS } from '../../src/orchestration/tasks.js';
import { registerTasks } from '../../src/pool/registry.js';
import { decodeTask, encodeTask } from '../../src/queue/codec.js';
import { checkJobCore, checkJobVersion, JOB, PACKAGE_VERSION } from '../../src/queue/protocol.js';
import { queueKinds, validateTask } from '../../src/queue/validate.js';
import { fuzz } from '../helpers/fuzz.js';

registerTasks(TASKS);

const anything = fc.oneof(fc.jsonValue(), fc.constantFrom<unknown>(undefined, NaN, -0, Infinity, new Float32Array(2), [], {}, '', '__proto__'));
const spec = fc.record({ inputs: fc.oneof(fc.nat(4), anything), hidden: fc.oneof(fc.array(fc.nat(5), { maxLength: 2 }), anything), outputs: fc.oneof(fc.nat(3), anything), activation: fc.constantFrom<unknown>('relu', 'tanh', 'x', 1), likelihood: fc.constantFrom<unknown>('gaussian', 'categorical', 'heteroscedastic', 'x') }, { requiredKeys: [] });
const options = fc.dictionary(
  fc.constantFrom('target', 'kernel', 'adapt', 'warmup', 'draws', 'thin', 'returns', 'steps', 'reps', 'spec', 'epochs', 'options', 'x', 'dropout'),
  fc.oneof(anything, fc.record({ type: fc.constantFrom<unknown>('bnn', 'nuts', 'hmc', 'module', 'x'), spec, noiseVar: anything, url: fc.constantFrom<unknown>('file:///x.mjs', 'http://h/x.mjs', 1), maxTreeDepth: anything, metric: anything }, { requiredKeys: [] })),
  { maxKeys: 4 },
);
/** Mostly `good`, now and then anything. */
const mostly = <T>(good: fc.Arbitrary<T>) => fc.oneof({ weight: 9, arbitrary: good }, { weight: 1, arbitrary: anything });
const task = fc.record({ kind: mostly(fc.constantFrom(...queueKinds())), seed: mostly(fc.nat()), stream: mostly(fc.nat(3)), options: mostly(options) }, { requiredKeys: ['kind', 'seed', 'stream'] });
/** A task as encodeTask writes it (JSON when it refuses a key), or any text. */
const encoded = (t: unknown) => {
  try {
    return encodeTask(t);
  } catch {
    return JSON.stringify(t);
  }
};
const taskText = fc.oneof({ weight: 8, arbitrary: task.map(encoded) }, { weight: 1, arbitrary: fc.string({ maxLength: 12 }) }, { weight: 1, arbitrary: anything.map((v) => JSON.stringify(v) ?? '') });
const job = fc.oneof(
  {
    weight: 9,
    arbitrary: fc.record({
      v: mostly(fc.constant(1)),
      version: mostly(fc.constant(PACKAGE_VERSION)),
      core: mostly(fc.constant('simd')),
      run: mostly(fc.string({ minLength: 1, maxLength: 6 })),
      taskId: mostly(fc.nat(5)),
      task: mostly(taskText),
      data: mostly(fc.constant('a'.repeat(64))),
    }),
  },
  { weight: 1, arbitrary: anything },
);

describe('the queue worker gate, on any job data', () => {
  it('passes or throws a BdlError naming a field of the job', () => {
    fc.assert(
      fc.property(job, fc.constantFrom<('simd' | 'relaxed')[]>(['simd'], ['simd', 'relaxed']), (d, flavors) => {
        try {
          checkJobVersion(d);
          checkJobCore(d, flavors);
          checkArgument(JOB, d, 'job', 'data');
          validateTask(decodeTask((d as { task: string }).task), new Set());
        } catch (e) {
          if (!(e instanceof BdlError)) throw e;
          expect(e.argument ?? '').toMatch(/^(job|data|task)/);
        }
      }),
      fuzz(),
    );
  });
});
