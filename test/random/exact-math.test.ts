import { describe, expect, it } from 'vitest';
import { cos, exp, log, log1p, powPositive, sin, TRIG_MAX } from '../../src/random/exact-math.js';
import { BdlError } from '../../src/errors.js';

const bits = new Float64Array(1);
const words = new BigInt64Array(bits.buffer);

/** Distance in ulps between two doubles of one sign (NaN to NaN and equal values: 0). */
function ulps(a: number, b: number): number {
  if (Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b))) return 0;
  bits[0] = a;
  const x = words[0];
  bits[0] = b;
  const y = words[0];
  return Number(x > y ? x - y : y - x);
}

/** A fixed uniform stream in [0, 1) (an LCG: engine-independent integer arithmetic). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 4294967296;
  };
}

const EDGES = [0, -0, 5e-324, -5e-324, 2.2250738585072014e-308, 1e-300, 1e-20, 1e-10, 0.5, 1, 2, Math.PI, 1e300, 1.7976931348623157e308, -1e300, Infinity, -Infinity, NaN];

describe('exact math', () => {
  const N = 100_000;
  const cases: [string, (x: number) => number, (x: number) => number, (u: () => number) => number][] = [
    ['exp', exp, Math.exp, (u) => u() * 1490 - 745],
    ['log', log, Math.log, (u) => Math.exp(u() * 1400 - 700)],
    ['log1p', log1p, Math.log1p, (u) => (u() < 0.5 ? u() * 2 - 1 : Math.exp(u() * 200 - 100))],
    ['sin', sin, Math.sin, (u) => u() * 2 * Math.PI * (u() < 0.8 ? 1 : 1000)],
    ['cos', cos, Math.cos, (u) => u() * 2 * Math.PI * (u() < 0.8 ? 1 : 1000)],
  ];

  it.each(cases)('%s is within 1 ulp of Math over 100 000 inputs and the edge cases', (_, f, ref, gen) => {
    const u = lcg(7);
    let worst = 0;
    for (let i = 0; i < N; i++) {
      const x = gen(u);
      worst = Math.max(worst, ulps(f(x), ref(x)));
    }
    expect(worst).toBeLessThanOrEqual(1);
    for (const x of EDGES) {
      if (Math.abs(x) > TRIG_MAX && (f === sin || f === cos)) continue;
      expect(ulps(f(x), ref(x)), `at ${x}`).toBeLessThanOrEqual(Object.is(ref(x), -0) || Object.is(ref(x), 0) ? 0 : 1);
      // Signed zeros must be exact, not merely close.
      if (ref(x) === 0) expect(Object.is(f(x), ref(x)), `sign of zero at ${x}`).toBe(true);
    }
  });

  it('is within 1 ulp of correctly rounded constants where Math itself may be 1 ulp off', () => {
    // Math.E, Math.LN2, Math.LN10, Math.SQRT1_2 are the correctly rounded values (specified exactly).
    expect(ulps(exp(1), Math.E)).toBeLessThanOrEqual(1);
    expect(ulps(log(2), Math.LN2)).toBeLessThanOrEqual(1);
    expect(ulps(log(10), Math.LN10)).toBeLessThanOrEqual(1);
    expect(ulps(log1p(1), Math.LN2)).toBeLessThanOrEqual(1);
    expect(ulps(sin(Math.PI / 4), Math.SQRT1_2)).toBeLessThanOrEqual(1);
    expect(ulps(cos(Math.PI / 4), Math.SQRT1_2)).toBeLessThanOrEqual(1);
  });

  it('log1p keeps tiny arguments exact and reaches −Infinity at −1', () => {
    expect(log1p(1e-300)).toBe(1e-300);
    expect(log1p(-1)).toBe(-Infinity);
    expect(log1p(-1.5)).toBeNaN();
    expect(log(-1)).toBeNaN();
  });

  it('sin and cos refuse angles beyond 2^19·π/2 and give NaN for ±Infinity', () => {
    expect(sin(TRIG_MAX)).toBeCloseTo(Math.sin(TRIG_MAX), 12);
    expect(() => sin(TRIG_MAX * 2)).toThrowError(BdlError);
    expect(() => cos(-1e7)).toThrowError(/cos\(x\): expected \|x\| ≤/);
    expect(sin(Infinity)).toBeNaN();
    expect(cos(NaN)).toBeNaN();
  });

  it('powPositive is within (|y·log x| + 2)·2^−52 of Math.pow and refuses other bases', () => {
    const u = lcg(11);
    let worst = 0;
    for (let i = 0; i < 20_000; i++) {
      const x = 1 + Math.floor(u() * 1e6);
      const y = -u() * 2;
      const tol = (Math.abs(y * Math.log(x)) + 2) * 2 ** -52;
      worst = Math.max(worst, Math.abs(powPositive(x, y) / Math.pow(x, y) - 1) / tol);
    }
    expect(worst).toBeLessThanOrEqual(1);
    expect(powPositive(1, -0.75)).toBe(1);
    expect(powPositive(7, 0)).toBe(1);
    expect(() => powPositive(0, 1)).toThrowError(BdlError);
    expect(() => powPositive(-2, 0.5)).toThrowError(/powPositive\(x, y\): expected finite x > 0/);
  });

  it('gives the same bits in every engine: one hash over a fixed input set', () => {
    const u = lcg(2024);
    let h1 = 0x811c9dc5;
    let h2 = 0x811c9dc5;
    const u32 = new Uint32Array(bits.buffer);
    const mix = (v: number) => {
      bits[0] = v;
      h1 = Math.imul(h1 ^ u32[0], 16777619) >>> 0;
      h2 = Math.imul(h2 ^ u32[1], 16777619) >>> 0;
    };
    for (let i = 0; i < 50_000; i++) {
      const a = u() * 60 - 30;
      mix(exp(a));
      mix(log(Math.abs(a) + 1e-9));
      mix(log1p(u() * 4 - 0.999));
      const t = 2 * Math.PI * u();
      mix(sin(t));
      mix(cos(t));
      mix(powPositive(1 + i, -0.75));
    }
    for (const x of EDGES) for (const f of [exp, log, log1p]) mix(f(x));
    expect(h1.toString(16) + ':' + h2.toString(16)).toBe('dc28c24a:b0aaebad');
  });
});
