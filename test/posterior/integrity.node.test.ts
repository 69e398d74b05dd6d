/**
 * Posterior files under corruption and attack: every single-bit flip of a small file is E_FORMAT;
 * a crafted header declaring a huge network is refused before anything is allocated; and, property
 * based (fast-check), random bytes, truncations and mutations of real files never throw anything but
 * a BdlError — also for version-1 files (no checksum) and for mutated files whose checksum was
 * recomputed, which reach the structural checks behind it. FUZZ_RUNS sets the budget per property
 * (default 200; FUZZ=1 or `npm run fuzz` raises it).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeDataset } from '../../src/data/dataset.js';
import { BdlError } from '../../src/errors.js';
import { trainLaplace } from '../../src/methods/laplace/index.js';
import { trainMap } from '../../src/methods/map.js';
import { trainSwag } from '../../src/methods/ensembles/swag.js';
import { trainEnsemble } from '../../src/methods/ensembles/ensemble.js';
import { bayesianHead } from '../../src/methods/posthoc/head.js';
import { crc32, decodePosterior, encodePosterior, type PosteriorParts } from '../../src/posterior/serialize.js';
import { posteriorFromBytes } from '../../src/posterior/restore.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? (process.env.FUZZ === '1' ? 20_000 : 200));
/** Room for a large budget: the header-rewriting runs take up to ~20 ms each here. */
const FUZZ_TIMEOUT = 60_000 + 25 * RUNS;
const X = Float32Array.from([0, 0.5, -1, 2]);
const data = makeDataset(Array.from({ length: 12 }, (_, i) => [i / 6 - 1]), Array.from({ length: 12 }, (_, i) => Math.sin(i)));

/** The error a full load-and-predict of `bytes` throws, or undefined if it loads and predicts. */
async function failure(bytes: Uint8Array): Promise<unknown> {
  try {
    const p = await posteriorFromBytes(bytes);
    await p.predict(X, { samples: 2 });
    return undefined;
  } catch (e) {
    return e;
  }
}

function failureSync(f: () => unknown): unknown {
  try {
    f();
    return undefined;
  } catch (e) {
    return e;
  }
}

/** Asserts that whatever happens is success or a BdlError (never a raw TypeError or RangeError). */
async function onlyBdlErrors(bytes: Uint8Array): Promise<void> {
  const e = await failure(bytes);
  if (e !== undefined && !(e instanceof BdlError)) throw new Error(`raw ${(e as Error)?.name}: ${(e as Error)?.message}`);
}

/** A v2 file with its checksum recomputed after a change (so the structural checks are reached). */
function resealed(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  if (out.length >= 20 && out[4] === 2) new DataView(out.buffer).setUint32(out.length - 8, crc32(out.subarray(0, out.length - 8)), true);
  return out;
}

/** A v2 file rewritten as version 1 (no trailer), as older libraries wrote it. */
function asV1(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice(0, bytes.length - 8);
  out[4] = 1;
  return out;
}

const small = { hidden: [2], epochs: 2, seed: 1 };
const files = Promise.all([
  trainMap(data, small),
  trainSwag(data, { ...small, epochs: 4, swaStart: 2, rank: 2, samples: 2 }),
  trainEnsemble(data, { ...small, members: 2, likelihood: 'heteroscedastic' }),
  trainLaplace(data, { ...small, hessian: 'kron' }),
  bayesianHead(data),
]).then((ps) => ps.map((p) => p.toBytes()));

