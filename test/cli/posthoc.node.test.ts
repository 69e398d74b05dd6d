// `bdl posthoc` and `bdl advise` as a user runs them, on the producers' fixtures.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importModelFile } from '../../src/import/node.js';
import { networkOutputs } from '../../src/import/run.js';
import { Rng } from '../../src/random/index.js';

const root = resolve(__dirname, '../..');
const fixtures = join(root, 'test/fixtures/import');
const bdl = (...args: string[]) => spawnSync(process.execPath, [join(root, 'bin/bdl.js'), ...args], { encoding: 'utf8', timeout: 120_000 });
const dir = mkdtempSync(join(tmpdir(), 'bdl-posthoc-'));

/** A CSV of n rows: inputs, then the network's own output (+ noise) or a label drawn from it. */
async function csv(model: string, n: number, seed: number, layers?: string): Promise<{ path: string; x: Float32Array }> {
  const net = await importModelFile(join(fixtures, model), { layers });
  const rng = new Rng(seed, 0, [0, 0, 0x95]);
  const D = net.spec.inputs;
  const x = Float32Array.from({ length: n * D }, () => 4 * rng.uniform() - 2);
  const f = await networkOutputs(net, x);
  const K = net.spec.outputs;
  const rows = Array.from({ length: n }, (_, i) => {
    const inputs = Array.from(x.subarray(i * D, (i + 1) * D));
    if (net.spec.likelihood === 'gaussian') return [...inputs, f[i] + 0.1 * rng.normal()];
    let u = rng.uniform();
    let label = K - 1;
    for (let k = 0; k < K; k++) if ((u -= f[i * K + k]) < 0) { label = k; break; }
    return [...inputs, label];
  });
  const path = join(dir, `${model.replace(/\W/g, '_')}-${seed}.csv`);
  writeFileSync(path, rows.map((r) => r.join(',')).join('\n') + '\n');
  return { path, x };
}

