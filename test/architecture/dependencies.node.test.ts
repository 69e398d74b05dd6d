// The dependency check of .dependency-cruiser.cjs: the repository passes it, and it fails on what it
// exists to catch, planted in a scratch tree laid out like src/ (a cycle closed by a dynamic import(),
// a type-only import against the layers, a method importing the task table).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../..');
const depcruise = join(root, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
const config = join(root, '.dependency-cruiser.cjs');

/** Runs the check in `cwd` on `dirs`: its exit status and what it printed. */
function check(cwd: string, dirs: string[]): { status: number; out: string } {
  try {
    const out = execFileSync(process.execPath, [depcruise, '--config', config, ...dirs], { cwd, encoding: 'utf8', stdio: 'pipe' });
    return { status: 0, out };
  } catch (e) {
    const err = e as { status: number; stdout: string; stderr: string };
    return { status: err.status, out: err.stdout + err.stderr };
  }
}

const scratch = mkdtempSync(join(tmpdir(), 'bdl-depcheck-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function plant(files: Record<string, string>): string {
  const dir = mkdtempSync(join(scratch, 'tree-'));
  writeFileSync(join(dir, 'tsconfig.json'), '{ "compilerOptions": { "module": "esnext", "moduleResolution": "bundler" } }');
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

describe('dependency check', () => {
  it('passes on the repository', () => {
    const r = check(root, ['src', 'workers', 'demo']);
    expect(r.out).toContain('no dependency violations');
    expect(r.status).toBe(0);
  }, 120_000);

  it('fails on a cycle closed by a dynamic import()', () => {
    const dir = plant({
      'src/methods/a.ts': "import { b } from './b.js';\nexport const a = () => b;\n",
      'src/methods/b.ts': "export const b = async () => (await import('./a.js')).a;\n",
    });
    const r = check(dir, ['src']);
    expect(r.status).not.toBe(0);
    expect(r.out).toMatch(/no-cycle: src\/methods\/(a|b)\.ts/);
  }, 60_000);

  it('fails on imports against the layers, type-only ones included', () => {
    const dir = plant({
      'src/pool/pool.ts': "import type { Fit } from '../methods/fit.js';\nexport type Run = Fit;\n",
      'src/methods/fit.ts': "import { TASKS } from '../orchestration/tasks.js';\nexport type Fit = typeof TASKS;\n",
      'src/orchestration/tasks.ts': 'export const TASKS = {};\n',
      'src/wasm/load.ts': "import { x } from '../model/mlp.js';\nexport const y = x;\n",
      'src/model/mlp.ts': 'export const x = 1;\n',
    });
    const r = check(dir, ['src']);
    expect(r.status).not.toBe(0);
    expect(r.out).toContain('pool-knows-no-method: src/pool/pool.ts → src/methods/fit.ts');
    expect(r.out).toContain('methods-below-orchestration: src/methods/fit.ts → src/orchestration/tasks.ts');
    expect(r.out).toContain('kernels-stay-kernels: src/wasm/load.ts → src/model/mlp.ts');
  }, 60_000);
});
