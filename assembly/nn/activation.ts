// Dense-layer epilogues: bias + activation forward, activation backward, bias gradient.
// Activation codes (the ABI): 0 identity, 1 relu, 2 tanh, 3 sigmoid, 4 gelu (exact, x·Φ(x)).
// Everything is f32x4; the transcendental ones use nn/vmath.ts. A row's last len % 4 elements go
// through a zero-padded scratch vector so that tails get exactly the same arithmetic.
//
// The loops are generic over a tag type per activation, so each activation gets its own
// monomorphized loop with no branch inside. (Passing the code as a constant argument to an
// @inline loop does not work: binaryen folds the five copies back into one branching loop.)

import { CDF, gauss_f32x4, PDF, sigmoid_f32x4, tanh_f32x4 } from './vmath';

const IDENTITY = 0;
const RELU = 1;
const TANH = 2;
const SIGMOID = 3;
const GELU = 4;

// Activation tags: code<A>() maps each to its code at compile time.
@final class Identity {}
@final class Relu {}
@final class Tanh {}
@final class Sigmoid {}
@final class Gelu {}

@inline function code<A>(): i32 {
  if (idof<A>() == idof<Relu>()) return RELU;
  if (idof<A>() == idof<Tanh>()) return TANH;
  if (idof<A>() == idof<Sigmoid>()) return SIGMOID;
  if (idof<A>() == idof<Gelu>()) return GELU;
  return IDENTITY;
}

// Padded tail vectors: z, y, dy in, result out.
const PAD: usize = memory.data(64, 16);

/** max(v, 0) as a mask: maps −0 and NaN to +0. */
@inline function relu_f32x4(v: v128): v128 {
  return v128.and(v, f32x4.gt(v, f32x4.splat(0)));
}

/** act(v) for one vector of pre-activations. */
@inline function act_f32x4<A>(v: v128): v128 {
  const act = code<A>();
  if (act == RELU) return relu_f32x4(v);
  if (act == TANH) return tanh_f32x4(v);
  if (act == SIGMOID) return sigmoid_f32x4(v);
  if (act == GELU) {
    gauss_f32x4(v);
    return f32x4.mul(v, CDF);
  }
  return v;
}

/** dy ⊙ act'(z) for one vector (tanh and sigmoid through y = act(z)). */
@inline function grad_f32x4<A>(g: v128, v: v128, y: v128): v128 {
  const act = code<A>();
  if (act == RELU) return v128.and(g, f32x4.gt(v, f32x4.splat(0)));
  if (act == TANH) return f32x4.mul(g, f32x4.sub(f32x4.splat(1), f32x4.mul(y, y)));
  if (act == SIGMOID) return f32x4.mul(g, f32x4.mul(y, f32x4.sub(f32x4.splat(1), y)));
  if (act == GELU) {
    gauss_f32x4(v);
    return f32x4.mul(g, f32x4.add(CDF, f32x4.mul(v, PDF)));
  }
  return g;
}

/** Copies `count` (< 4) f32 from src into the zeroed PAD slot `slot`. */
@inline function pad_in(slot: usize, src: usize, count: i32): void {
  v128.store(PAD + (slot << 4), i32x4.splat(0));
  memory.copy(PAD + (slot << 4), src, <usize>count << 2);
}

/** y = act(z + bias) over m rows of n, storing z + bias back into z (bias 0: z as is). */
function forward<A>(z0: usize, y0: usize, bias: usize, m: i32, n: i32): void {
  for (let r = 0; r < m; r++) {
    const off = (<usize>r * <usize>n) << 2;
    row_forward<A>(z0 + off, y0 + off, bias, n);
  }
}

