/**
 * Raw gradient speed of the sampler's BNN target on the Stan peer's model (8-50-1 tanh, 300 rows,
 * 501 parameters): logDensity with θ and ∇ in wasm memory, as NUTS calls it, on one thread.
 * Also a checksum of the log-densities so that runs before and after a refactor can be compared bit for bit.
 */
import { parseTable, tableToDataset } from '../src/data/parse.js';
import type { MlpSpec } from '../src/model/spec.js';
import { bnnTarget } from '../src/samplers/bnn-target.js';
// The embedded binaries as the default core, as the package's entries have them (the target makes its own arena).
import '../src/wasm/load.js';

export interface GradBench {
  /** CPU µs per gradient, one value per rep. */
  us_per_grad: number[];
  /** Wall µs per gradient, one value per rep. */
  wall_us_per_grad: number[];
  /** 1 / the median CPU time per gradient. */
  grads_per_s: number;
  checksum: string;
}

export async function benchGrad(o: { trainCsv: string; calls?: number; reps?: number }): Promise<GradBench> {
  const train = tableToDataset(parseTable(o.trainCsv, { source: 'bnn_train.csv' }), -1, 'bnn_train.csv');
  const spec: MlpSpec = { inputs: 8, hidden: [50], outputs: 1, activation: 'tanh', likelihood: 'gaussian', noise: 0.5 };
  const t = await bnnTarget({ spec, data: train, priorPrecision: 1, noiseVar: 0.25 });
  const P = t.dim;
  const qPtr = t.arena.allocF64(P);
  const gPtr = t.arena.allocF64(P);
  const q = t.arena.f64(qPtr, P);
  const g = t.arena.f64(gPtr, P);
  let s = 12345;
  const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32 - 0.5) * 0.6;
  for (let i = 0; i < P; i++) q[i] = rnd();
  const calls = o.calls ?? 2000;
  // Bit-level checksum: a few deterministic points and their gradients, hashed as raw f64 bits.
  let h = 0x811c9dc5;
  const bits = new Uint32Array(new Float64Array(1).buffer);
  const mix = (x: number) => {
    new Float64Array(bits.buffer)[0] = x;
    h = Math.imul(h ^ bits[0], 16777619) >>> 0;
    h = Math.imul(h ^ bits[1], 16777619) >>> 0;
  };
  for (let k = 0; k < 20; k++) {
    for (let i = 0; i < P; i++) q[i] += 0.01 * g[i] * 1e-3 + rnd() * 0.05;
    mix(t.logDensity(q, g));
    for (let i = 0; i < P; i++) mix(g[i]);
  }
  // CPU time of this process (not wall time): on a loaded machine it leaves out the time spent
  // descheduled, so runs compare fairly; wall time is kept beside it.
  const us: number[] = [];
  const wall: number[] = [];
  for (let r = 0; r < (o.reps ?? 7); r++) {
    const c0 = cpuMicros();
    const t0 = performance.now();
    for (let c = 0; c < calls; c++) {
      q[c % P] += 1e-6;
      t.logDensity(q, g);
    }
    wall.push(((performance.now() - t0) * 1000) / calls);
    us.push((cpuMicros() - c0) / calls);
  }
  const sorted = [...us].sort((a, b) => a - b);
  const med = sorted[Math.floor(sorted.length / 2)];
  return { us_per_grad: us, wall_us_per_grad: wall, grads_per_s: 1e6 / med, checksum: h.toString(16) };
}

/** User + system CPU time of the process in µs (Node's process.cpuUsage; wall time elsewhere). */
function cpuMicros(): number {
  const p = (globalThis as { process?: { cpuUsage(): { user: number; system: number } } }).process;
  if (!p) return performance.now() * 1000;
  const u = p.cpuUsage();
  return u.user + u.system;
}
