/**
 * Draws as they leave a chain: fixed-size chunks of row-major positions with the per-draw sampler
 * info beside them. Each chunk owns fresh arrays, so it can be transferred to another thread.
 */
import type { Info, KernelState } from './types.js';

/** A run of consecutive (thinned) draws of one chain. */
export interface DrawChunk {
  chain: number;
  /** Index of the first draw of the chunk among the chain's kept draws. */
  start: number;
  count: number;
  dim: number;
  /** count × dim, row-major: draw i is draws[i·dim … (i+1)·dim). */
  draws: Float64Array;
  logDensity: Float64Array;
  acceptProb: Float64Array;
  stepSize: Float64Array;
  treeDepth: Uint8Array;
  nLeapfrog: Uint32Array;
  /** 1 when the transition diverged. */
  divergent: Uint8Array;
  energy: Float64Array;
}

function emptyChunk(chain: number, start: number, dim: number, n: number): DrawChunk {
  return {
    chain, start, count: 0, dim,
    draws: new Float64Array(n * dim),
    logDensity: new Float64Array(n),
    acceptProb: new Float64Array(n),
    stepSize: new Float64Array(n),
    treeDepth: new Uint8Array(n),
    nLeapfrog: new Uint32Array(n),
    divergent: new Uint8Array(n),
    energy: new Float64Array(n),
  };
}

function trimmed(c: DrawChunk, n: number): DrawChunk {
  if (n === c.treeDepth.length) return c;
  return {
    chain: c.chain, start: c.start, count: n, dim: c.dim,
    draws: c.draws.slice(0, n * c.dim),
    logDensity: c.logDensity.slice(0, n),
    acceptProb: c.acceptProb.slice(0, n),
    stepSize: c.stepSize.slice(0, n),
    treeDepth: c.treeDepth.slice(0, n),
    nLeapfrog: c.nLeapfrog.slice(0, n),
    divergent: c.divergent.slice(0, n),
    energy: c.energy.slice(0, n),
  };
}

/** Collects draws into chunks of `size` and hands each full (or flushed) chunk to `emit`. */
export class ChunkWriter {
  private cur: DrawChunk;

  constructor(
    private readonly chain: number, private readonly dim: number, private readonly size: number,
    start: number, private readonly emit: (c: DrawChunk) => void,
  ) {
    this.cur = emptyChunk(chain, start, dim, size);
  }

  /** Index of the next draw. */
  get next(): number {
    return this.cur.start + this.cur.count;
  }

  push(state: KernelState, info: Info): void {
    const c = this.cur;
    const i = c.count;
    c.draws.set(state.position, i * this.dim);
    c.logDensity[i] = state.logDensity;
    c.acceptProb[i] = info.acceptProb;
    c.stepSize[i] = info.stepSize;
    c.treeDepth[i] = info.treeDepth;
    c.nLeapfrog[i] = info.nLeapfrog;
    c.divergent[i] = info.divergent ? 1 : 0;
    c.energy[i] = info.energy;
    c.count++;
    if (c.count === this.size) this.flush();
  }

  /** Emits the pending draws, if any. */
  flush(): void {
    const c = this.cur;
    if (c.count === 0) return;
    this.cur = emptyChunk(this.chain, c.start + c.count, this.dim, this.size);
    this.emit(trimmed(c, c.count));
  }
}

/** Concatenates consecutive chunks into one. */
export function concatChunks(chunks: readonly DrawChunk[], chain: number, start: number, dim: number): DrawChunk {
  const n = chunks.reduce((s, c) => s + c.count, 0);
  const out = emptyChunk(chain, start, dim, n);
  let at = 0;
  for (const c of chunks) {
    out.draws.set(c.draws, at * dim);
    out.logDensity.set(c.logDensity, at);
    out.acceptProb.set(c.acceptProb, at);
    out.stepSize.set(c.stepSize, at);
    out.treeDepth.set(c.treeDepth, at);
    out.nLeapfrog.set(c.nLeapfrog, at);
    out.divergent.set(c.divergent, at);
    out.energy.set(c.energy, at);
    at += c.count;
  }
  out.count = n;
  return out;
}
