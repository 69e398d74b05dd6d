// A chain on the calling thread gives the thread back inside long transitions (interrupt.ts): the
// event loop runs between gradient evaluations, the draws stay bit-identical, and a stop request is
// honoured within one evaluation.
import { describe, expect, test } from 'vitest';
import { BdlError } from '../../src/errors.js';
import { macrotask } from '../../src/signal.js';
import { philoxRng, runChain, type KernelSpec, type Target } from '../../src/samplers/index.js';
import { normalTarget } from './helpers.js';

/** `inner` with every evaluation taking at least `ms` of busy work, counted. */
function slow(inner: Target, ms: number): Target & { calls: number } {
  const t = {
    dim: inner.dim,
    calls: 0,
    logDensity(x: Float64Array, g: Float64Array) {
      t.calls++;
      const end = performance.now() + ms;
      while (performance.now() < end);
      return inner.logDensity(x, g);
    },
  };
  return t;
}

/** Counts event-loop turns (macrotasks, unclamped: setImmediate or a MessageChannel) while `p` runs. */
async function turnsDuring<T>(p: () => Promise<T>): Promise<{ value: T; turns: number }> {
  let turns = 0;
  let on = true;
  const tick = () => {
    if (!on) return;
    turns++;
    void macrotask().then(tick);
  };
  void macrotask().then(tick);
  const value = await p();
  on = false;
  return { value, turns };
}

const kernels: KernelSpec[] = [{ type: 'nuts' }, { type: 'hmc', steps: 12, jitter: 0.1 }];

