// `node bench/grad-kernels.mjs [a.wasm b.wasm ...]` (default build/bdl.simd.wasm; run `npm run build`
// first): µs per call of each kernel of the sampler's BNN gradient (the Stan peer's 8-50-1 tanh, 300
// rows, 501 parameters) on the same buffers, in the order Mlp.lossAndGradAt and BnnTarget call them,
// and their total. Several binaries of the same ABI are timed interleaved in one process (e.g. a saved
// build before a change against the current one), so machine noise hits them alike; each figure is
// the minimum over rounds (preemption only ever adds time). Last, the f32x4 register-only peak.
import { readFileSync } from 'node:fs';

const files = process.argv.slice(2);
if (files.length === 0) files.push(new URL('../build/bdl.simd.wasm', import.meta.url).pathname);
const ROWS = 300;
const ROUNDS = 31;
const CALLS = 2000;

const cores = files.map((f) => {
  const { exports: k } = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(f)), {});
  k.memory.grow(64);
  const f32 = new Float32Array(k.memory.buffer);
  const f64 = new Float64Array(k.memory.buffer);
  let s = 7;
  const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32 - 0.5);
  let at = 1 << 20;
  const f32s = (n) => {
    const p = at;
    at += ((n * 4 + 63) & ~63) + 64;
    for (let i = 0; i < n; i++) f32[p / 4 + i] = rnd();
    return p;
  };
  const f64s = (n, fill) => {
    const p = at;
    at += n * 8 + 64;
    for (let i = 0; i < n; i++) f64[p / 8 + i] = fill ?? rnd();
    return p;
  };
  const x = f32s(ROWS * 8), y = f32s(ROWS), z1 = f32s(ROWS * 50), y1 = f32s(ROWS * 50), z2 = f32s(ROWS);
  const dA = f32s(ROWS * 50), dB = f32s(ROWS * 50), work = f32s(Number(k.gemm_workspace_bytes()) / 4 + 16);
  const th = f32s(501), g = f32s(501), th64 = f64s(501), g64 = f64s(501), lam = f64s(501, 1);
  // θ's layout: W₁ (8×50), b₁ (50), W₂ (50×1), b₂ (1); the gradient's the same.
  const [W1, B1, W2, B2] = [0, 400, 450, 500].map((o) => th + 4 * o);
  const [gW1, gB1, gW2, gB2] = [0, 400, 450, 500].map((o) => g + 4 * o);
  const TANH = 2, IDENTITY = 0;
  return {
    'f64→f32 θ': () => k.f64_to_f32(th, th64, 501),
    'x·W₁': () => k.gemm_f32_nn(z1, x, W1, ROWS, 50, 8, 0, work),
    'bias + tanh': () => k.bias_act_f32(z1, y1, B1, ROWS, 50, TANH),
    'y₁·W₂': () => k.gemm_f32_nn(z2, y1, W2, ROWS, 1, 50, 0, work),
    'bias (head)': () => k.bias_act_f32(z2, z2, B2, ROWS, 1, IDENTITY),
    'loss': () => k.loss_gaussian_f32(dA, z2, y, ROWS, 1, Math.log(0.25), 1),
    '∂b₂': () => k.bias_grad_f32(gB2, dA, ROWS, 1, 0),
    '∂Z₁, ∂b₁, ∂W₂': () => k.outer_act_backward_f32(dB, gB1, gW2, dA, W2, z1, y1, ROWS, 50, TANH),
    '∂W₁ = xᵀ·∂Z₁': () => k.gemm_f32_tn(gW1, x, dB, 8, 50, ROWS, 0, work),
    'prior, f64 ∇': () => k.bnn_prior_grad_f64(g64, g, th64, lam, 1, 501),
    peak: () => k.peak_f32x4(2e6),
  };
});

const names = Object.keys(cores[0]).filter((n) => n !== 'peak');
const best = names.map(() => cores.map(() => Infinity));
for (let r = 0; r <= ROUNDS; r++) {
  names.forEach((n, i) => cores.forEach((c, j) => {
    const f = c[n];
    const t0 = process.hrtime.bigint();
    for (let q = 0; q < CALLS; q++) f();
    const ns = Number(process.hrtime.bigint() - t0) / CALLS;
    if (r > 0) best[i][j] = Math.min(best[i][j], ns);
  }));
}
const col = (v) => (v / 1000).toFixed(3).padStart(9);
console.log('µs per call'.padEnd(16) + files.map((f) => f.split('/').at(-1).slice(0, 9).padStart(9)).join(''));
names.forEach((n, i) => console.log(n.padEnd(16) + best[i].map(col).join('')));
console.log('total'.padEnd(16) + cores.map((_, j) => col(best.reduce((t, b) => t + b[j], 0))).join(''));
const peaks = cores.map((c) => {
  let p = 0;
  for (let r = 0; r < 20; r++) {
    const t0 = process.hrtime.bigint();
    const flops = c.peak();
    p = Math.max(p, flops / Number(process.hrtime.bigint() - t0));
  }
  return p;
});
console.log('peak GFLOP/s'.padEnd(16) + peaks.map((p) => p.toFixed(1).padStart(9)).join(''));