describe('bdl posthoc', () => {
  it('--method laplace: last-layer GLM Laplace whose predictive mean is the imported network output', async () => {
    const layers = '3-16r-16r-1';
    const train = await csv('torch-reg.safetensors', 100, 1, layers);
    const test = await csv('torch-reg.safetensors', 10, 2, layers);
    const out = join(dir, 'pred.json');
    const r = bdl('posthoc', '--model', join(fixtures, 'torch-reg.safetensors'), '--layers', layers, '--train', train.path, '--test', test.path, '--method', 'laplace', '--out', out);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/method laplace — asked for/);
    expect(r.stderr).toMatch(/test RMSE [\d.]+, test LL/);
    const j = JSON.parse(readFileSync(out, 'utf8'));
    // The JSON of bdl fit (docs/output.schema.json), plus the post-hoc posterior's info.
    for (const k of ['method', 'task', 'mean', 'variance', 'aleatoric', 'epistemic', 'samples', 'metrics', 'options', 'seed', 'core', 'version', 'timings', 'seconds', 'info']) expect(j).toHaveProperty(k);
    expect(j.info).toMatchObject({ subset: 'last-layer', hessian: 'kron' });
    const net = await importModelFile(join(fixtures, 'torch-reg.safetensors'), { layers });
    const f = await networkOutputs(net, test.x);
    f.forEach((v, i) => expect(Math.abs(j.mean[i] - v)).toBeLessThan(1e-5));
  });

  it('warns, as bdl fit does, about test rows far outside the training data (stderr and the JSON), and is quiet on rows inside it', async () => {
    const layers = '3-16r-16r-1';
    const train = await csv('torch-reg.safetensors', 100, 1, layers);
    const far = join(dir, 'far.csv');
    // Training inputs lie in [−2, 2]: the second row's first input is 100 widths away.
    writeFileSync(far, '0.1,0.2,0.3,0.5\n400,0.2,0.3,0.5\n-1,1,0.5,0.2\n');
    const out = join(dir, 'far.json');
    const r = bdl('posthoc', '--model', join(fixtures, 'torch-reg.safetensors'), '--layers', layers, '--train', train.path, '--test', far, '--method', 'laplace', '--out', out);
    expect(r.status, r.stderr).toBe(0);
    const said = /far\.csv: input column 0: 1 of 3 rows \(data row 2\) lie far outside the training data/;
    expect(r.stderr).toMatch(new RegExp(`posthoc: warning: \\S*${said.source}`));
    expect(JSON.parse(readFileSync(out, 'utf8')).warnings).toEqual([expect.stringMatching(said)]);
    const quiet = bdl('posthoc', '--model', join(fixtures, 'torch-reg.safetensors'), '--layers', layers, '--train', train.path, '--test', train.path, '--method', 'laplace', '--out', out);
    expect(quiet.status, quiet.stderr).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8')).warnings).toEqual([]);
  });

  it('--method auto on a TF.js model with dropout takes the MC dropout branch and says why', async () => {
    const train = await csv('tfjs-clf/model.json', 60, 3);
    const test = await csv('tfjs-clf/model.json', 5, 4);
    const r = bdl('posthoc', '--model', join(fixtures, 'tfjs-clf/model.json'), '--train', train.path, '--test', test.path);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/auto chose mc-dropout — trained model with dropout \(rates \[0, 0\.2, 0\.1\]\)/);
    expect(r.stderr).toMatch(/1 batch norm\(s\) folded/);
    const j = JSON.parse(r.stdout);
    expect(j.task).toBe('classification');
    expect(j.probs).toHaveLength(5);
  });

  it('refuses, before fitting, flags that the branch taken would ignore or that contradict each other (exit 2, nothing written)', async () => {
    const clf = join(fixtures, 'tfjs-clf/model.json');
    const [ctrain, ctest] = [await csv('tfjs-clf/model.json', 40, 5), await csv('tfjs-clf/model.json', 5, 6)];
    const c = ['--model', clf, '--train', ctrain.path, '--test', ctest.path];
    const out = join(dir, 'never.json');
    const input = readFileSync(ctrain.path, 'utf8');
    for (const [args, msg] of [
      // 'auto' takes MC dropout on this network (it has dropout layers): a Laplace setting would be ignored.
      [[...c, '--hessian', 'full'], /--hessian: expected a Laplace posterior \(--method laplace\).*found --method auto, which chose mc-dropout \(the network has dropout layers\)/],
      [[...c, '--method', 'mc-dropout', '--prior-precision', '2'], /--prior-precision: expected a Laplace posterior.*found --method mc-dropout/],
      [[...c, '--method', 'laplace', '--per-layer', '--prior-precision', '2'], /--per-layer: expected --prior-precision marglik/],
      [[...c, '--layers', '3-4-1'], /--layers: expected a \.safetensors --model.*found --model .*model\.json/],
      [[...c, '--samples', '40000'], /--samples: expected an integer ≥ 1 and ≤ 32767, found "40000"/],
      [['--model', clf, '--train', ctrain.path, '--test', ctest.path, '--out', ctrain.path], /--out: expected a path other than --train's/],
    ] as [string[], RegExp][]) {
      const p = bdl('posthoc', ...args, ...(args.includes('--out') ? [] : ['--out', out]));
      expect(p.status, p.stderr).toBe(2);
      expect(p.stderr).toMatch(msg);
      expect(p.stdout).toBe('');
      expect(existsSync(out)).toBe(false);
    }
    expect(readFileSync(ctrain.path, 'utf8')).toBe(input);
  });

  it('fails with one line on a bad model file', () => {
    const bad = join(dir, 'bad.onnx');
    writeFileSync(bad, readFileSync(join(fixtures, 'torch-clf.onnx')).subarray(0, 100));
    const r = bdl('posthoc', '--model', bad, '--train', bad, '--test', bad);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^bdl: model\.onnx: not a readable ONNX protobuf .*truncated/);
  });
});

