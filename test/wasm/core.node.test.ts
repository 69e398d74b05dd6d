// The thread's default core: the embedded binaries where an entry imported them (test/setup/core.ts
// stands in for that here), the pool's core in a worker, a module given by useCompiledCore (edge
// runtimes), and a typed error where there is none. Node only: the browser runner cannot load a module afresh.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { compileCore } from '../../src/wasm/load.js';

/** src/wasm/core.ts and the worker API as a fresh thread has them: nothing has set a default core. */
async function freshThread() {
  vi.resetModules();
  const core = await import('../../src/wasm/core.js');
  const { workerApi } = await import('../../src/pool/worker-api.js');
  const { Arena } = await import('../../src/wasm/arena.js');
  return { ...core, workerApi, Arena };
}

/** A fresh thread that imported the embedded binaries (src/wasm/load.ts), as every entry but the worker does. */
async function freshEntry() {
  const thread = await freshThread();
  return { ...thread, ...(await import('../../src/wasm/load.js')) };
}

/** WebAssembly.compile as Cloudflare's workerd has it: refused (module construction from bytes too). */
function refuseCompiling() {
  const refused = () => {
    throw new WebAssembly.CompileError('WebAssembly.compile(): Wasm code generation disallowed by embedder');
  };
  return vi.spyOn(WebAssembly, 'compile').mockImplementation(async () => refused());
}

afterEach(() => {
  vi.restoreAllMocks();
});

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

describe('a core given already compiled (useCompiledCore, for edge runtimes)', () => {
  const simdModule = new WebAssembly.Module(readFileSync(new URL('../../build/bdl.simd.wasm', import.meta.url)));

  it('importing the binaries compiles nothing until a core is needed', async () => {
    const compile = vi.spyOn(WebAssembly, 'compile');
    const { defaultCore } = await freshEntry();
    expect(compile).not.toHaveBeenCalled();
    await defaultCore();
    expect(compile).toHaveBeenCalledTimes(1);
  });

  it('becomes the default core and what compileCore gives for its flavor, where compiling is refused', async () => {
    const compile = refuseCompiling();
    const { Arena, defaultCore, useCompiledCore, compileCore: compileFresh } = await freshEntry();
    const core = useCompiledCore({ flavor: 'simd', module: simdModule });
    expect(core).toEqual({ flavor: 'simd', module: simdModule });
    expect(await defaultCore()).toBe(core);
    expect(await compileFresh()).toBe(core);
    expect(await compileFresh('simd')).toBe(core);
    const arena = await Arena.create();
    expect(arena.flavor).toBe('simd');
    expect(compile).not.toHaveBeenCalled();
  });

  it('without one, a refused compile is E_WASM naming the binary to import and useCompiledCore', async () => {
    refuseCompiling();
    const { Arena, compileCore: compileFresh } = await freshEntry();
    const e = await Arena.create().catch((err: unknown) => err);
    expect(e).toMatchObject({ code: 'E_WASM', argument: 'core' });
    const flavor = (e as Error).message.includes("'relaxed'") ? 'relaxed' : 'simd';
    expect((e as Error).message).toContain(`disallowed by embedder). A runtime that forbids compiling WebAssembly at run time (Cloudflare Workers, Vercel Edge) takes the core as a .wasm module: import module from 'bdl-wasm/core/${flavor}.wasm', then useCompiledCore({ flavor: '${flavor}', module })`);
    expect((e as Error).cause).toBeInstanceOf(WebAssembly.CompileError);
    await expect(compileFresh('simd')).rejects.toMatchObject({ code: 'E_WASM' });
  });

  it.each([
    ['null', null, 'core', "expected { flavor: 'simd' | 'relaxed', module: WebAssembly.Module }, found null"],
    ['an unknown flavor', { flavor: 'fast', module: simdModule }, 'core.flavor', "expected 'simd' or 'relaxed', found \"fast\""],
    ['the bytes instead of a module', { flavor: 'simd', module: new Uint8Array(8) }, 'core.module', "expected a WebAssembly.Module, found Uint8Array(8)"],
    ['another module', { flavor: 'simd', module: new WebAssembly.Module(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])) }, 'core.module', "expected bdl-wasm's compute core, found a module without its exports dot_f32, gemm_f32_nn, heap_base"],
  ])('refuses %s with E_ARG naming the field, leaving the default core as it was', async (_, bad, argument, text) => {
    const { defaultCore, useCompiledCore } = await freshEntry();
    const before = await defaultCore();
    expect(() => useCompiledCore(bad as never)).toThrow(expect.objectContaining({ code: 'E_ARG', argument, message: expect.stringContaining(text) }));
    expect(await defaultCore()).toBe(before);
  });
});
