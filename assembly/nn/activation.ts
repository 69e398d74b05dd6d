// Dense-layer epilogues: bias + activation forward, activation backward, bias gradient.
// Activation codes (the ABI): 0 identity, 1 relu, 2 tanh, 3 sigmoid, 4 gelu (exact, x·Φ(x)), 5 elu (α = 1),
// 6 selu, 7 swish (x·σ(x), also called silu), 8 relu6, 9 softsign x/(1 + |x|), 10 hard sigmoid
// clip(0.2x + 0.5, 0, 1) — the last six as TF.js / Keras define them, for imported networks.
// Everything is f32x4; the transcendental ones use nn/vmath.ts. When n % 4 = 0 each row is whole
// vectors and bias + activation run in one pass. Otherwise, as the m×n block is contiguous, only
// the bias add goes row by row; the activation runs over the whole block, and its last
// len % 4 elements go through a zero-padded scratch vector so that they get exactly the same
// arithmetic. (A padded tail per row cost ~30 ns a row, more than the row's tanh at n = 50.)
//
// The loops are generic over a tag type per activation, so each activation gets its own
// monomorphized loop with no branch inside. (Passing the code as a constant argument to an
// @inline loop does not work: binaryen folds the five copies back into one branching loop.)

import { madd, nmadd } from '../blas/simd';
import { expm1_neg_f32x4, gelu_f32x4, gelu_grad_f32x4, sigmoid_f32x4, tanh_consts, tanh_f32x4, tanh_f32x4_k } from './vmath';

const IDENTITY = 0;
const RELU = 1;
const TANH = 2;
const SIGMOID = 3;
const GELU = 4;
const ELU = 5;
const SELU = 6;
const SWISH = 7;
const RELU6 = 8;
const SOFTSIGN = 9;
const HARD_SIGMOID = 10;

// Activation tags: code<A>() maps each to its code at compile time.
@final class Identity {}
@final class Relu {}
@final class Tanh {}
@final class Sigmoid {}
@final class Gelu {}
@final class Elu {}
@final class Selu {}
@final class Swish {}
@final class Relu6 {}
@final class Softsign {}
@final class HardSigmoid {}

@inline function code<A>(): i32 {
  if (idof<A>() == idof<Relu>()) return RELU;
  if (idof<A>() == idof<Tanh>()) return TANH;
  if (idof<A>() == idof<Sigmoid>()) return SIGMOID;
  if (idof<A>() == idof<Gelu>()) return GELU;
  if (idof<A>() == idof<Elu>()) return ELU;
  if (idof<A>() == idof<Selu>()) return SELU;
  if (idof<A>() == idof<Swish>()) return SWISH;
  if (idof<A>() == idof<Relu6>()) return RELU6;
  if (idof<A>() == idof<Softsign>()) return SOFTSIGN;
  if (idof<A>() == idof<HardSigmoid>()) return HARD_SIGMOID;
  return IDENTITY;
}

// Padded tail vectors: inputs, then the result.
const PAD: usize = memory.data(64, 16);
// 1.0f, broadcast from memory in the loops (V8 rebuilds an f32x4.splat constant at every use).
const ONE: usize = memory.data<f32>([1], 16);
// SELU's λ and λ·α (Klambauer et al. 2017), relu6's 6, hard sigmoid's slope and offset.
const K: usize = memory.data<f32>([1.0507009873554805, 1.7580993408473766, 6, 0.2, 0.5], 16);
@inline function k(i: usize): v128 {
  return v128.load32_splat(K + (i << 2));
}

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
  if (act == GELU) return gelu_f32x4(v);
  const pos = f32x4.gt(v, f32x4.splat(0));
  if (act == ELU) return v128.bitselect(v, expm1_neg_f32x4(f32x4.pmin(v, f32x4.splat(0))), pos);
  if (act == SELU) return v128.bitselect(f32x4.mul(k(0), v), f32x4.mul(k(1), expm1_neg_f32x4(f32x4.pmin(v, f32x4.splat(0)))), pos);
  if (act == SWISH) return f32x4.mul(v, sigmoid_f32x4(v));
  if (act == RELU6) return f32x4.pmin(relu_f32x4(v), k(2));
  if (act == SOFTSIGN) return f32x4.div(v, f32x4.add(v128.load32_splat(ONE), f32x4.abs(v)));
  if (act == HARD_SIGMOID) return f32x4.pmin(f32x4.pmax(f32x4.add(f32x4.mul(k(3), v), k(4)), f32x4.splat(0)), v128.load32_splat(ONE));
  return v;
}

