// `bdl fit` as a user runs it: the JSON contract, and one-line errors with a non-zero exit.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../..');
const bdl = (...args: string[]) => spawnSync(process.execPath, [join(root, 'bin/bdl.js'), ...args], { encoding: 'utf8', timeout: 120_000 });
const dir = mkdtempSync(join(tmpdir(), 'bdl-cli-'));
const lines = readFileSync(join(root, 'data/uci/yacht.txt'), 'utf8').trim().split('\n');
const train = join(dir, 'train.txt');
const test = join(dir, 'test.txt');
writeFileSync(train, lines.filter((_, i) => i % 10 !== 0).join('\n'));
writeFileSync(test, lines.filter((_, i) => i % 10 === 0).join('\n'));

describe('bdl fit', () => {
  it('writes the regression contract in original units', () => {
    const out = join(dir, 'map.json');
    const r = bdl('fit', '--method', 'map', '--train', train, '--test', test, '--epochs', '200', '--seed', '1', '--out', out);
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(readFileSync(out, 'utf8'));
    expect(j.method).toBe('map');
    expect(j.task).toBe('regression');
    for (const k of ['mean', 'variance', 'aleatoric', 'epistemic']) expect(j[k]).toHaveLength(31);
    expect(j.samples.mean).toHaveLength(1);
    expect(j.samples.mean[0]).toHaveLength(31);
    expect(typeof j.seconds).toBe('number');
    // yacht's resistance spans 0–60: predictions in original units, and a reported test RMSE.
    expect(Math.max(...j.mean)).toBeGreaterThan(10);
    expect(r.stderr).toMatch(/test RMSE \d/);
  });

  it('--tune chooses on a validation split of --train, keeps the flags given and reports the choice', () => {
    const r = bdl('fit', '--method', 'mc-dropout', '--train', train, '--test', test, '--tune', '--epochs', '100', '--seed', '2');
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).mean).toHaveLength(31);
    const chosen = JSON.parse(/tuned on a validation split of --train: (\{.*\})/.exec(r.stderr)![1]);
    expect([0.005, 0.01, 0.05, 0.1, 0.2]).toContain(chosen.dropout);
    expect(chosen.epochs).toBeUndefined();
    // The noise is chosen on validation too: a calibrated predictive σ, or σ fixed in a refit (target units).
    for (const k of ['predictiveNoise', 'noise']) if (k in chosen) expect(chosen[k]).toBeGreaterThan(0);
  });

  it('--tune with every searched option set: still chooses σ where the method has one; says so when nothing is left', () => {
    const swag = bdl('fit', '--method', 'swag', '--train', train, '--test', test, '--tune', '--epochs', '30', '--seed', '1');
    expect(swag.status, swag.stderr).toBe(0);
    const chosen = JSON.parse(/tuned on a validation split of --train: (\{.*\})/.exec(swag.stderr)![1]);
    expect(Object.keys(chosen).every((k) => k === 'noise' || k === 'predictiveNoise')).toBe(true);
    const laplace = bdl('fit', '--method', 'laplace', '--train', train, '--test', test, '--tune', '--epochs', '30', '--seed', '1');
    expect(laplace.status, laplace.stderr).toBe(0);
    expect(laplace.stderr).toMatch(/--tune had nothing left to choose/);
  });

  it('swag-subspace samples with NUTS and passes its sampler warnings on to stderr', () => {
    // 20 + 20 iterations: too short for 50 effective draws, so the ESS warning must reach the user.
    const r = bdl('fit', '--method', 'swag-subspace', '--train', train, '--test', test, '--epochs', '30', '--warmup', '20', '--draws', '20', '--seed', '1');
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.method).toBe('swag-subspace');
    expect(j.samples.mean).toHaveLength(40);
    expect(Math.min(...j.epistemic)).toBeGreaterThan(0);
    expect(r.stderr).toMatch(/swag-subspace: warning: bulk ESS \d+ < 50/);
  });

  it('--beta-nll trains heteroscedastic members with the β-NLL; refused without that likelihood', () => {
    const r = bdl('fit', '--method', 'ensemble', '--members', '2', '--likelihood', 'heteroscedastic', '--beta-nll', '0.5', '--train', train, '--test', test, '--epochs', '20');
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).aleatoric).toHaveLength(31);
    const bad = bdl('fit', '--method', 'mc-dropout', '--beta-nll', '0.5', '--train', train, '--test', test, '--epochs', '2');
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/betaNll.*heteroscedastic/);
  });

  it("--input-dropout gives MC dropout Gal's UCI network (inputs dropped too); refused elsewhere", () => {
    const args = ['--train', train, '--test', test, '--epochs', '30', '--dropout', '0.1', '--seed', '3'];
    const plain = bdl('fit', '--method', 'mc-dropout', ...args);
    const dropped = bdl('fit', '--method', 'mc-dropout', '--input-dropout', ...args);
    expect(dropped.status, dropped.stderr).toBe(0);
    expect(JSON.parse(dropped.stdout).mean).not.toEqual(JSON.parse(plain.stdout).mean);
    const bad = bdl('fit', '--method', 'map', '--input-dropout', ...args);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/--input-dropout is not an option of --method \w+ \(it is one of mc-dropout\)/);
  });

  it('--tune-folds chooses by k-fold cross-validation and says so; a bad k is refused', () => {
    const r = bdl('fit', '--method', 'map', '--train', train, '--test', test, '--tune', '--tune-folds', '3', '--epochs', '30', '--seed', '1');
    expect(r.status, r.stderr).toBe(0);
    const chosen = JSON.parse(/tuned on 3-fold cross-validation of --train: (\{.*\})/.exec(r.stderr)![1]);
    expect([1, 10]).toContain(chosen.priorPrecision);
    const bad = bdl('fit', '--method', 'map', '--train', train, '--test', test, '--tune', '--tune-folds', '1');
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/tune-folds/);
  });

  it('--adversarial trains ensemble members adversarially (and refuses a negative ε)', () => {
    const r = bdl('fit', '--method', 'ensemble', '--members', '2', '--adversarial', '0.01', '--train', train, '--test', test, '--epochs', '20');
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).mean).toHaveLength(31);
    const bad = bdl('fit', '--method', 'ensemble', '--adversarial', '-1', '--train', train, '--test', test);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/--adversarial/);
  });

  it('runs every Laplace subset from the command line (subnetwork: the 1000 largest-variance weights by default)', () => {
    for (const [subset, hessian] of [['last-layer', 'kron'], ['all', 'diag'], ['subnetwork', 'full']]) {
      const r = bdl('fit', '--method', 'laplace', '--subset', subset, '--hessian', hessian, '--train', train, '--test', test, '--epochs', '20');
      expect(r.status, r.stderr).toBe(0);
      const j = JSON.parse(r.stdout);
      expect(j.method).toBe('laplace');
      expect(j.epistemic.every((v: number) => v > 0)).toBe(true);
    }
  });

  it('writes the classification contract', () => {
    const rows = Array.from({ length: 120 }, (_, i) => `${(i % 3) + 0.1 * Math.sin(i)},${Math.cos(i)},${i % 3}`);
    const f = join(dir, 'cls.csv');
    writeFileSync(f, rows.join('\n'));
    const r = bdl('fit', '--method', 'map', '--task', 'classification', '--train', f, '--test', f, '--epochs', '50');
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.task).toBe('classification');
    expect(j.probs).toHaveLength(120);
    expect(j.probs[0]).toHaveLength(3);
    expect(j.entropy).toHaveLength(120);
    expect(j.mutualInformation).toHaveLength(120);
  });

  it('says what is wrong in one line and exits non-zero', () => {
    const bad = join(dir, 'bad.txt');
    writeFileSync(bad, '1 2 3\n4 oops 6\n');
    const cases: [string[], RegExp][] = [
      [['fit', '--method', 'map', '--train', join(dir, 'missing.txt'), '--test', test], /missing\.txt: cannot read the file \(ENOENT\)/],
      [['fit', '--method', 'map', '--train', bad, '--test', bad], /bad\.txt line 2, column 2: expected a finite number, found "oops"/],
      [['fit', '--method', 'map', '--train', train, '--test', test, '--epochs', 'many'], /--epochs: expected an integer/],
      [['fit', '--frobnicate'], /unknown flag --frobnicate/],
      [['fit', '--method', 'nope', '--train', train, '--test', test], /--method: expected one of/],
      [['launch'], /unknown command "launch"/],
    ];
    for (const [args, msg] of cases) {
      const r = bdl(...args);
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(msg);
      // One line, no stack trace without --debug; a malformed command line exits 2 and adds the usage line.
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(r.status === 2 ? 2 : 1);
      if (r.status === 2) expect(lines[1]).toMatch(/^usage: bdl /);
    }
  });

  it("shows the chains' diagnostics as a bar of their own after the chains (nuts)", () => {
    const out = join(dir, 'nuts.json');
    const r = bdl('fit', '--method', 'nuts', '--train', train, '--test', test, '--hidden', '4', '--chains', '2', '--warmup', '20', '--draws', '20', '--noise', '1', '--seed', '1', '--out', out);
    expect(r.status, r.stderr).toBe(0);
    // 6 inputs × 4 + 4 + 4 + 1 = 33 weights, then the 3 traced outputs
    expect(r.stderr).toMatch(/iterations[^]*0\/36 quantities .*R̂ and ESS[^]*36\/36 quantities .*R̂ and ESS/);
  });

  it('lists commands and methods in --help', () => {
    const r = bdl('--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/fit/);
    expect(r.stdout).toMatch(/laplace/);
  });
});
