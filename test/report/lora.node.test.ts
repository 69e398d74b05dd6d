import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { markdownTable } from '../../src/report/lora.js';

const root = resolve(__dirname, '../..');

describe('the LoRA table for the report', () => {
  it('reads eval/LoRA.md: title, every method row with all its cells, and the closing reading', () => {
    const md = readFileSync(join(root, 'eval/LoRA.md'), 'utf8');
    const t = markdownTable(md, 'eval/LoRA.md');
    expect(t.title).toMatch(/low-rank adapters/i);
    expect(t.columns[0]).toBe('method');
    expect(t.columns).toContain('NLL');
    expect(t.rows.length).toBeGreaterThanOrEqual(7);
    expect(t.rows.some((r) => /linearized/.test(r[0]))).toBe(true);
    expect(t.notes.at(-1)).toMatch(/^Reading\. .*calibrat/);
    for (const r of t.rows) expect(r).toHaveLength(t.columns.length);
  });

  it('refuses a document without a table, or with a ragged row, as E_FORMAT', () => {
    expect(() => markdownTable('# t\n\nno table here\n', 'x.md')).toThrow(expect.objectContaining({ code: 'E_FORMAT' }));
    expect(() => markdownTable('| a | b |\n|---|---|\n| 1 |\n', 'x.md')).toThrow(/row 1 has 1 cells/);
    const t = markdownTable('# T\n\n| a | b |\n|---|---:|\n| 1 | 2 |\n\n**Read** this.\nStill.\n', 'x.md');
    expect(t).toEqual({ source: 'x.md', title: 'T', notes: ['Read this. Still.'], columns: ['a', 'b'], rows: [['1', '2']] });
  });
});
