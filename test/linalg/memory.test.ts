import { describe, expect, it } from 'vitest';
import { BdlError } from '../../src/errors.js';
import { checkSize, DEFAULT_MEMORY_BUDGET, WASM32_LIMIT_BYTES } from '../../src/linalg/index.js';

function codeAndMessage(fn: () => unknown): [string, string] {
  try {
    fn();
  } catch (e) {
    if (e instanceof BdlError) return [e.code, e.message];
    throw e;
  }
  return ['none', ''];
}

describe('checkSize', () => {
  it('returns the bytes needed when they fit', () => {
    expect(checkSize(1000, 8, 'x')).toBe(8e6);
    expect(checkSize(1000, 8, 'x', { matrices: 3 })).toBe(24e6);
  });

  it('refuses more than the default 1 GiB budget, naming n, the bytes and a cheaper structure', () => {
    const n = Math.ceil(Math.sqrt(DEFAULT_MEMORY_BUDGET / 8)) + 1;
    const [code, msg] = codeAndMessage(() => checkSize(n, 8, 'full Laplace precision'));
    expect(code).toBe('E_MEMORY');
    expect(msg).toContain(`${n}×${n}`);
    expect(msg).toContain('full Laplace precision');
    expect(msg).toMatch(/GiB/);
    expect(msg).toMatch(/hessian 'kron' or 'diag'.*subset 'last-layer'/);
    expect(msg).toMatch(/raise the memory budget/);
    // A larger budget lets it through.
    expect(checkSize(n, 8, 'x', { budget: 2 * DEFAULT_MEMORY_BUDGET })).toBe(n * n * 8);
  });

  it('never allows more than wasm32 can address, whatever the budget', () => {
    const [code, msg] = codeAndMessage(() => checkSize(30000, 8, 'x', { budget: 1e12 }));
    expect(code).toBe('E_MEMORY');
    expect(msg).toMatch(/wasm32 limit/);
    expect(msg).not.toMatch(/raise the memory budget/);
    expect(WASM32_LIMIT_BYTES).toBeLessThan(4 * 1024 ** 3);
  });
});
