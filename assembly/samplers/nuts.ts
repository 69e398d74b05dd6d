// The f64 passes over the momenta that NUTS makes at every leaf and every merge of two subtrees
// (src/samplers/nuts.ts). In JavaScript each typed-array access in these many-array loops costs a
// map check, a base reload and a bounds check; here they are plain f64x2 loads. Sums run in two
// lanes (even and odd indices) added at the end; an odd last element is added to lane 0.

/**
 * The first half of a leapfrog step from one point to a new one: pTo = p + ½ε·g, then
 * qTo = q + ε·M⁻¹pTo (M⁻¹ = invM, diagonal). The starting point is left as it was: a NUTS
 * trajectory keeps its points (its ends, its proposals) where the leaves wrote them, not in copies.
 */
export function leapfrog_kick_drift_f64(qTo: usize, pTo: usize, q: usize, p: usize, g: usize, invM: usize, eps: f64, n: i32): void {
  const half = f64x2.splat(0.5 * eps);
  const e = f64x2.splat(eps);
  const bytes = <usize>n << 3;
  let o: usize = 0;
  for (; o + 16 <= bytes; o += 16) {
    const pi = f64x2.add(v128.load(p + o), f64x2.mul(half, v128.load(g + o)));
    v128.store(pTo + o, pi);
    v128.store(qTo + o, f64x2.add(v128.load(q + o), f64x2.mul(e, f64x2.mul(v128.load(invM + o), pi))));
  }
  if (o < bytes) {
    const pi = load<f64>(p + o) + 0.5 * eps * load<f64>(g + o);
    store<f64>(pTo + o, pi);
    store<f64>(qTo + o, load<f64>(q + o) + eps * (load<f64>(invM + o) * pi));
  }
}

/**
 * A NUTS leaf's closing half-kick and its velocity, in one pass: p += half·g; v = M⁻¹p. Returns
 * Σ v·p + Σ g·0, which is NaN iff some gradient entry is not finite (the caller then rejects the point).
 */
export function nuts_leaf_f64(p: usize, g: usize, invM: usize, half: f64, v: usize, n: i32): f64 {
  const h = f64x2.splat(half);
  const zero = f64x2.splat(0);
  let k = zero;
  let finite = zero;
  const bytes = <usize>n << 3;
  let o: usize = 0;
  for (; o + 16 <= bytes; o += 16) {
    const gi = v128.load(g + o);
    finite = f64x2.add(finite, f64x2.mul(gi, zero));
    const pi = f64x2.add(v128.load(p + o), f64x2.mul(h, gi));
    const vi = f64x2.mul(v128.load(invM + o), pi);
    k = f64x2.add(k, f64x2.mul(vi, pi));
    v128.store(p + o, pi);
    v128.store(v + o, vi);
  }
  let s = f64x2.extract_lane(k, 0) + f64x2.extract_lane(finite, 0);
  if (o < bytes) {
    const gi = load<f64>(g + o);
    const pi = load<f64>(p + o) + half * gi;
    const vi = load<f64>(invM + o) * pi;
    s += vi * pi + gi * 0;
    store<f64>(p + o, pi);
    store<f64>(v + o, vi);
  }
  return s + (f64x2.extract_lane(k, 1) + f64x2.extract_lane(finite, 1));
}

/**
 * Joins subtree A (earlier in time) and subtree B (later): rho = ρ_A + ρ_B (rho may be ρ_A or ρ_B:
 * each element is read before it is written), and Stan's three U-turn
 * checks — over the whole span (velocities vBeg, vEnd at its ends), over A extended by B's first
 * point (momentum pBBeg, velocity vBBeg) and over B extended by A's last point (pAEnd, vAEnd). A
 * span passes when both end velocities have a positive dot product with its summed momentum.
 * Returns 1 when all three pass (no U-turn), else 0.
 */
