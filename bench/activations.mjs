// `node bench/activations.mjs [a.wasm b.wasm ...]`: ns per element of bias_act_f32 (forward, with a
// bias, 300×50 like the BNN sampler's hidden layer, plus a 256×256 block) and act_backward_f32, for
// each activation. Several cores are measured interleaved in one process (e.g. a saved build before a
// change against build/bdl.simd.wasm), so machine noise hits them alike. Rounds are short (~0.3 M
// elements) and the minimum over rounds is reported beside the median: on a loaded machine
// preemption only ever adds time, so the minimum is the kernel's own speed.
import { readFileSync } from 'node:fs';

const files = process.argv.slice(2);
if (files.length === 0) files.push('build/bdl.simd.wasm');
const ACTS = ['identity', 'relu', 'tanh', 'sigmoid', 'gelu'];
const SHAPES = [[300, 50], [256, 256]];
const ROUNDS = 41;

const cores = files.map((f) => {
  const { exports: k } = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(f)), {});
  // Buffers far above the core's static data; the stub runtime allocates nothing here.
  const base = 1 << 20;
  const need = base + 4 * 4 * 256 * 256 * 4 + 4096;
  const pages = Math.ceil(need / 65536) - k.memory.buffer.byteLength / 65536;
  if (pages > 0) k.memory.grow(pages);
  const len = 256 * 256;
  const z = base, y = z + len * 4, bias = y + len * 4, nbias = bias + 1024, dz = bias + 4096, dy = dz + len * 4;
  const mem = new Float32Array(k.memory.buffer);
  let s = 12345;
  const rnd = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32) * 6 - 3;
  for (let i = 0; i < len; i++) { mem[z / 4 + i] = rnd(); mem[dy / 4 + i] = rnd(); }
  for (let i = 0; i < 256; i++) mem[bias / 4 + i] = rnd() * 0.01;
  for (let i = 0; i < 256; i++) mem[nbias / 4 + i] = -mem[bias / 4 + i];
  return { k, z, y, bias, nbias, dz, dy };
});

/** ns/element of `reps` calls of fn over `len` elements. */
function time(fn, len) {
  const reps = Math.max(4, Math.round(3e5 / len));
  const t0 = process.hrtime.bigint();
  for (let r = 0; r < reps; r++) fn();
  return Number(process.hrtime.bigint() - t0) / (reps * len);
}

const cases = [];
for (const [m, n] of SHAPES) {
  for (let act = 0; act < ACTS.length; act++) {
    // z is updated in place: alternating +bias and −bias keeps it in [−3, 3] (the pairs are timed).
    cases.push({ name: `fwd ${ACTS[act]} ${m}x${n}`, len: 2 * m * n, run: (c) => () => {
      c.k.bias_act_f32(c.z, c.y, c.bias, m, n, act);
      c.k.bias_act_f32(c.z, c.y, c.nbias, m, n, act);
    } });
    cases.push({ name: `bwd ${ACTS[act]} ${m}x${n}`, len: m * n, run: (c) => () => c.k.act_backward_f32(c.dz, c.dy, c.z, c.y, m * n, act) });
  }
}
const samples = cases.map(() => cores.map(() => []));
for (let round = 0; round <= ROUNDS; round++) {
  cases.forEach((cs, i) => cores.forEach((c, j) => {
    const t = time(cs.run(c), cs.len);
    if (round > 0) samples[i][j].push(t); // round 0 warms up TurboFan
  }));
}
const median = (xs) => xs.slice().sort((p, q) => p - q)[xs.length >> 1];
console.log(['ns/element: min / median'.padEnd(24), ...files.map((f) => f.slice(-30).padStart(30))].join(' '));
cases.forEach((cs, i) => {
  const mins = samples[i].map((xs) => Math.min(...xs));
  const meds = samples[i].map(median);
  const cell = (j) => `${mins[j].toFixed(3)} / ${meds[j].toFixed(3)}${j ? ` (x${(mins[0] / mins[j]).toFixed(2)})` : ''}`;
  console.log([cs.name.padEnd(24), ...mins.map((_, j) => cell(j).padStart(30))].join(' '));
});
