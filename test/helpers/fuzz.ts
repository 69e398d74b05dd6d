/**
 * The run budget of every property test (fast-check): `fc.assert(property, fuzz())`.
 * FUZZ_RUNS sets the number of cases per property (default 100, what `npm test` and CI run);
 * `npm run fuzz` sets it to 20,000 with random seeds. FUZZ_SEED replays a failure that fast-check reported.
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

/**
 * fast-check parameters: the run budget and the seed. `npm test` and CI use a fixed seed, so a red
 * run is reproducible and a green one stays green; `npm run fuzz` sets FUZZ_SEED=random to explore
 * (fast-check prints the seed of any failure; FUZZ_SEED=<that seed> replays it).
 */
export function fuzz(base = 100): { numRuns: number; seed?: number } {
  const given = env.FUZZ_SEED;
  if (given === 'random') return { numRuns: fuzzRuns(base) };
  const seed = given === undefined ? 20261204 : Number(given);
  return { numRuns: fuzzRuns(base), seed: Number.isInteger(seed) ? seed : 20261204 };
}