export function nuts_merge_f64(rho: usize, rhoA: usize, rhoB: usize, vBeg: usize, vEnd: usize, pAEnd: usize, vAEnd: usize, pBBeg: usize, vBBeg: usize, n: i32): i32 {
  let plus = f64x2.splat(0), minus = f64x2.splat(0);
  let plusA = f64x2.splat(0), minusA = f64x2.splat(0);
  let plusB = f64x2.splat(0), minusB = f64x2.splat(0);
  const bytes = <usize>n << 3;
  let o: usize = 0;
  for (; o + 16 <= bytes; o += 16) {
    const ra = v128.load(rhoA + o);
    const rb = v128.load(rhoB + o);
    const r = f64x2.add(ra, rb);
    v128.store(rho + o, r);
    const vb = v128.load(vBeg + o);
    const ve = v128.load(vEnd + o);
    plus = f64x2.add(plus, f64x2.mul(ve, r));
    minus = f64x2.add(minus, f64x2.mul(vb, r));
    const rA = f64x2.add(ra, v128.load(pBBeg + o));
    plusA = f64x2.add(plusA, f64x2.mul(v128.load(vBBeg + o), rA));
    minusA = f64x2.add(minusA, f64x2.mul(vb, rA));
    const rB = f64x2.add(rb, v128.load(pAEnd + o));
    plusB = f64x2.add(plusB, f64x2.mul(ve, rB));
    minusB = f64x2.add(minusB, f64x2.mul(v128.load(vAEnd + o), rB));
  }
  let s0 = f64x2.extract_lane(plus, 0), s1 = f64x2.extract_lane(minus, 0);
  let s2 = f64x2.extract_lane(plusA, 0), s3 = f64x2.extract_lane(minusA, 0);
  let s4 = f64x2.extract_lane(plusB, 0), s5 = f64x2.extract_lane(minusB, 0);
  if (o < bytes) {
    const ra = load<f64>(rhoA + o);
    const rb = load<f64>(rhoB + o);
    const r = ra + rb;
    store<f64>(rho + o, r);
    const vb = load<f64>(vBeg + o);
    const ve = load<f64>(vEnd + o);
    s0 += ve * r;
    s1 += vb * r;
    const rA = ra + load<f64>(pBBeg + o);
    s2 += load<f64>(vBBeg + o) * rA;
    s3 += vb * rA;
    const rB = rb + load<f64>(pAEnd + o);
    s4 += ve * rB;
    s5 += load<f64>(vAEnd + o) * rB;
  }
  s0 += f64x2.extract_lane(plus, 1);
  s1 += f64x2.extract_lane(minus, 1);
  s2 += f64x2.extract_lane(plusA, 1);
  s3 += f64x2.extract_lane(minusA, 1);
  s4 += f64x2.extract_lane(plusB, 1);
  s5 += f64x2.extract_lane(minusB, 1);
  return <i32>(s0 > 0 && s1 > 0 && s2 > 0 && s3 > 0 && s4 > 0 && s5 > 0);
}

/**
 * nuts_merge_f64 for two single leaves A then B (momenta pA, pB; velocities vA, vB): each is then
 * both ends of its subtree and its own ρ, so the three checks reduce to one span, ρ = pA + pB, seen
 * from both ends. Same sums in the same order as nuts_merge_f64 given those vectors, so the same
 * result, bit for bit, from half the reads. rho may be any of the four.
 */
export function nuts_merge_leaves_f64(rho: usize, pA: usize, vA: usize, pB: usize, vB: usize, n: i32): i32 {
  let plus = f64x2.splat(0), minus = f64x2.splat(0);
  const bytes = <usize>n << 3;
  let o: usize = 0;
  for (; o + 16 <= bytes; o += 16) {
    const r = f64x2.add(v128.load(pA + o), v128.load(pB + o));
    plus = f64x2.add(plus, f64x2.mul(v128.load(vB + o), r));
    minus = f64x2.add(minus, f64x2.mul(v128.load(vA + o), r));
    v128.store(rho + o, r);
  }
  let s0 = f64x2.extract_lane(plus, 0), s1 = f64x2.extract_lane(minus, 0);
  if (o < bytes) {
    const r = load<f64>(pA + o) + load<f64>(pB + o);
    s0 += load<f64>(vB + o) * r;
    s1 += load<f64>(vA + o) * r;
    store<f64>(rho + o, r);
  }
  s0 += f64x2.extract_lane(plus, 1);
  s1 += f64x2.extract_lane(minus, 1);
  return <i32>(s0 > 0 && s1 > 0);
}
