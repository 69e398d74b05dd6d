// The README's code examples run as written (against the built package).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);

describe('README', () => {
  it('has code examples', () => expect(blocks.length).toBeGreaterThan(0));
  blocks.forEach((code, i) => {
    it(`example ${i + 1} runs`, () => {
      const dir = mkdtempSync(join(tmpdir(), 'bdl-readme-'));
      const file = join(dir, 'example.mjs');
      // 'bdl-wasm' is dist/index.js; a subpath 'bdl-wasm/x' is dist/x.js (package.json "exports").
      writeFileSync(file, code.replace(/from 'bdl-wasm(?:\/([a-z]+))?'/g, (_, sub: string | undefined) => `from ${JSON.stringify(join(root, `dist/${sub ?? 'index'}.js`))}`));
      const r = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 60_000 });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout.length).toBeGreaterThan(0);
    });
  });
});