/** dy ⊙ act'(z) for one vector, from s = z (relu, gelu, codes ≥ 5) or s = y = act(z) (tanh, sigmoid). */
@inline function grad_f32x4<A>(g: v128, s: v128): v128 {
  const act = code<A>();
  const v = s;
  const y = s;
  if (act == RELU) return v128.and(g, f32x4.gt(v, f32x4.splat(0)));
  if (act == TANH) return f32x4.mul(g, nmadd(y, y, v128.load32_splat(ONE)));
  if (act == SIGMOID) return f32x4.mul(g, f32x4.mul(y, f32x4.sub(v128.load32_splat(ONE), y)));
  if (act == GELU) return f32x4.mul(g, gelu_grad_f32x4(v));
  const one = v128.load32_splat(ONE);
  const pos = f32x4.gt(v, f32x4.splat(0));
  // elu' = eˣ = expm1(x) + 1 below 0; selu' = λα·eˣ.
  if (act == ELU) return f32x4.mul(g, v128.bitselect(one, f32x4.add(expm1_neg_f32x4(f32x4.pmin(v, f32x4.splat(0))), one), pos));
  if (act == SELU) return f32x4.mul(g, v128.bitselect(k(0), f32x4.mul(k(1), f32x4.add(expm1_neg_f32x4(f32x4.pmin(v, f32x4.splat(0))), one)), pos));
  if (act == SWISH) {
    const sg = sigmoid_f32x4(v);
    return f32x4.mul(g, f32x4.mul(sg, f32x4.add(one, f32x4.mul(v, f32x4.sub(one, sg)))));
  }
  // relu6' and hard sigmoid' are 1 (0.2) strictly inside their linear piece, 0 outside.
  if (act == RELU6) return v128.and(g, v128.and(pos, f32x4.lt(v, k(2))));
  if (act == SOFTSIGN) {
    const d = f32x4.add(one, f32x4.abs(v));
    return f32x4.div(g, f32x4.mul(d, d));
  }
  if (act == HARD_SIGMOID) {
    const u = f32x4.add(f32x4.mul(k(3), v), k(4));
    return v128.and(f32x4.mul(g, k(3)), v128.and(f32x4.gt(u, f32x4.splat(0)), f32x4.lt(u, one)));
  }
  return g;
}

/** Copies `count` (< 4) f32 from src into the PAD slot `slot`, zeroing the rest of it. */
@inline function pad_in(slot: usize, src: usize, count: usize): void {
  const dst = PAD + (slot << 4);
  v128.store(dst, v128.splat<i32>(0));
  for (let i: usize = 0; i < count; i++) store<f32>(dst + (i << 2), load<f32>(src + (i << 2)));
}

/** Copies the first `count` (< 4) f32 of PAD slot `slot` to dst. */
@inline function pad_out(dst: usize, slot: usize, count: usize): void {
  const src = PAD + (slot << 4);
  for (let i: usize = 0; i < count; i++) store<f32>(dst + (i << 2), load<f32>(src + (i << 2)));
}

/** row[0..n) += bias[0..n). */
@inline function add_bias(row: usize, bias: usize, n: usize): void {
  let j: usize = 0;
  for (; j + 4 <= n; j += 4) {
    const o = j << 2;
    v128.store(row + o, f32x4.add(v128.load(row + o), v128.load(bias + o)));
  }
  // Scalar f32 adds round exactly like the vector lanes.
  for (; j < n; j++) {
    const o = j << 2;
    store<f32>(row + o, load<f32>(row + o) + load<f32>(bias + o));
  }
}

