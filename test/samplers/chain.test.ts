import { describe, expect, test } from 'vitest';
import { INIT_ATTEMPTS, runChain, type ChainCheckpoint, type ChainOptions, type ChainResult, type ChainProgress, type DrawChunk, type KernelSpec, type Target } from '../../src/samplers/index.js';
import { philoxRng } from '../../src/samplers/index.js';
import { failure, linearRegression, normalTarget } from './helpers.js';

const base = { rng: philoxRng, seed: 7, yieldEveryMs: 0 } satisfies Partial<ChainOptions>;

describe('determinism', () => {
  test('the same seed and chain give identical draws; another chain or seed gives different ones', async () => {
    const t = normalTarget(5);
    const opts = { ...base, warmup: 150, draws: 100 };
    const a = await runChain(t, opts);
    const b = await runChain(t, opts);
    expect(b.samples!.draws).toEqual(a.samples!.draws);
    expect(b.samples!.energy).toEqual(a.samples!.energy);
    expect(b.stepSize).toBe(a.stepSize);
    const c = await runChain(t, { ...opts, chain: 1 });
    const d = await runChain(t, { ...opts, seed: 8 });
    expect(c.samples!.draws[0]).not.toBe(a.samples!.draws[0]);
    expect(d.samples!.draws[0]).not.toBe(a.samples!.draws[0]);
  });
});

/** FNV-1a over the words of every draw and the final step size: one value for a whole chain. */
function chainFingerprint(r: ChainResult): string {
  const all = Float64Array.from([...r.samples!.draws, r.stepSize]);
  const words = new Uint32Array(all.buffer);
  let h = 0x811c9dc5;
  for (const w of words) h = Math.imul(h ^ w, 16777619) >>> 0;
  return h.toString(16).padStart(8, '0');
}

describe('engine independence', () => {
  // Runs in Node and in Chromium: the momentum draws, acceptance tests and step-size adaptation use
  // only exactly rounded arithmetic, so both engines follow the same trajectory to the last bit.
  const target = normalTarget(4, Float64Array.from([1, 2, 0.5, 3]));
  const kernels: [KernelSpec, string][] = [
    [{ type: 'nuts' }, '4a61280c'],
    [{ type: 'hmc', steps: 8, jitter: 0.2 }, 'fe2a64b2'],
  ];
  test.each(kernels)('%o: a seeded chain gives the same draws in every engine', async (kernel, golden) => {
    const r = await runChain(target, { ...base, kernel, warmup: 150, draws: 100 });
    expect(chainFingerprint(r)).toBe(golden);
  });
});

