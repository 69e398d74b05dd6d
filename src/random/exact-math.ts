/**
 * exp, log, log1p, sin, cos and a positive-base pow built only from IEEE-754 basic operations
 * (+ − × ÷, comparisons, exact bit moves), so every JavaScript engine returns the same bits. Math.exp,
 * log, sin, cos, log1p and pow are only specified to be "implementation-approximated": V8 versions
 * already differ in the last bit, which would let a sampler's path depend on the engine.
 *
 * The algorithms are Sun's fdlibm (e_exp.c, e_log.c, s_log1p.c, k_sin.c, k_cos.c and the medium-size
 * branch of e_rem_pio2.c): argument reduction to a small interval, then a minimax polynomial or
 * rational form on it with fdlibm's coefficients. Each is documented there as within 1 ulp.
 */
import { argError } from '../errors.js';

const view = new DataView(new ArrayBuffer(8));

function highWord(x: number): number {
  view.setFloat64(0, x, true);
  return view.getInt32(4, true);
}

function lowWord(x: number): number {
  view.setFloat64(0, x, true);
  return view.getUint32(0, true);
}

function fromWords(high: number, low: number): number {
  view.setInt32(4, high | 0, true);
  view.setUint32(0, low >>> 0, true);
  return view.getFloat64(0, true);
}

/** x with its high word replaced (the low word kept). */
function withHighWord(x: number, high: number): number {
  return fromWords(high, lowWord(x));
}

/** 2^k for a normal power, −1022 ≤ k ≤ 1023 (exact). */
function pow2(k: number): number {
  return fromWords((k + 1023) << 20, 0);
}

const LN2_HI = 6.9314718036912381649e-1;
const LN2_LO = 1.90821492927058770002e-10;
const TWO54 = 1.8014398509481984e16;

// exp: x = k·ln2 + r with |r| ≤ ln2/2; exp(r) = 1 + 2r/(2 − c), c = r − r²·P(r²) (Remez, |error| < 2^−59).
const EXP_OVER = 7.09782712893383973096e2;
const EXP_UNDER = -7.4513321910194110842e2;
const INV_LN2 = 1.442695040888963387;
const P1 = 1.66666666666666019037e-1;
const P2 = -2.77777777770155933842e-3;
const P3 = 6.61375632143793436117e-5;
const P4 = -1.6533902205465251539e-6;
const P5 = 4.13813679705723846039e-8;

/** e^x, within 1 ulp, the same bits in every engine. */
export function exp(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x > EXP_OVER) return Infinity;
  if (x < EXP_UNDER) return 0;
  // fdlibm's interval tests compare the high word of |x| only.
  const hx = highWord(x) & 0x7fffffff;
  let hi = 0;
  let lo = 0;
  let k = 0;
  if (hx > 0x3fd62e42) {
    // |x| > ln2/2: reduce; by ±ln2 directly while |x| < 1.5·ln2.
    if (hx < 0x3ff0a2b2) {
      k = x < 0 ? -1 : 1;
      hi = x - k * LN2_HI;
      lo = k * LN2_LO;
    } else {
      k = Math.trunc(INV_LN2 * x + (x < 0 ? -0.5 : 0.5));
      hi = x - k * LN2_HI;
      lo = k * LN2_LO;
    }
  } else if (hx < 0x3e300000) {
    // |x| < 2^−28: e^x rounds to 1 + x.
    return 1 + x;
  }
  if (k === 0) {
    const t = x * x;
    const c = x - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
    return 1 - ((x * c) / (c - 2) - x);
  }
  const r = hi - lo;
  const t = r * r;
  const c = r - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
  const y = 1 - ((lo - (r * c) / (2 - c)) - hi);
  // Scale by 2^k: exact while the result is normal; a subnormal result is rounded once, by the last product.
  if (k >= -1021) return k === 1024 ? y * 2 * pow2(1023) : y * pow2(k);
  return y * pow2(k + 1000) * pow2(-1000);
}

// log: x = 2^k·(1 + f) with √2/2 ≤ 1 + f < √2; log(1 + f) = f − hfsq + s·(hfsq + R), s = f/(2 + f).
const LG1 = 6.666666666666735130e-1;
const LG2 = 3.999999999940941908e-1;
const LG3 = 2.857142874366239149e-1;
const LG4 = 2.222219843214978396e-1;
const LG5 = 1.818357216161805012e-1;
const LG6 = 1.531383769920937332e-1;
const LG7 = 1.479819860511658591e-1;

