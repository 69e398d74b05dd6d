// Strict command-line flags: each malformed flag exits 2 with the command's usage line, before any work,
// and writes nothing (issue 16.5; bad options and a missing --out directory, issue 16.4).
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bdl, root, yachtFiles } from './helpers.js';

const { dir, train, test } = yachtFiles();
const out = join(dir, 'out.json');
/** `bdl fit --method map` with the files, `--epochs 2` and `--out` unless `flags` give their own (a flag given twice is refused). */
const fit = (...flags: string[]) =>
  bdl(['fit', '--method', 'map', '--train', train, '--test', test, ...(flags.includes('--epochs') ? [] : ['--epochs', '2']), ...(flags.includes('--out') ? [] : ['--out', out]), ...flags], 30_000);
/** `bdl fit --method m` with the files and --out, and nothing else. */
const fitWith = (method: string, ...flags: string[]) => bdl(['fit', '--method', method, '--train', train, '--test', test, '--out', out, ...flags], 30_000);
/** Whether this runtime validates the relaxed-SIMD core (Node 22; Node 20 only with its flag). */
const relaxedRuntime = WebAssembly.validate(readFileSync(join(root, 'build/bdl.relaxed.wasm')));
const inputs = { train: readFileSync(train, 'utf8'), test: readFileSync(test, 'utf8') };

function refused(r: ReturnType<typeof bdl>, pattern: RegExp, usage = /^usage: bdl fit /m) {
  expect(r.status, r.stderr).toBe(2);
  expect(r.stderr).toMatch(pattern);
  expect(r.stderr).toMatch(usage);
  expect(r.stdout).toBe('');
  expect(existsSync(out)).toBe(false);
  expect(readdirSync(dir).sort()).toEqual(['test.txt', 'train.txt']);
  expect(readFileSync(train, 'utf8')).toBe(inputs.train);
  expect(readFileSync(test, 'utf8')).toBe(inputs.test);
}

