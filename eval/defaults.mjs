// `node eval/defaults.mjs [--sets boston,…,friedman5k,friedman20k,friedman50k] [--methods map,ensemble,…]
//   [--splits 3] [--tune-sets …] [--out defaults] [--merge a,b] [--tuned-from a,b] [--no-report]` (after
//   `npm run build`; --no-report: eval/<out>.json only, eval/DEFAULTS.md untouched).
// Each method's DEFAULT test log-likelihood beside its `--tune` result and the defaults' wall time:
// the five UCI sets on the first `--splits` of the benchmark's seeded 90/10 splits (seed 2015, as
// eval/run.mjs), and Friedman #1 with heteroscedastic noise (eval/friedman.mjs; train seed 1, 2,000
// test rows seed 2). Sets outside --tune-sets are not tuned; their tuned column takes the value of
// the same method tuned on the next smaller Friedman set, said so in the table. Writes eval/<out>.json
// (after every cell) and eval/DEFAULTS.md (from --merge'd runs, or this one).
// `--tuned-from a,b`: no `--tune` fits; each cell's tuned column is read from the split-by-split tuned
// values of earlier runs (eval/a.json, …) for the same set, method and split (the cell then uses only the
// splits that have one); cells without one are tuned here. Valid while the change under test does not move tuned runs: `--tune`'s grids set
// `epochs`, which turns early stopping, and with it every default that depends on held-out rows, off.
// `node eval/defaults.mjs --rss [--methods …]`: one 50,000-row, 1×100 default run of each method in its
// own process: peak RSS (process.resourceUsage().maxRSS) and seconds (eval/rss.json), written into
// eval/DEFAULTS.md's memory section in place (the rest of the file is kept); `--rss-write` rewrites that
// section from eval/rss.json without running.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { METHODS, parseDataset, trainMethod, trainTestSplit } from '../dist/index.js';
import { gaussianLogLik, mixtureLogLik } from '../dist/metrics.js';
import { friedman } from './friedman.mjs';

const args = process.argv.slice(2);
const opt = (k, d) => (args.includes(k) ? args[args.indexOf(k) + 1] : d);
const UCI = { boston: 'bostonHousing', concrete: 'concrete', energy: 'energy', wine: 'wine-quality-red', yacht: 'yacht' };
const FRIEDMAN = { friedman5k: 5000, friedman20k: 20000, friedman50k: 50000 };
const TUNED = ['map', 'ensemble', 'mc-dropout', 'laplace', 'vi', 'swag'];
const methods = opt('--methods', TUNED.join(',')).split(',');
const here = (f) => new URL(f, import.meta.url);
const RSS_HEADING = '## 50,000 rows, 1×100, defaults: peak memory';

// Samplers over all 1,201 weights take full-data gradients: at 50k rows their default warmup/draws would
// take hours here, so the memory run shortens them (memory does not grow with iterations: draws are thinned to 100).
const SHORT = { nuts: { warmup: 10, draws: 10, chains: 2 }, hmc: { warmup: 10, draws: 10, chains: 2 }, 'swag-subspace': { warmup: 10, draws: 10, chains: 2 } };

if (args.includes('--child')) await child();
else if (args.includes('--rss-write')) writeRssSection(JSON.parse(readFileSync(here('rss.json'), 'utf8')));
else if (args.includes('--rss')) rss();
else if (args.includes('--merge')) report(opt('--merge').split(',').map((p) => JSON.parse(readFileSync(here(`${p}.json`), 'utf8'))));
else await measure();

function load(set, s) {
  if (FRIEDMAN[set]) return { train: friedman(FRIEDMAN[set], 1), test: friedman(2000, 2) };
  const ds = parseDataset(readFileSync(here(`../data/uci/${UCI[set]}.txt`), 'utf8'), { source: set });
  return trainTestSplit(ds, { seed: 2015, stream: s });
}

async function score(method, train, test, opts, tuneIt) {
  const t0 = performance.now();
  const { posterior, tuned } = await trainMethod(method, train, opts, tuneIt);
  const p = await posterior.predict(test.x, { seed: opts.seed });
  const ll = p.members && p.members.count > 1 ? mixtureLogLik(p.members.mean, p.members.variance, test.y) : gaussianLogLik(p.mean, p.variance, test.y);
  return { ll, seconds: (performance.now() - t0) / 1000, chosen: tuned?.chosen };
}

