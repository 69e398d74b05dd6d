// `node eval/posteriordb/make-fixtures.mjs <posteriordb checkout>` (after `npm run build`): rewrites
// eval/posteriordb/<name>.json from a local copy of stan-dev/posteriordb — the posterior's data and a
// summary of its reference draws (per quantity: mean, sd, their Monte Carlo standard errors, bulk ESS;
// and the three strongest correlations, [i, j, r, MCSE of r]). Only these summaries are committed, never the draws. Reads files
// only; it never downloads.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { essBulk, mcseMean, mcseSd } from '../../dist/diagnostics.js';
import { correlation } from './check.mjs';
import { POSTERIORS } from './posteriors.mjs';

const root = process.argv[2];
if (!root) throw new Error('usage: node eval/posteriordb/make-fixtures.mjs <path to a posteriordb checkout>');
const db = join(root, 'posterior_database');

/** The one member of a posteriordb .json.zip (deflate or stored), parsed. */
function readZippedJson(file) {
  const b = readFileSync(file);
  let e = b.length - 22;
  while (e >= 0 && b.readUInt32LE(e) !== 0x06054b50) e--;
  if (e < 0) throw new Error(`${file}: not a zip archive`);
  const cd = b.readUInt32LE(e + 16);
  if (b.readUInt32LE(cd) !== 0x02014b50) throw new Error(`${file}: bad central directory`);
  const method = b.readUInt16LE(cd + 10);
  const size = b.readUInt32LE(cd + 20);
  const local = b.readUInt32LE(cd + 42);
  const start = local + 30 + b.readUInt16LE(local + 26) + b.readUInt16LE(local + 28);
  const raw = b.subarray(start, start + size);
  const bytes = method === 8 ? inflateRawSync(raw) : method === 0 ? raw : null;
  if (bytes === null) throw new Error(`${file}: compression method ${method}`);
  return JSON.parse(bytes.toString('utf8'));
}

const r6 = (x) => Number(x.toPrecision(6));

for (const [short, p] of Object.entries(POSTERIORS)) {
  const info = JSON.parse(readFileSync(join(db, 'posteriors', `${p.posterior}.json`), 'utf8'));
  const data = readZippedJson(join(db, 'data', 'data', `${info.data_name}.json.zip`));
  const draws = readZippedJson(join(db, 'reference_posteriors', 'draws', 'draws', `${info.reference_posterior_name}.json.zip`));
  const names = Object.keys(draws[0]);
  const chains = names.map((n) => draws.map((c) => Float64Array.from(c[n])));
  const pooled = chains.map((cs) => Float64Array.from(cs.flatMap((c) => [...c])));
  const mean = pooled.map((v) => v.reduce((s, x) => s + x, 0) / v.length);
  const sd = pooled.map((v, k) => Math.sqrt(v.reduce((s, x) => s + (x - mean[k]) ** 2, 0) / (v.length - 1)));
  const cor = [];
  for (let i = 0; i < names.length; i++) {
    for (let j = i + 1; j < names.length; j++) {
      const c = correlation(chains[i], chains[j]);
      cor.push([i, j, r6(c.r), r6(c.mcse)]);
    }
  }
  cor.sort((a, b) => Math.abs(b[2]) - Math.abs(a[2]));
  const keep = Object.fromEntries(p.data.map((k) => [k, data[k]]));
  const fixture = {
    posterior: p.posterior,
    model: info.model_name,
    source: `stan-dev/posteriordb, posterior_database/reference_posteriors/draws/draws/${info.reference_posterior_name}.json.zip (${draws.length} chains × ${draws[0][names[0]].length} draws)`,
    data: keep,
    reference: {
      names,
      mean: mean.map(r6),
      sd: sd.map(r6),
      mcseMean: chains.map((c) => r6(mcseMean(c))),
      mcseSd: chains.map((c) => r6(mcseSd(c))),
      essBulk: chains.map((c) => Math.round(essBulk(c))),
      correlations: cor.slice(0, 3),
    },
  };
  writeFileSync(new URL(`${short}.json`, import.meta.url), JSON.stringify(fixture) + '\n');
  console.log(`${short}: ${names.length} quantities, strongest correlation ${cor[0]?.[2] ?? '-'}`);
}
