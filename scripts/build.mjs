// Builds the package: both wasm binaries, then one ESM bundle per entry (wasm bytes embedded),
// then the type declarations. Usage: node scripts/build.mjs [--wasm-only]
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import * as esbuild from 'esbuild';

const run = (cmd, args) => execFileSync(cmd, args, { stdio: 'inherit' });
const bin = (name) => `node_modules/.bin/${name}`;

mkdirSync('build', { recursive: true });
for (const target of ['simd', 'relaxed']) {
  run(bin('asc'), ['assembly/index.ts', '--config', 'asconfig.json', '--target', target]);
}
if (process.argv.includes('--wasm-only')) process.exit(0);

// CommonJS dependencies of the command line (cli-progress) `require` Node's built-ins by bare name:
// serve them from the running Node (process.getBuiltinModule, Node ≥ 20.16), so the neutral ESM bundle needs no `require`.
const nodeBuiltins = {
  name: 'node-builtins',
  setup(b) {
    b.onResolve({ filter: /^(events|readline)$/ }, (a) => ({ path: a.path, namespace: 'node-builtin' }));
    b.onLoad({ filter: /.*/, namespace: 'node-builtin' }, (a) => ({ contents: `module.exports = process.getBuiltinModule('node:${a.path}');`, loader: 'js' }));
  },
};

