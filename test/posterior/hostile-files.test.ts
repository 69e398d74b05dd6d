/**
 * Crafted posterior files (a valid checksum over hostile contents, as anyone can compute it): each is
 * refused on load with E_FORMAT naming what is wrong — never a RangeError, a stack overflow, a hang,
 * a negative variance or a flipped prediction — and a newer file says what to do.
 */
import { describe, expect, it } from 'vitest';
import { makeDataset } from '../../src/data/dataset.js';
import { BdlError } from '../../src/errors.js';
import { trainEnsemble } from '../../src/methods/ensembles/ensemble.js';
import { trainSwag } from '../../src/methods/ensembles/swag.js';
import { trainLaplace } from '../../src/methods/laplace/index.js';
import { trainMap } from '../../src/methods/map.js';
import { bayesianHead } from '../../src/methods/posthoc/head.js';
import { trainMcDropout } from '../../src/methods/variational/mc-dropout.js';
import { trainVi } from '../../src/methods/variational/vi.js';
import { posteriorFromBytes } from '../../src/posterior/restore.js';
import { crc32, decodePosterior, encodePosterior, type PosteriorParts } from '../../src/posterior/serialize.js';

const data = makeDataset(Array.from({ length: 12 }, (_, i) => [i / 6 - 1]), Array.from({ length: 12 }, (_, i) => Math.sin(i)));
const X = Float32Array.from([0, 0.5]);
const small = { hidden: [2], epochs: 2, seed: 1 };

/** The error of loading `bytes` and predicting with the result (undefined when both succeed). */
async function failure(bytes: Uint8Array): Promise<unknown> {
  try {
    const p = await posteriorFromBytes(bytes);
    await p.predict(X);
    return undefined;
  } catch (e) {
    return e;
  }
}

async function expectFormatError(bytes: Uint8Array, message: RegExp): Promise<void> {
  const e = await failure(bytes);
  expect(e).toBeInstanceOf(BdlError);
  expect((e as BdlError).code).toBe('E_FORMAT');
  expect((e as BdlError).argument).toBe('bytes');
  expect((e as BdlError).message).toMatch(message);
}

/** A version-2 file with a given header text (written by hand, checksum and all), then `arrays`' values. */
function fileWithHeader(header: string, arrays: Float32Array[]): Uint8Array {
  const json = new TextEncoder().encode(header);
  const align8 = (n: number) => (n + 7) & ~7;
  let size = align8(12 + json.length);
  const starts = arrays.map((a) => {
    const at = size;
    size = align8(size + a.byteLength);
    return at;
  });
  const out = new Uint8Array(size + 8);
  out.set([0x42, 0x44, 0x4c, 0x50, 2, 0, 0, 0]);
  const dv = new DataView(out.buffer);
  dv.setUint32(8, json.length, true);
  out.set(json, 12);
  arrays.forEach((a, k) => a.forEach((v, i) => dv.setFloat32(starts[k] + 4 * i, v, true)));
  dv.setUint32(size, crc32(out.subarray(0, size)), true);
  out.set([0x42, 0x44, 0x4c, 0x5a], size + 4);
  return out;
}

const map = trainMap(data, small).then((p) => decodePosterior(p.toBytes()));

