// The packed package on an edge runtime: Cloudflare's workerd, where compiling WebAssembly from bytes
// at run time is refused ("Wasm code generation disallowed by embedder") and there is no Worker. A
// script imports the shipped core as a `.wasm` module (what the platform's bundler makes of it: a
// WebAssembly.Module compiled at deploy time), makes it the default core and trains on the default
// pool (in-thread there); its predictions must match Node's with the same core.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import * as esbuild from 'esbuild';
import { describe, expect, it, onTestFinished } from 'vitest';
import type * as Lib from '../../src/index.js';
import { restoreAndPredict, trainAndPredict } from '../fixtures/edge/train.js';
import { root, scratchProject } from './pack.js';

// The built package: the chains' default pool in Node spawns dist/worker.js.
const bdl = (await import(/* @vite-ignore */ new URL('../../dist/index.js', import.meta.url).href)) as typeof Lib;

/** The Worker script; `file` is a posterior file Node wrote, restored there. */
const app = (file: string) => `
import simd from 'bdl-wasm/core/simd.wasm';
import * as bdl from 'bdl-wasm';
import { restoreAndPredict, trainAndPredict } from ${JSON.stringify(resolve(__dirname, '../fixtures/edge/train.ts'))};

const failure = async (f) => { try { await f(); return 'no error'; } catch (e) { return { code: e.code, argument: e.argument, message: e.message }; } };
const data = bdl.makeDataset([[0], [1], [2], [3]], [0, 1, 0, 1]);

export default {
  async test() {
    const compiled = await failure(() => bdl.trainMap(data, { hidden: [2], epochs: 1 }));
    bdl.useCompiledCore({ flavor: 'simd', module: simd });
    const workers = await failure(() => bdl.createPool({ size: 2 }));
    const bits = await trainAndPredict(bdl).catch((e) => ({ code: e.code, message: e.message }));
    const restored = await restoreAndPredict(bdl, ${JSON.stringify(file)});
    console.log('RESULT ' + JSON.stringify({ compiled, workers, bits, restored }));
  },
};
`;

/** Bundles the app as Wrangler does: each imported .wasm stays a module of its own, beside the script. */
async function bundleForWorkerd(dir: string, source: string): Promise<Record<string, string>> {
  const wasm: Record<string, string> = {};
  writeFileSync(join(dir, 'app.src.js'), source);
  await esbuild.build({
    entryPoints: [join(dir, 'app.src.js')],
    outfile: join(dir, 'app.js'),
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    logLevel: 'warning',
    plugins: [
      {
        name: 'wasm-modules',
        setup(b) {
          b.onResolve({ filter: /\.wasm$/ }, async (a) => {
            if (a.pluginData === 'resolving') return undefined;
            const found = await b.resolve(a.path, { kind: a.kind, resolveDir: a.resolveDir, pluginData: 'resolving' });
            if (found.errors.length) return { errors: found.errors };
            wasm[basename(found.path)] = found.path;
            return { path: `./${basename(found.path)}`, external: true };
          });
        },
      },
    ],
  });
  return wasm;
}

describe('the packed package in workerd (an edge runtime)', () => {
  it('trains and predicts on a core imported as a .wasm module, its chains in-thread on their default pool, matching Node; restores a posterior Node wrote', async () => {
    bdl.useCompiledCore(await bdl.compileCore('simd'));
    const node = await trainAndPredict(bdl);
    const dir = await scratchProject('edge');
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const wasm = await bundleForWorkerd(dir, app(node.hmcFile));
    expect(Object.keys(wasm)).toEqual(['simd.wasm']);
    for (const [name, path] of Object.entries(wasm)) copyFileSync(path, join(dir, name));
    const modules = [`(name = "app.js", esModule = embed "app.js")`, ...Object.keys(wasm).map((name) => `(name = "${name}", wasm = embed "${name}")`)];
    writeFileSync(
      join(dir, 'config.capnp'),
      `using Workerd = import "/workerd/workerd.capnp";\n` +
        `const config :Workerd.Config = (services = [(name = "main", worker = .app)]);\n` +
        `const app :Workerd.Worker = (modules = [${modules.join(', ')}], compatibilityDate = "2025-09-01");\n`,
    );
    const workerd = join(root, 'node_modules/.bin/workerd');
    expect(existsSync(workerd), `${workerd} is missing: workerd is a devDependency, run npm ci`).toBe(true);
    const out = execFileSync(workerd, ['test', 'config.capnp'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
    const line = out.split('\n').find((l) => l.startsWith('RESULT '));
    expect(line, out).toBeDefined();
    const edge = JSON.parse((line as string).slice('RESULT '.length));

    // Without a core given, the embedded binaries cannot compile there: a typed error saying what to do.
    expect(edge.compiled.code).toBe('E_WASM');
    expect(edge.compiled.message).toContain('useCompiledCore');
    // What the core computes alone (MAP) has Node's bits. HMC's chains ran on their default pool,
    // in-thread there (the bits of poolSize 0), and agree with Node's to rounding: they draw their
    // normals with JS Math.log/sin/cos, which workerd's V8 rounds otherwise than Node 20's.
    expect(edge.bits.map, JSON.stringify(edge.bits)).toBe(node.map);
    expect(edge.bits.hmcBits).toBe(edge.bits.hmcInThreadBits);
    expect(node.hmcBits).toBe(node.hmcInThreadBits);
    edge.bits.hmc.forEach((v: number, i: number) => expect(Math.abs(v - node.hmc[i])).toBeLessThan(1e-3 * Math.max(1, Math.abs(node.hmc[i]))));
    // A posterior Node trained predicts there with Node's bits (the forward passes are the core's).
    expect(edge.restored).toBe(await restoreAndPredict(bdl, node.hmcFile));
    // Workers asked for on a runtime without Worker: refused up front, naming the way to run in-thread.
    expect(edge.workers).toMatchObject({ code: 'E_WORKER', argument: 'size', message: expect.stringContaining("a method's pool: { size: 0 }") });
  }, 60_000);
});
