// Property test over sampleChains with a user's log density that misbehaves somewhere (NaN, ±Infinity,
// a throw, a gradient entry left unwritten or not finite, a value that is not a number, theta changed)
// and options drawn valid and invalid: a BdlError, or draws of the promised shape that are all finite
// — never another error, never a NaN draw, never a hang.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BdlError } from '../../src/errors.js';
import { sampleChains } from '../../src/samplers/sample-chains.js';
import { fuzz } from '../helpers/fuzz.js';

/** What logDensity does where `q[0] > at` (elsewhere: a standard normal). */
const FAULTS: Record<string, string> = {
  none: '',
  nan: 'return NaN;',
  inf: 'return Infinity;',
  neginf: 'return -Infinity;',
  huge: 'return 1e308;',
  throws: 'throw new Error("boom");',
  string: 'return "1";',
  'grad-nan': 'g[0] = NaN; return lp;',
  'grad-inf': 'g[d - 1] = Infinity; return lp;',
  'grad-unwritten': 'for (let i = 0; i < d; i++) g[i] = undefined; return lp;',
  'grad-past-end': 'g[d] = 1; g[d + 5] = 1; return lp;',
  'theta-changed': 'q[0] = 0; return lp;',
  promise: 'return Promise.resolve(lp);',
  'grad-huge': 'g[0] = 1e300; return lp;',
};

/** Mostly one of `good`, now and then one of `bad`. */
const mostly = (good: unknown[], bad: unknown[]) => fc.oneof({ weight: 12, arbitrary: fc.constantFrom(...good) }, { weight: 1, arbitrary: fc.constantFrom(...bad) });
const dims = fc.constantFrom<unknown>(1, 2, 3, 0, -1, 1.5, '2', 1e9);
const moduleArb = fc.record({ fault: fc.constantFrom(...Object.keys(FAULTS)), at: fc.constantFrom(-10, -1, 0, 0.5, 1.5, 10), dim: fc.oneof({ weight: 12, arbitrary: fc.constantFrom(1, 2, 3) }, { weight: 1, arbitrary: dims }), init: mostly([undefined, undefined, 'ok'], ['nan', 'short', 'throws']) });

function url(m: { fault: string; at: number; dim: unknown; init: unknown }): string {
  const d = typeof m.dim === 'number' && Number.isInteger(m.dim) && m.dim >= 1 && m.dim <= 3 ? m.dim : 2;
  const init = m.init === 'ok' ? `export function init() { return new Array(${d}).fill(0.1); }` : m.init === 'nan' ? `export function init() { return new Array(${d}).fill(NaN); }` : m.init === 'short' ? 'export function init() { return [0.1].slice(0, 0); }' : m.init === 'throws' ? 'export function init() { throw new Error("no"); }' : '';
  const src = `export const dim = ${JSON.stringify(m.dim)}; ${init} export function logDensity(q, g) { const d = ${d}; let lp = 0; for (let i = 0; i < d; i++) { g[i] = -q[i]; lp -= 0.5 * q[i] * q[i]; } if (q[0] > ${m.at}) { ${FAULTS[m.fault]} } return lp; }`;
  return `data:text/javascript,${encodeURIComponent(src)}`;
}

const options = fc.record(
  {
    chains: mostly([1, 2], [0, -1, 1.5, '2']),
    warmup: mostly([0, 1, 3, 8, 15], [-1, NaN, 0.5]),
    draws: mostly([1, 2, 5, 12], [0, -3, Infinity]),
    thin: mostly([1, 2, 5, 100], [0, 1.5]),
    seed: mostly([0, 1, 7, 2 ** 32 - 1], [-1, 2 ** 40]),
    metric: mostly(['diag', 'dense', 'auto'], ['x']),
    kernel: mostly([{ type: 'nuts', maxTreeDepth: 4 }, { type: 'nuts', maxTreeDepth: 1 }, { type: 'hmc', steps: 4 }, { type: 'hmc', steps: 1, jitter: 0.9 }], [{ type: 'nuts', maxTreeDepth: 0 }, { type: 'hmc', steps: 4, jitter: 2 }, { type: 'x' }]),
    initRadius: mostly([2, 0.1, 100, 1e-9], [0, -1]),
    returns: mostly(['draws'], ['predictive', 'both']),
  },
  { requiredKeys: [] },
);

describe('sampleChains, a user log density that misbehaves somewhere, with any options', () => {
  it('a BdlError, or finite draws of chains × count × dim', async () => {
    await fc.assert(
      fc.asyncProperty(moduleArb, options, async (m, o) => {
        const opts = { chains: 1, warmup: 5, draws: 5, ...o, kernel: o.kernel ?? { type: 'nuts', maxTreeDepth: 4 }, poolSize: 0 } as Record<string, unknown>;
        const before = JSON.stringify(opts);
        let r;
        try {
          r = await sampleChains({ type: 'module', url: url(m) }, opts as never);
        } catch (e) {
          if (!(e instanceof BdlError)) throw e;
          expect(JSON.stringify(opts)).toBe(before);
          return;
        }
        expect(JSON.stringify(opts)).toBe(before);
        expect(r.dim).toBe(m.dim);
        expect(r.draws).not.toBeNull();
        expect(r.draws!.length).toBe(opts.chains);
        for (const d of r.draws!) {
          expect(d.length).toBe(r.count * r.dim);
          expect(d.every(Number.isFinite), `${m.fault}: ${Array.from(d)}`).toBe(true);
        }
        expect(r.count).toBe(Math.ceil((opts.draws as number) / ((opts.thin as number | undefined) ?? 1)));
      }),
      fuzz(60),
    );
  }, 60_000);
});
