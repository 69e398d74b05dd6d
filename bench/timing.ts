/** Timing helpers shared by every benchmark: batches long enough for coarse browser timers. */

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

/**
 * Median seconds per call of `fn`: warm up (TurboFan tiers up after Liftoff), then `samples`
 * batches of enough calls to last `batchMs` each.
 */
export function timePerCall(fn: () => void, samples = 7, batchMs = 60): number {
  let reps = 1;
  const warmEnd = performance.now() + 2 * batchMs;
  let calls = 0;
  while (performance.now() < warmEnd || calls < 2) {
    fn();
    calls++;
  }
  // Size the batch from one timed call.
  const t0 = performance.now();
  fn();
  const one = Math.max(performance.now() - t0, 1e-3);
  reps = Math.max(1, Math.round(batchMs / one));
  const per: number[] = [];
  for (let s = 0; s < samples; s++) {
    const t = performance.now();
    for (let r = 0; r < reps; r++) fn();
    per.push((performance.now() - t) / reps / 1000);
  }
  return median(per);
}

/**
 * Like timePerCall for several functions at once, their batches interleaved round by round, so a
 * burst of load from other processes hits all of them alike. Returns the median seconds per call
 * of each, for each function the median over rounds of its time relative to the first one's, and
 * the raw seconds per call of every round.
 */
export function timeInterleaved(fns: (() => void)[], samples = 7, batchMs = 60): { sec: number[]; rel: number[]; per: number[][] } {
  const reps = fns.map((fn) => {
    fn();
    fn();
    const t0 = performance.now();
    fn();
    return Math.max(1, Math.round(batchMs / Math.max(performance.now() - t0, 1e-3)));
  });
  const per = fns.map(() => [] as number[]);
  for (let s = 0; s < samples; s++) {
    fns.forEach((fn, i) => {
      const t = performance.now();
      for (let r = 0; r < reps[i]; r++) fn();
      per[i].push((performance.now() - t) / reps[i] / 1000);
    });
  }
  return {
    sec: per.map(median),
    rel: per.map((p) => median(p.map((x, s) => x / per[0][s]))),
    per,
  };
}

/** Seeded uniform values in [-scale, scale) (benchmark data only). */
export function randomData(n: number, seed: number, scale = 1): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2 ** 31 - 1) * scale;
  }
  return out;
}