describe('bdl advise', () => {
  it('reads the answers from flags or from the model file', () => {
    const a = bdl('advise', '--trained', 'no', '--budget', '1x');
    expect(a.status, a.stderr).toBe(0);
    expect(a.stdout).toMatch(/single-pass .* out of scope/);
    expect(a.stdout).toMatch(/run: +bdl fit --method laplace --subset last-layer/);
    const b = bdl('advise', '--model', join(fixtures, 'torch-clf.onnx'));
    expect(b.stdout).toMatch(/^method: +mc-dropout/);
    expect(b.stdout).toMatch(/bdl posthoc --model .*torch-clf\.onnx .*--method mc-dropout/);
    const c = bdl('advise', '--trained', 'maybe');
    expect(c.status).toBe(2);
    expect(c.stderr).toMatch(/^bdl advise: --trained: expected 'yes' \| 'no'/);
  });

  it('refuses answers that contradict each other or that the decision tree would not read', () => {
    const onnx = join(fixtures, 'torch-clf.onnx');
    for (const [args, msg] of [
      [['--trained', 'yes', '--dropout', 'no', '--budget', '1x'], /^bdl advise: --budget: expected an untrained model \(--trained no\).*found --trained yes\. Drop --budget\./],
      [['--trained', 'no', '--budget', '1x', '--dropout', 'yes'], /--dropout: expected a trained model.*found --trained no/],
      [['--model', onnx, '--trained', 'no'], /--trained: expected yes, or nothing, with --model.*found --trained no/],
      [['--model', onnx, '--budget', 'Mx'], /--budget: expected an untrained model.*found --model/],
      [['--model', onnx, '--layers', '3-4-1'], /--layers: expected a \.safetensors --model.*found --model .*torch-clf\.onnx/],
    ] as [string[], RegExp][]) {
      const a = bdl('advise', ...args);
      expect(a.status, a.stderr).toBe(2);
      expect(a.stderr).toMatch(msg);
      expect(a.stdout).toBe('');
    }
  });

  it('shows the measured calibration ranking and cost from a results.json', () => {
    const results = join(dir, 'results.json');
    writeFileSync(results, JSON.stringify({ suites: [{ name: 'toy', task: 'regression', methods: [
      { method: 'map', seconds: 1, metrics: { picp: 0.7 } },
      { method: 'ensemble', seconds: 5, metrics: { picp: 0.94 } },
      { method: 'laplace', seconds: 1.2, metrics: { picp: 0.9 } },
    ] }] }));
    const r = bdl('advise', '--trained', 'no', '--budget', 'Mx', '--results', results);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/toy +1 +ensemble +picp error 0\.0100 +5\.00 +5\.0 ←/);
    expect(r.stdout).toMatch(/toy +3 +map/);
  });

  it('a results.json whose fields are not what bdl compare writes is E_FORMAT naming the file and the field (it was a TypeError), and one with nothing to rank says so', () => {
    const cases: [unknown, RegExp][] = [
      [{ suites: [{ name: 'toy', task: 'regression', methods: [{ method: 'map', seconds: 'fast', metrics: { picp: 0.9 } }] }] }, /suites\[0\]\.methods\[0\]\.seconds: expected a number of seconds, found "fast"/],
      [{ suites: [null] }, /suites\[0\]: expected a suite object, found null/],
      [{ suites: [{ name: 'toy', task: 'regression', methods: 5 }] }, /suites\[0\]\.methods: expected an array, found 5/],
      [{ suites: [{ name: 'toy', task: 'regression', methods: [{ method: 'map', seconds: 1, metrics: { picp: '0.9' } }] }] }, /suites\[0\]\.methods\[0\]\.metrics\.picp: expected a number, found "0\.9"/],
    ];
    cases.forEach(([doc, said], i) => {
      const file = join(dir, `bad-results-${i}.json`);
      writeFileSync(file, JSON.stringify(doc));
      const r = bdl('advise', '--trained', 'no', '--budget', 'Mx', '--results', file);
      expect(r.status, r.stderr).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`^bdl: \\S*bad-results-${i}\\.json: ${said.source}\\. Pass the results\\.json that bdl compare wrote\\.$`, 'm'));
    });
    const empty = join(dir, 'unranked.json');
    writeFileSync(empty, JSON.stringify({ suites: [{ name: 'toy', task: 'regression', methods: [{ method: 'map', seconds: 1, metrics: { rmse: 1 } }] }] }));
    const r = bdl('advise', '--trained', 'no', '--budget', 'Mx', '--results', empty);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/advise: warning: \S*unranked\.json has no method with a measured calibration/);
  });
});