async function measure() {
  const sets = opt('--sets', [...Object.keys(UCI), ...Object.keys(FRIEDMAN)].join(',')).split(',');
  const tuneSets = opt('--tune-sets', sets.filter((s) => s !== 'friedman50k').join(',')).split(',');
  const splits = Number(opt('--splits', '3'));
  const out = opt('--out', 'defaults');
  const earlier = opt('--tuned-from') ? tunedFrom(opt('--tuned-from').split(',')) : undefined;
  const results = {};
  for (const set of sets) {
    results[set] = {};
    const k = FRIEDMAN[set] ? 1 : splits;
    for (const m of methods) {
      const old = earlier?.[set]?.[m];
      const kk = old ? Math.min(k, old.tuned.length) : k;
      const r = { splits: kk, default: [], seconds: [], tuned: (old || tuneSets.includes(set)) && METHODS[m].tuneGrid ? [] : undefined, chosen: [] };
      for (let s = 0; s < kk; s++) {
        const { train, test } = load(set, s);
        const d = await score(m, train, test, { seed: s }, false);
        r.default.push(d.ll);
        r.seconds.push(d.seconds);
        if (old) {
          r.tuned.push(old.tuned[s]);
          r.chosen.push(old.chosen[s]);
        } else if (r.tuned) {
          const t = await score(m, train, test, { seed: s }, true);
          r.tuned.push(t.ll);
          r.chosen.push(t.chosen);
        }
        console.log(`${set} ${m} split ${s}: default ${d.ll.toFixed(3)} (${d.seconds.toFixed(1)} s)${r.tuned ? `, tuned ${r.tuned[s].toFixed(3)}` : ''}`);
      }
      results[set][m] = r;
      writeFileSync(here(`${out}.json`), JSON.stringify({ date: new Date().toISOString(), results }, null, 1));
    }
  }
  if (!args.includes('--no-report')) report([{ results }]);
}

/** Split-by-split tuned values of earlier runs, by set and method (the first run that has the cell wins). */
function tunedFrom(names) {
  const by = {};
  for (const name of names) {
    for (const [set, byM] of Object.entries(JSON.parse(readFileSync(here(`${name}.json`), 'utf8')).results)) {
      for (const [m, r] of Object.entries(byM)) if (r.tuned?.length && !by[set]?.[m]) (by[set] ??= {})[m] = { tuned: r.tuned, chosen: r.chosen };
    }
  }
  return by;
}

function mean(xs) {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

function report(runs) {
  const results = {};
  // A later run without tuned values (`--tune-sets none`, a default rule under test) keeps the earlier
  // run's tuned values of the cell, on the splits both have.
  for (const run of runs) {
    for (const [set, byM] of Object.entries(run.results)) {
      for (const [m, r] of Object.entries(byM)) {
        const prev = results[set]?.[m];
        if (r.tuned || !prev?.tuned) (results[set] ??= {})[m] = r;
        else {
          const k = Math.min(r.default.length, prev.tuned.length);
          results[set][m] = { ...r, splits: k, default: r.default.slice(0, k), seconds: r.seconds.slice(0, k), tuned: prev.tuned.slice(0, k), chosen: prev.chosen.slice(0, k) };
        }
      }
    }
  }
  const rssRun = existsSync(here('rss.json')) ? JSON.parse(readFileSync(here('rss.json'), 'utf8')) : undefined;
  const order = ['map', 'ensemble', 'laplace', 'vi', 'mc-dropout', 'swag', 'concrete-dropout'];
  const ms = [...new Set(Object.values(results).flatMap((b) => Object.keys(b)))].sort((a, b) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99));
  const sets = [...Object.keys(UCI), ...Object.keys(FRIEDMAN)].filter((s) => results[s]);
  const L = ['# Defaults against --tune', '', 'Generated by `node eval/defaults.mjs` (see its header; `--merge` joins partial runs). Test log-likelihood in original units (higher is better), mean over the splits used; "tuned" is `--tune` on the same splits (tune.ts: a validation split of each training split, grid in registry.ts). Δ = default − tuned (met: Δ ≥ −0.05). Seconds: wall time of the default fit + predict on a shared 2-core machine; [k]: the splits of the cell.', ''];
  L.push(`| set | ${ms.map((m) => `${m}: default / tuned (Δ) · s`).join(' | ')} |`, `|---|${ms.map(() => '---').join('|')}|`);
  let met = 0, cells = 0;
  const per = {};
  for (const set of sets) {
    const prevTuned = (m) => {
      const order = Object.keys(FRIEDMAN);
      for (let i = order.indexOf(set) - 1; i >= 0; i--) if (results[order[i]]?.[m]?.tuned) return { v: mean(results[order[i]][m].tuned), from: order[i] };
    };
    const cell = (m) => {
      const r = results[set][m];
      if (!r) return '—';
      const d = mean(r.default);
      const t = r.tuned ? { v: mean(r.tuned) } : FRIEDMAN[set] && prevTuned(m);
      if (!t) return `${d.toFixed(2)} / no grid · ${mean(r.seconds).toFixed(1)}`;
      const delta = d - t.v;
      cells++;
      if (delta >= -0.05) met++;
      per[m] ??= [0, 0];
      per[m][1]++;
      if (delta >= -0.05) per[m][0]++;
      return `${d.toFixed(2)} / ${t.v.toFixed(2)}${t.from ? ` (${t.from})` : ''} (${delta >= 0 ? '+' : ''}${delta.toFixed(2)}${delta >= -0.05 ? '' : ' **missed**'}) · ${mean(r.seconds).toFixed(1)} [${r.default.length}]`;
    };
    L.push(`| ${set} | ${ms.map(cell).join(' | ')} |`);
  }
  L.push('', `Within 0.05 nats of tuned, or better: ${met} of ${cells} cells (${Object.entries(per).map(([m, [a, b]]) => `${m} ${a} of ${b}`).join(', ')}).`, '');
  if (rssRun) L.push(...rssSection(rssRun));
  const notes = here('DEFAULTS-notes.md');
  if (existsSync(notes)) L.push(readFileSync(notes, 'utf8'));
  writeFileSync(here('DEFAULTS.md'), L.join('\n'));
  console.log('wrote eval/DEFAULTS.md');
}

