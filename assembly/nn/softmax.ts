// Row-wise softmax and log-softmax over m×n logits, shifted by the row maximum so that no
// exponential overflows (logits of ±1000 are fine). Sums are taken in f64.

import { row_logsumexp, row_max } from './rows';

/** out[r, j] = exp(x[r, j]) / Σₖ exp(x[r, k]). out may equal logits. Every row sums to 1 (to f32). */
export function softmax_f32(out: usize, logits: usize, m: i32, n: i32): void {
  for (let r = 0; r < m; r++) {
    const off = (<usize>r * <usize>n) << 2;
    const x = logits + off;
    const y = out + off;
    const mx = row_max(x, n);
    let s: f64 = 0;
    for (let j = 0; j < n; j++) {
      const e = Math.exp(<f64>load<f32>(x + (<usize>j << 2)) - <f64>mx);
      store<f32>(y + (<usize>j << 2), <f32>e);
      s += e;
    }
    const inv = 1 / s;
    for (let j = 0; j < n; j++) {
      const o = <usize>j << 2;
      // Re-exponentiating would cost more than the f32 rounding of e saved above.
      store<f32>(y + o, <f32>(<f64>load<f32>(y + o) * inv));
    }
  }
}

/** out[r, j] = x[r, j] − log Σₖ exp(x[r, k]). out may equal logits. */
export function log_softmax_f32(out: usize, logits: usize, m: i32, n: i32): void {
  for (let r = 0; r < m; r++) {
    const off = (<usize>r * <usize>n) << 2;
    const x = logits + off;
    const lse = row_logsumexp(x, n);
    for (let j = 0; j < n; j++) {
      const o = <usize>j << 2;
      store<f32>(out + off + o, <f32>(<f64>load<f32>(x + o) - lse));
    }
  }
}
