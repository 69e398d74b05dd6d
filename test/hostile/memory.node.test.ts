/**
 * Hostile input, issue 16 part 3 (memory): 10 rows × 1e6 features used to allocate 3.4 GB before
 * failing. Every method now estimates its peak from the shapes and refuses first: E_MEMORY naming
 * the estimate, the limit and a cheaper alternative, with the process's memory barely touched.
 * Node only: measures a child process's RSS (the package is built into dist/ first).
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeDataset } from '../../src/data/dataset.js';
import { BdlError } from '../../src/errors.js';
import { METHODS } from '../../src/methods/registry.js';
import { DEFAULT_RUN_BUDGET, estimateEnsemble, estimateMcmc, estimateNetwork, estimateSwag } from '../../src/methods/memory.js';

const root = resolve(__dirname, '../..');

/** Every registered method on 10 × 1e6, in a child process: codes, RSS growth and time. */
const probe = `
const { makeDataset, METHODS } = await import(${JSON.stringify(resolve(root, 'dist/index.js'))});
const x = { data: new Float32Array(10 * 1e6).fill(0.5), cols: 1e6 };
const ds = makeDataset(x, Float32Array.from({ length: 10 }, (_, i) => i));
const rss0 = process.memoryUsage().rss;
const t0 = performance.now();
const out = {};
for (const name of Object.keys(METHODS)) {
  const t = performance.now();
  try { await METHODS[name].train(ds, {}); out[name] = { code: 'none' }; }
  catch (e) { out[name] = { code: e.code ?? e.name, message: e.message, ms: performance.now() - t }; }
}
console.log(JSON.stringify({ out, rssGrowth: process.memoryUsage().rss - rss0, ms: performance.now() - t0 }));
`;

describe('hostile sizes (16.3)', () => {
  it('10 rows × 1e6 features: every method refuses with E_MEMORY before allocating, and the process exits', () => {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', probe], { encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    const { out, rssGrowth, ms } = JSON.parse(r.stdout);
    for (const [name, res] of Object.entries(out as Record<string, { code: string; message: string; ms: number }>)) {
      expect(res.code, name).toBe('E_MEMORY');
      expect(res.message).toMatch(/expected at most \d+\.\d\d GiB \(.*\), found an estimated \d+\.\d\d GiB before starting: .*\. Use /);
      console.log(`${name}: refused in ${res.ms.toFixed(0)} ms`);
    }
    console.log(`all ${Object.keys(out).length} methods: ${ms.toFixed(0)} ms, RSS growth ${(rssGrowth / 2 ** 20).toFixed(0)} MiB`);
    // The refusals allocate nothing sizeable (one network would be ~1e8 bytes per 1e6 inputs per hidden unit).
    expect(rssGrowth).toBeLessThan(256 * 2 ** 20);
  });

  it('every method checks its estimate before any work: a 1-byte budget refuses without one step of progress', async () => {
    const ds = makeDataset(Array.from({ length: 30 }, (_, i) => [i / 30, (i % 7) / 7]), Array.from({ length: 30 }, (_, i) => Math.sin(i)));
    for (const [name, entry] of Object.entries(METHODS)) {
      let steps = 0;
      const err = await entry.train(ds, { memoryBudget: 1, epochs: 2, onProgress: () => steps++ }).then(() => undefined, (e: unknown) => e);
      expect(err, name).toBeInstanceOf(BdlError);
      expect((err as BdlError).code, name).toBe('E_MEMORY');
      expect(steps, name).toBe(0);
    }
  });

  it('normal sizes stay well inside the default budget (UCI, Fashion-MNIST 60k × 784)', () => {
    const shape = (n: number, inputs: number) => ({ x: new Float32Array(0), y: new Float32Array(n).map((_, i) => i % 10), n, inputs, targets: 1 });
    const uci = shape(455, 13);
    const fashion = shape(60000, 784);
    for (const e of [estimateNetwork('map', uci, {}), estimateEnsemble(uci, {}), estimateMcmc('nuts', uci, {}), estimateSwag('multiswag', uci, {})]) {
      expect(e.bytes).toBeLessThan(DEFAULT_RUN_BUDGET / 100);
    }
    const opts = { task: 'classification' as const };
    for (const e of [estimateNetwork('map', fashion, opts), estimateEnsemble(fashion, opts), estimateSwag('multiswag', fashion, opts)]) {
      expect(e.bytes).toBeLessThan(DEFAULT_RUN_BUDGET);
    }
  });

  it('memoryBudget must be a positive number', async () => {
    const ds = makeDataset([[1], [2]], [1, 2]);
    await expect(METHODS.map.train(ds, { memoryBudget: -1 })).rejects.toMatchObject({ code: 'E_ARG', argument: 'memoryBudget' });
  });
});
