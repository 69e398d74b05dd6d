// `node eval/fashion.mjs [--methods map,ensemble,…] [--full] [--out fashion]` (after `npm run build`;
// needs Debian's dataset-fashion-mnist: /usr/share/datasets/fashion-mnist). Every method with its
// DEFAULT options (task classification, 1×50 ReLU) on Fashion-MNIST: the first 10,000 training and
// 2,000 test images (--full: all 60,000 / 10,000), pixels / 255. Accuracy, NLL, ECE (15 bins), Brier
// and the AUROC of the predictive entropy, in-distribution test images against out-of-distribution
// digits. MNIST is not packaged for apt here, so the digits are the project's data/digits.csv.gz (UCI
// handwritten digits, 1,797 images of 8×8, 0–16) scaled to MNIST's layout: a 20×20 box (bilinear)
// centred in 28×28, / 16. Seconds and peak RSS (process.resourceUsage().maxRSS) per method, each
// method in its own process. Writes eval/<out>.json and eval/FASHION.md (both tables when both ran).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const opt = (k, d) => (args.includes(k) ? args[args.indexOf(k) + 1] : d);
const here = (f) => new URL(f, import.meta.url);
const DIR = '/usr/share/datasets/fashion-mnist';
// Every method of the registry, cheapest first (the order of the tables); the last four are full-batch
// MCMC whose cost at this size is listed in the notes.
const ALL = ['map', 'mc-dropout', 'laplace', 'swa', 'csgld', 'sgld', 'sghmc', 'ensemble', 'concrete-dropout', 'swag', 'svgd', 'multiswag', 'vi', 'sghmc-mh', 'swag-subspace', 'nuts', 'hmc'];

// --opts '{"batchSize":128}': extra options for every method, --test-rows N: score on the first N test
// images (experiments; the tables use neither).
const extra = JSON.parse(opt('--opts', '{}'));
if (args.includes('--child')) await child(args[args.indexOf('--child') + 1], args.includes('--full'));
else if (args.includes('--report')) report();
else parent();

function idx(file) {
  const b = gunzipSync(readFileSync(`${DIR}/${file}`));
  const dims = b[3];
  const shape = Array.from({ length: dims }, (_, i) => b.readUInt32BE(4 + 4 * i));
  return { shape, data: b.subarray(4 + 4 * dims) };
}

function fashion(part, n) {
  const im = idx(`${part}-images-idx3-ubyte.gz`), lb = idx(`${part}-labels-idx1-ubyte.gz`);
  const x = new Float32Array(n * 784);
  for (let i = 0; i < n * 784; i++) x[i] = im.data[i] / 255;
  return { x, y: Float32Array.from(lb.data.subarray(0, n)), n };
}

/** The UCI digits as 28×28 images: bilinear 8×8 → 20×20, centred (MNIST's own layout), / 16. */
function digits() {
  const rows = gunzipSync(readFileSync(here('../data/digits.csv.gz'))).toString('utf8').trim().split('\n');
  const x = new Float32Array(rows.length * 784);
  rows.forEach((line, r) => {
    const v = line.split(',').map(Number);
    for (let i = 0; i < 20; i++) for (let j = 0; j < 20; j++) {
      const u = Math.min(7, Math.max(0, (i + 0.5) * 0.4 - 0.5)), w = Math.min(7, Math.max(0, (j + 0.5) * 0.4 - 0.5));
      const i0 = Math.floor(u), j0 = Math.floor(w), i1 = Math.min(7, i0 + 1), j1 = Math.min(7, j0 + 1), a = u - i0, b = w - j0;
      const p = (1 - a) * ((1 - b) * v[i0 * 8 + j0] + b * v[i0 * 8 + j1]) + a * ((1 - b) * v[i1 * 8 + j0] + b * v[i1 * 8 + j1]);
      x[r * 784 + (i + 4) * 28 + (j + 4)] = p / 16;
    }
  });
  return x;
}

async function child(method, full) {
  const { makeDataset, trainMethod } = await import('../dist/index.js');
  const { accuracy, nll, ece, brier, auroc, predictiveEntropy } = await import('../dist/metrics.js');
  const tr = fashion('train', full ? 60000 : 10000), te = fashion('t10k', Number(opt('--test-rows', full ? 10000 : 2000)));
  const train = makeDataset({ data: tr.x, cols: 784 }, tr.y, 'fashion');
  const load0 = loadavg()[0];
  const t0 = performance.now();
  const { posterior } = await trainMethod(method, train, { task: 'classification', hidden: [50], seed: 0, ...extra }, false);
  const fitS = (performance.now() - t0) / 1000;
  const p = await posterior.predict(te.x, { seed: 0 });
  const q = await posterior.predict(digits(), { seed: 0 });
  const row = {
    method, ...(Object.keys(extra).length ? { opts: extra } : {}), accuracy: accuracy(p.probs, te.y), nll: nll(p.probs, te.y), ece: ece(p.probs, te.y, { bins: 15 }), brier: brier(p.probs, te.y),
    auroc: auroc(predictiveEntropy(p.probs, 10), predictiveEntropy(q.probs, 10)), fitSeconds: fitS, seconds: (performance.now() - t0) / 1000,
    maxRssMiB: process.resourceUsage().maxRSS / 1024, temperature: posterior.info?.temperature, load: [load0, loadavg()[0]],
  };
  console.log(JSON.stringify(row));
  process.exit(0);
}

