// Raw gradient speed of the BNN target alone, one thread: `node bench/grad-run.mjs [--calls 2000 --reps 7]`.
// Prints {"grad": {...}}: µs per gradient of every rep, the median rate, and a bit-level checksum.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

const root = new URL('..', import.meta.url);
const args = process.argv.slice(2);
const opt = (name) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : undefined);
const out = mkdtempSync(join(tmpdir(), 'bdl-bench-grad-'));
await esbuild.build({
  entryPoints: [new URL('grad.ts', import.meta.url).pathname],
  outfile: join(out, 'grad.js'),
  bundle: true, format: 'esm', platform: 'neutral', target: 'es2022', mainFields: ['module', 'main'],
  loader: { '.wasm': 'binary' }, external: ['node:*'], logLevel: 'warning',
});
const { benchGrad } = await import(pathToFileURL(join(out, 'grad.js')).href);
const grad = await benchGrad({ trainCsv: readFileSync(new URL('data/peers/bnn_train.csv', root), 'utf8'), calls: opt('--calls'), reps: opt('--reps') });
console.log(JSON.stringify({ grad }));
