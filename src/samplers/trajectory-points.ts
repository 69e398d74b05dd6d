/**
 * The points of a NUTS trajectory, kept in wasm memory where the leaves wrote them. A trajectory
 * refers to a handful of its points at any time — its two ends, each pending subtree's ends and
 * proposal, the current sample — and never to the rest, so a fixed store of points with reference
 * counts holds it: a leaf takes a free point, and a point goes back to the store when nothing refers
 * to it. Moving the sample, a proposal or an end is then a change of reference, not a copy of q, p
 * and g. Everything is allocated once per kernel; taking and releasing allocate nothing.
 */
import type { Arena } from '../wasm/arena.js';
import type { CorePhase, CoreVec } from './integrator.js';

/**
 * A vector in wasm memory: its address for the f64 kernels (assembly/samplers/nuts.ts), and a view
 * for JavaScript, re-made when the memory grows (which detaches old views).
 */
export class Vec implements CoreVec {
  view: Float64Array;
  constructor(readonly ptr: number, private readonly arena: Arena, private readonly n: number) {
    this.view = arena.f64(ptr, n);
  }

  refresh(): void {
    this.view = this.arena.f64(this.ptr, this.n);
  }
}

/** A point in phase space: position, momentum, gradient, velocity M⁻¹p, log density; and its reference count. */
export class Point implements CorePhase {
  lp = -Infinity;
  refs = 0;
  constructor(readonly q: Vec, readonly p: Vec, readonly g: Vec, readonly v: Vec) {}
}

/** A fixed set of points (see the module comment), and the vectors allocated beside them. */
export class PointStore {
  private readonly vecs: Vec[] = [];
  private readonly points: Point[] = [];
  private readonly free: Point[] = [];
  /** The memory the views were made on; null until the first `refresh` (allocations may grow it). */
  private buffer: ArrayBufferLike | null = null;

  /** `size` points of dimension `dim` in `arena`. */
  constructor(private readonly arena: Arena, private readonly dim: number, size: number) {
    for (let i = 0; i < size; i++) this.points.push(new Point(this.vec(), this.vec(), this.vec(), this.vec()));
    this.reset();
  }

  /** A vector of the store's dimension, outside any point, whose view `refresh` keeps current too. */
  vec(): Vec {
    const v = new Vec(this.arena.allocF64(this.dim), this.arena, this.dim);
    this.vecs.push(v);
    return v;
  }

  /** A free point, with `refs` references to it. Its contents are whatever it held last. */
  take(refs: number): Point {
    const z = this.free.pop();
    // The trajectory's live points are bounded by its depth (nuts.ts sizes the store): running out is a bug.
    if (z === undefined) throw new Error('NUTS point store exhausted: more live points than the tree depth allows');
    z.refs = refs;
    return z;
  }

  /** Drops one reference; the point is free again when none is left. */
  release(z: Point): void {
    if (--z.refs === 0) this.free.push(z);
  }

  /** Frees every point (a new transition starts with none). The first taken is the last freed: the same few stay warm in cache. */
  reset(): void {
    this.free.length = 0;
    for (let i = this.points.length - 1; i >= 0; i--) {
      this.points[i].refs = 0;
      this.free.push(this.points[i]);
    }
  }

  /** Re-makes every view if the wasm memory grew since they were made (e.g. the target or a later `vec` allocated). */
  refresh(): void {
    const buffer = this.arena.memory.buffer;
    if (buffer === this.buffer) return;
    for (const v of this.vecs) v.refresh();
    this.buffer = buffer;
  }
}