function parent() {
  const full = args.includes('--full');
  const out = opt('--out', full ? 'fashion-full' : 'fashion');
  // --append: keep the file's other rows (one method at a time, e.g. the 60k table); a method's row
  // with the same options is replaced.
  const key = (r) => `${r.method} ${JSON.stringify(r.opts ?? {})}`;
  const rows = [];
  const run = (m, o) => {
    const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', m, '--opts', JSON.stringify(o), ...(full ? ['--full'] : []), ...(args.includes('--test-rows') ? ['--test-rows', opt('--test-rows')] : [])], { encoding: 'utf8', timeout: 3600e3 });
    const last = r.stdout.trim().split('\n').pop();
    const row = r.status === 0 && last ? JSON.parse(last) : { method: m, ...(Object.keys(o).length ? { opts: o } : {}), error: (r.stderr || 'timeout').trim().split('\n').pop().slice(0, 160) };
    row.date = new Date().toISOString();
    // Re-read before writing: another --append run may have written its rows meanwhile.
    if (args.includes('--append') && existsSync(here(`${out}.json`))) rows.splice(0, rows.length, ...JSON.parse(readFileSync(here(`${out}.json`), 'utf8')).rows);
    const at = rows.findIndex((x) => key(x) === key(row));
    if (at >= 0) rows[at] = row;
    else rows.push(row);
    console.log(JSON.stringify(row));
    writeFileSync(here(`${out}.json`), JSON.stringify({ date: row.date, full, rows }, null, 1));
    return row;
  };
  for (const m of opt('--methods', 'map,ensemble,mc-dropout,laplace,vi,swag,multiswag,concrete-dropout,swa,sgld,sghmc,csgld,svgd').split(',')) {
    // A method tempered by default is also run untempered (every row trained), so the table shows what the temperature did.
    if (run(m, extra).temperature !== undefined && extra.calibrate === undefined && !args.includes('--no-untempered')) run(m, { ...extra, calibrate: 'none' });
  }
  report();
}

function report() {
  const L = ['# Fashion-MNIST with defaults', '', 'Generated by `node eval/fashion.mjs` (`--full` for 60k/10k, `--methods m --append` adds or replaces one method\'s rows; `--report` rewrites this file from the JSON). Every method with its default options, `--task classification`, 1×50 ReLU, seed 0. ECE: 15 equal-width confidence bins. AUROC: predictive entropy, Fashion-MNIST test images (in) against 1,797 UCI digits scaled to MNIST\'s 28×28 layout (out; **MNIST itself is not on this machine**, so this is not the issue\'s MNIST AUROC). Temperature: the one fitted on held-out training rows by `calibrate: \'temperature\'`, the default of every classification method (the methods that stop early stop on those same rows, scored at their best temperature; MAP, Laplace and the ensemble then train again on every row for the epochs they kept, the ensemble\'s members for the median of theirs: see the notes); rows marked `calibrate none` are the same method trained on every row without it (— untempered). Seconds: fit, and fit + both predictions; peak RSS of the method\'s process; load: the 1-minute load average of the 2-core machine at the start and end of the run (other sessions\' jobs ran throughout).', ''];
  for (const [file, title] of [['fashion', '10,000 train / 2,000 test'], ['fashion-full', '60,000 train / 10,000 test']]) {
    if (!existsSync(here(`${file}.json`))) continue;
    const run = JSON.parse(readFileSync(here(`${file}.json`), 'utf8'));
    const rows = [...run.rows].sort((a, b) => ALL.indexOf(a.method) - ALL.indexOf(b.method) || (a.opts ? 1 : 0) - (b.opts ? 1 : 0));
    const dates = rows.map((r) => r.date ?? run.date).sort();
    L.push(`## ${title} (runs ${dates[0].slice(0, 16)} – ${dates.at(-1).slice(0, 16)} UTC)`, '', '| method | accuracy | NLL | ECE | Brier | AUROC (digits) | temperature | fit s | total s | peak RSS MiB | load |', '|---|---|---|---|---|---|---|---|---|---|---|');
    for (const r of rows) {
      const name = r.opts ? `${r.method} (${Object.entries(r.opts).map(([k, v]) => `${k} ${v}`).join(', ')})` : r.method;
      const load = r.load ? r.load.map((v) => v.toFixed(0)).join('–') : '—';
      if (r.error) L.push(`| ${name} | failed: ${r.error} ||||||||||`);
      else L.push(`| ${name} | ${r.accuracy.toFixed(4)} | ${r.nll.toFixed(3)} | ${r.ece.toFixed(3)} | ${r.brier.toFixed(3)} | ${r.auroc.toFixed(3)} | ${r.temperature === undefined ? '—' : r.temperature.toFixed(2)} | ${r.fitSeconds.toFixed(1)} | ${r.seconds.toFixed(1)} | ${r.maxRssMiB.toFixed(0)} | ${load} |`);
    }
    const missing = ALL.filter((m) => !rows.some((r) => r.method === m && !r.opts && !r.error));
    L.push('', `Not run with defaults in this table: ${missing.length ? missing.join(', ') : 'none'} (see the notes).`, '');
  }
  const notes = here('FASHION-notes.md');
  if (existsSync(notes)) L.push(readFileSync(notes, 'utf8'));
  writeFileSync(here('FASHION.md'), L.join('\n'));
  console.log('wrote eval/FASHION.md');
}
