// Test hooks enter through the tests (docs/ARCHITECTURE.md): no production module reads a test's
// environment variable or carries a failure-on-purpose option. The scan looks at every source file
// the package or the demo ships.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../..');
/** A test's environment variable, or the fault kind's options. */
const HOOK = /\b(?:process\.)?env\b[^\n]*\bBDL_TEST_|\bBDL_TEST_\w+|\b(?:crashAt|throwAt)\b/;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : /\.(ts|js|mjs)$/.test(e.name) && !e.name.endsWith('.d.ts') ? [join(dir, e.name)] : []);
}

function hooks(text: string): string[] {
  return text.split('\n').filter((l) => HOOK.test(l));
}

describe('test hooks', () => {
  it('no module of src/, workers/ or demo/ reads a test variable or carries a fault option', () => {
    const found = ['src', 'workers', 'demo'].flatMap((d) => sources(join(root, d)))
      .flatMap((f) => hooks(readFileSync(f, 'utf8')).map((l) => `${relative(root, f)}: ${l.trim()}`));
    expect(found).toEqual([]);
  });

  it('the scan sees a planted hook', () => {
    expect(hooks("const url = process.env.BDL_TEST_THREAD_URL || undefined;\nconst ok = 1;")).toHaveLength(1);
    expect(hooks('if (options.crashAt !== undefined) process.exit(70);')).toHaveLength(1);
    expect(hooks('const url = process.env.BDL_REDIS_URL;')).toHaveLength(0);
  });
});
