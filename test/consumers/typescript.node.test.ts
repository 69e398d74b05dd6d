// The packed declarations in the TypeScript projects users write: each entry imported by name and
// type-checked (`tsc --strict`, skipLibCheck off, so the package's own .d.ts files are checked too)
// under the tsconfig of a Node-only project (no DOM in `lib`: Node has WebAssembly, TypeScript
// declares it only in the DOM lib), a Node project with the stricter flags (exactOptionalPropertyTypes,
// noUncheckedIndexedAccess), a browser project built by a bundler (no @types/node), a Web Worker
// script (the webworker lib, no DOM), the older node16 resolution, and a CommonJS project (nodenext:
// the ES-module package through require() and through import()). A page's saved posterior (toBytes)
// must go to fetch, Blob and crypto.subtle as it is: the DOM types of TypeScript 6 and 7 take only
// ArrayBuffer-backed views there. bdl-wasm/queue (BullMQ, Node only) is checked in the Node projects,
// with its dependencies linked from this repository as an install would put them.
import { spawn } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { root, scratchProject } from './pack.js';

/** Uses every entry the way a user's code would, with the types that cross the wasm boundary. */
const ESM = `import { BdlError, compileCore, createPool, makeDataset, trainEnsemble, useCompiledCore, type CompiledCore } from 'bdl-wasm';
import simd from 'bdl-wasm/core/simd.wasm';
import { rmse } from 'bdl-wasm/metrics';
import { summarize } from 'bdl-wasm/diagnostics';
import { bnnTarget } from 'bdl-wasm/samplers';
import { Arena, Rng } from 'bdl-wasm/advanced';
import 'bdl-wasm/worker';

/** An edge runtime's way: the platform compiles the imported .wasm (typed as a Module, not any). */
export function onTheEdge(): CompiledCore {
  // @ts-expect-error a core is a Module, not a string
  const notACore: string = simd;
  void notACore;
  return useCompiledCore({ flavor: 'simd', module: simd });
}

export async function main(): Promise<number> {
  const core: CompiledCore = await compileCore('simd');
  // The compiled module is a type of its own, not \`any\` (a declaration that failed to resolve).
  // @ts-expect-error null is not a WebAssembly.Module
  const notAModule: CompiledCore['module'] = null;
  const arena = await Arena.create(core);
  const memory = arena.memory;
  const pool = await createPool({ size: 1, core });
  try {
    const rng = new Rng(1);
    const x = Array.from({ length: 16 }, () => [rng.uniform()]);
    const posterior = await trainEnsemble(makeDataset(x, x.map(([v]) => v ?? 0)), { members: 1, epochs: 1, pool });
    const pred = await posterior.predict([[0.5]]);
    if (pred.kind !== 'regression') throw new BdlError('E_ARG', 'a regression');
    void [notAModule, memory, summarize, bnnTarget];
    return rmse(pred.mean, [0.5]);
  } finally {
    await pool.close();
  }
}
`;

/** A page saving a posterior: its bytes go where the DOM takes an ArrayBuffer-backed view. */
const BROWSER = `import { makeDataset, trainMap } from 'bdl-wasm';
export async function save(): Promise<string> {
  const bytes = (await trainMap(makeDataset([[1], [2]], [1, 2]))).toBytes();
  await fetch('/posterior', { method: 'PUT', body: bytes });
  await crypto.subtle.digest('SHA-256', bytes);
  return URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' }));
}
`;

const QUEUE = `import { createQueuePool } from 'bdl-wasm/queue';
export const queue: typeof createQueuePool = createQueuePool;
`;

/** A CommonJS module: require() of the ES-module package (Node >= 20.19) and import() of it. */
const CJS = `import { makeDataset } from 'bdl-wasm';
export async function main(): Promise<number> {
  const { rmse } = await import('bdl-wasm/metrics');
  const { Rng } = await import('bdl-wasm/advanced');
  return rmse([new Rng(1).uniform()], [0]) + makeDataset([[1]], [1]).n;
}
`;

const STRICT = { strict: true, noEmit: true, skipLibCheck: false, target: 'es2022', typeRoots: [join(root, 'node_modules/@types')] };

