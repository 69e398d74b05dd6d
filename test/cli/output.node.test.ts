// What the commands write: real bdl fit / predict / sample outputs valid against docs/output.schema.json;
// train once, predict later with identical numbers; typed failures that never exit 0.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import { bdl, cli, root, yachtFiles } from './helpers.js';

const { dir, train, test } = yachtFiles();
const validate = new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(readFileSync(join(root, 'docs/output.schema.json'), 'utf8')));
function valid(doc: unknown): void {
  expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
}
const read = (p: string) => JSON.parse(readFileSync(p, 'utf8'));
/** The core a run computes with when --core is not given: relaxed where this runtime validates it. */
const DEFAULT_CORE = WebAssembly.validate(readFileSync(join(root, 'build/bdl.relaxed.wasm'))) ? 'relaxed' : 'simd';
const PREDICTIVE = ['task', 'mean', 'variance', 'aleatoric', 'epistemic', 'samples', 'interval', 'metrics'];

describe('bdl output', () => {
  it('fit --save then predict --posterior: the same JSON, identical numbers; both valid against the schema', () => {
    const fitOut = join(dir, 'fit.json');
    const saved = join(dir, 'ens.bdl');
    const f = bdl(['fit', '--method', 'ensemble', '--members', '2', '--epochs', '30', '--train', train, '--test', test, '--seed', '3', '--out', fitOut, '--save', saved]);
    expect(f.status, f.stderr).toBe(0);
    const a = read(fitOut);
    valid(a);
    expect(a.options).toMatchObject({ members: 2, epochs: 30, seed: 3, hidden: [50], learningRate: 1e-3, batchSize: 32 });
    expect(a.seed).toBe(3);
    expect(a.version).toBe(read(join(root, 'package.json')).version);
    expect(a.core).toBe(DEFAULT_CORE);
    expect(a.timings.train).toBeGreaterThan(0);
    expect(a.metrics.rmse).toBeGreaterThan(0);
    // 95 % intervals in original units around the mean (yacht's resistance spans 0–60).
    expect(a.interval.level).toBe(0.95);
    a.mean.forEach((m: number, i: number) => expect(a.interval.lower[i] < m && m < a.interval.upper[i]).toBe(true));
    expect(Math.max(...a.interval.upper)).toBeGreaterThan(10);
    const predOut = join(dir, 'pred.json');
    const p = bdl(['predict', '--posterior', saved, '--test', test, '--seed', '3', '--out', predOut]);
    expect(p.status, p.stderr).toBe(0);
    const b = read(predOut);
    valid(b);
    for (const k of PREDICTIVE) expect(b[k], k).toEqual(a[k]);
    expect(b.core).toBe(DEFAULT_CORE);
    // The same file predicted with the relaxed core (Node 20 takes it with its flag) says so.
    const relaxed = spawnSync(process.execPath, ['--experimental-wasm-relaxed-simd', cli, 'predict', '--posterior', saved, '--test', test, '--seed', '3', '--core', 'relaxed'], { encoding: 'utf8', timeout: 60_000 });
    expect(relaxed.status, relaxed.stderr).toBe(0);
    valid(JSON.parse(relaxed.stdout));
    expect(JSON.parse(relaxed.stdout).core).toBe('relaxed');
    // The inputs alone (no target column) predict the same numbers, without metrics.
    const inputs = join(dir, 'inputs.txt');
    writeFileSync(inputs, readFileSync(test, 'utf8').trim().split('\n').map((l) => l.trim().split(/\s+/).slice(0, -1).join(' ')).join('\n'));
    const q = bdl(['predict', '--posterior', saved, '--test', inputs, '--seed', '3']);
    expect(q.status, q.stderr).toBe(0);
    const c = JSON.parse(q.stdout);
    valid(c);
    expect(c.mean).toEqual(a.mean);
    expect(c.metrics).toBeNull();
  });

  it('--samples whose per-sample outputs would not fit is refused before predicting or training (E_MEMORY naming the flag and the most that fit)', () => {
    const saved = join(dir, 'vi.bdl');
    const f = bdl(['fit', '--method', 'vi', '--hidden', '2', '--epochs', '1', '--train', train, '--test', test, '--save', saved, '--out', join(dir, 'vi.json')]);
    expect(f.status, f.stderr).toBe(0);
    // 600 test rows × 32767 samples: 39 million per-sample means and variances, more than one JSON string holds.
    const rows = readFileSync(train, 'utf8').trim().split('\n');
    const many = join(dir, 'many.txt');
    writeFileSync(many, Array.from({ length: 600 }, (_, i) => rows[i % rows.length]).join('\n'));
    const out = join(dir, 'many.json');
    const t0 = performance.now();
    const p = bdl(['predict', '--posterior', saved, '--test', many, '--samples', '32767', '--out', out]);
    expect(p.status, p.stderr).toBe(1);
    expect(p.stderr).toMatch(/^bdl: --samples: expected a JSON that fits one string .*found 600 test rows × 32,767 samples × 1 output: 39,320,400 numbers\. Use --samples \d+ or fewer/);
    expect(existsSync(out)).toBe(false);
    expect(performance.now() - t0).toBeLessThan(20_000);
    // bdl fit checks its --samples the same way, after reading the files and before training.
    const g = bdl(['fit', '--method', 'vi', '--hidden', '2', '--epochs', '1', '--train', train, '--test', many, '--samples', '32767', '--out', out]);
    expect(g.status, g.stderr).toBe(1);
    expect(g.stderr).toMatch(/^bdl: --samples: expected a JSON that fits one string/);
    expect(g.stderr).not.toMatch(/epochs \|/);
    expect(existsSync(out)).toBe(false);
  });

  it('classification fit output is valid; float labels are refused naming the file, row and value', () => {
    const rows = (n: number, bad?: number) => Array.from({ length: n }, (_, i) => `${(i % 7) / 7},${(i % 3) / 3},${i === bad ? 1.5 : i % 2}`).join('\n');
    const ctrain = join(dir, 'ctrain.csv');
    const ctest = join(dir, 'ctest.csv');
    writeFileSync(ctrain, rows(40));
    writeFileSync(ctest, rows(10));
    const f = bdl(['fit', '--method', 'map', '--task', 'classification', '--epochs', '5', '--train', ctrain, '--test', ctest]);
    expect(f.status, f.stderr).toBe(0);
    valid(JSON.parse(f.stdout));
    writeFileSync(ctrain, rows(40, 6));
    const bad = bdl(['fit', '--method', 'map', '--task', 'classification', '--epochs', '5', '--train', ctrain, '--test', ctest]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/ctrain\.csv: label of data row 7 \(data\.y\[6\]\): expected an integer class index .*found 1\.5/);
    expect(bad.stdout).toBe('');
    // bdl compare on the same files: the label error, not every method skipped with exit 0.
    const cmp = bdl(['compare', '--train', ctrain, '--test', ctest, '--task', 'classification', '--methods', 'map', '--out', join(dir, 'cmp')]);
    expect(cmp.status).toBe(1);
    expect(cmp.stderr).toMatch(/label of data row 7/);
  });

  it('labels 1…K: a warning that class 0 has no training rows, on stderr and in the JSON', () => {
    const rows = (n: number) => Array.from({ length: n }, (_, i) => `${(i % 7) / 7},${(i % 3) / 3},${1 + (i % 2)}`).join('\n');
    const tr = join(dir, 'one-based.csv');
    const te = join(dir, 'one-based-test.csv');
    writeFileSync(tr, rows(40));
    writeFileSync(te, rows(10));
    const f = bdl(['fit', '--method', 'map', '--task', 'classification', '--epochs', '5', '--train', tr, '--test', te]);
    expect(f.status, f.stderr).toBe(0);
    expect(f.stderr).toMatch(/map: warning: .*one-based\.csv: class 0 of 0…2 has no training rows.*subtract 1/);
    expect(JSON.parse(f.stdout).warnings).toEqual([expect.stringMatching(/class 0 of 0…2 has no training rows/)]);
  });

  it('training that diverges (learning rate 1e6) stops with E_NONFINITE naming the epoch, exit 1, nothing written', () => {
    const out = join(dir, 'diverged.json');
    const r = bdl(['fit', '--method', 'map', '--lr', '1e6', '--train', train, '--test', test, '--out', out]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/loss became .* at epoch \d+ of \d+ .*training diverged\. Use a smaller learning rate/);
    expect(existsSync(out)).toBe(false);
  });

  it('bdl sample output is valid; R̂, ESS and divergences are printed at the end', () => {
    const target = join(dir, 'normal.mjs');
    writeFileSync(target, 'export const dim = 2; export function logDensity(t, g) { g[0] = -t[0]; g[1] = -t[1]; return -0.5 * (t[0] * t[0] + t[1] * t[1]); }\n');
    const out = join(dir, 'draws.json');
    const r = bdl(['sample', '--target', target, '--chains', '2', '--warmup', '100', '--draws', '100', '--workers', '0', '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    const j = read(out);
    valid(j);
    expect(j.core).toBe(DEFAULT_CORE);
    expect(j.options).toMatchObject({ chains: 2, warmup: 100, draws: 100, kernel: 'nuts', maxTreeDepth: 10, workers: 0 });
    expect(r.stderr).toMatch(/R̂ max \d\.\d{3}, bulk ESS min \d+, tail ESS min \d+, \d+ divergences/);
    expect(r.stderr).toMatch(/sample .*\| \d+\/400 iterations \| elapsed .* \| ETA .*(warmup|draws)/);
  });

  it('bdl fit --method nuts labels its progress by phase and prints R̂, ESS and divergences', () => {
    const r = bdl(['fit', '--method', 'nuts', '--hidden', '4', '--chains', '2', '--warmup', '30', '--draws', '30', '--workers', '0', '--epochs', '5', '--train', train, '--test', test]);
    expect(r.status, r.stderr).toBe(0);
    valid(JSON.parse(r.stdout));
    expect(r.stderr).toMatch(/iterations .*(warmup|draws), acceptance \d\.\d\d, \d+ divergent, step size/);
    expect(r.stderr).not.toMatch(/iterations .*loss/);
    expect(r.stderr).toMatch(/nuts: R̂ \(predictive, worst\) \d\.\d{3}, bulk ESS \(worst\) \d+, \d+ divergences/);
    expect(r.stderr).toMatch(/nuts: warning: bulk ESS \d+ < 100/);
  });
});

describe('sloppy data the command line now speaks about', () => {
  const rows = (n: number, label: (i: number) => number) => Array.from({ length: n }, (_, i) => `${(i % 7) / 7},${(i % 3) / 3},${label(i)}`).join('\n');

  it('--classes 2 with every training label 1: E_ARG on train.y naming the file, before any training', () => {
    const tr = join(dir, 'ones.csv');
    writeFileSync(tr, rows(40, () => 1));
    const r = bdl(['fit', '--method', 'map', '--task', 'classification', '--classes', '2', '--epochs', '5', '--train', tr, '--test', tr]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/ones\.csv: train\.y: expected labels of at least two classes, found all 40 labels are class 1; classification needs at least two classes present/);
    expect(r.stdout).toBe('');
  });

  it('test rows far outside the training data: a warning naming the column and the rows, from fit --test and from predict', () => {
    const tr = join(dir, 'range.csv');
    const te = join(dir, 'range-test.csv');
    const saved = join(dir, 'range.bdl');
    writeFileSync(tr, `a,b,y\n${Array.from({ length: 60 }, (_, i) => `${(i % 7) / 7},${(i % 5) / 5},${i / 60}`).join('\n')}`);
    writeFileSync(te, 'a,b,y\n0.5,0.5,0.5\n0.2,300,0.1\n0.3,-40,0.2\n0.1,0.1,0.3');
    const f = bdl(['fit', '--method', 'map', '--epochs', '3', '--train', tr, '--test', te, '--save', saved]);
    expect(f.status, f.stderr).toBe(0);
    const said = /range-test\.csv: input column 1 \("b"\): 2 of 4 rows \(data rows 2, 3\) lie far outside the training data/;
    expect(f.stderr).toMatch(new RegExp(`map: warning: \\S*${said.source}`));
    expect(JSON.parse(f.stdout).warnings).toEqual([expect.stringMatching(said)]);
    const p = bdl(['predict', '--posterior', saved, '--test', te]);
    expect(p.status, p.stderr).toBe(0);
    expect(p.stderr).toMatch(new RegExp(`map: warning: \\S*${said.source}`));
    expect(JSON.parse(p.stdout).warnings).toEqual([expect.stringMatching(said)]);
    // Rows inside the data: nothing said.
    const quiet = bdl(['predict', '--posterior', saved, '--test', tr]);
    expect(JSON.parse(quiet.stdout).warnings).toEqual([]);
  });

  it('a thousands separator in every row of a headerless CSV, and a Cauchy-like target: warnings on stderr and in the JSON', () => {
    const tr = join(dir, 'sep.csv');
    // Column 2 is 1,000–9,999 written with a separator (read as two columns: 5 and 076); one target is 10,000 among 0–2.
    writeFileSync(tr, Array.from({ length: 40 }, (_, i) => `${(i % 7) / 7},${1 + (i % 9)},${String((i * 37) % 1000).padStart(3, '0')},${i === 17 ? 1e4 : i % 3}`).join('\n'));
    const f = bdl(['fit', '--method', 'map', '--epochs', '3', '--train', tr, '--test', tr]);
    expect(f.status, f.stderr).toBe(0);
    expect(f.stderr).toMatch(/map: warning: \S*sep\.csv: columns 2 and 3 read like one number with a thousands separator in every row/);
    expect(f.stderr).toMatch(/map: warning: \S*sep\.csv: the target is heavy-tailed/);
    expect(JSON.parse(f.stdout).warnings).toEqual([expect.stringMatching(/thousands separator/), expect.stringMatching(/heavy-tailed/)]);
  });
});
