// MC dropout's rate when none is given: each candidate is scored on cross-fitted held-out blocks, a few
// dozen full-length fits per call (about 6 s on 300 rows with the fifth held out below), so these run in
// Node only; the browser runs the same wasm (mc-dropout.test.ts runs in both). Their timeouts allow for a
// slow 2-core machine running other test files beside them.
import { describe, expect, it } from 'vitest';
import { makeDataset } from '../../../src/data/dataset.js';
import { trainMcDropout, DROPOUT_CANDIDATES } from '../../../src/methods/variational/mc-dropout.js';
import { Rng } from '../../../src/random/index.js';

// y = sin(3x₀) + x₁/2 + σ·noise on 300 rows of 4 inputs (two of them unused): nearly noiseless, and
// noisy. On one input (y = sin(3x)) the noisy set does not overfit a network of 16 and every rate
// scores within 0.003 nats on the cross-fitted rows: the smallest is kept.
const sine = (sigma: number) => {
  const rng = new Rng(5, 0);
  const x = Array.from({ length: 300 }, () => Array.from({ length: 4 }, () => rng.normal()));
  return makeDataset(x, x.map((v) => Math.sin(3 * v[0]) + 0.5 * v[1] + sigma * rng.normal()));
};
// A fifth of the rows held out (default: a tenth): 60 rows, so K = 5 cross-fitted blocks instead of
// 10 — the same choice mechanism and, here, the same rates (0.2 noisy, 0.01 quiet) in a third of the
// time (13 s for both sets against 38 s alone).
const o = { hidden: [50], seed: 3, validationFraction: 0.2 };

/** The default fit on a set, and the epochs of the last fit it ran (once per σ, shared by the tests). */
const fits = new Map<number, ReturnType<typeof fitDefault>>();
const defaultFit = (sigma: number) => fits.get(sigma) ?? fits.set(sigma, fitDefault(sigma)).get(sigma)!;
async function fitDefault(sigma: number) {
  let last = { epochs: 0 };
  const post = await trainMcDropout(sine(sigma), { ...o, onProgress: (p) => (last = p) });
  return { post, rate: post.info.dropout as number, epochs: last.epochs };
}

describe('MC dropout without a rate (regression that stops early)', () => {
  it("chooses a candidate on the held-out rows; its network is that rate's refit on every row for the kept epochs", async () => {
    const { post, rate, epochs } = await defaultFit(1);
    expect(DROPOUT_CANDIDATES).toContain(rate);
    // The last fit run is the refit; its epochs come from the cross-fitted blocks' mean held-out curve
    // (held-out-mixture.ts).
    const same = await trainMcDropout(sine(1), { ...o, dropout: rate, epochs });
    expect(Array.from(same.source.theta)).toEqual(Array.from(post.source.theta));
  }, 300_000);

  it('chooses by the data: the nearly noiseless set takes a smaller rate than the noisy one', async () => {
    const quiet = await defaultFit(0.01);
    expect(DROPOUT_CANDIDATES).toContain(quiet.rate);
    expect(quiet.rate).toBeLessThan((await defaultFit(1)).rate);
  }, 300_000);
});