const PROJECTS: Record<string, { compilerOptions: Record<string, unknown>; files: string[] }> = {
  'Node, nodenext, no DOM in lib': {
    compilerOptions: { ...STRICT, module: 'nodenext', lib: ['es2023'], types: ['node'] },
    files: ['main.mts', 'queue.mts'],
  },
  'Node, nodenext, no DOM, skipLibCheck': {
    compilerOptions: { ...STRICT, skipLibCheck: true, module: 'nodenext', lib: ['es2023'], types: ['node'] },
    files: ['main.mts'],
  },
  'Node, exactOptionalPropertyTypes and noUncheckedIndexedAccess': {
    compilerOptions: { ...STRICT, module: 'nodenext', lib: ['es2023', 'dom'], types: ['node'], exactOptionalPropertyTypes: true, noUncheckedIndexedAccess: true, noPropertyAccessFromIndexSignature: true },
    files: ['main.mts', 'queue.mts'],
  },
  'Node, node16 resolution': {
    compilerOptions: { ...STRICT, module: 'node16', moduleResolution: 'node16', lib: ['es2023'], types: ['node'] },
    files: ['main.mts'],
  },
  'browser, bundler resolution, no @types/node': {
    compilerOptions: { ...STRICT, module: 'esnext', moduleResolution: 'bundler', lib: ['es2023', 'dom', 'dom.iterable'], types: [] },
    files: ['main.mts', 'browser.mts'],
  },
  'a Web Worker script, webworker lib without DOM': {
    compilerOptions: { ...STRICT, module: 'esnext', moduleResolution: 'bundler', lib: ['es2023', 'webworker'], types: [] },
    files: ['main.mts'],
  },
  'browser, exactOptionalPropertyTypes, no @types/node': {
    compilerOptions: { ...STRICT, module: 'preserve', lib: ['es2023', 'dom'], types: [], exactOptionalPropertyTypes: true },
    files: ['main.mts'],
  },
  'CommonJS, nodenext': {
    compilerOptions: { ...STRICT, module: 'nodenext', lib: ['es2023'], types: ['node'] },
    files: ['main.cts'],
  },
};

const tsc = (dir: string, config: string): Promise<string> =>
  new Promise((ok, fail) => {
    const p = spawn(join(root, 'node_modules/.bin/tsc'), ['-p', config, '--pretty', 'false'], { cwd: dir });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d));
    p.stderr.on('data', (d: Buffer) => (out += d));
    p.on('error', fail);
    p.on('close', () => ok(out));
  });

const diagnostics = new Map<string, string[]>();

beforeAll(async () => {
  const dir = await scratchProject('typescript');
  // What an install puts beside the package: the queue entry's types import BullMQ's and ioredis's.
  for (const dep of ['bullmq', 'ioredis']) symlinkSync(join(root, 'node_modules', dep), join(dir, 'node_modules', dep));
  writeFileSync(join(dir, 'main.mts'), ESM);
  writeFileSync(join(dir, 'queue.mts'), QUEUE);
  writeFileSync(join(dir, 'browser.mts'), BROWSER);
  writeFileSync(join(dir, 'main.cts'), CJS);
  mkdirSync(join(dir, 'configs'));
  const names = Object.keys(PROJECTS);
  const outputs = await Promise.all(
    names.map((name, i) => {
      const { compilerOptions, files } = PROJECTS[name];
      writeFileSync(join(dir, `tsconfig.${i}.json`), JSON.stringify({ compilerOptions, files }));
      return tsc(dir, `tsconfig.${i}.json`);
    }),
  );
  // Errors inside ioredis's own declarations (its untyped dependency redis-errors) are ioredis's to
  // fix and show only with skipLibCheck off: every other error counts, in the package or the project.
  names.forEach((name, i) => diagnostics.set(name, outputs[i].split('\n').filter((l) => /error TS/.test(l) && !/node_modules\/ioredis\//.test(l))));
}, 120_000);

describe('the packed declarations in TypeScript projects', () => {
  it.each(Object.keys(PROJECTS))('%s: type-checks', (name) => {
    expect(diagnostics.get(name)).toEqual([]);
  });
});
