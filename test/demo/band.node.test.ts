// The demo's 'band' task without a browser: the method's own options reach it (checked by its schema),
// Laplace's MAP takes the demo's λ, a named schedule becomes the method's annealed rate, the loss it
// reports is the mean of the last epochs, and Markov chains report their diagnostics instead of a loss.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBand, TAIL, tailOf, type BandOptions, type BandResult } from '../../demo/band.js';
import { cosine } from '../../src/train/schedules.js';
import { examplePoints } from '../../demo/options.js';
import { createPool, makeDataset, METHODS, type Pool } from '../../src/index.js';

const GRID = [-2, -1, 0, 1, 2];
const pts = examplePoints();
const data = { x: Float32Array.from(pts, (p) => p.x), y: Float32Array.from(pts, (p) => p.y) };
let pool: Pool;

beforeAll(async () => {
  pool = await createPool({ size: 0, tasks: { band: runBand } });
});
afterAll(async () => pool?.close());

const band = async (o: Omit<BandOptions, 'grid'>) => (await pool.run<BandResult>([{ kind: 'band', options: { grid: GRID, ...o }, seed: 0, stream: 0 }], { data }))[0];

describe("the demo's band task", () => {
  it('reports the mean of the last TAIL epoch losses of the method it trains', async () => {
    const options = { epochs: 30, learningRate: 0.01, priorPrecision: 0.01 };
    const losses: number[] = [];
    await METHODS.map.train(makeDataset({ data: data.x, cols: 1 }, data.y, 'points'), { ...options, batchSize: 6, seed: 0, onProgress: (p) => losses.push(p.loss) });
    const tail = losses.slice(-TAIL);
    const r = await band({ method: 'map', options });
    expect(r.loss).toBeCloseTo(tail.reduce((a, b) => a + b, 0) / tail.length, 10);
    expect(r.acceptance).toBeUndefined();
  });

  it("takes schedule 'cosine' as the method's cosine-annealed rate, and averages the last 5 % of epochs under it", async () => {
    const options = { epochs: 600, learningRate: 0.05, samples: 5 };
    const losses: number[] = [];
    await METHODS.vi.train(makeDataset({ data: data.x, cols: 1 }, data.y, 'points'), { ...options, learningRate: cosine(0.05), batchSize: 6, seed: 0, onProgress: (p) => losses.push(p.loss) });
    expect(tailOf(600, true)).toBe(30);
    expect(tailOf(600, false)).toBe(TAIL);
    const tail = losses.slice(-30);
    const r = await band({ method: 'vi', options: { ...options, schedule: 'cosine' } });
    expect(r.loss).toBeCloseTo(tail.reduce((a, b) => a + b, 0) / tail.length, 10);
    // Not the constant rate: that run ends elsewhere.
    expect((await band({ method: 'vi', options })).loss).not.toBeCloseTo(r.loss!, 6);
    await expect(band({ method: 'vi', options: { ...options, schedule: 'linear' } })).rejects.toThrow(/schedule/);
    await expect(band({ method: 'vi', options: { epochs: 5, schedule: 'cosine' } })).rejects.toThrow(/learningRate/);
  });

  it("passes the method's options through its schema: an unknown name is refused with E_ARG", async () => {
    await expect(band({ method: 'map', options: { epochs: 5, epoch: 3 } })).rejects.toThrow(/epoch/);
    await expect(band({ method: 'map', options: [] as unknown as Record<string, unknown> })).rejects.toThrow(/options\.options/);
    await expect(band({ method: 'toString' })).rejects.toThrow(/options\.method/);
  });

  it("trains Laplace's MAP at the given λ (the method table's row would train it at λ = 1)", async () => {
    const weak = await band({ method: 'laplace', options: { epochs: 200, learningRate: 0.01, priorPrecision: 0.01 } });
    const strong = await band({ method: 'laplace', options: { epochs: 200, learningRate: 0.01, priorPrecision: 1 } });
    const table = await band({ method: 'laplace', options: { epochs: 200, learningRate: 0.01 } });
    expect(Array.from(strong.mean)).toEqual(Array.from(table.mean));
    expect(weak.loss!).toBeLessThan(strong.loss!);
  });

  it('reports acceptance, divergences and R̂ of Markov chains, and no loss', async () => {
    const r = await band({ method: 'hmc', options: { chains: 2, warmup: 20, draws: 20, keep: 10, poolSize: 0, epochs: 20 } });
    expect(r.loss).toBeUndefined();
    expect(r.acceptance).toBeGreaterThan(0);
    expect(r.acceptance).toBeLessThanOrEqual(1);
    expect(Number.isInteger(r.divergences)).toBe(true);
    expect(Number.isFinite(r.rhat)).toBe(true);
  });
});