describe('crafted posterior files', () => {
  it('refuses an ensemble whose member count is beyond its arrays (5e9 members) with E_FORMAT, not a RangeError', async () => {
    const ens = decodePosterior((await trainEnsemble(data, { ...small, members: 2 })).toBytes());
    for (const members of [5e9, 3]) await expectFormatError(encodePosterior({ ...ens, state: { members } }), /members|theta2/);
  });

  it('refuses negative or non-finite member noise variances and floors (a negative predictive variance before)', async () => {
    const ens = decodePosterior((await trainEnsemble(data, { ...small, members: 2 })).toBytes());
    const bad: PosteriorParts['arrays'][] = [
      { ...ens.arrays, noiseVars: Float64Array.of(-5, -5) },
      { ...ens.arrays, noiseVars: Float64Array.of(1, NaN) },
      { ...ens.arrays, varianceFloor: Float64Array.of(-1) },
    ];
    for (const arrays of bad) await expectFormatError(encodePosterior({ ...ens, arrays }), /noiseVars|varianceFloor/);
  });

  it('refuses a standardizer scale ≤ 0 (yStd −1 flipped every mean; xStd 0 blamed the input) with E_FORMAT', async () => {
    const p = await map;
    const s = p.standardizer!;
    await expectFormatError(encodePosterior({ ...p, standardizer: { ...s, yStd: Float64Array.of(-1) } }), /standardizer\.yStd/);
    await expectFormatError(encodePosterior({ ...p, standardizer: { ...s, xStd: Float64Array.of(0) } }), /standardizer\.xStd/);
  });

  it('refuses a header nested deeper than any this library writes (toBytes and info overflowed the stack)', async () => {
    const p = await map;
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const header = `{"method":"sgld","spec":${JSON.stringify(p.spec)},"state":{"noiseVar":1,"extra":{"d":${deep}}},"arrays":[{"name":"samples","dtype":"f32","length":${p.arrays.theta.length}}]}`;
    await expectFormatError(fileWithHeader(header, [p.arrays.theta as Float32Array]), /nests 100003 levels/);
    // A string full of brackets is not nesting.
    const text = `{"method":"sgld","spec":${JSON.stringify(p.spec)},"state":{"noiseVar":1,"extra":{"d":"${'[{'.repeat(1000)}\\""}},"arrays":[{"name":"samples","dtype":"f32","length":${p.arrays.theta.length}}]}`;
    expect(await failure(fileWithHeader(text, [p.arrays.theta as Float32Array]))).toBeUndefined();
  });

  it('refuses a spec of more layers than the file could hold before forming its layout (300,000 hidden widths overflowed the stack)', async () => {
    const p = await map;
    await expectFormatError(encodePosterior({ ...p, spec: { ...p.spec, hidden: new Array(300_000).fill(1) } }), /300001 layers/);
  });

  it('refuses a temperature in a regression file on load, not at its first predict (E_ARG there before)', async () => {
    const p = await map;
    const bytes = encodePosterior({ ...p, state: { ...p.state, temperature: 2 } });
    await expect(posteriorFromBytes(bytes)).rejects.toMatchObject({ code: 'E_FORMAT', message: expect.stringMatching(/temperature.*gaussian/) });
  });

  it('refuses a default of 1e9 samples in a file (VI hung, MC dropout blamed the caller\'s samples) with E_FORMAT', async () => {
    const vi = decodePosterior((await trainVi(data, small)).toBytes());
    const mcd = decodePosterior((await trainMcDropout(data, small)).toBytes());
    const swag = decodePosterior((await trainSwag(data, { ...small, epochs: 4, swaStart: 2, rank: 2, samples: 2 })).toBytes());
    for (const p of [vi, mcd, swag]) await expectFormatError(encodePosterior({ ...p, state: { ...p.state, samples: 1e9 } }), /state "samples" is 1000000000/);
    // The most a prediction averages still loads.
    expect(await failure(encodePosterior({ ...vi, state: { ...vi.state, samples: 0x7fff } }))).toBeUndefined();
  });

  it("refuses a linear head whose precision α or β is ≤ 0 (a negative variance before) with E_FORMAT", async () => {
    const head = decodePosterior((await bayesianHead(data)).toBytes());
    await expectFormatError(encodePosterior({ ...head, arrays: { ...head.arrays, beta: Float64Array.of(-1) } }), /"beta"/);
    await expectFormatError(encodePosterior({ ...head, arrays: { ...head.arrays, alpha: Float64Array.of(0) } }), /"alpha"/);
  });

  it("refuses a Laplace file's non-finite factor or negative prior as the file's fault (E_ARG naming priorPrecision before)", async () => {
    for (const hessian of ['diag', 'kron', 'full'] as const) {
      const p = decodePosterior((await trainLaplace(data, { ...small, hessian, subset: 'all' })).toBytes());
      const factor = Object.keys(p.arrays).find((k) => k.startsWith('f_'))!;
      await expectFormatError(encodePosterior({ ...p, arrays: { ...p.arrays, [factor]: p.arrays[factor].map((v, i) => (i === 0 ? NaN : v)) } }), new RegExp(`"${factor}"`));
      await expectFormatError(encodePosterior({ ...p, arrays: { ...p.arrays, prior: p.arrays.prior.map(() => -1) } }), /"prior"/);
    }
  });

  it('says that a newer file was written by a newer bdl-wasm, and to upgrade', async () => {
    const bytes = encodePosterior(await map);
    bytes[4] = 3;
    await expectFormatError(bytes, /format version 3, written by a newer bdl-wasm.*Upgrade bdl-wasm/);
  });
});
