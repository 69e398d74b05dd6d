// A target passed straight to runChain or a kernel gets the checks a `bdl sample` module gets
// (user-target.test.ts): every mistake is a BdlError naming the target, never draws; a valid
// target's draws are the bits it gave unchecked.
import { describe, expect, it } from 'vitest';
import { Arena } from '../../src/wasm/arena.js';
import { hmc, nuts, philoxRng, runChain, type Target } from '../../src/samplers/index.js';
import { trustTarget } from '../../src/samplers/checked-target.js';
import { failure, linearRegression, normalTarget } from './helpers.js';

const run = (t: Target, more: object = {}) => runChain(t, { seed: 1, warmup: 30, draws: 20, yieldEveryMs: 0, ...more });

/** A 2-d standard normal whose logDensity runs `body` (q, g in scope; lp the log density) instead of returning lp. */
const gauss = (body: (q: Float64Array, g: Float64Array, lp: number) => unknown): Target => ({
  dim: 2,
  logDensity(q, g) {
    g[0] = -q[0];
    g[1] = -q[1];
    return body(q, g, -0.5 * (q[0] * q[0] + q[1] * q[1])) as number;
  },
});

describe('targets passed to runChain', () => {
  it('a logDensity that throws is an error naming the target, θ and the message', async () => {
    const e = await failure(run(gauss(() => { throw new Error('boom'); })));
    expect(e.code).toBe('E_ARG');
    expect(e.message).toMatch(/^runChain: target: logDensity threw at θ = \[.*\]: boom\. Fix the target; return -Infinity where θ is outside the support\.$/);
  });

  it.each<[string, (lp: number, g: Float64Array) => unknown, RegExp]>([
    ['a Promise (async logDensity)', (lp) => Promise.resolve(lp), /found a Promise\./],
    ['a string', (lp) => String(lp), /found "-?[0-9.e-]+"/],
    ['undefined (no return)', () => undefined, /found undefined/],
    ['an array [lp, grad]', (lp, g) => [lp, g], /found Array\(2\)/],
  ])('a logDensity returning %s is an error naming what it returned', async (_, ret, found) => {
    const e = await failure(run(gauss((_q, g, lp) => ret(lp, g))));
    expect(e.code).toBe('E_ARG');
    expect(e.message).toMatch(/^runChain: target: logDensity\(theta, grad\): expected a number \(log p\(θ\), returned synchronously\)/);
    expect(e.message).toMatch(found);
  });

  it('a logDensity that mutates θ (the sampler’s state) is refused', async () => {
    const e = await failure(run(gauss((q, _g, lp) => ((q[0] = 0), lp))));
    expect(e.message).toMatch(/^runChain: target: logDensity\(theta, grad\): expected theta left unchanged, found theta\[0\] changed/);
  });

  it('a gradient entry left unwritten rejects the point instead of reusing a stale value', async () => {
    const half: Target = { dim: 2, logDensity: (q, g) => ((g[0] = -q[0]), -0.5 * (q[0] * q[0] + q[1] * q[1])) };
    const e = await failure(run(half));
    expect(e.code).toBe('E_NONFINITE');
    expect(e.message).toMatch(/^init: the log density or its gradient was not finite/);
  });

  it('init(rng) that throws or is async is an error naming it', async () => {
    const threw = await failure(run({ ...gauss((_q, _g, lp) => lp), init: () => { throw new Error('no init'); } }));
    expect(threw.message).toMatch(/^runChain: target: init\(rng\) threw: no init\. Fix the target's init/);
    const promised = await failure(run({ ...gauss((_q, _g, lp) => lp), init: (async () => [0, 0]) as never }));
    expect(promised.message).toMatch(/^runChain: target: init\(rng\): expected 2 initial values, returned synchronously, found a Promise/);
  });

  it('reads dim and logDensity once: a target that changes them after the check runs as checked', async () => {
    let reads = 0;
    const t = normalTarget(3);
    const shifty = { get dim() { return reads++ === 0 ? 3 : 7; }, logDensity: t.logDensity.bind(t) };
    const r = await run(shifty);
    expect(r.samples!.draws.length).toBe(20 * 3);
    expect(reads).toBe(1);
  });

  it('calls a class instance’s logDensity and init as methods (this is the target)', async () => {
    class Model implements Target {
      readonly dim = 2;
      private readonly scale = 1;
      logDensity(q: Float64Array, g: Float64Array): number {
        g[0] = -q[0] / this.scale;
        g[1] = -q[1] / this.scale;
        return -0.5 * (q[0] * q[0] + q[1] * q[1]) / this.scale;
      }
      init(): number[] {
        return [this.scale * 0.1, 0];
      }
    }
    await expect(run(new Model())).resolves.toBeDefined();
  });

  it('a valid target’s draws are bit-identical checked or trusted (NUTS and HMC, a dense metric)', async () => {
    const { target } = linearRegression();
    for (const kernel of [{ type: 'nuts' as const }, { type: 'hmc' as const, steps: 5 }]) {
      const opts = { kernel, warmup: 150, draws: 50, adapt: { metric: 'dense' as const } };
      const checked = await run(target, opts);
      const raw = await run(trustTarget({ dim: target.dim, logDensity: target.logDensity.bind(target) }), opts);
      expect(checked.samples!.draws).toEqual(raw.samples!.draws);
      expect(checked.samples!.energy).toEqual(raw.samples!.energy);
      expect(checked.stepSize).toBe(raw.stepSize);
    }
  });
});

describe('targets passed to the kernels', () => {
  it('nuts and hmc check their target as runChain does', async () => {
    const bad = gauss(() => Promise.resolve(0));
    const arena = await Arena.create();
    const rng = philoxRng(1, 0, 1);
    for (const k of [nuts(bad, {}, arena), hmc(bad, { steps: 3 })]) {
      expect(() => k.init(new Float64Array(2))).toThrow(expect.objectContaining({ code: 'E_ARG', message: expect.stringMatching(/^(nuts|hmc): target: logDensity\(theta, grad\): expected a number/) }));
    }
    expect(() => nuts({ dim: 0, logDensity: () => 0 }, {}, arena)).toThrow(expect.objectContaining({ code: 'E_ARG', argument: 'target.dim' }));
    expect(() => hmc(null as never, { steps: 3 })).toThrow(expect.objectContaining({ code: 'E_ARG', argument: 'target' }));
    // A valid target still steps.
    const k = nuts(normalTarget(2), {}, arena);
    const s = k.init(new Float64Array(2));
    expect(Number.isFinite(k.step(s, rng, { stepSize: 0.5, invMetric: new Float64Array([1, 1]) }).state.logDensity)).toBe(true);
  });
});
