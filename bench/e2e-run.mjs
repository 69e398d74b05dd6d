// End to end against PyTorch (called by bench/run.mjs; alone: `node bench/e2e-run.mjs`, after `npm run build`).
// `bdl fit --method ensemble` (5 members, 1x50, two workers) versus bench/torch_e2e.py doing the same work
// with one and with two threads (the faster is the peer), on (a) Friedman #1 8k rows, 40 epochs, batch 32,
// and (b) Fashion-MNIST 10k/2k, 20 epochs, batch 128. Both sides read the same CSV files and are timed
// from process start to predictions written (and training alone: bdl's timings.train, PyTorch's train_seconds),
// interleaved, `--repeats` rounds (default 1); the last
// stdout line is {"e2e": {...}} with medians.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const data = join(root, 'bench/out/e2e');
const python = '/usr/bin/python3';
const args = process.argv.slice(2);
const repeats = Number(args.includes('--repeats') ? args[args.indexOf('--repeats') + 1] : 1);
const torchEnv = peerEnv();
console.error(`PyTorch peer: ${python}, OpenBLAS kernel ${torchEnv.OPENBLAS_CORETYPE ?? "(OpenBLAS's own choice)"}`);

/**
 * The peer at its real speed (TOOLCHAIN.md): Debian's python3-torch on OpenBLAS, installed here when missing
 * (as .ci/run installs Chromium; the reference BLAS that python3-torch pulls in alone runs at ≈ 6 GFLOP/s).
 * OpenBLAS reads the CPU's model to choose its kernel; a virtual machine that hides the model gets the
 * generic Prescott kernel (25 GFLOP/s on 512³ here, against 106 with SkylakeX on the same core), so the
 * kernel is chosen from the CPU's instruction-set flags instead. OPENBLAS_L2_SIZE is dropped (a wrong
 * value shrinks its blocking). Only the peer's command gets this environment.
 */
function peerEnv() {
  const hasTorch = () => spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
  const hasOpenblas = () => spawnSync('dpkg', ['-s', 'libopenblas0-pthread'], { stdio: 'ignore' }).status === 0;
  if (!hasTorch() || !hasOpenblas()) {
    console.error('Installing Debian\'s python3-torch and libopenblas0-pthread for the PyTorch peer');
    const apt = spawnSync('apt-get', ['install', '-y', '-qq', 'python3-torch', 'libopenblas0-pthread'], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (apt.status !== 0 || !hasTorch()) throw new Error('the PyTorch peer needs python3-torch and libopenblas0-pthread (apt-get install -y python3-torch libopenblas0-pthread)');
  }
  const env = { ...process.env };
  delete env.OPENBLAS_L2_SIZE;
  delete env.OPENBLAS_CORETYPE;
  let flags = '';
  try {
    flags = readFileSync('/proc/cpuinfo', 'utf8').match(/^flags\s*:(.*)$/m)?.[1] ?? '';
  } catch {
    // Not Linux: leave the choice to OpenBLAS.
  }
  const has = (f) => flags.split(/\s+/).includes(f);
  if (has('avx512f') && has('avx512bw') && has('avx512vl') && has('avx512dq')) env.OPENBLAS_CORETYPE = 'SkylakeX';
  else if (has('avx2') && has('fma')) env.OPENBLAS_CORETYPE = 'Haswell';
  return env;
}

function must(r, what) {
  if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status}): ${r.stderr}`);
  return r;
}

must(spawnSync(python, [join(root, 'bench/torch_e2e.py'), 'prepare', data], { encoding: 'utf8' }), 'data preparation');

const cases = {
  a: { file: 'reg', flags: ['--epochs', '40', '--batch-size', '32'] },
  // `--calibrate none`: the same work as PyTorch's (every row, 20 epochs), not the default held-out temperature.
  b: { file: 'fashion', flags: ['--task', 'classification', '--epochs', '20', '--batch-size', '128', '--calibrate', 'none'] },
};

function bdl(c) {
  const { file, flags } = cases[c];
  const t0 = performance.now();
  const r = must(spawnSync(process.execPath, [join(root, 'bin/bdl.js'), 'fit', '--method', 'ensemble', '--train', join(data, `${file}_train.csv`),
    '--test', join(data, `${file}_test.csv`), ...flags, '--out', join(data, `bdl_${c}.json`)], { encoding: 'utf8' }), `bdl fit (${c})`);
  // Training alone (the fit's own timing, without start-up, CSV parsing and prediction), beside PyTorch's train_seconds.
  const train = JSON.parse(readFileSync(join(data, `bdl_${c}.json`), 'utf8')).timings.train;
  return { seconds: (performance.now() - t0) / 1000, train, summary: r.stderr.trim().split('\n').pop() };
}

function torch(c, threads) {
  const t0 = performance.now();
  const r = must(spawnSync(python, [join(root, 'bench/torch_e2e.py'), 'run', data, c, String(threads)], { encoding: 'utf8', env: torchEnv }), `torch (${c}, ${threads} threads)`);
  // The whole wait, as bdl's: from process start (the interpreter and `import torch` included) to
  // predictions written; the script's own clock starts after the import (its `seconds`, kept as in_script_s).
  const out = JSON.parse(r.stdout.trim().split('\n').pop());
  return { ...out, in_script_s: out.seconds, seconds: (performance.now() - t0) / 1000 };
}

const median = (xs) => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)];
const e2e = {};
for (const c of ['a', 'b']) {
  const runs = { bdl: [], torch1: [], torch2: [] };
  const train = { bdl: [], torch1: [], torch2: [] };
  let summary = '';
  let acc = {};
  for (let i = 0; i < repeats; i++) {
    const b = bdl(c);
    runs.bdl.push(b.seconds);
    train.bdl.push(b.train);
    summary = b.summary;
    for (const t of [1, 2]) {
      const r = torch(c, t);
      runs[`torch${t}`].push(r.seconds);
      train[`torch${t}`].push(r.train_seconds);
      acc[`torch${t}`] = r.accuracy ?? r.rmse;
    }
  }
  const [bdlS, t1, t2] = [median(runs.bdl), median(runs.torch1), median(runs.torch2)];
  const [bdlTrain, t1Train, t2Train] = [median(train.bdl), median(train.torch1), median(train.torch2)];
  e2e[c] = {
    bdl_s: bdlS, torch1_s: t1, torch2_s: t2, speedup_vs_best: Math.min(t1, t2) / bdlS,
    bdl_train_s: bdlTrain, torch1_train_s: t1Train, torch2_train_s: t2Train, train_speedup_vs_best: Math.min(t1Train, t2Train) / bdlTrain,
    bdl_summary: summary, torch_metric: acc,
  };
  console.error(JSON.stringify({ case: c, ...e2e[c] }));
}
console.log(JSON.stringify({ e2e }));