describe('bdl flags', () => {
  it('--tune=false is refused (a switch takes no value), not read as --tune', () => refused(fit('--tune=false'), /--tune' does not take an argument/));
  it('a stray positional argument is refused', () => refused(fit('stray'), /Unexpected argument 'stray'/));
  it('--seed= (empty) is refused, not read as seed 0', () => refused(fit('--seed='), /--seed: expected an integer ≥ 0, found ""/));
  it('--epochs 0x5 is refused (decimal integers only)', () => refused(fit('--epochs', '0x5'), /--epochs: expected an integer ≥ 1, found "0x5"/));
  it("--hidden '' is refused, not read as a linear model", () => refused(fit('--hidden', ''), /--hidden: expected .*found ""/));
  it("one flag name of two methods' fields: --prior-precision grid and marglik for laplace, a number only for map", () => {
    for (const mode of ['grid', 'marglik']) {
      const r = fitWith('laplace', '--prior-precision', mode, '--epochs', '2');
      expect(r.status, r.stderr).toBe(0);
      expect(JSON.parse(readFileSync(out, 'utf8')).options.priorPrecisionMode).toBe(mode);
      rmSync(out);
    }
    refused(fit('--prior-precision', 'grid'), /--prior-precision: expected a finite number ≥ 0, found "grid"/);
  });
  it('an unknown flag is refused with the nearest valid one', () => refused(fit('--epoch', '3'), /unknown flag --epoch\. Did you mean --epochs\?/));
  it("another method's option is refused, naming the methods it belongs to", () => refused(fit('--members', '2'), /--members is not an option of --method map \(it is one of ensemble, multiswag\)/));
  it('an unknown method is refused with the nearest name', () => refused(bdl(['fit', '--method', 'ensembel', '--train', train, '--test', test]), /Did you mean ensemble\?/));
  it('values out of range are refused by the schema (learning rate, chains, dropout)', () => {
    refused(fit('--lr', '0'), /--lr: expected a finite number > 0/);
    refused(bdl(['fit', '--method', 'nuts', '--train', train, '--test', test, '--out', out, '--chains=-1'], 30_000), /--chains: expected an integer ≥ 1/);
    refused(bdl(['fit', '--method', 'mc-dropout', '--train', train, '--test', test, '--out', out, '--dropout', '1'], 30_000), /--dropout: expected/);
  });
  it('a flag given twice is refused, naming both (the first was dropped in silence)', () => {
    refused(fit('--epochs', '3', '--epochs', '4'), /^bdl fit: --epochs: expected once, found --epochs 3 and --epochs 4\. Give the flag once\./m);
    refused(fit('--tune', '--no-tune'), /--tune: expected once, found --tune and --no-tune/);
    refused(bdl(['predict', '--posterior', 'a.bdl', '--posterior=b.bdl', '--test', test]), /--posterior: expected once, found --posterior a\.bdl and --posterior b\.bdl/, /^usage: bdl predict /m);
  });
  it('bdl sample --workers beyond the pool\'s limit is a usage error naming --workers, before the module is read', () => {
    refused(bdl(['sample', '--target', 'x.mjs', '--workers', '1000']), /bdl sample: --workers: expected an integer ≥ 0 and ≤ 256, found "1000"/, /^usage: bdl sample /m);
  });
  it('a missing --out directory is refused before training, naming the flag', () => refused(fit('--out', join(dir, 'no/such/dir/out.json')), /--out: expected a file in a writable directory/));
  it('an --out or --save ending in a path separator (a directory not made yet) is refused before training, not with ENOENT on a temporary after it', () => {
    refused(fit('--out', `${join(dir, 'results')}/`), /^bdl fit: --out: expected a file name, found ".*results\/", which ends in a path separator \(a directory\)\. Name a file in it, e\.g\. ".*results\/out\.json"\.$/m);
    refused(fit('--save', `${join(dir, 'results')}/`), /--save: expected a file name, found ".*results\/", which ends in a path separator .*results\/posterior\.bdl"/);
    refused(bdl(['predict', '--posterior', join(dir, 'p.bdl'), '--test', test, '--out', `${join(dir, 'results')}/`]), /--out: expected a file name, found ".*results\/", which ends in a path separator/, /^usage: bdl predict /m);
  });
  it.skipIf(relaxedRuntime)('--core relaxed on a runtime without relaxed SIMD is a usage error naming --core and the way out, before any work (fit, sample, compare, predict, posthoc)', () => {
    const why = /--core: expected a runtime that validates relaxed SIMD \(Node 22 or later, or node --experimental-wasm-relaxed-simd\), found Node v[\d.]+, which does not\. Use --core simd/;
    refused(fit('--core', 'relaxed'), why);
    refused(bdl(['sample', '--target', 'x.mjs', '--core', 'relaxed']), why, /^usage: bdl sample /m);
    refused(bdl(['compare', '--out', join(dir, 'report'), '--core', 'relaxed']), why, /^usage: bdl compare /m);
    refused(bdl(['predict', '--posterior', 'p.bdl', '--test', test, '--core', 'relaxed']), why, /^usage: bdl predict /m);
    refused(bdl(['posthoc', '--model', 'm.onnx', '--train', train, '--test', test, '--core', 'relaxed']), why, /^usage: bdl posthoc /m);
    refused(fit('--core', 'fast'), /--core: expected 'simd' \| 'relaxed', found "fast"/);
  });
  it('--target=-0 is refused naming the flag (a negative index counts from the end: -0 would be the first column or past the last; it was read as column 0)', () => {
    const why = /^bdl (fit|posthoc): --target: expected a column index \(0 is the first, -1 the last\) or a header name, found "-0"\. A negative index counts from the end, so -0 names no column: write 0 for the first column, -1 for the last\./m;
    refused(fit('--target=-0'), why);
    refused(fit('--target=-00'), /--target: expected .*found "-00"/);
    refused(bdl(['posthoc', '--model', 'm.onnx', '--train', train, '--test', test, '--target=-0']), why, /^usage: bdl posthoc /m);
  });
  it('a missing required flag', () => refused(bdl(['fit', '--method', 'map', '--test', test]), /--train is required/));
  it('bdl sample and bdl predict are as strict', () => {
    refused(bdl(['sample', '--target', 'x.mjs', '--draws', '1.5']), /--draws: expected an integer ≥ 1, found "1\.5"/, /^usage: bdl sample /m);
    refused(bdl(['predict', '--posterior', 'p.bdl', '--test', test, 'extra']), /Unexpected argument 'extra'/, /^usage: bdl predict /m);
    refused(bdl(['compare', '--time-limit', 'soon']), /--time-limit: expected a finite number ≥ 1/, /^usage: bdl compare /m);
  });
  it('non-finite values are refused by the schema before any work (--lr NaN / Infinity, --epochs 1e400)', () => {
    refused(fit('--lr', 'NaN'), /--lr: expected a finite number > 0, or a schedule .*found "NaN"/);
    refused(fit('--lr', 'Infinity'), /--lr: expected a finite number > 0, or a schedule .*found "Infinity"/);
    refused(fit('--lr', '1e400'), /--lr: expected a finite number > 0, .*found "1e400"/);
    refused(fit('--epochs', '1e400'), /--epochs: expected an integer ≥ 1, found "1e400"/);
    refused(fit('--prior-precision=-Infinity'), /--prior-precision: expected a finite number ≥ 0, found "-Infinity"/);
  });

  it('an output that is an input is refused, naming both flags (--out/--save vs --train/--test, --out vs --save)', () => {
    refused(fit('--out', train), /--out: expected a path other than --train's, found ".*train\.txt", which is --train .*writing it would replace your input/);
    refused(fit('--save', test), /--save: expected a path other than --test's, .*which is --test/);
    refused(fit('--out', join(dir, '.', 'x.json'), '--save', join(dir, 'x.json')), /--save: expected a path other than --out's, .* for both: one output would overwrite the other/);
    // Another spelling of the same file: a symbolic link to the training file.
    const links = mkdtempSync(join(tmpdir(), 'bdl-links-'));
    symlinkSync(train, join(links, 'train-link.txt'));
    refused(fit('--out', join(links, 'train-link.txt')), /--out: expected a path other than --train's/);
    expect(readdirSync(links)).toEqual(['train-link.txt']);
    refused(bdl(['predict', '--posterior', train, '--test', test, '--out', train]), /--out: expected a path other than --posterior's/, /^usage: bdl predict /m);
  });

  it('bdl predict --samples is bounded (≤ 32767) before the posterior is read', () => {
    refused(bdl(['predict', '--posterior', join(dir, 'none.bdl'), '--test', test, '--samples', '1000000000']), /--samples: expected an integer ≥ 1 and ≤ 32767, found "1000000000"/, /^usage: bdl predict /m);
  });

  it('bdl predict --samples that the posterior would not use is refused, naming its count (the JSON said samples N while 1, or the members, or fewer draws were used)', () => {
    // Its own directory: the other tests check that nothing is written beside the inputs.
    const own = mkdtempSync(join(tmpdir(), 'bdl-samples-'));
    const saved = (method: string, ...flags: string[]) => {
      const file = join(own, `${method}.bdl`);
      const r = bdl(['fit', '--method', method, '--train', train, '--test', test, '--epochs', '3', '--out', join(own, `${method}.json`), '--save', file, ...flags], 60_000);
      expect(r.status, r.stderr).toBe(0);
      return file;
    };
    const predict = (file: string, samples: string) => bdl(['predict', '--posterior', file, '--test', test, '--samples', samples]);
    const usage = /^usage: bdl predict /m;
    const map = saved('map');
    refused(predict(map, '5'), /^bdl predict: --samples: expected 1, as the map posterior predicts with its one network, found 5\. Drop --samples\.$/m, usage);
    expect(predict(map, '1').status).toBe(0);
    const ensemble = saved('ensemble', '--members', '2');
    refused(predict(ensemble, '3'), /--samples: expected 2, as the ensemble posterior predicts with its 2 networks, found 3\./, usage);
    const sgld = saved('sgld', '--samples', '4');
    refused(predict(sgld, '10'), /--samples: expected at most 4, as the sgld posterior predicts with at most its 4 networks, found 10\. Drop --samples, or ask for 4 or fewer\./, usage);
    const p = predict(sgld, '2');
    expect(p.status, p.stderr).toBe(0);
    expect(JSON.parse(p.stdout)).toMatchObject({ options: { samples: 2 }, samples: { mean: [expect.any(Array), expect.any(Array)] } });
  });

  it('a flag another flag makes meaningless is refused, naming both (task, likelihood, noise)', () => {
    refused(fit('--classes', '3'), /--classes: expected a classification \(--task classification\).*found no --task \(regression\)\. Add --task classification/);
    refused(fit('--task', 'classification', '--likelihood', 'heteroscedastic'), /--likelihood: expected a regression.*found --task classification/);
    refused(fit('--task', 'classification', '--noise', '0.5'), /--noise: expected a regression.*found --task classification\. Drop --noise/);
    refused(fit('--likelihood', 'heteroscedastic', '--noise', '0.5'), /--noise: expected the gaussian likelihood.*found --likelihood heteroscedastic/);
    refused(fit('--task', 'classification', '--predictive-noise', '0.5'), /--predictive-noise: expected a regression.*found --task classification/);
    refused(fit('--likelihood', 'heteroscedastic', '--predictive-noise', '0.5'), /--predictive-noise: expected the gaussian likelihood with --method map/);
  });

  it("a method's setting that its other settings make meaningless is refused (kernels, MAP pretrain, SWAG-diag, Laplace, SVGD, ensemble)", () => {
    const chains = ['--chains', '1', '--warmup', '5', '--draws', '5', '--keep', '5', '--workers', '0'];
    refused(fitWith('nuts', '--steps', '3', ...chains), /--steps: expected --method hmc.*found --method nuts\. Drop --steps, or use --method hmc/);
    refused(fitWith('nuts', '--jitter', '0.2', ...chains), /--jitter: expected --method hmc/);
    refused(fitWith('hmc', '--max-treedepth', '3', ...chains), /--max-treedepth: expected --method nuts.*found --method hmc/);
    refused(fitWith('nuts', '--chains', '1', '--warmup', '5', '--draws', '5', '--keep', '10', '--workers', '0'), /--keep: expected at most the draws per chain \(5\).*found --keep 10/);
    refused(fitWith('nuts', '--noise', '1', '--epochs', '2', ...chains), /--epochs: expected a gaussian regression without --noise.*found --noise/);
    refused(fitWith('hmc', '--task', 'classification', '--lr', '0.01', ...chains), /--lr: expected a gaussian regression without --noise.*found --task classification/);
    refused(fitWith('swag', '--diagonal', '--rank', '5', '--epochs', '2'), /--rank: expected no --diagonal.*found --diagonal/);
    refused(fitWith('laplace', '--per-layer', '--prior-precision', '3', '--epochs', '2'), /--per-layer: expected --prior-precision marglik.*found --prior-precision 3/);
    refused(fitWith('laplace', '--link', 'mc', '--epochs', '2'), /--link: expected a classification.*found no --task \(regression\)/);
    refused(fitWith('laplace', '--task', 'classification', '--predictive', 'mc', '--link', 'mc', '--epochs', '2'), /--link: expected --predictive glm.*found --predictive mc/);
    refused(fitWith('svgd', '--noise', '1', '--pretrain-epochs', '3', '--epochs', '2'), /--pretrain-epochs: expected no --noise/);
    refused(fitWith('ensemble', '--members', '1', '--epochs', '2', '--no-revert-off-data'), /--no-revert-off-data: expected heteroscedastic members.*found --epochs without --likelihood/);
    refused(fitWith('ensemble', '--members', '1', '--likelihood', 'gaussian', '--revert-off-data'), /--revert-off-data: expected heteroscedastic members.*found --likelihood gaussian/);
  });

  it('--tune, --redis and --workers where they cannot apply are refused before any work', () => {
    refused(fitWith('nuts', '--tune', '--chains', '1', '--warmup', '5', '--draws', '5', '--keep', '5', '--workers', '0'), /--tune: expected a method with a tuning grid \(map, .*\), found --method nuts/);
    refused(fitWith('map', '--epochs', '2', '--redis', 'redis://127.0.0.1:1'), /--redis: expected a method that runs pool tasks \(ensemble, .*\), found --method map/);
    refused(fitWith('nuts', '--redis', 'redis://127.0.0.1:1', '--workers', '2', '--chains', '1', '--warmup', '5', '--draws', '5', '--keep', '5'), /--workers: expected no --redis/);
  });

  it('--queue without --redis, or not a queue name, is refused before any work (fit, sample, compare)', () => {
    refused(fitWith('ensemble', '--members', '1', '--queue', 'night'), /--queue: expected --redis: it names the queue on that server \(the workers' --queue\), found --queue night without --redis/);
    refused(fitWith('ensemble', '--members', '1', '--redis', 'redis://127.0.0.1:1', '--queue', 'a b'), /--queue: expected a name of letters, digits, _ \. -, found "a b"/);
    refused(bdl(['sample', '--target', join(dir, 'target.mjs'), '--queue', 'night', '--out', out]), /--queue: expected --redis/, /^usage: bdl sample /m);
    refused(bdl(['compare', '--methods', 'map', '--queue', 'night', '--out', join(dir, 'report')]), /--queue: expected --redis/, /^usage: bdl compare /m);
  });

  it('--withdraw-ms without --redis, or not a whole number of ms, is refused before any work (fit, sample, compare)', () => {
    refused(fitWith('ensemble', '--members', '1', '--withdraw-ms', '0'), /--withdraw-ms: expected --redis: it is how long a cancel waits for that server, found --withdraw-ms 0 without --redis/);
    refused(fitWith('ensemble', '--members', '1', '--redis', 'redis://127.0.0.1:1', '--withdraw-ms=-1'), /--withdraw-ms: expected an integer ≥ 0/);
    refused(bdl(['sample', '--target', join(dir, 'target.mjs'), '--withdraw-ms', '0', '--out', out]), /--withdraw-ms: expected --redis/, /^usage: bdl sample /m);
    refused(bdl(['compare', '--methods', 'map', '--withdraw-ms', '0', '--out', join(dir, 'report')]), /--withdraw-ms: expected --redis/, /^usage: bdl compare /m);
  });

  it("bdl sample refuses another kernel's settings and --workers with --redis", () => {
    const target = join(dir, 'target.mjs');
    const usage = /^usage: bdl sample /m;
    refused(bdl(['sample', '--target', target, '--steps', '3', '--out', out]), /--steps: expected --kernel hmc.*found no --kernel \(nuts\)/, usage);
    refused(bdl(['sample', '--target', target, '--kernel', 'hmc', '--max-treedepth', '4', '--out', out]), /--max-treedepth: expected --kernel nuts.*found --kernel hmc/, usage);
    refused(bdl(['sample', '--target', target, '--redis', 'redis://127.0.0.1:1', '--workers', '2', '--out', out]), /--workers: expected no --redis/, usage);
    refused(bdl(['sample', '--target', train, '--out', train]), /--out: expected a path other than --target's/, usage);
  });

  it('bdl --version prints the package version; help lists a method’s own flags', () => {
    const v = bdl(['--version']);
    expect(v.status).toBe(0);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const h = bdl(['fit', '--method', 'ensemble', '--help']);
    expect(h.status).toBe(0);
    expect(h.stdout).toMatch(/--members <value>\s+independently seeded networks \(default 5\)/);
    expect(h.stdout).toMatch(/--no-revert-off-data/);
  });
});
