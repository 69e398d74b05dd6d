// createPool's options by schema: each bad value named, unknown names with the nearest one, before any worker starts.
import { expect, test } from 'vitest';
import { createPool } from '../../src/pool/pool.js';

test('createPool refuses bad options naming them', async () => {
  for (const [o, arg] of [[{ size: -1 }, 'size'], [{ maxRestarts: 1.5 }, 'maxRestarts'], [{ workerUrl: 3 }, 'workerUrl'],
    [{ shared: 'yes' }, 'shared'], [{ tasks: { x: 1 } }, 'tasks'], [{ sise: 2 }, 'sise']] as const) {
    const e = await createPool(o as never).then(() => undefined, (err) => err);
    expect(e).toMatchObject({ code: 'E_ARG', argument: arg });
    expect(e.message).toMatch(/^createPool: /);
  }
  await expect(createPool({ sise: 2 } as never)).rejects.toThrow(/Did you mean size\?/);
  // A size that would block the spawning thread for minutes (1e6 workers) is refused up front.
  await expect(createPool({ size: 1e6 })).rejects.toThrow(/^createPool: size: expected an integer ≥ 0 and ≤ 256, found 1000000\./);
});

test('a pool made for a fan-out has at most one worker per task', async () => {
  const { forTasks } = await import('../../src/pool/fan-out.js');
  expect(await forTasks({ size: 16, shared: false }, 2)).toEqual({ size: 2, shared: false });
  expect(await forTasks({ size: 1 }, 5)).toEqual({ size: 1 });
  expect(await forTasks({ size: 0 }, 5)).toEqual({ size: 0 });
  expect((await forTasks({}, 1)).size).toBe(1);
  expect(await forTasks({ size: -1 }, 1)).toEqual({ size: -1 }); // refused by createPool, as given
});

test("a method's pool options are checked as createPool's, before any work", async () => {
  const { trainMcDropout } = await import('../../src/methods/variational/mc-dropout.js');
  const { makeDataset } = await import('../../src/data/dataset.js');
  const d = makeDataset([[0], [1], [2], [3]], [0, 1, 2, 3]);
  await expect(trainMcDropout(d, { epochs: 1, pool: { sise: 2 } as never })).rejects.toThrow(/^trainMcDropout: unknown option pool\.sise\. Did you mean pool\.size\?/);
  await expect(trainMcDropout(d, { epochs: 1, pool: { size: -3 } })).rejects.toThrow(/^trainMcDropout: pool\.size: expected an integer ≥ 0 and ≤ 256, found -3/);
});

test('run and runSettled refuse bad tasks and run options naming them, before any task runs', async () => {
  const { registerTask, registerTasks } = await import('../../src/pool/registry.js');
  let ran = 0;
  registerTask('options-test', async () => ++ran);
  const pool = await createPool({ size: 0 });
  const ok = { kind: 'options-test', seed: 1, stream: 0 };
  const cases: [unknown, unknown, string, RegExp][] = [
    ['x', {}, 'tasks', /^pool\.run: tasks: expected an array of task descriptions, found "x"\. Pass \[/],
    [[ok, null], {}, 'tasks[1]', /^pool\.run: tasks\[1\]: expected an options object, found null\./],
    [[{ ...ok, kind: 3 }], {}, 'tasks[0].kind', /^pool\.run: tasks\[0\]\.kind: expected a non-empty string, found 3\./],
    [[{ ...ok, seed: -1 }], {}, 'tasks[0].seed', /^pool\.run: tasks\[0\]\.seed: expected an integer ≥ 0 and ≤ 4294967295, found -1\. Seeds and streams key/],
    [[{ ...ok, stream: 2 ** 32 }], {}, 'tasks[0].stream', /found 4294967296\./],
    [[{ kind: 'options-test', seed: 1 }], {}, 'tasks[0].stream', /^pool\.run: tasks\[0\]\.stream: expected an integer .*found undefined\./],
    [[{ ...ok, sead: 1 }], {}, 'tasks[0].sead', /unknown option tasks\[0\]\.sead\. Did you mean tasks\[0\]\.seed\?/],
    [[ok], { data: { x: [1, 2] } }, 'options.data.x', /^pool\.run: options\.data\.x: expected a typed array, found Array\(2\)\. Run data is a record of typed arrays\./],
    [[ok], { data: new Float32Array(2) }, 'options.data', /expected a record of typed arrays/],
    [[ok], { signal: { aborted: false } }, 'options.signal', /^pool\.run: options\.signal: expected an AbortSignal, found \{ aborted \}\. Pass the signal of an AbortController/],
    [[ok], { onProgress: 1 }, 'options.onProgress', /expected a function/],
    [[ok], { failfast: true }, 'options.failfast', /Did you mean options\.failFast\?/],
  ];
  for (const [tasks, options, argument, message] of cases) {
    for (const run of [pool.run.bind(pool), pool.runSettled.bind(pool)]) {
      const e = await run(tasks as never, options as never).then(() => undefined, (err) => err);
      expect(e, argument).toMatchObject({ code: 'E_ARG', argument });
      expect(e.message).toMatch(message);
    }
  }
  expect(ran).toBe(0);
  expect(await pool.run([ok], { data: { x: new Float32Array(2) }, failFast: true, onProgress: () => {} })).toEqual([1]);
  // Registration takes functions by kind.
  expect(() => registerTask('options-test-2', 3 as never)).toThrow(expect.objectContaining({ code: 'E_ARG', argument: 'runner of "options-test-2"', message: expect.stringMatching(/^registerTask: runner of "options-test-2": expected a function \(ctx\) => Promise<result>, found 3\. Pass the task runner itself\./) }));
  expect(() => registerTasks(null as never)).toThrow(expect.objectContaining({ code: 'E_ARG', argument: 'tasks', message: expect.stringMatching(/^registerTasks: tasks: expected a record of task runners by kind, found null\./) }));
  await pool.close();
});
