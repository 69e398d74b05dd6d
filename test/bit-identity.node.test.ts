/**
 * Results stay bit-identical for the same seeds and explicit options: every method's posterior
 * bytes, predictive and weight draws against fingerprints saved before the posterior refactor
 * (test/fixtures/bit-identity/make.mjs wrote them from the built library at that commit), and the
 * version-1 files written then still load to the same predictions. The two SVGD cases' bytes were
 * renewed when SVGD's info gained `epochs` (the length it ran): their weights and predictions are the
 * fingerprints' as saved.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as top from '../src/index.js';
import { compileCore, decodePosterior, FORMAT_VERSION } from '../src/subpaths/advanced.js';

/** The package's entry, and the internal names this test reads from bdl-wasm/advanced's sources. */
const lib = { ...top, compileCore, decodePosterior, FORMAT_VERSION };
// @ts-expect-error -- a plain .mjs module shared with the generator script (no declarations).
import { CASES, X_TEST, fingerprint, predictiveHash } from './fixtures/bit-identity/cases.mjs';

const dir = new URL('./fixtures/bit-identity/', import.meta.url);
/**
 * `v1Predict`: where a later fix moved a case's results by rounding (laplace-full-all: the eigensolver's
 * deflation test, its chosen λ by 3e-8 relative), the version-1 file written before still loads to the
 * predictions it was written with.
 */
const saved: Record<string, { method: string; bytes: string; predict: string; restored: string; weights: string; v1Predict?: string }> = JSON.parse(readFileSync(new URL('fingerprints.json', dir), 'utf8'));
const cases = CASES as Record<string, [string, unknown, Record<string, unknown>]>;

/**
 * A version-2 file seen as the version-1 file of the same posterior: version 2 is version 1 with the
 * version field raised and an 8-byte checksum trailer, so dropping both must give the fixture's bytes.
 */
function toV1(bytes: Uint8Array): Uint8Array {
  expect(bytes[4]).toBe(lib.FORMAT_VERSION);
  expect(lib.decodePosterior(bytes)).toBeTruthy(); // the checksum holds
  const v1 = bytes.slice(0, bytes.length - 8);
  v1[4] = 1;
  return v1;
}

describe('bit identity against the saved fingerprints', () => {
  it('runs on the plain SIMD core the fingerprints were made with', async () => {
    // Fused multiply-add (relaxed SIMD) rounds differently; Node 20 validates it only behind a flag.
    expect((await lib.compileCore()).flavor).toBe('simd');
  });

  it('covers every method of the registry', () => {
    const methods = new Set(Object.values(saved).map((f) => f.method.replace(/^laplace-.*/, 'laplace')));
    for (const m of lib.methodNames()) expect(methods, m).toContain(m);
  });

  for (const name of Object.keys(saved)) {
    it(name, async () => {
      const now = await fingerprint(lib, name, toV1);
      const { v1Predict: _, ...expected } = saved[name];
      expect(now).toEqual(expected);
    });
  }
});

describe('version-1 posterior files', () => {
  for (const name of Object.keys(saved)) {
    it(`${name} loads to the same predictions`, async () => {
      const bytes = new Uint8Array(readFileSync(new URL(`v1/${name}.bdl`, dir)));
      expect(bytes[4]).toBe(1);
      const post = await lib.posteriorFromBytes(bytes);
      expect(post.method).toBe(saved[name].method);
      expect(predictiveHash(await post.predict(X_TEST, cases[name][2]))).toBe(saved[name].v1Predict ?? saved[name].predict);
    });
  }
});
