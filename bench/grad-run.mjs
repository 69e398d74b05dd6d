// Raw gradient speed of the BNN target alone, one thread: `node bench/grad-run.mjs [--calls 2000 --reps 7]`.
// Prints {"grad": {...}}: µs per gradient of every rep, the median rate, and a bit-level checksum.
import { readFileSync } from 'node:fs';
import { importBench } from './bundle.mjs';

const root = new URL('..', import.meta.url);
const args = process.argv.slice(2);
const opt = (name) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : undefined);
const { benchGrad } = await importBench('grad');
const grad = await benchGrad({ trainCsv: readFileSync(new URL('data/peers/bnn_train.csv', root), 'utf8'), calls: opt('--calls'), reps: opt('--reps') });
console.log(JSON.stringify({ grad }));