/** y = act(z) over the byte range [from, to), a multiple of 16 bytes. */
function act_span<A>(z: usize, y: usize, from: usize, to: usize): void {
  for (let o = from; o < to; o += 16) v128.store(y + o, act_f32x4<A>(v128.load(z + o)));
}

// The bias repeated over a group of rows that is whole vectors (forward, n mod 4 ≠ 0).
const BIAS_REP_BYTES: usize = 16384;
const BIAS_REP: usize = memory.data(<i32>BIAS_REP_BYTES, 16);

// The bias add runs ahead of the activation by at most this many bytes, so z is still in L1.
const SPAN: usize = 4096;

/** y = act(z + bias) over m rows of n, storing z + bias back into z (bias 0: z as is). */
function forward<A>(z: usize, y: usize, bias: usize, m: i32, n: i32): void {
  const bytes = (<usize>m * <usize>n) << 2;
  const body = bytes & ~15;
  let done: usize = 0;
  if (bias != 0 && (n & 3) == 0) {
    // Rows of whole vectors: bias and activation in one pass.
    bias_act_rows<A>(z, y, bias, bytes, <usize>n << 2);
    return;
  }
  // Rows of n mod 4 ≠ 0: a group of 4/gcd(n, 4) rows is whole vectors, so against a bias repeated
  // that many times (BIAS_REP) bias and activation again run in one pass. Leftover rows go below.
  const group = (n & 1) == 1 ? 4 : 2;
  const groupBytes = <usize>(group * n) << 2;
  if (bias != 0 && groupBytes <= BIAS_REP_BYTES && m >= group) {
    const nb = <usize>n << 2;
    for (let g: usize = 0; g < <usize>group; g++) memory.copy(BIAS_REP + g * nb, bias, nb);
    const whole = <usize>(m / group) * groupBytes;
    bias_act_rows<A>(z, y, BIAS_REP, whole, groupBytes);
    if (whole < bytes) forward<A>(z + whole, y + whole, bias, m % group, n);
    return;
  }
  if (bias != 0) {
    const rowBytes = <usize>n << 2;
    for (let off: usize = 0; off < bytes; off += rowBytes) {
      add_bias(z + off, bias, <usize>n);
      const ready = (off + rowBytes) & ~15;
      if (ready - done >= SPAN) {
        act_span<A>(z, y, done, ready);
        done = ready;
      }
    }
  }
  act_span<A>(z, y, done, body);
  if (body < bytes) {
    const rest = (bytes - body) >> 2;
    pad_in(0, z + body, rest);
    v128.store(PAD, act_f32x4<A>(v128.load(PAD)), 16);
    pad_out(y + body, 1, rest);
  }
}

/**
 * z += bias, y = act(z) over rows of whole vectors (rowBytes apart; bias is one row). For tanh the
 * constants are loaded once ahead of the loop: as values V8 keeps them in registers, where
 * act_f32x4 loads each one per vector.
 */
