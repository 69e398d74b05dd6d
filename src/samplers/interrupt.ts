/**
 * Transitions that give the thread back. A kernel's `step` is synchronous, and with a slow target
 * (one gradient of 200 ms) one NUTS transition can run for minutes; on the main thread (a pool of
 * size 0) nothing else runs meanwhile — no abort, no Ctrl-C handler. So the chain driver wraps the
 * target and the generator: every gradient evaluation and every random draw of the current
 * transition is recorded, and when more than `everyMs` have passed since the thread last yielded,
 * the next evaluation throws YIELD out of the kernel. The driver yields to the event loop, puts the
 * state back as it was before the transition, and runs the transition again: the recorded
 * evaluations and draws are served from the record (no target call), so it arrives where it
 * stopped and continues, with bits identical to an uninterrupted run. Cancellation is tested before
 * every evaluation (`stopped`), so it takes effect within one gradient.
 */
import { turnStarted } from '../signal.js';
import { trustTarget } from './checked-target.js';
import type { KernelState, SamplerRng, Target } from './types.js';

/** Thrown through the kernel when the thread should yield; caught by `Interrupter.run`. */
const YIELD = Symbol('yield');

/** Most doubles recorded for one transition (gradients and normals): beyond it the transition runs on without yielding. */
const MAX_RECORDED = 1 << 22;

/** A growable tape of doubles, kept between transitions so that recording allocates only while it grows. */
class Tape {
  data = new Float64Array(256);
  length = 0;

  /** Makes room for `n` more values. */
  reserve(n: number): void {
    if (this.length + n <= this.data.length) return;
    const grown = new Float64Array(Math.max(2 * this.data.length, this.length + n));
    grown.set(this.data.subarray(0, this.length));
    this.data = grown;
  }
}

export class Interrupter {
  readonly target: Target;
  /** The transition's gradients, nGrad × dim, and their log densities. */
  private readonly grads = new Tape();
  private readonly lps = new Tape();
  /** The transition's random draws in order: a uniform is one value, a normal fill its length. */
  private readonly draws = new Tape();
  private nGrad = 0;
  private atGrad = 0;
  private atDraw = 0;
  private recording = false;
  private lastYield = performance.now();
  private rng: SamplerRng | undefined;

  constructor(
    inner: Target,
    private readonly everyMs: number,
    private readonly stopped: () => boolean,
    private readonly yieldNow: () => Promise<void>,
    /** What to throw once `stopped()` (through the kernel, out of the driver). */
    private readonly stopError: () => Error,
  ) {
    const self = this;
    // It replays or forwards to `inner`, which runChain has already checked (or trusts).
    this.target = trustTarget({
      dim: inner.dim,
      logDensity(q, g) {
        return self.logDensity(inner, q, g);
      },
    });
  }

  /** A generator whose draws within `run` are recorded and replayed like the gradients. */
  wrapRng(rng: SamplerRng): SamplerRng {
    this.rng = rng;
    return this.replayRng;
  }

  private readonly replayRng: SamplerRng = {
    uniform: () => {
      const d = this.draws;
      if (this.atDraw < d.length) return d.data[this.atDraw++];
      const u = this.rng!.uniform();
      if (this.recording && this.room(1)) {
        d.reserve(1);
        d.data[d.length++] = u;
        this.atDraw++;
      }
      return u;
    },
    normal: (out) => {
      const d = this.draws;
      const n = out.length;
      if (this.atDraw < d.length) {
        const at = this.atDraw;
        for (let i = 0; i < n; i++) out[i] = d.data[at + i];
        this.atDraw += n;
        return;
      }
      this.rng!.normal(out);
      if (this.recording && this.room(n)) {
        d.reserve(n);
        d.data.set(out, d.length);
        d.length += n;
        this.atDraw += n;
      }
    },
  };

  /** Whether `n` more doubles fit under MAX_RECORDED; past it the transition runs on without recording (or yielding). */
  private room(n: number): boolean {
    if (this.grads.length + this.draws.length + n <= MAX_RECORDED) return true;
    this.recording = false;
    return false;
  }

  private logDensity(inner: Target, q: Float64Array, g: Float64Array): number {
    const dim = g.length;
    if (this.atGrad < this.nGrad) {
      const at = this.atGrad * dim;
      const data = this.grads.data;
      for (let i = 0; i < dim; i++) g[i] = data[at + i];
      return this.lps.data[this.atGrad++];
    }
    if (this.stopped()) throw this.stopError();
    const lp = inner.logDensity(q, g);
    if (!this.recording || !this.room(dim)) return lp;
    const gr = this.grads;
    gr.reserve(dim);
    gr.data.set(g, gr.length);
    gr.length += dim;
    this.lps.reserve(1);
    this.lps.data[this.lps.length++] = lp;
    this.nGrad++;
    this.atGrad++;
    if (this.spent()) throw YIELD;
    return lp;
  }

  /** Between transitions: a promise to await when `everyMs` have passed since the last yield, else undefined. */
  maybeYield(): Promise<void> | undefined {
    return this.everyMs > 0 && this.spent() ? this.yielded() : undefined;
  }

  /** Whether `everyMs` have passed since this thread's turn began or this chain last yielded, whichever was first. */
  private spent(): boolean {
    return performance.now() - Math.min(this.lastYield, turnStarted()) >= this.everyMs;
  }

  private async yielded(): Promise<void> {
    await this.yieldNow();
    this.lastYield = performance.now();
  }

  /**
   * Runs `f` (one transition, or another deterministic computation over the wrapped target and
   * generator) so that it can yield midway; `state`, which `f` may update, is restored before each
   * replay. Returns synchronously unless a yield fell due (then a promise): the common case costs
   * one copy of the state.
   */
  run<T>(state: KernelState | undefined, f: () => T): T | Promise<T> {
    this.begin(state);
    try {
      const r = f();
      this.end();
      return r;
    } catch (e) {
      if (e !== YIELD) {
        this.end();
        throw e;
      }
    }
    return this.replay(state, f);
  }

  private async replay<T>(state: KernelState | undefined, f: () => T): Promise<T> {
    try {
      for (;;) {
        await this.yielded();
        if (state !== undefined) {
          state.position.set(this.savedPosition);
          state.grad.set(this.savedGrad);
          state.logDensity = this.savedLp;
        }
        this.atGrad = 0;
        this.atDraw = 0;
        try {
          return f();
        } catch (e) {
          if (e !== YIELD) throw e;
        }
      }
    } finally {
      this.end();
    }
  }

  private savedPosition = new Float64Array(0);
  private savedGrad = new Float64Array(0);
  private savedLp = 0;

  private begin(state: KernelState | undefined): void {
    this.nGrad = this.atGrad = this.atDraw = 0;
    this.grads.length = this.lps.length = this.draws.length = 0;
    this.recording = this.everyMs > 0;
    if (state === undefined || !this.recording) return;
    if (this.savedPosition.length !== state.position.length) {
      this.savedPosition = new Float64Array(state.position.length);
      this.savedGrad = new Float64Array(state.grad.length);
    }
    this.savedPosition.set(state.position);
    this.savedGrad.set(state.grad);
    this.savedLp = state.logDensity;
  }

  private end(): void {
    this.recording = false;
    this.nGrad = this.atGrad = this.atDraw = 0;
    this.grads.length = this.lps.length = this.draws.length = 0;
  }
}