@inline function row_forward<A>(z: usize, y: usize, bias: usize, n: i32): void {
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const o = <usize>j << 2;
    let v = v128.load(z + o);
    if (bias != 0) {
      v = f32x4.add(v, v128.load(bias + o));
      v128.store(z + o, v);
    }
    v128.store(y + o, act_f32x4<A>(v));
  }
  if (j < n) {
    const o = <usize>j << 2;
    const rest = n - j;
    pad_in(0, z + o, rest);
    let v = v128.load(PAD);
    if (bias != 0) {
      pad_in(1, bias + o, rest);
      v = f32x4.add(v, v128.load(PAD, 16));
      v128.store(PAD, v);
      memory.copy(z + o, PAD, <usize>rest << 2);
    }
    v128.store(PAD, act_f32x4<A>(v), 16);
    memory.copy(y + o, PAD + 16, <usize>rest << 2);
  }
}

/**
 * z[m×n] += bias (added to every row) in place, then y = act(z). `bias` 0 means no bias.
 * y may equal z (then z is overwritten with the activations: only do so when backward needs y
 * alone, i.e. identity, tanh, sigmoid — relu and gelu backward need z).
 */
export function bias_act_f32(z: usize, y: usize, bias: usize, m: i32, n: i32, act: i32): void {
  if (act == IDENTITY && bias == 0) {
    if (y != z) memory.copy(y, z, (<usize>m * <usize>n) << 2);
    return;
  }
  if (act == RELU) forward<Relu>(z, y, bias, m, n);
  else if (act == TANH) forward<Tanh>(z, y, bias, m, n);
  else if (act == SIGMOID) forward<Sigmoid>(z, y, bias, m, n);
  else if (act == GELU) forward<Gelu>(z, y, bias, m, n);
  else forward<Identity>(z, y, bias, m, n);
}

/** dz = dy ⊙ act'(z) over len elements, for one activation. */
function backward<A>(dz: usize, dy: usize, z: usize, y: usize, len: i32): void {
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    const o = <usize>i << 2;
    v128.store(dz + o, grad_f32x4<A>(v128.load(dy + o), v128.load(z + o), v128.load(y + o)));
  }
  if (i < len) {
    const o = <usize>i << 2;
    const rest = len - i;
    pad_in(0, dy + o, rest);
    pad_in(1, z + o, rest);
    pad_in(2, y + o, rest);
    v128.store(PAD, grad_f32x4<A>(v128.load(PAD), v128.load(PAD, 16), v128.load(PAD, 32)), 48);
    memory.copy(dz + o, PAD + 48, <usize>rest << 2);
  }
}

/**
 * dz = dy ⊙ act'(z) over len elements. relu and gelu read z (y may be 0); tanh (1 − y²) and sigmoid
 * (y(1 − y)) read y (z may be 0); identity copies. dz may equal dy.
 */
export function act_backward_f32(dz: usize, dy: usize, z: usize, y: usize, len: i32, act: i32): void {
  if (act == RELU) backward<Relu>(dz, dy, z, z, len);
  else if (act == TANH) backward<Tanh>(dz, dy, y, y, len);
  else if (act == SIGMOID) backward<Sigmoid>(dz, dy, y, y, len);
  else if (act == GELU) backward<Gelu>(dz, dy, z, z, len);
  else if (dz != dy) memory.copy(dz, dy, <usize>len << 2);
}

/** db[n] = column sums of dz[m×n] (beta 0), or db = beta·db + sums (beta 1 accumulates). */
export function bias_grad_f32(db: usize, dz: usize, m: i32, n: i32, beta: f32): void {
  // beta 0 overwrites without reading db, so stale NaNs in db do not leak through.
  if (beta == 0) memory.fill(db, 0, <usize>n << 2);
  else if (beta != 1) {
    for (let j = 0; j < n; j++) store<f32>(db + (<usize>j << 2), beta * load<f32>(db + (<usize>j << 2)));
  }
  for (let r = 0; r < m; r++) {
    const row = dz + ((<usize>r * <usize>n) << 2);
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const o = <usize>j << 2;
      v128.store(db + o, f32x4.add(v128.load(db + o), v128.load(row + o)));
    }
    for (; j < n; j++) {
      const o = <usize>j << 2;
      store<f32>(db + o, load<f32>(db + o) + load<f32>(row + o));
    }
  }
}