/** The natural logarithm, within 1 ulp, the same bits in every engine. */
export function log(x: number): number {
  if (Number.isNaN(x) || x < 0) return NaN;
  if (x === 0) return -Infinity;
  if (x === Infinity) return Infinity;
  let k = 0;
  let hx = highWord(x);
  if (hx < 0x00100000) {
    // Subnormal: scale into the normal range first.
    k -= 54;
    x *= TWO54;
    hx = highWord(x);
  }
  k += (hx >> 20) - 1023;
  hx &= 0x000fffff;
  // i is 0x100000 when the mantissa is ≥ √2 (then x is halved and k raised).
  const i = (hx + 0x95f64) & 0x100000;
  x = withHighWord(x, hx | (i ^ 0x3ff00000));
  k += i >> 20;
  const f = x - 1;
  const dk = k;
  if ((0x000fffff & (2 + hx)) < 3) {
    // |f| < 2^−20: a short series suffices.
    if (f === 0) return k === 0 ? 0 : dk * LN2_HI + dk * LN2_LO;
    const R = f * f * (0.5 - 0.33333333333333333 * f);
    return k === 0 ? f - R : dk * LN2_HI - ((R - dk * LN2_LO) - f);
  }
  const s = f / (2 + f);
  const z = s * s;
  const w = z * z;
  const t1 = w * (LG2 + w * (LG4 + w * LG6));
  const t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
  const R = t2 + t1;
  if (((hx - 0x6147a) | (0x6b851 - hx)) > 0) {
    const hfsq = 0.5 * f * f;
    return k === 0 ? f - (hfsq - s * (hfsq + R)) : dk * LN2_HI - ((hfsq - (s * (hfsq + R) + dk * LN2_LO)) - f);
  }
  return k === 0 ? f - s * (f - R) : dk * LN2_HI - ((s * (f - R) - dk * LN2_LO) - f);
}

/** log(1 + x), within 1 ulp and accurate for tiny x, the same bits in every engine. */
export function log1p(x: number): number {
  if (Number.isNaN(x) || x < -1) return NaN;
  if (x === -1) return -Infinity;
  if (x === Infinity) return Infinity;
  const hx = highWord(x);
  const ax = hx & 0x7fffffff;
  let k = 1;
  let f = 0;
  let hu = 0;
  let c = 0;
  if (hx < 0x3fda827a) {
    // 1 + x < √2 (every negative x lands here).
    if (ax < 0x3e200000) {
      // |x| < 2^−29: log1p(x) = x − x²/2 to working precision (x itself below 2^−54).
      return ax < 0x3c900000 ? x : x - x * x * 0.5;
    }
    if (hx > 0 || hx <= (0xbfd2bec4 | 0)) {
      // √2/2 ≤ 1 + x < √2: no reduction needed.
      k = 0;
      f = x;
      hu = 1;
    }
  }
  if (k !== 0) {
    let u: number;
    if (hx < 0x43400000) {
      u = 1 + x;
      hu = highWord(u);
      k = (hu >> 20) - 1023;
      // The rounding error of 1 + x, carried separately so it is not lost.
      c = k > 0 ? 1 - (u - x) : x - (u - 1);
      c /= u;
    } else {
      u = x;
      hu = highWord(u);
      k = (hu >> 20) - 1023;
      c = 0;
    }
    hu &= 0x000fffff;
    if (hu < 0x6a09e) {
      u = withHighWord(u, hu | 0x3ff00000);
    } else {
      k += 1;
      u = withHighWord(u, hu | 0x3fe00000);
      hu = (0x00100000 - hu) >> 2;
    }
    f = u - 1;
  }
  const hfsq = 0.5 * f * f;
  if (hu === 0) {
    // |f| < 2^−20.
    if (f === 0) return k === 0 ? 0 : k * LN2_HI + (c + k * LN2_LO);
    const R = hfsq * (1 - 0.66666666666666666 * f);
    return k === 0 ? f - R : k * LN2_HI - ((R - (k * LN2_LO + c)) - f);
  }
  const s = f / (2 + f);
  const z = s * s;
  const R = z * (LG1 + z * (LG2 + z * (LG3 + z * (LG4 + z * (LG5 + z * (LG6 + z * LG7))))));
  return k === 0 ? f - (hfsq - s * (hfsq + R)) : k * LN2_HI - ((hfsq - (s * (hfsq + R) + (k * LN2_LO + c))) - f);
}

// sin/cos: |x| = n·π/2 + (y0 + y1) with |y0 + y1| ≤ π/4, π/2 split into 33-bit pieces so n·piece is exact.
const INV_PIO2 = 6.36619772367581382433e-1;
const PIO2_1 = 1.57079632673412561417;
const PIO2_1T = 6.07710050650619224932e-11;
const PIO2_2 = 6.0771005063039659766e-11;
const PIO2_2T = 2.02226624879595063154e-21;
const PIO2_3 = 2.0222662487111664558e-21;
const PIO2_3T = 8.47842766036889956997e-32;
const PIO4 = 0.7853981633974483;

/**
 * The largest |x| sin and cos accept: 2^19·π/2, where the three-piece reduction stays exact (fdlibm's
 * medium range). Box–Muller needs only [0, 2π).
 */
export const TRIG_MAX = 823549.6608914963;

const reduced = new Float64Array(2);

