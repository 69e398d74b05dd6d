// The thousands-separator rule against real data (read from disk: Node only).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { parseTable } from '../../src/data/parse.js';

const here = (f: string) => new URL(`../../${f}`, import.meta.url);

describe('thousands separators on real data', () => {
  it('says nothing on the UCI sets and digits written as CSV', () => {
    for (const f of ['bostonHousing', 'concrete', 'energy', 'wine-quality-red', 'yacht']) {
      const text = readFileSync(here(`data/uci/${f}.txt`), 'utf8').trim().split('\n').map((l) => l.trim().split(/\s+/).join(',')).join('\n');
      expect(parseTable(text).warnings, f).toBeUndefined();
    }
    expect(parseTable(gunzipSync(readFileSync(here('data/digits.csv.gz'))).toString('utf8')).warnings).toBeUndefined();
  });
});
