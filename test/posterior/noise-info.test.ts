// A posterior's info names a noise σ only where the likelihood has one (source.ts `noiseInfo`): a
// classifier's "noiseStd: 1" would read as a fitted noise level.
import { describe, expect, it } from 'vitest';
import { makeDataset, type Dataset } from '../../src/data/dataset.js';
import { trainMap } from '../../src/methods/map.js';
import { trainMcDropout } from '../../src/methods/variational/mc-dropout.js';
import { trainVi } from '../../src/methods/variational/vi.js';

const n = 60;
const x = Float32Array.from({ length: n * 2 }, (_, i) => Math.sin(i * 1.7));
const labels = Float32Array.from({ length: n }, (_, i) => (x[2 * i] > 0 ? 1 : 0));
const targets = Float32Array.from({ length: n }, (_, i) => x[2 * i] + 0.1 * x[2 * i + 1]);

describe('noiseStd in info', () => {
  type Train = (d: Dataset, o: { hidden: number[]; epochs: number; seed: number; task?: 'classification' }) => Promise<{ info: Record<string, unknown> }>;
  const methods: [string, Train][] = [['map', trainMap], ['mc-dropout', trainMcDropout], ['vi', trainVi]];
  for (const [name, train] of methods) {
    it(`${name}: absent for a classifier, present for a regression`, async () => {
      const common = { hidden: [4], epochs: 2, seed: 0 };
      const cls = await train(makeDataset({ data: x, cols: 2 }, labels), { ...common, task: 'classification' });
      expect(cls.info).not.toHaveProperty('noiseStd');
      const reg = await train(makeDataset({ data: x, cols: 2 }, targets), common);
      expect(reg.info.noiseStd as number).toBeGreaterThan(0);
    });
  }
});