@inline function bias_act_rows<A>(z: usize, y: usize, bias: usize, bytes: usize, rowBytes: usize): void {
  if (code<A>() == TANH) {
    const k0 = tanh_consts(0), k1 = tanh_consts(1), k2 = tanh_consts(2), k3 = tanh_consts(3), k4 = tanh_consts(4), k5 = tanh_consts(5);
    const k6 = tanh_consts(6), k7 = tanh_consts(7), k8 = tanh_consts(8), k9 = tanh_consts(9), k10 = tanh_consts(10);
    for (let row: usize = 0; row < bytes; row += rowBytes) {
      for (let o: usize = 0; o < rowBytes; o += 16) {
        const v = f32x4.add(v128.load(z + row + o), v128.load(bias + o));
        v128.store(z + row + o, v);
        v128.store(y + row + o, tanh_f32x4_k(v, k0, k1, k2, k3, k4, k5, k6, k7, k8, k9, k10));
      }
    }
    return;
  }
  for (let row: usize = 0; row < bytes; row += rowBytes) {
    for (let o: usize = 0; o < rowBytes; o += 16) {
      const v = f32x4.add(v128.load(z + row + o), v128.load(bias + o));
      v128.store(z + row + o, v);
      v128.store(y + row + o, act_f32x4<A>(v));
    }
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
  else if (act == ELU) forward<Elu>(z, y, bias, m, n);
  else if (act == SELU) forward<Selu>(z, y, bias, m, n);
  else if (act == SWISH) forward<Swish>(z, y, bias, m, n);
  else if (act == RELU6) forward<Relu6>(z, y, bias, m, n);
  else if (act == SOFTSIGN) forward<Softsign>(z, y, bias, m, n);
  else if (act == HARD_SIGMOID) forward<HardSigmoid>(z, y, bias, m, n);
  else forward<Identity>(z, y, bias, m, n);
}

/** dz = dy ⊙ act'(z) over len elements, for one activation; s is z or y as grad_f32x4 needs. */
function backward<A>(dz: usize, dy: usize, s: usize, len: i32): void {
  const bytes = <usize>len << 2;
  const body = bytes & ~15;
  for (let i = 0; i + 4 <= len; i += 4) {
    const o = <usize>i << 2;
    v128.store(dz + o, grad_f32x4<A>(v128.load(dy + o), v128.load(s + o)));
  }
  if (body < bytes) {
    const rest = (bytes - body) >> 2;
    pad_in(0, dy + body, rest);
    pad_in(1, s + body, rest);
    v128.store(PAD, grad_f32x4<A>(v128.load(PAD), v128.load(PAD, 16)), 32);
    pad_out(dz + body, 2, rest);
  }
}

/**
 * dz = dy ⊙ act'(z) over len elements. relu, gelu and the codes ≥ 5 read z (y may be 0); tanh (1 − y²) and sigmoid
 * (y(1 − y)) read y (z may be 0); identity copies. dz may equal dy.
 */
export function act_backward_f32(dz: usize, dy: usize, z: usize, y: usize, len: i32, act: i32): void {
  if (act == RELU) backward<Relu>(dz, dy, z, len);
  else if (act == TANH) backward<Tanh>(dz, dy, y, len);
  else if (act == SIGMOID) backward<Sigmoid>(dz, dy, y, len);
  else if (act == GELU) backward<Gelu>(dz, dy, z, len);
  else if (act == ELU) backward<Elu>(dz, dy, z, len);
  else if (act == SELU) backward<Selu>(dz, dy, z, len);
  else if (act == SWISH) backward<Swish>(dz, dy, z, len);
  else if (act == RELU6) backward<Relu6>(dz, dy, z, len);
  else if (act == SOFTSIGN) backward<Softsign>(dz, dy, z, len);
  else if (act == HARD_SIGMOID) backward<HardSigmoid>(dz, dy, z, len);
  else if (dz != dy) memory.copy(dz, dy, <usize>len << 2);
}

/** db[n] = column sums of dz[m×n] (beta 0), or db = beta·db + sums (beta 1 accumulates). */
export function bias_grad_f32(db: usize, dz: usize, m: i32, n: i32, beta: f32): void {
  // beta 0 overwrites without reading db, so stale NaNs in db do not leak through.
  if (beta == 0) memory.fill(db, 0, <usize>n << 2);
  else if (beta != 1) {
    for (let j = 0; j < n; j++) store<f32>(db + (<usize>j << 2), beta * load<f32>(db + (<usize>j << 2)));
  }
  // Column blocks held in registers down all m rows (rows added in order, so the bits are those of
  // adding row after row into db), instead of a load and store of db per row.
  const ld = <usize>n << 2;
  const end = dz + <usize>m * ld;
  let j = 0;
  for (; j + 16 <= n; j += 16) {
    const d = db + (<usize>j << 2);
    let s0 = v128.load(d), s1 = v128.load(d, 16), s2 = v128.load(d, 32), s3 = v128.load(d, 48);
    for (let row = dz + (<usize>j << 2); row < end; row += ld) {
      s0 = f32x4.add(s0, v128.load(row));
      s1 = f32x4.add(s1, v128.load(row, 16));
      s2 = f32x4.add(s2, v128.load(row, 32));
      s3 = f32x4.add(s3, v128.load(row, 48));
    }
    v128.store(d, s0); v128.store(d, s1, 16); v128.store(d, s2, 32); v128.store(d, s3, 48);
  }
  for (; j + 4 <= n; j += 4) {
    const d = db + (<usize>j << 2);
    let s0 = v128.load(d);
    for (let row = dz + (<usize>j << 2); row < end; row += ld) s0 = f32x4.add(s0, v128.load(row));
    v128.store(d, s0);
  }
  for (; j < n; j++) {
    const d = db + (<usize>j << 2);
    let s0 = load<f32>(d);
    for (let row = dz + (<usize>j << 2); row < end; row += ld) s0 += load<f32>(row);
    store<f32>(d, s0);
  }
}

/**
 * The backward step through a layer of one output unit into the activation below it, in one pass:
 * dz[m×n] = (a ⊗ b) ⊙ act'(·), i.e. dz[r][j] = act'(z or y)[r][j] · (a[r]·b[j]); if db ≠ 0,
 * db[n] = column sums of dz; if dw ≠ 0, dw[n] = yᵀ·a, the unit's own weight gradient. It gives the
 * bits of gemm's outer product (k = 1), then act_backward_f32, then bias_grad_f32 (beta 0), and of
 * gemm_f32_tn(dw, y, a, n, 1, m, 0) (its matrix-vector path): the same f32 products, the lane-wise
 * derivative, the rows added in order from zero. One pass over the m×n block instead of four (a
 * 300×50 block is ~60 KiB, past L1), column blocks down all rows so that the sums stay in
 * registers: the pass is then bound by its one store per vector, where row by row the sums' loads
 * and stores made it three (300×50 tanh: 3.9 µs row by row with dw, 2.8 column by column, against
 * 2.9 + 1.0 for the kernel without dw and the separate matrix-vector product).
 */
export function outer_act_backward_f32(dz: usize, db: usize, dw: usize, a: usize, b: usize, z: usize, y: usize, m: i32, n: i32, act: i32): void {
  if (act == RELU) outer_backward<Relu>(dz, db, dw, a, b, z, y, m, n);
  else if (act == TANH) outer_backward<Tanh>(dz, db, dw, a, b, y, y, m, n);
  else if (act == SIGMOID) outer_backward<Sigmoid>(dz, db, dw, a, b, y, y, m, n);
  else if (act == GELU) outer_backward<Gelu>(dz, db, dw, a, b, z, y, m, n);
  else if (act == ELU) outer_backward<Elu>(dz, db, dw, a, b, z, y, m, n);
  else if (act == SELU) outer_backward<Selu>(dz, db, dw, a, b, z, y, m, n);
  else if (act == SWISH) outer_backward<Swish>(dz, db, dw, a, b, z, y, m, n);
  else if (act == RELU6) outer_backward<Relu6>(dz, db, dw, a, b, z, y, m, n);
  else if (act == SOFTSIGN) outer_backward<Softsign>(dz, db, dw, a, b, z, y, m, n);
  else if (act == HARD_SIGMOID) outer_backward<HardSigmoid>(dz, db, dw, a, b, z, y, m, n);
  else outer_backward<Identity>(dz, db, dw, a, b, y, y, m, n);
}


function outer_backward<A>(dz: usize, db: usize, dw: usize, a: usize, b: usize, s: usize, y: usize, m: i32, n: i32): void {
  const nb = <usize>n << 2;
  const body = nb & ~15;
  const rest = (nb - body) >> 2;
  if (n < 4) {
    outer_backward_narrow<A>(dz, db, dw, a, b, s, y, m, n);
    return;
  }
  // Column blocks of two vectors held in registers down all m rows (sums in row order, as
  // bias_grad_f32 and gemv add them), then one vector, then the row's last four for the last
  // n mod 4 columns (lane-wise arithmetic recomputes the overlap with the same bits; only the top
  // lanes of its sums are kept).
  const end = <usize>m * nb;
  let o: usize = 0;
  for (; o + 32 <= body; o += 32) {
    const b0 = v128.load(b + o), b1 = v128.load(b + o, 16);
    let d0 = f32x4.splat(0), d1 = f32x4.splat(0), w0 = f32x4.splat(0), w1 = f32x4.splat(0);
    let ap = a;
    for (let row: usize = 0; row < end; row += nb) {
      const av = v128.load32_splat(ap);
      const v0 = grad_f32x4<A>(f32x4.mul(av, b0), v128.load(s + row + o));
      const v1 = grad_f32x4<A>(f32x4.mul(av, b1), v128.load(s + row + o, 16));
      v128.store(dz + row + o, v0);
      v128.store(dz + row + o, v1, 16);
      d0 = f32x4.add(d0, v0);
      d1 = f32x4.add(d1, v1);
      w0 = madd(av, v128.load(y + row + o), w0);
      w1 = madd(av, v128.load(y + row + o, 16), w1);
      ap += 4;
    }
    if (db != 0) {
      v128.store(db + o, d0);
      v128.store(db + o, d1, 16);
    }
    if (dw != 0) {
      v128.store(dw + o, w0);
      v128.store(dw + o, w1, 16);
    }
  }
  for (; o < body; o += 16) outer_column<A>(dz, db, dw, a, b, s, y, end, nb, o, 0);
  if (rest != 0) outer_column<A>(dz, db, dw, a, b, s, y, end, nb, nb - 16, rest);
}

/** One column vector of outer_backward at byte offset o; keep ≠ 0: only its top `keep` lanes' sums. */
function outer_column<A>(dz: usize, db: usize, dw: usize, a: usize, b: usize, s: usize, y: usize, end: usize, nb: usize, o: usize, keep: usize): void {
  const b0 = v128.load(b + o);
  let d0 = f32x4.splat(0), w0 = f32x4.splat(0);
  let ap = a;
  for (let row: usize = 0; row < end; row += nb) {
    const av = v128.load32_splat(ap);
    const v0 = grad_f32x4<A>(f32x4.mul(av, b0), v128.load(s + row + o));
    v128.store(dz + row + o, v0);
    d0 = f32x4.add(d0, v0);
    // The matrix-vector path's tail columns are scalar: a product, then an add (no fused madd).
    w0 = keep == 0 ? madd(av, v128.load(y + row + o), w0) : f32x4.add(w0, f32x4.mul(av, v128.load(y + row + o)));
    ap += 4;
  }
  if (keep == 0) {
    if (db != 0) v128.store(db + o, d0);
    if (dw != 0) v128.store(dw + o, w0);
    return;
  }
  v128.store(PAD, d0, 32);
  v128.store(PAD, w0, 48);
  for (let l: usize = 4 - keep; l < 4; l++) {
    if (db != 0) store<f32>(db + o + (l << 2), load<f32>(PAD + 32 + (l << 2)));
    if (dw != 0) store<f32>(dw + o + (l << 2), load<f32>(PAD + 48 + (l << 2)));
  }
}

/** outer_backward for n < 4: each row through zero-padded copies in PAD slots (b's in slot 3, once). */
function outer_backward_narrow<A>(dz: usize, db: usize, dw: usize, a: usize, b: usize, s: usize, y: usize, m: i32, n: i32): void {
  const rest = <usize>n;
  const nb = rest << 2;
  pad_in(3, b, rest);
  let d0 = f32x4.splat(0), w0 = f32x4.splat(0);
  for (let r: usize = 0; r < <usize>m; r++) {
    const av = v128.load32_splat(a + (r << 2));
    const row = r * nb;
    pad_in(1, s + row, rest);
    const v = grad_f32x4<A>(f32x4.mul(av, v128.load(PAD, 48)), v128.load(PAD, 16));
    v128.store(PAD, v, 32);
    pad_out(dz + row, 2, rest);
    d0 = f32x4.add(d0, v);
    pad_in(1, y + row, rest);
    w0 = f32x4.add(w0, f32x4.mul(av, v128.load(PAD, 16)));
  }
  v128.store(PAD, d0, 32);
  v128.store(PAD, w0, 48);
  for (let l: usize = 0; l < rest; l++) {
    if (db != 0) store<f32>(db + (l << 2), load<f32>(PAD + 32 + (l << 2)));
    if (dw != 0) store<f32>(dw + (l << 2), load<f32>(PAD + 48 + (l << 2)));
  }
}
