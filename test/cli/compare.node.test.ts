// `bdl compare` as a user runs it: tables on stdout, results.json and report.html in --out, and
// one-line errors with a non-zero exit.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../..');
const bdl = (...args: string[]) => spawnSync(process.execPath, [join(root, 'bin/bdl.js'), 'compare', ...args], { encoding: 'utf8', timeout: 120_000 });
const dir = mkdtempSync(join(tmpdir(), 'bdl-compare-'));

describe('bdl compare', () => {
  it('compares methods on the user’s files and writes results.json and report.html', () => {
    const lines = readFileSync(join(root, 'data/uci/yacht.txt'), 'utf8').trim().split('\n');
    const train = join(dir, 'train.txt');
    const test = join(dir, 'test.txt');
    writeFileSync(train, lines.filter((_, i) => i % 10 !== 0).join('\n'));
    writeFileSync(test, lines.filter((_, i) => i % 10 === 0).join('\n'));
    const out = join(dir, 'out');
    const r = bdl('--train', train, '--test', test, '--methods', 'map,laplace', '--out', out);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/method\s+RMSE\s+LL\s+PICP95\s+width95\s+seconds/);
    expect(r.stdout).toMatch(/\n\s+map\s+\d/);
    expect(r.stdout).toMatch(/\n\s+laplace\s+\d/);
    expect(r.stdout).toMatch(/calibration — .*\n\s+field:/);
    const j = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(j.suites).toHaveLength(1);
    expect(j.suites[0].methods.map((m: { method: string }) => m.method)).toEqual(['map', 'laplace']);
    expect(Object.keys(j.suites[0].methods[0].metrics)).toEqual(['rmse', 'll', 'picp', 'width']);
    expect(j.orderings.map((o: { name: string }) => o.name)).toEqual(['calibration', 'OOD detection', 'cost']);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toMatch(/<script type="application\/json" id="bdl-results">/);
    // Self-contained: no external scripts or styles.
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href="http/);
  });

  it('labels the progress of NUTS by chain iterations, acceptance and divergences (its MAP pretrain by loss)', () => {
    const lines = readFileSync(join(root, 'data/uci/yacht.txt'), 'utf8').trim().split('\n');
    const train = join(dir, 'train-nuts.txt');
    const test = join(dir, 'test-nuts.txt');
    writeFileSync(train, lines.filter((_, i) => i % 10 !== 0).join('\n'));
    writeFileSync(test, lines.filter((_, i) => i % 10 === 0).join('\n'));
    const r = bdl('--train', train, '--test', test, '--methods', 'map,nuts', '--out', join(dir, 'out-nuts'), '--time-limit', '60');
    const nuts = r.stderr.split('\n').filter((l) => /\/nuts .*\|/.test(l));
    const chains = nuts.filter((l) => !/MAP pretrain/.test(l));
    expect(chains.length, r.stderr).toBeGreaterThan(0);
    for (const l of nuts.filter((l) => /MAP pretrain/.test(l))) expect(l).toMatch(/epochs .*MAP pretrain(: loss \d)?/);
    for (const l of chains) {
      expect(l).toMatch(/\d+\/\d+ iterations .*(warmup|draws)(, acceptance \d\.\d\d, \d+ divergent)?, step size/);
      expect(l).not.toMatch(/loss/);
    }
    expect(r.stderr.split('\n').filter((l) => /\/map .*\|/.test(l)).every((l) => /epochs .*loss \d/.test(l))).toBe(true);
    // After the row, the chains' convergence as `bdl fit` prints it; a warning names compare's short budget.
    expect(r.stderr).toMatch(/\/nuts: R̂ \(predictive, worst\) \d\.\d{3}, bulk ESS \(worst\) \d+, \d+ divergences\n/);
    const info = JSON.parse(readFileSync(join(dir, 'out-nuts', 'results.json'), 'utf8')).suites[0].methods[1].info;
    const warned = info.rhatPredictive > 1.01 || info.essPredictive < 100 || info.divergences > 0;
    expect(/\/nuts: warning: /.test(r.stderr)).toBe(warned);
    expect(/compare runs it on a short budget \(2 chains × \(150 warmup \+ 150 draws\)\).*bdl fit --method nuts/.test(r.stderr)).toBe(warned);
    // The report keeps the budget it ran (to say so beside a warned row); map ran its defaults.
    const methods = JSON.parse(readFileSync(join(dir, 'out-nuts', 'results.json'), 'utf8')).suites[0].methods;
    expect(methods[1].budget).toEqual({ chains: 2, warmup: 150, draws: 150, keep: 30, maxTreeDepth: 5 });
    expect(methods[0].budget).toBeUndefined();
  });

  it('fails with one line and a non-zero exit on a wrong method, data set or file', () => {
    for (const [args, msg, code] of [
      [['--methods', 'foo'], /^bdl compare: --methods: unknown method "foo"/, 2],
      [['--dataset', 'nope'], /^bdl compare: --dataset: unknown data set "nope"/, 2],
      [['--train', 'x.csv'], /^bdl compare: --train and --test go together/, 2],
      [['--train', join(dir, 'missing'), '--test', join(dir, 'missing')], /^bdl: .*missing: cannot read the file \(ENOENT\)/, 1],
      [['--bogus'], /^bdl compare: .*unknown flag --bogus/, 2],
    ] as [string[], RegExp, number][]) {
      const r = bdl(...args, '--out', join(dir, 'never'));
      expect(r.status).toBe(code);
      expect(r.stderr).toMatch(msg);
      // One line, and the usage line after a malformed command line.
      expect(r.stderr.trim().split('\n')).toHaveLength(code === 2 ? 2 : 1);
    }
    expect(existsSync(join(dir, 'never'))).toBe(false);
  });
});
