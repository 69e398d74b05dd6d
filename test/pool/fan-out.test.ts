// fanOut rethrows a task's own typed error with its code (as the same work in-thread would throw it);
// a task's untyped failure stays E_WORKER, with the task named.
import { expect, it } from 'vitest';
import { BdlError } from '../../src/errors.js';
import { fanOut } from '../../src/pool/fan-out.js';
import { registerTask } from '../../src/pool/registry.js';

registerTask('fan-out-typed', async () => {
  throw new BdlError('E_NONFINITE', 'loss: expected a finite number, found NaN. Use a smaller learning rate.', 'learningRate');
});
registerTask('fan-out-bug', async () => {
  throw new TypeError('x is undefined');
});

it("rejects with the task's own code and message, naming the task; a bug stays E_WORKER", async () => {
  const typed = await fanOut([{ kind: 'fan-out-typed', seed: 0, stream: 0 }], { pool: { size: 0 } }).catch((e: unknown) => e);
  expect(typed).toBeInstanceOf(BdlError);
  expect(typed).toMatchObject({ code: 'E_NONFINITE', message: expect.stringMatching(/^loss: expected a finite number, found NaN\. Use a smaller learning rate\. \(task 0 \("fan-out-typed", stream 0\)\)$/) });
  expect((typed as BdlError).cause).toMatchObject({ code: 'E_WORKER' });
  const bug = await fanOut([{ kind: 'fan-out-bug', seed: 0, stream: 0 }], { pool: { size: 0 } }).catch((e: unknown) => e);
  expect(bug).toMatchObject({ code: 'E_WORKER', message: expect.stringMatching(/x is undefined/) });
});