/** The memory section of eval/DEFAULTS.md from an --rss run (eval/rss.json). */
function rssSection(run) {
  // The registry's order, whichever runs the rows came from; the dates span the runs that made them.
  const order = Object.keys(METHODS);
  const rows = [...run.rows].sort((a, b) => order.indexOf(a.method) - order.indexOf(b.method));
  const dates = rows.map((r) => r.date).filter(Boolean).sort();
  const when = dates.length === rows.length ? `runs ${dates[0].slice(0, 16)} – ${dates.at(-1).slice(0, 16)} UTC` : run.note;
  const L = [RSS_HEADING, '', `Friedman #1 50k rows, one process per method (\`node eval/defaults.mjs --rss\`), ${when}.`, '', '| method | seconds | peak RSS (MiB) | options beyond the defaults |', '|---|---|---|---|'];
  for (const r of rows) L.push(`| ${r.method} | ${r.error ? 'failed: ' + r.error : r.seconds.toFixed(1)} | ${r.maxRssMiB?.toFixed(0) ?? '—'} | ${r.extra ? JSON.stringify(r.extra) : ''} |`);
  return [...L, ''];
}

/** Puts the memory section into eval/DEFAULTS.md in place (replacing an earlier one, else before the notes), leaving the rest as it is. */
function writeRssSection(run) {
  const file = here('DEFAULTS.md');
  const lines = readFileSync(file, 'utf8').split('\n');
  let from = lines.indexOf(RSS_HEADING);
  let to = from;
  if (from < 0) from = to = lines.findIndex((l) => l.startsWith('## '));
  else do to++; while (to < lines.length && !lines[to].startsWith('## '));
  if (from < 0) from = to = lines.length;
  lines.splice(from, to - from, ...rssSection(run));
  writeFileSync(file, lines.join('\n'));
}

function rss() {
  // Rows of earlier --rss runs are kept (a method run again replaces its row).
  const methodsNow = opt('--methods', Object.keys(METHODS).join(',')).split(',');
  const rows = existsSync(here('rss.json')) ? JSON.parse(readFileSync(here('rss.json'), 'utf8')).rows.filter((r) => !methodsNow.includes(r.method)) : [];
  for (const m of opt('--methods', Object.keys(METHODS).join(',')).split(',')) {
    const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', m], { encoding: 'utf8', timeout: 300e3 });
    const last = r.stdout.trim().split('\n').pop();
    const row = r.status === 0 && last ? JSON.parse(last) : { method: m, error: (r.stderr || 'timeout').trim().split('\n').pop().slice(0, 120) };
    rows.push({ ...row, extra: SHORT[m], date: new Date().toISOString() });
    console.log(JSON.stringify(rows.at(-1)));
    writeFileSync(here('rss.json'), JSON.stringify({ note: `run ${new Date().toISOString()}`, rows }, null, 1));
  }
  writeRssSection(JSON.parse(readFileSync(here('rss.json'), 'utf8')));
  console.log('wrote the memory section of eval/DEFAULTS.md');
}

async function child() {
  const m = args[args.indexOf('--child') + 1];
  const train = friedman(50000, 1);
  const t0 = performance.now();
  const { posterior } = await trainMethod(m, train, { hidden: [100], seed: 0, ...SHORT[m] }, false);
  await posterior.predict(friedman(2000, 2).x, { seed: 0 });
  console.log(JSON.stringify({ method: m, seconds: (performance.now() - t0) / 1000, maxRssMiB: process.resourceUsage().maxRSS / 1024 }));
  process.exit(0);
}
