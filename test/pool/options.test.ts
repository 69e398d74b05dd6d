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
});
