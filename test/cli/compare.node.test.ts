// `bdl compare` as a user runs it: tables on stdout, results.json and report.html in --out, and
// one-line errors with a non-zero exit.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { redisMissing, startRedis } from '../queue/servers.js';

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
    // The core that computed it (other cores: other last bits), beside the seed.
    expect(j.environment.core).toBe(WebAssembly.validate(readFileSync(join(root, 'build/bdl.relaxed.wasm'))) ? 'relaxed' : 'simd');
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
    const chains = nuts.filter((l) => !/MAP pretrain|R̂ and ESS/.test(l));
    expect(chains.length, r.stderr).toBeGreaterThan(0);
    for (const l of nuts.filter((l) => /MAP pretrain/.test(l))) expect(l).toMatch(/epochs .*MAP pretrain(: loss \d)?/);
    // Then the diagnostics over the weights and traced outputs, counted in quantities.
    for (const l of nuts.filter((l) => /R̂ and ESS/.test(l))) expect(l).toMatch(/\d+\/\d+ quantities .*R̂ and ESS$/);
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

  it('refuses before any work an --out that cannot be written, or that would replace an input, and conflicting flags', () => {
    const scratch = mkdtempSync(join(tmpdir(), 'bdl-compare-out-'));
    const lines = readFileSync(join(root, 'data/uci/yacht.txt'), 'utf8').trim().split('\n');
    const train = join(scratch, 'train.txt');
    const test = join(scratch, 'test.txt');
    writeFileSync(train, lines.filter((_, i) => i % 10 !== 0).join('\n'));
    writeFileSync(test, lines.filter((_, i) => i % 10 === 0).join('\n'));
    const blocker = join(scratch, 'report.html');
    mkdirSync(join(scratch, 'taken', 'report.html'), { recursive: true });
    writeFileSync(blocker, 'not a directory');
    writeFileSync(join(scratch, 'results.json'), readFileSync(train, 'utf8'));
    const before = readdirSync(scratch).sort();
    const files = ['--train', train, '--test', test, '--methods', 'map'];
    for (const [args, msg] of [
      // A file where the directory would be created: refused up front, not after every method ran.
      [[...files, '--out', join(blocker, 'sub')], /--out: expected a directory that exists or can be created, and can be written, found ".*report\.html\/sub", under .*report\.html, a file/],
      [[...files, '--out', blocker], /--out: expected a directory .* found ".*report\.html", a file/],
      [[...files, '--out', join(scratch, 'taken')], /--out: expected a directory where report\.html can be written, found ".*taken\/report\.html", a directory/],
      // results.json in --out is the training file.
      [['--train', join(scratch, 'results.json'), '--test', test, '--methods', 'map', '--out', scratch], /--out: expected a path other than --train's, found ".*results\.json", which is --train/],
      [['--dataset', 'toy-gap', '--methods', 'map', '--task', 'classification', '--out', join(scratch, 'r')], /--task: expected your own files \(--train and --test\).*found no --train/],
      [[...files, '--dataset', 'energy', '--out', join(scratch, 'r')], /--dataset: expected no --train.*found --train /],
      [[...files, '--data', scratch, '--out', join(scratch, 'r')], /--data: expected no --train/],
      // Past setTimeout's 2^31 − 1 ms every method was stopped at once and reported as skipped.
      [['--dataset', 'toy-gap', '--methods', 'map', '--time-limit', '1e7', '--out', join(scratch, 'r')], /--time-limit: expected a finite number ≥ 1 and ≤ 2147483, found "1e7"/],
    ] as [string[], RegExp][]) {
      const r = bdl(...args);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toMatch(msg);
      expect(r.stderr).not.toMatch(/\/map/);
      expect(r.stdout).toBe('');
      expect(readdirSync(scratch).sort()).toEqual(before);
    }
    expect(readFileSync(blocker, 'utf8')).toBe('not a directory');
    expect(readFileSync(join(scratch, 'results.json'), 'utf8')).toBe(readFileSync(train, 'utf8'));
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

describe.skipIf(redisMissing)('bdl compare --redis', () => {
  it('gives the queue to the methods that run pool tasks only: map trains in this process, not skipped for an unknown option pool', async () => {
    const redis = await startRedis();
    try {
      const out = join(dir, 'out-redis');
      const r = spawnSync(process.execPath, [join(root, 'bin/bdl.js'), 'compare', '--dataset', 'toy-gap', '--methods', 'map', '--redis', redis.url, '--out', out], { encoding: 'utf8', timeout: 120_000 });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).not.toMatch(/skipped/);
      const map = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')).suites[0].methods[0];
      expect(map.method).toBe('map');
      expect(map.skipped).toBeUndefined();
    } finally {
      await redis.dispose();
    }
  });
});