/** Writes |x| − n·π/2 as reduced[0] + reduced[1] and returns n (0 ≤ |x| ≤ TRIG_MAX). */
function reducePio2(ax: number): number {
  const n = Math.trunc(ax * INV_PIO2 + 0.5);
  let r = ax - n * PIO2_1;
  let w = n * PIO2_1T;
  let y0 = r - w;
  const j = highWord(ax) >> 20;
  // Heavy cancellation (|x| near a multiple of π/2): subtract the next 33 bits of π/2, up to twice.
  if (j - ((highWord(y0) >> 20) & 0x7ff) > 16) {
    let t = r;
    w = n * PIO2_2;
    r = t - w;
    w = n * PIO2_2T - ((t - r) - w);
    y0 = r - w;
    if (j - ((highWord(y0) >> 20) & 0x7ff) > 49) {
      t = r;
      w = n * PIO2_3;
      r = t - w;
      w = n * PIO2_3T - ((t - r) - w);
      y0 = r - w;
    }
  }
  reduced[0] = y0;
  reduced[1] = (r - y0) - w;
  return n;
}

const S1 = -1.66666666666666324348e-1;
const S2 = 8.33333333332248946124e-3;
const S3 = -1.98412698298579493134e-4;
const S4 = 2.75573137070700676789e-6;
const S5 = -2.50507602534068634195e-8;
const S6 = 1.58969099521155010221e-10;

/** sin(x + y) for |x + y| ≤ π/4; `tail` says whether y (the tail of a reduced x) is used at all. */
function kernelSin(x: number, y: number, tail: boolean): number {
  if (Math.abs(x) < 7.450580596923828e-9) return x;
  const z = x * x;
  const v = z * x;
  const r = S2 + z * (S3 + z * (S4 + z * (S5 + z * S6)));
  return !tail ? x + v * (S1 + z * r) : x - ((z * (0.5 * y - v * r) - y) - v * S1);
}

const C1 = 4.16666666666666019037e-2;
const C2 = -1.38888888888741095749e-3;
const C3 = 2.48015872894767294178e-5;
const C4 = -2.75573143513906633035e-7;
const C5 = 2.0875723212981748279e-9;
const C6 = -1.13596475577881948265e-11;

/** cos(x + y) for |x + y| ≤ π/4. */
function kernelCos(x: number, y: number): number {
  const ix = highWord(x) & 0x7fffffff;
  if (ix < 0x3e400000) return 1;
  const z = x * x;
  const r = z * (C1 + z * (C2 + z * (C3 + z * (C4 + z * (C5 + z * C6)))));
  if (ix < 0x3fd33333) return 1 - (0.5 * z - (z * r - x * y));
  // 1 − z/2 loses bits for |x| ≥ 0.3: subtract a quarter of x² (qx, exact) first.
  const qx = ix > 0x3fe90000 ? 0.28125 : fromWords(ix - 0x00200000, 0);
  const hz = 0.5 * z - qx;
  return (1 - qx) - (hz - (z * r - x * y));
}

function checkTrig(x: number, name: string): void {
  if (Math.abs(x) > TRIG_MAX) {
    throw argError('E_ARG', `${name}(x)`, `|x| ≤ ${TRIG_MAX} (2^19·π/2)`, String(x), 'Reduce the angle modulo 2π first; the engine-independent sine and cosine cover only this range.');
  }
}

/** sin x for |x| ≤ TRIG_MAX (NaN for NaN and ±Infinity), within 1 ulp, the same bits in every engine. */
export function sin(x: number): number {
  if (!Number.isFinite(x)) return NaN;
  checkTrig(x, 'sin');
  const ax = Math.abs(x);
  let v: number;
  if (ax <= PIO4) {
    v = kernelSin(ax, 0, false);
  } else {
    const n = reducePio2(ax);
    const [y0, y1] = reduced;
    const s = (n & 1) === 0 ? kernelSin(y0, y1, true) : kernelCos(y0, y1);
    v = (n & 2) === 0 ? s : -s;
  }
  return x < 0 || Object.is(x, -0) ? -v : v;
}

/** cos x for |x| ≤ TRIG_MAX (NaN for NaN and ±Infinity), within 1 ulp, the same bits in every engine. */
export function cos(x: number): number {
  if (!Number.isFinite(x)) return NaN;
  checkTrig(x, 'cos');
  const ax = Math.abs(x);
  if (ax <= PIO4) return kernelCos(ax, 0);
  const n = reducePio2(ax);
  const [y0, y1] = reduced;
  switch (n & 3) {
    case 0:
      return kernelCos(y0, y1);
    case 1:
      return -kernelSin(y0, y1, true);
    case 2:
      return -kernelCos(y0, y1);
    default:
      return kernelSin(y0, y1, true);
  }
}

/**
 * x^y for finite x > 0 and finite y, as exp(y·log x): the same bits in every engine, relative error
 * within about (|y·log x| + 2)·2^−52 of x^y (the rounding of log x is magnified by y). Enough for a step-size
 * schedule's t^−κ; not a general pow.
 */
export function powPositive(x: number, y: number): number {
  if (!(x > 0) || !Number.isFinite(x) || !Number.isFinite(y)) {
    throw argError('E_ARG', 'powPositive(x, y)', 'finite x > 0 and finite y', `x = ${x}, y = ${y}`, 'Use Math.pow for other arguments; this power serves only positive bases.');
  }
  if (y === 0 || x === 1) return 1;
  return exp(y * log(x));
}
