// The data warnings against real data (read from disk: Node only): no warning where none is due.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { subset } from '../../src/data/dataset.js';
import { parseDataset } from '../../src/data/parse.js';
import { trainTestSplit } from '../../src/data/split.js';
import { inputBounds, labelTargetWarnings, outOfRangeWarnings, targetWarnings } from '../../src/data/warnings.js';

const here = (f: string) => new URL(`../../${f}`, import.meta.url);
const UCI: Record<string, string> = { boston: 'bostonHousing', concrete: 'concrete', energy: 'energy', wine: 'wine-quality-red', yacht: 'yacht' };

describe('outOfRangeWarnings on real splits', () => {
  it('says nothing on the test rows of the 20 standard splits of the five UCI sets', () => {
    const splits = JSON.parse(readFileSync(here('eval/splits/standard.json'), 'utf8')) as Record<string, { test: number[][] }>;
    for (const [set, { test }] of Object.entries(splits)) {
      const ds = parseDataset(readFileSync(here(`data/uci/${UCI[set]}.txt`), 'utf8'));
      for (const rows of test) {
        const held = new Set(rows);
        const b = inputBounds(subset(ds, Array.from({ length: ds.n }, (_, i) => i).filter((i) => !held.has(i))));
        expect(outOfRangeWarnings(subset(ds, rows).x, b), set).toEqual([]);
      }
    }
  });

  it('says nothing on random splits of the UCI digits (its rarely lit border pixels are not checked)', () => {
    const ds = parseDataset(gunzipSync(readFileSync(here('data/digits.csv.gz'))).toString('utf8'));
    for (let seed = 0; seed < 20; seed++) {
      for (const testFraction of [0.1, 0.2, 0.5]) {
        const s = trainTestSplit(ds, { seed, testFraction });
        expect(outOfRangeWarnings(s.test.x, inputBounds(s.train))).toEqual([]);
      }
    }
  });
});

describe('targetWarnings on real targets', () => {
  it('says nothing on the five UCI targets', () => {
    for (const f of Object.values(UCI)) expect(targetWarnings(parseDataset(readFileSync(here(`data/uci/${f}.txt`), 'utf8'))), f).toEqual([]);
  });

  it('reads none of the five UCI targets as class labels, and the digits\' as such', () => {
    for (const f of Object.values(UCI)) expect(labelTargetWarnings(parseDataset(readFileSync(here(`data/uci/${f}.txt`), 'utf8'))), f).toEqual([]);
    expect(labelTargetWarnings(parseDataset(gunzipSync(readFileSync(here('data/digits.csv.gz'))).toString('utf8')))).toHaveLength(1);
  });
});