const entries = { index: 'src/index.ts', worker: 'workers/worker.ts', cli: 'src/cli/main.ts' };
// The package's subpath exports (package.json "exports"): bdl-wasm/metrics, /diagnostics, /samplers, /advanced, /queue (Node only).
const SUBPATHS = { metrics: 'src/metrics/index.ts', diagnostics: 'src/diagnostics/index.ts', samplers: 'src/subpaths/samplers.ts', advanced: 'src/subpaths/advanced.ts', queue: 'src/queue/index.ts' };
Object.assign(entries, SUBPATHS);
const existing = Object.fromEntries(
  Object.entries(entries).filter(([, file]) => {
    try { return execFileSync('test', ['-f', file]) !== undefined; } catch { return false; }
  }),
);
// Chunk names are content hashes: without a clean start, every build would leave the last one's
// chunks behind in dist/ (and in the published package).
rmSync('dist', { recursive: true, force: true });
const bundled = await esbuild.build({
  entryPoints: existing,
  outdir: 'dist',
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  splitting: true,
  // Chunks sit beside the entries, so `new URL('./worker.js', import.meta.url)` resolves from any of them.
  chunkNames: 'chunk-[hash]',
  mainFields: ['module', 'main'],
  loader: { '.wasm': 'binary' },
  // BullMQ and its Redis client stay outside the bundles: only dist/queue.js (and the CLI's --redis) load them.
  external: ['node:*', 'bullmq', 'ioredis'],
  plugins: [nodeBuiltins],
  // External maps stay in dist/ for debugging here; no sourceMappingURL comment points at a file the package does not ship.
  sourcemap: 'external',
  metafile: true,
  logLevel: 'warning',
});
checkBinaries(bundled.metafile);
// The raw binaries too (bdl-wasm/core/simd.wasm, /relaxed.wasm): edge runtimes (Cloudflare Workers,
// Vercel Edge) refuse to compile the embedded bytes at run time and take a core only as a .wasm module
// their bundler compiles at deploy time (useCompiledCore).
mkdirSync('dist/core', { recursive: true });
for (const flavor of ['simd', 'relaxed']) copyFileSync(`build/bdl.${flavor}.wasm`, `dist/core/${flavor}.wasm`);
// The report page's script: a browser bundle (Observable Plot inlined) that `bdl compare` pastes into report.html.
const reportPage = await esbuild.build({
  entryPoints: ['src/report/page.ts'],
  outfile: 'dist/report-page.js',
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
});
writeThirdPartyNotices([bundled.metafile, reportPage.metafile], 'dist/THIRD-PARTY-NOTICES.md');
run(bin('tsc'), ['-p', 'tsconfig.build.json']);
writeFileSync('dist/index.d.ts', "export * from './types/src/index.js';\n");
for (const [name, file] of Object.entries(SUBPATHS)) writeFileSync(`dist/${name}.d.ts`, `export * from './types/${file.replace(/\.ts$/, '.js')}';\n`);
// load.d.ts types the kernels from the core's own declarations: ship them beside it.
mkdirSync('dist/types/build', { recursive: true });
copyFileSync('build/bdl.simd.d.ts', 'dist/types/build/bdl.simd.d.ts');
// WebAssembly is a global in every runtime the package runs on, but TypeScript declares it only in its
// DOM and webworker libs: a Node project whose `lib` has no "dom" got "Cannot find namespace
// 'WebAssembly'" from these declarations (and `any` with skipLibCheck). The names they use stand
// declared here as empty interfaces, which merge with the lib's where it is present (esbuild's own
// types do the same); every declaration naming WebAssembly references the file.
writeFileSync(
  'dist/types/wasm-globals.d.ts',
  '// The WebAssembly types bdl-wasm\'s declarations name, for projects without the DOM lib (they merge with it).\n' +
    'declare namespace WebAssembly {\n  interface Module {}\n  interface Memory {}\n}\n',
);
for (const f of readdirSync('dist/types', { recursive: true, encoding: 'utf8' })) {
  const file = join('dist/types', f);
  if (!f.endsWith('.d.ts') || f === 'wasm-globals.d.ts') continue;
  const text = readFileSync(file, 'utf8');
  const names = new Set([...text.matchAll(/\bWebAssembly\.(\w+)/g)].map((m) => m[1]));
  if (names.size === 0) continue;
  const unknown = [...names].filter((n) => n !== 'Module' && n !== 'Memory');
  if (unknown.length) throw new Error(`${file} names WebAssembly.${unknown.join(', WebAssembly.')}: declare it in dist/types/wasm-globals.d.ts too`);
  writeFileSync(file, `/// <reference path="${relative(dirname(file), 'dist/types/wasm-globals.d.ts')}" />\n${text}`);
}
// `import module from 'bdl-wasm/core/simd.wasm'` on a platform that compiles .wasm imports gives a Module.
writeFileSync(
  'dist/core/module.d.ts',
  '/// <reference path="../types/wasm-globals.d.ts" />\n' +
    "/** bdl-wasm's compute core as a platform's bundler compiles a .wasm import (Cloudflare Workers, Vercel Edge): pass it to useCompiledCore. */\n" +
    'declare const module: WebAssembly.Module;\nexport default module;\n',
);
// Ship only the declarations a consumer's TypeScript can reach: from the `types` of each export in
// package.json, through the relative imports and references of the .d.ts files. tsc emits one for every
// source file (the CLI's, the report's, internal helpers': ≈ 90 files nothing imports).
const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const reachable = new Set();
const pending = Object.values(pkg.exports).flatMap((e) => (typeof e === 'object' && e.types ? [join(e.types)] : []));
while (pending.length) {
  const file = pending.pop();
  if (reachable.has(file)) continue;
  reachable.add(file);
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|<reference\s+path=)["'](\.{1,2}\/[^"']+)["']/g)) {
    const target = join(dirname(file), m[1]);
    const found = [target.replace(/\.js$/, '.d.ts'), `${target}.d.ts`, join(target, 'index.d.ts'), target].find((c) => c.endsWith('.d.ts') && existsSync(c));
    if (!found) throw new Error(`${file}: ${m[1]} resolves to no declaration file`);
    pending.push(found);
  }
}
for (const f of readdirSync('dist', { recursive: true, encoding: 'utf8' })) {
  const file = join('dist', f);
  if (f.endsWith('.d.ts') && !reachable.has(file)) rmSync(file);
}
for (const d of readdirSync('dist/types', { recursive: true, withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => join(e.parentPath, e.name)).sort().reverse()) {
  if (readdirSync(d).length === 0) rmSync(d, { recursive: true });
}

/**
 * The pool sends its workers the compiled core, so the worker entry's graph carries no binary; every
 * other entry that can make an arena without being given a core (src/wasm/core.ts's default) must
 * carry them, or that default would have nothing to compile.
 */
function checkBinaries(meta) {
  const closure = (out, seen = new Set()) => {
    if (seen.has(out)) return seen;
    seen.add(out);
    for (const i of meta.outputs[out].imports) if (i.kind === 'import-statement' && !i.external) closure(i.path, seen);
    return seen;
  };
  const has = (outs, input) => [...outs].some((o) => (meta.outputs[o].inputs[input]?.bytesInOutput ?? 0) > 0);
  for (const [out, o] of Object.entries(meta.outputs)) {
    if (o.entryPoint === undefined) continue;
    const outs = closure(out);
    const binaries = has(outs, 'build/bdl.simd.wasm') && has(outs, 'build/bdl.relaxed.wasm');
    if (o.entryPoint === entries.worker && (binaries || has(outs, 'src/wasm/load.ts'))) throw new Error(`${out} carries the wasm binaries: the worker gets its core from the pool (import src/wasm/core.ts there, not load.ts)`);
    if (o.entryPoint !== entries.worker && has(outs, 'src/wasm/core.ts') && !binaries) throw new Error(`${out} can make an arena but carries no binaries: import src/wasm/load.ts in ${o.entryPoint}`);
  }
}

/**
 * The bundles carry other packages' code (comlink, protobufjs, csv-parse, the loader, cli-progress,
 * Observable Plot and d3 in the report page, …): their licenses (MIT, ISC, BSD-3-Clause, Apache-2.0)
 * ask that their copyright and license notices travel with every copy. One file lists each package
 * whose code esbuild put in a shipped bundle, with its license file's text.
 */
function writeThirdPartyNotices(metafiles, out) {
  const dirs = new Set();
  for (const meta of metafiles) {
    // What each output holds of an input (an input tree-shaken away contributes 0 bytes and no notice).
    const inputs = Object.values(meta.outputs).flatMap((o) => Object.entries(o.inputs).filter(([, i]) => i.bytesInOutput > 0).map(([path]) => path));
    for (const input of inputs) {
      const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input.replace(/\\/g, '/'));
      if (m) dirs.add(m[1]);
    }
  }
  const entries = [...dirs].map((dir) => {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
    const license = typeof pkg.license === 'string' ? pkg.license : (pkg.license?.type ?? 'see the package');
    const author = typeof pkg.author === 'string' ? pkg.author : pkg.author?.name;
    const text = file ? readFileSync(join(dir, file), 'utf8').trim() : `${license}${author ? `, ${author}` : ''} (the package ships no license file; the license is the one its SPDX identifier names).`;
    return { id: `${pkg.name}@${pkg.version}`, license, text };
  });
  entries.sort((a, b) => (a.id < b.id ? -1 : 1));
  const unique = [...new Map(entries.map((e) => [e.id, e])).values()];
  writeFileSync(
    out,
    `# Third-party notices\n\nbdl-wasm's bundles in dist/ include code from these packages, under their own licenses.\n\n` +
      unique.map((e) => `## ${e.id} (${e.license})\n\n\`\`\`\n${e.text}\n\`\`\`\n`).join('\n'),
  );
}