describe('posterior file integrity', () => {
  it('refuses every single-bit flip of small files (MAP, SWAG, ensemble, Laplace, linear head) with E_FORMAT', async () => {
    let flips = 0;
    const all = [(await trainMap(data, { ...small, hidden: [1] })).toBytes(), ...(await files)];
    for (const bytes of all) {
      for (let i = 0; i < bytes.length; i++) {
        for (let bit = 0; bit < 8; bit++) {
          const bad = bytes.slice();
          bad[i] ^= 1 << bit;
          // The first file goes all the way through restore and predict; the others stop at the decoder.
          const e = bytes === all[0] ? await failure(bad) : failureSync(() => decodePosterior(bad));
          expect(e, `file ${all.indexOf(bytes)} byte ${i} bit ${bit}`).toBeInstanceOf(BdlError);
          expect((e as BdlError).code).toBe('E_FORMAT');
          flips++;
        }
      }
    }
    expect(flips).toBe(8 * all.reduce((n, b) => n + b.length, 0));
    console.log(`bit flips: ${flips} in ${all.length} files of ${all.map((b) => b.length).join(', ')} bytes, all E_FORMAT`);
  });

  it('refuses a 600-byte file declaring a hidden width of 1e6 before allocating (E_FORMAT, RSS growth < 50 MB)', () => {
    const spec = { inputs: 2, hidden: [1_000_000], outputs: 1, activation: 'relu' as const, likelihood: 'gaussian' as const };
    const bytes = encodePosterior({ method: 'map', spec, state: { noiseVar: 1 }, arrays: { theta: new Float32Array(120) } });
    expect(bytes.length).toBeLessThan(700);
    const before = process.memoryUsage().rss;
    expect(() => decodePosterior(bytes)).toThrowError(expect.objectContaining({ code: 'E_FORMAT' }));
    // A declared array far longer than the file: refused by the size check, not by a failed allocation.
    const header = JSON.stringify({ method: 'map', spec: { ...spec, hidden: [2] }, arrays: [{ name: 'theta', dtype: 'f64', length: 2 ** 40 }] });
    const lying = new Uint8Array(16 + header.length);
    lying.set([0x42, 0x44, 0x4c, 0x50, 1, 0, 0, 0]);
    new DataView(lying.buffer).setUint32(8, header.length, true);
    lying.set(new TextEncoder().encode(header), 12);
    expect(() => decodePosterior(lying)).toThrowError(expect.objectContaining({ code: 'E_FORMAT' }));
    expect(process.memoryUsage().rss - before).toBeLessThan(50 * 2 ** 20);
  });

  it('refuses a standardizer, state or array list of the wrong shape with E_FORMAT', async () => {
    const good = (await trainMap(data, small)).toBytes();
    const parts = decodePosterior(good);
    const variants: PosteriorParts[] = [
      { ...parts, standardizer: { ...parts.standardizer!, xMean: Float64Array.of(1, 2, 3) } },
      { ...parts, state: { noiseVar: 'x' } },
      { ...parts, arrays: { theta: new Float32Array(3) } },
      { ...parts, arrays: { other: parts.arrays.theta } },
    ];
    for (const v of variants) {
      const e = await failure(encodePosterior(v));
      expect(e).toBeInstanceOf(BdlError);
      expect((e as BdlError).code).toBe('E_FORMAT');
    }
  });

  it('never throws anything but BdlError on random bytes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 512 }), fc.boolean(), async (raw, magic) => {
        const b = raw.slice();
        if (magic && b.length >= 6) b.set([0x42, 0x44, 0x4c, 0x50, 1 + (b[4] & 1), 0]);
        await onlyBdlErrors(b);
      }),
      { numRuns: RUNS, seed: 1 },
    );
  }, FUZZ_TIMEOUT);

  it('never throws anything but BdlError on truncations and byte mutations of real files (v2, v1, resealed)', async () => {
    const all = await files;
    const mutation = fc.record({
      file: fc.nat({ max: all.length - 1 }),
      form: fc.constantFrom('v2', 'v1', 'resealed'),
      cut: fc.option(fc.nat(), { nil: undefined }),
      edits: fc.array(fc.record({ at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }), { maxLength: 6 }),
    });
    await fc.assert(
      fc.asyncProperty(mutation, async ({ file, form, cut, edits }) => {
        let b = form === 'v1' ? asV1(all[file]) : all[file].slice();
        for (const { at, value } of edits) b[at % b.length] = value;
        if (cut !== undefined) b = b.subarray(0, cut % (b.length + 1));
        if (form === 'resealed') b = resealed(b);
        await onlyBdlErrors(b);
      }),
      { numRuns: RUNS, seed: 2 },
    );
  }, FUZZ_TIMEOUT);

  it('never throws anything but BdlError when the header JSON is rewritten (resealed)', async () => {
    const all = await files;
    const json = fc.oneof(fc.jsonValue(), fc.constant(null), fc.integer(), fc.string());
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: all.length - 1 }), fc.constantFrom('spec', 'state', 'standardizer', 'arrays', 'method'), json, async (file, key, value) => {
        const parts = decodePosterior(all[file]);
        const header = JSON.parse(new TextDecoder().decode(all[file].subarray(12, 12 + new DataView(all[file].buffer).getUint32(8, true))));
        header[key] = value;
        // Keep the arrays' bytes where they were: rewrite only the header and re-encode around it.
        const text = new TextEncoder().encode(JSON.stringify(header));
        const body = all[file].subarray((12 + new DataView(all[file].buffer).getUint32(8, true) + 7) & ~7, all[file].length - 8);
        const start = (12 + text.length + 7) & ~7;
        const out = new Uint8Array(start + body.length + 8);
        out.set(all[file].subarray(0, 8));
        new DataView(out.buffer).setUint32(8, text.length, true);
        out.set(text, 12);
        out.set(body, start);
        out.set([0x42, 0x44, 0x4c, 0x5a], out.length - 4);
        expect(parts.method).toBeTruthy();
        await onlyBdlErrors(resealed(out));
      }),
      { numRuns: RUNS, seed: 3 },
    );
  }, FUZZ_TIMEOUT);
});