describe('checkpoint and resume', () => {
  const kernels: KernelSpec[] = [{ type: 'nuts' }, { type: 'hmc', steps: 6, jitter: 0.1 }];
  for (const kernel of kernels) {
    test(`${kernel.type}: 300 iterations straight equal 150 + a resume from the checkpoint, bit for bit`, async () => {
      const { target } = linearRegression();
      const opts: ChainOptions = { ...base, kernel, warmup: 250, draws: 50, chunkSize: 16, checkpointEvery: 25 };
      const cps: ChainCheckpoint[] = [];
      const straight = await runChain(target, { ...opts, onCheckpoint: (c) => cps.push(c) });
      expect(cps.map((c) => c.iteration)).toEqual([25, 50, 75, 100, 125, 150, 175, 200, 225, 250, 275]);

      // Interrupted right after the checkpoint at 150 (mid-warmup, inside the metric window 100 … 199).
      const streamed: DrawChunk[] = [];
      let last: ChainCheckpoint | undefined;
      const err = await failure(runChain(target, {
        ...opts, onDraws: (c) => streamed.push(c), onCheckpoint: (c) => { last = c; }, shouldStop: () => last?.iteration === 150,
      }));
      expect(err.code).toBe('E_ABORTED');
      expect(streamed).toEqual([]);
      const cp = JSON.parse(JSON.stringify(last)) as ChainCheckpoint; // survives serialization
      expect(cp).toEqual(cps[5]);
      expect(cp.adaptation.n).toBe(50);
      const resumed = await runChain(target, { ...opts, resumeFrom: cp });
      expect(resumed.samples!.start).toBe(0);
      expect(resumed.samples!.draws).toEqual(straight.samples!.draws);
      expect(resumed.samples!.acceptProb).toEqual(straight.samples!.acceptProb);
      expect(resumed.stepSize).toBe(straight.stepSize);
      expect(resumed.invMetric).toEqual(straight.invMetric);
      expect(resumed.gradEvals).toBe(straight.gradEvals);

      // A checkpoint during sampling: the resumed run re-delivers from drawsEmitted on.
      const cp275 = JSON.parse(JSON.stringify(cps[10])) as ChainCheckpoint;
      expect(cp275.drawsEmitted).toBe(25);
      const tail = await runChain(target, { ...opts, resumeFrom: cp275 });
      expect(tail.samples!.start).toBe(25);
      expect(tail.samples!.draws).toEqual(straight.samples!.draws.slice(25 * 3));
      expect(tail.divergences).toBe(straight.divergences);
    });
  }

  test('a checkpoint from other options is refused', async () => {
    const t = normalTarget(2);
    let cp: ChainCheckpoint | undefined;
    await runChain(t, { ...base, warmup: 40, draws: 20, checkpointEvery: 30, onCheckpoint: (c) => { cp = c; } });
    const err = await failure(runChain(t, { ...base, warmup: 40, draws: 20, seed: 8, resumeFrom: cp }));
    expect(err.code).toBe('E_ARG');
    expect(err.message).toMatch(/resumeFrom\.seed/);
    const err2 = await failure(runChain(t, { ...base, warmup: 40, draws: 20, kernel: { type: 'hmc', steps: 3 }, resumeFrom: cp }));
    expect(err2.message).toMatch(/resumeFrom\.kernel/);
    // Key order in the kernel spec does not matter.
    let cpHmc: ChainCheckpoint | undefined;
    const hmcOpts = { ...base, warmup: 40, draws: 20, checkpointEvery: 30 };
    await runChain(t, { ...hmcOpts, kernel: { type: 'hmc', steps: 3, jitter: 0.1 }, onCheckpoint: (c) => { cpHmc = c; } });
    await runChain(t, { ...hmcOpts, kernel: { jitter: 0.1, steps: 3, type: 'hmc' }, resumeFrom: cpHmc });
  });
});

describe('streaming, thinning and progress', () => {
  test('draws stream in ordered chunks that concatenate to the kept draws; thinning keeps every k-th', async () => {
    const t = normalTarget(3);
    const chunks: DrawChunk[] = [];
    const full = await runChain(t, { ...base, warmup: 50, draws: 95 });
    const thinned = await runChain(t, { ...base, warmup: 50, draws: 95, thin: 2, chunkSize: 10, onDraws: (c) => chunks.push(c) });
    expect(chunks.map((c) => c.start)).toEqual([0, 10, 20, 30, 40]);
    expect(chunks.map((c) => c.count)).toEqual([10, 10, 10, 10, 8]);
    const s = thinned.samples!;
    expect(s.count).toBe(48);
    for (let i = 0; i < 48; i++) {
      const c = chunks[Math.floor(i / 10)];
      const j = i % 10;
      expect(c.draws.slice(j * 3, j * 3 + 3)).toEqual(s.draws.slice(i * 3, i * 3 + 3));
      expect(s.draws.slice(i * 3, i * 3 + 3)).toEqual(full.samples!.draws.slice(2 * i * 3, 2 * i * 3 + 3));
    }
    const none = await runChain(t, { ...base, warmup: 10, draws: 10, returnDraws: false });
    expect(none.samples).toBeNull();
  });

  test('progress reports iterations in order, both phases, the step size and the counts', async () => {
    const reports: ChainProgress[] = [];
    const r = await runChain(normalTarget(2), { ...base, warmup: 100, draws: 60, progressEvery: 25, onProgress: (p) => reports.push({ ...p }) });
    expect(reports.map((p) => p.iteration)).toEqual([25, 50, 75, 100, 125, 150, 160]);
    expect(reports.map((p) => p.phase)).toEqual(['warmup', 'warmup', 'warmup', 'warmup', 'sampling', 'sampling', 'sampling']);
    const end = reports.at(-1)!;
    expect(end.total).toBe(160);
    expect(end.stepSize).toBe(r.stepSize);
    expect(end.gradEvals).toBe(r.gradEvals);
    expect(end.divergences).toBe(r.divergences);
    expect(end.acceptance).toBeGreaterThan(0.5);
  });

  test('shouldStop aborts with E_ABORTED at the requested iteration', async () => {
    // shouldStop is polled before every gradient evaluation: stop once iteration 42 has completed.
    let done = 0;
    const err = await failure(runChain(normalTarget(2), { ...base, warmup: 100, draws: 100, progressEvery: 1, onProgress: (p) => (done = p.iteration), shouldStop: () => done >= 42 }));
    expect(err.code).toBe('E_ABORTED');
    expect(err.message).toMatch(/iteration 42/);
  });

  test('yields to the event loop while running, so a flag set from a timer stops it', async () => {
    let stop = false;
    setTimeout(() => { stop = true; }, 5);
    const slow: Target = { dim: 2, logDensity(x, g) { const e = Date.now() + 1; while (Date.now() < e); return normalTarget(2).logDensity(x, g); } };
    const err = await failure(runChain(slow, { ...base, yieldEveryMs: 2, shouldStop: () => stop }));
    expect(err.code).toBe('E_ABORTED');
  });
});

