// A user's target module, hostile or sloppy: every mistake is a BdlError naming the module and what
// it returned, never draws (runs in Node and Chromium: data: URLs, no node:fs).
import { describe, expect, it } from 'vitest';
import { loadUserTarget } from '../../src/samplers/chain-task.js';
import { runChain } from '../../src/samplers/index.js';
import { failure } from './helpers.js';

const GAUSS = 'g[0] = -q[0]; g[1] = -q[1]; const lp = -0.5 * (q[0] * q[0] + q[1] * q[1]);';
const url = (src: string) => `data:text/javascript,${encodeURIComponent(src)}`;
const module2 = (body: string, extra = '') => url(`export const dim = 2; ${extra} export function logDensity(q, g) { ${body} }`);

async function sampled(u: string) {
  const { target } = await loadUserTarget(u);
  return runChain(target, { seed: 1, warmup: 30, draws: 20, yieldEveryMs: 0 });
}

describe('user target modules', () => {
  it('a valid module samples as before', async () => {
    const r = await sampled(module2(`${GAUSS} return lp;`));
    expect(r.samples!.count).toBe(20);
    expect(r.samples!.draws.every(Number.isFinite)).toBe(true);
  });

  it('a logDensity that mutates theta is refused, naming the entry (not silently sampled)', async () => {
    const e = await failure(sampled(module2(`${GAUSS} q[0] = 0; return lp;`)));
    expect(e.code).toBe('E_ARG');
    expect(e.message).toMatch(/target module data:text\/javascript.*logDensity\(theta, grad\): expected theta left unchanged, found theta\[0\] changed/);
  });

  it.each([
    ['a Promise (async logDensity)', url(`export const dim = 2; export async function logDensity(q, g) { ${GAUSS} return lp; }`), /found a Promise/],
    ['a string', module2(`${GAUSS} return String(lp);`), /found "-?[0-9.e-]+"/],
    ['undefined (no return)', module2(GAUSS), /found undefined/],
    ['an array [lp, grad]', module2(`${GAUSS} return [lp, g];`), /found Array\(2\)/],
  ])('a logDensity returning %s is an error naming what it returned', async (_, u, found) => {
    const e = await failure(sampled(u));
    expect(e.code).toBe('E_ARG');
    expect(e.message).toMatch(/logDensity\(theta, grad\): expected a number/);
    expect(e.message).toMatch(found);
  });

  it('a logDensity that throws is an error naming the module, θ and the message', async () => {
    const e = await failure(sampled(module2('throw new Error("boom");')));
    expect(e.message).toMatch(/^target module data:text\/javascript.*: logDensity threw at θ = \[.*\]: boom\./);
    const e2 = await failure(sampled(module2('throw "plain string";')));
    expect(e2.message).toMatch(/logDensity threw at θ = .*: plain string\./);
  });

  it('a gradient entry left unwritten rejects the point instead of reusing a stale value', async () => {
    // Only g[0] is written: every point is outside the support, so no start is found.
    const e = await failure(sampled(module2('g[0] = -q[0]; return -0.5 * (q[0] * q[0] + q[1] * q[1]);')));
    expect(e.code).toBe('E_NONFINITE');
    expect(e.message).toMatch(/^init: the log density or its gradient was not finite/);
  });

  it('init() returning non-finite values, throwing, or a Promise is an error naming it', async () => {
    const nan = await failure(sampled(module2('return 1;', 'export function init() { return [NaN, 0]; }')));
    expect(nan.code).toBe('E_NONFINITE');
    expect(nan.message).toMatch(/^target\.init\(\): expected finite numbers, found \[NaN, 0\]/);
    const threw = await failure(sampled(module2(`${GAUSS} return lp;`, 'export function init() { throw new Error("no init"); }')));
    expect(threw.message).toMatch(/init\(rng\) threw: no init/);
    const promised = await failure(sampled(module2(`${GAUSS} return lp;`, 'export async function init() { return [0, 0]; }')));
    expect(promised.message).toMatch(/init\(rng\): expected 2 initial values, returned synchronously, found a Promise/);
  });

  it('a huge dim and names that are not strings are refused before any work', async () => {
    const huge = await failure(loadUserTarget(url('export const dim = 2 ** 40; export function logDensity() { return 0; }')));
    expect(huge.message).toMatch(/target module: expected exports dim \(an integer from 1 to 536870912\).*found dim 1099511627776/);
    const names = await failure(loadUserTarget(module2(`${GAUSS} return lp;`, 'export const names = [1, 2];')));
    expect(names.code).toBe('E_SHAPE');
    expect(names.message).toMatch(/names: expected 2 names \(strings\), found a name that is not a string/);
  });
});
