/**
 * The run budget of every property test (fast-check): `fc.assert(property, fuzz())`.
 * FUZZ_RUNS sets the number of cases per property (default 100, what `npm test` and CI run);
 * `npm run fuzz` sets it to 20,000. FUZZ_SEED replays a failure that fast-check reported.
 * Files holding property tests are named `*.property.test.ts` (or `*.property.node.test.ts`):
 * that is how `npm run fuzz` finds them.
 */
const env: Record<string, string | undefined> = typeof process !== 'undefined' && process.env ? process.env : {};

/** Cases per property: FUZZ_RUNS, else `base` (scaled for expensive properties: pass a smaller base). */
export function fuzzRuns(base = 100): number {
  const n = Number(env.FUZZ_RUNS);
  if (!(n >= 1)) return base;
  return Math.max(1, Math.round((n * base) / 100));
}

/** fast-check parameters: the run budget, and the seed when FUZZ_SEED replays one. */
export function fuzz(base = 100): { numRuns: number; seed?: number } {
  const seed = env.FUZZ_SEED === undefined ? undefined : Number(env.FUZZ_SEED);
  return { numRuns: fuzzRuns(base), ...(seed !== undefined && Number.isInteger(seed) ? { seed } : {}) };
}