describe('initialization', () => {
  test('retries random positions until the density is finite (and the gradient too)', async () => {
    // Finite only in the positive quadrant, and the gradient is NaN on part of it.
    const t: Target = {
      dim: 2,
      logDensity(x, g) {
        g[0] = x[0] > 1.5 ? NaN : -x[0];
        g[1] = -x[1];
        return x[0] > 0 && x[1] > 0 ? -0.5 * (x[0] * x[0] + x[1] * x[1]) : -Infinity;
      },
    };
    const r = await runChain(t, { ...base, warmup: 100, draws: 200 });
    const s = r.samples!;
    for (let i = 0; i < s.count; i++) {
      expect(s.draws[2 * i]).toBeGreaterThan(0);
      expect(s.draws[2 * i]).toBeLessThanOrEqual(1.5);
      expect(s.draws[2 * i + 1]).toBeGreaterThan(0);
    }
    expect(s.logDensity.every(Number.isFinite)).toBe(true);
  });

  test(`fails with E_NONFINITE after ${INIT_ATTEMPTS} attempts, and checks a given init`, async () => {
    let calls = 0;
    const never: Target = { dim: 3, logDensity: () => { calls++; return NaN; } };
    const err = await failure(runChain(never, { ...base }));
    expect(err.code).toBe('E_NONFINITE');
    expect(err.argument).toBe('init');
    expect(err.message).toMatch(/100 random positions/);
    expect(calls).toBe(INIT_ATTEMPTS);
    const bad = await failure(runChain(normalTarget(2), { ...base, init: [1, 2, 3] }));
    expect(bad.code).toBe('E_SHAPE');
    const outside = await failure(runChain({ dim: 1, logDensity: (x) => (x[0] > 0 ? 0 : -Infinity) }, { ...base, init: [-1] }));
    expect(outside.code).toBe('E_NONFINITE');
  });

  test("the target's own init(rng) is used for random starts", async () => {
    const starts: number[] = [];
    const t: Target = { ...normalTarget(2), init: (rng) => { const u = 10 + rng.uniform(); starts.push(u); return [u, -u]; } };
    const r = await runChain(t, { ...base, warmup: 0, draws: 1, initStepSize: 1e-3, kernel: { type: 'hmc', steps: 1 } });
    expect(starts.length).toBe(1);
    expect(Math.abs(r.samples!.draws[0] - starts[0])).toBeLessThan(0.01);
  });

  test('a given init is used as given (and not mutated)', async () => {
    const init = Float64Array.of(3, -3);
    const r = await runChain(normalTarget(2), { ...base, warmup: 0, draws: 1, init, initStepSize: 1e-3, kernel: { type: 'hmc', steps: 1 } });
    expect(Array.from(init)).toEqual([3, -3]);
    expect(Math.abs(r.samples!.draws[0] - 3)).toBeLessThan(0.01);
  });

  test('rejects bad options before any work', async () => {
    expect((await failure(runChain(normalTarget(1), { ...base, thin: 0 }))).message).toMatch(/thin/);
    expect((await failure(runChain({ dim: 0, logDensity: () => 0 }, { ...base }))).message).toMatch(/target\.dim/);
    expect((await failure(runChain(normalTarget(1), { ...base, seed: -1 }))).message).toMatch(/seed/);
  });
});
