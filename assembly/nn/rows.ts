// Row reductions shared by softmax and the categorical loss. Internal: not re-exported.

/** Largest entry of row x[0..n). */
@inline export function row_max(x: usize, n: i32): f32 {
  let i = 0;
  let mx: f32 = -Infinity;
  if (n >= 4) {
    let v = v128.load(x);
    for (i = 4; i + 4 <= n; i += 4) v = f32x4.max(v, v128.load(x + (<usize>i << 2)));
    mx = Mathf.max(Mathf.max(f32x4.extract_lane(v, 0), f32x4.extract_lane(v, 1)), Mathf.max(f32x4.extract_lane(v, 2), f32x4.extract_lane(v, 3)));
  }
  for (; i < n; i++) mx = Mathf.max(mx, load<f32>(x + (<usize>i << 2)));
  return mx;
}

/** log Σⱼ exp(x[j]) of one row, stably: max + log Σ exp(x − max). */
@inline export function row_logsumexp(x: usize, n: i32): f64 {
  const mx = row_max(x, n);
  let s: f64 = 0;
  for (let j = 0; j < n; j++) s += Math.exp(<f64>load<f32>(x + (<usize>j << 2)) - <f64>mx);
  return <f64>mx + Math.log(s);
}
