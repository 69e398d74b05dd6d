// The thread's default core: the embedded binaries where an entry imported them (test/setup/core.ts
// stands in for that here), the pool's core in a worker, and a typed error where there is neither.
// Node only: the browser runner cannot load a module afresh.
import { describe, expect, it, vi } from 'vitest';
import { compileCore } from '../../src/wasm/load.js';

/** src/wasm/core.ts and the worker API as a fresh thread has them: nothing has set a default core. */
async function freshThread() {
  vi.resetModules();
  const core = await import('../../src/wasm/core.js');
  const { workerApi } = await import('../../src/pool/worker-api.js');
  const { Arena } = await import('../../src/wasm/arena.js');
  return { ...core, workerApi, Arena };
}

describe('the default core', () => {
  it('is E_WASM naming the core and both ways to get one where no binaries were imported and no pool sent one', async () => {
    const { Arena, defaultCore } = await freshThread();
    const e = await Arena.create().catch((err: unknown) => err);
    expect(e).toMatchObject({ code: 'E_WASM', argument: 'core' });
    expect((e as Error).message).toMatch(/embedded binaries .* or the core a pool sends its workers, found neither\. Pass one, e\.g\. Arena\.create\(await compileCore\(\)\)/);
    await expect(defaultCore()).rejects.toMatchObject({ code: 'E_WASM' });
  });

  it("is the pool's core in a worker (which carries no binaries), kept when binaries are imported later", async () => {
    const simd = await compileCore('simd');
    const { Arena, defaultCore, setDefaultCore, workerApi } = await freshThread();
    await workerApi().init(simd, undefined);
    expect(await defaultCore()).toBe(simd);
    // What src/wasm/load.ts does on import: it does not displace a core already set.
    setDefaultCore(() => Promise.reject(new Error('not this one')), false);
    expect(await defaultCore()).toBe(simd);
    expect((await Arena.create()).flavor).toBe('simd');
  });
});