describe('interruptible transitions', () => {
  for (const kernel of kernels) {
    test(`${kernel.type}: yielding inside transitions leaves the draws bit-identical and lets the event loop run`, async () => {
      const opts = { rng: philoxRng, seed: 3, warmup: 40, draws: 20, kernel };
      const ref = await runChain(normalTarget(3), { ...opts, yieldEveryMs: 0 });
      const target = slow(normalTarget(3), 0.3);
      const { value: r, turns } = await turnsDuring(() => runChain(target, { ...opts, yieldEveryMs: 1 }));
      expect(r.samples!.draws).toEqual(ref.samples!.draws);
      expect(r.samples!.energy).toEqual(ref.samples!.energy);
      expect(r.stepSize).toBe(ref.stepSize);
      expect(r.gradEvals).toBe(ref.gradEvals);
      // Replays serve recorded evaluations: the target is not called again for them.
      const plain = slow(normalTarget(3), 0);
      await runChain(plain, { ...opts, yieldEveryMs: 0 });
      expect(target.calls).toBe(plain.calls);
      // Every transition has several 0.3 ms evaluations: the loop ran many times, not once per iteration.
      expect(turns).toBeGreaterThan(60);
    });
  }

  test('chains sharing a thread take turns: one chain works per turn of the event loop, never several back to back', async () => {
    // A ticker that runs once per turn of the loop (once per check phase on setImmediate in Node,
    // once per task on a MessageChannel in a browser): the turn each evaluation falls in.
    let turn = 0;
    let on = true;
    const g = globalThis as { setImmediate?: (f: () => void) => unknown };
    const ticker = new MessageChannel();
    const later = typeof g.setImmediate === 'function' ? (f: () => void) => void g.setImmediate!(f) : (f: () => void) => {
      ticker.port1.onmessage = f;
      ticker.port2.postMessage(0);
    };
    const tick = () => {
      turn++;
      if (on) later(tick);
    };
    later(tick);
    const seen: { turn: number; chain: number }[] = [];
    const tagged = (chain: number): Target => {
      const inner = slow(normalTarget(2), 0.5);
      return { dim: 2, logDensity: (x, g) => (seen.push({ turn, chain }), inner.logDensity(x, g)) };
    };
    const opts = { rng: philoxRng, seed: 5, warmup: 30, draws: 30, kernel: { type: 'hmc', steps: 10 } as KernelSpec, yieldEveryMs: 5 };
    await Promise.all([0, 1, 2, 3].map((c) => runChain(tagged(c), { ...opts, chain: c })));
    on = false;
    ticker.port1.close();
    const chainsPerTurn = new Map<number, Set<number>>();
    for (const e of seen) chainsPerTurn.set(e.turn, (chainsPerTurn.get(e.turn) ?? new Set()).add(e.chain));
    // The chains start together: each one's initial point and step-size search (a few evaluations)
    // share the first turn. After that each chain yields after 5 ms; if the yields of all four
    // resumed in one check phase, a turn of the loop would hold 20 ms of work of four chains.
    const first = Math.min(...chainsPerTurn.keys());
    const after = [...chainsPerTurn].filter(([t]) => t > first).map(([, c]) => c.size);
    expect(Math.max(...after)).toBe(1);
    expect(chainsPerTurn.size).toBeGreaterThan(20);
  });

  test('a stop request is honoured at the next gradient evaluation, inside a transition', async () => {
    const target = slow(normalTarget(2), 5);
    let stop = false;
    let callsAtStop = 0;
    setTimeout(() => {
      stop = true;
      callsAtStop = target.calls;
    }, 30);
    const err = await runChain(target, { rng: philoxRng, seed: 1, warmup: 1000, draws: 1000, kernel: { type: 'hmc', steps: 200 }, yieldEveryMs: 10, shouldStop: () => stop }).catch((e) => e);
    expect(err).toBeInstanceOf(BdlError);
    expect((err as BdlError).code).toBe('E_ABORTED');
    // Stopped within the first transition (200 evaluations), one evaluation after the request.
    expect(target.calls).toBeLessThanOrEqual(callsAtStop + 1);
    expect(target.calls).toBeLessThan(200);
  });

  test('a stop request is honoured inside the initial step-size search, which is many gradients long', async () => {
    // A Gaussian of scale 1e-4 started at step size 1: Stan's search halves the step until the
    // acceptance crosses ½, one gradient per try (about 14 of them).
    const narrow: Target = {
      dim: 2,
      logDensity(x, g) {
        let s = 0;
        for (let i = 0; i < 2; i++) {
          g[i] = -x[i] / 1e-8;
          s -= (0.5 * x[i] * x[i]) / 1e-8;
        }
        return s;
      },
    };
    const opts = { rng: philoxRng, seed: 1, warmup: 10, draws: 10, init: [1e-4, -1e-4], initStepSize: 1, yieldEveryMs: 10 };
    const free = slow(narrow, 5);
    const ref = await runChain(free, { ...opts, warmup: 1, draws: 0 });
    // Every gradient but the start's (1) and the one warmup transition's is the search's.
    const search = free.calls - 1 - ref.gradEvals;
    expect(search).toBeGreaterThanOrEqual(10);
    // The request is made once the chain has evaluated its start, i.e. as the search begins: it can
    // only arrive if the search gives the event loop a turn.
    const inner = slow(narrow, 5);
    let stop = false;
    let callsAtStop = 0;
    const target = {
      dim: 2,
      get calls() {
        return inner.calls;
      },
      logDensity(x: Float64Array, g: Float64Array) {
        if (inner.calls === 0) {
          setTimeout(() => {
            stop = true;
            callsAtStop = inner.calls;
          }, 0);
        }
        return inner.logDensity(x, g);
      },
    };
    const err = await runChain(target, { ...opts, shouldStop: () => stop }).catch((e) => e);
    expect(err).toMatchObject({ code: 'E_ABORTED' });
    expect(callsAtStop).toBeLessThan(search);
    expect(target.calls).toBeLessThanOrEqual(callsAtStop + 1);
  });

  test('refuses a negative or non-finite yieldEveryMs', async () => {
    for (const v of [-1, NaN, Infinity]) {
      const err = await runChain(normalTarget(2), { seed: 1, warmup: 1, draws: 1, yieldEveryMs: v }).catch((e) => e);
      expect(err).toMatchObject({ code: 'E_ARG', argument: 'yieldEveryMs' });
    }
  });
});
