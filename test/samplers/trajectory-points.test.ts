import { beforeAll, describe, expect, it } from 'vitest';
import { PointStore } from '../../src/samplers/trajectory-points.js';
import { Arena } from '../../src/wasm/index.js';

let arena: Arena;
beforeAll(async () => {
  arena = await Arena.create();
});

describe('PointStore', () => {
  it('gives a point back to the store only when its last reference is released', () => {
    const store = new PointStore(arena, 3, 2);
    const a = store.take(2);
    const b = store.take(1);
    expect(a).not.toBe(b);
    expect(() => store.take(1)).toThrow(/exhausted/);
    store.release(a);
    expect(() => store.take(1)).toThrow(/exhausted/);
    store.release(a);
    expect(store.take(1)).toBe(a);
  });

  it('hands out the most recently freed point first, and every point again after reset', () => {
    const store = new PointStore(arena, 3, 3);
    const first = store.take(1);
    const second = store.take(1);
    store.release(first);
    store.release(second);
    expect(store.take(1)).toBe(second);
    store.reset();
    const all = [store.take(1), store.take(1), store.take(1)];
    expect(all[0]).toBe(first);
    expect(new Set(all).size).toBe(3);
  });

  it('gives each point four distinct vectors, and keeps their views on the memory after it grows', () => {
    const store = new PointStore(arena, 5, 2);
    const extra = store.vec();
    store.refresh();
    const z = store.take(1);
    const ptrs = [z.q, z.p, z.g, z.v, extra].map((v) => v.ptr);
    expect(new Set(ptrs).size).toBe(5);
    z.q.view.set([1, 2, 3, 4, 5]);
    arena.memory.grow(1);
    expect(z.q.view.length).toBe(0); // detached by the growth
    store.refresh();
    expect(Array.from(z.q.view)).toEqual([1, 2, 3, 4, 5]);
    expect(extra.view.length).toBe(5);
  });
});
