// docs/API.md is generated from the built declarations (scripts/api.mjs): it must list the surface
// the code exports, and the check must notice a name that appears or disappears.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../..');

describe('docs/API.md', () => {
  it('lists exactly the surface the package exports (npm run api regenerates it)', () => {
    const out = execFileSync(process.execPath, ['scripts/api.mjs', '--check'], { cwd: root, encoding: 'utf8', stdio: 'pipe' });
    expect(out).toContain('docs/API.md matches the code');
  }, 300_000);

  it('its check sees a name added or removed', async () => {
    const { surface } = (await import(/* @vite-ignore */ join(root, 'scripts/api.mjs'))) as { surface: (page: string) => string };
    const page = readFileSync(join(root, 'docs/API.md'), 'utf8');
    expect(surface(page)).toContain('| `trainMap` | function');
    const removed = page.replace(/^\| `trainMap` \|.*\n/m, '');
    const added = page.replace(/^(\| `trainMap` \|.*\n)/m, '$1| `trainMapFaster` | function | |\n');
    const reworded = page.replace(/^(\| `trainMap` \| function \|).*$/m, '$1 Another summary. |');
    expect(surface(removed)).not.toBe(surface(page));
    expect(surface(added)).not.toBe(surface(page));
    expect(surface(reworded)).toBe(surface(page));
  });
});
