// `bdl sample` end to end through the built command (dist/cli.js spawns dist/worker.js).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

describe('bdl sample', () => {
  it('writes names, draws[chain][draw][dim] and diagnostics for a target module given by path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bdl-sample-'));
    const target = join(dir, 'normal.mjs');
    writeFileSync(target, `export const dim = 3; export const names = ['mu', 'x', 'y'];
export function logDensity(q, g) { let s = 0; for (let i = 0; i < 3; i++) { const d = q[i] - i; g[i] = -d; s -= 0.5 * d * d; } return s; }\n`);
    const out = join(dir, 'draws.json');
    const r = spawnSync(process.execPath, [cli, 'sample', '--target', target, '--chains', '2', '--warmup', '150', '--draws', '200', '--seed', '1', '--out', out, '--workers', '2'], { encoding: 'utf8' });
    expect(r.stderr).not.toMatch(/bdl:/);
    expect(r.status).toBe(0);
    // after the chains' bar, one for the diagnostics (its first and last lines at least)
    expect(r.stderr).toMatch(/0\/3 quantities .*R̂ and ESS[^]*3\/3 quantities .*R̂ and ESS/);
    const j = JSON.parse(readFileSync(out, 'utf8'));
    expect(j.names).toEqual(['mu', 'x', 'y']);
    expect(j.draws).toHaveLength(2);
    expect(j.draws[0]).toHaveLength(200);
    expect(j.draws[0][0]).toHaveLength(3);
    expect(j.diagnostics.rhat).toHaveLength(3);
    expect(j.diagnostics.essBulk.every((e: number) => e > 50)).toBe(true);
    expect(j.diagnostics.stepSize).toHaveLength(2);
    expect(j.diagnostics.divergences).toBe(0);
    expect(j.diagnostics.seconds).toBeGreaterThan(0);
    const m2 = j.draws.flat().reduce((s: number, d: number[]) => s + d[2], 0) / 400;
    expect(Math.abs(m2 - 2)).toBeLessThan(0.4);
  });

  it('fails with one line naming the flag when --target is missing or unknown flags are given', () => {
    const r = spawnSync(process.execPath, [cli, 'sample', '--chains', '2'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--target is required/);
    const r2 = spawnSync(process.execPath, [cli, 'sample', '--target', 'x.mjs', '--bogus', '1'], { encoding: 'utf8' });
    expect(r2.stderr).toMatch(/unknown flag --bogus/);
  });

  it('a --target file that is not there fails at once naming the flag and the path (no thread started)', () => {
    const missing = join(tmpdir(), 'bdl-no-such-target.mjs');
    const r = spawnSync(process.execPath, [cli, 'sample', '--target', missing, '--chains', '2'], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`--target: ${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: cannot read the file \\(ENOENT\\)\\. Check the path\\.`));
    expect(r.stderr).not.toMatch(/chunk-|imported from/);
  });

  it.each(['0', '2'])('a target that changes theta, or returns a Promise, exits 1 naming the module and writes nothing (--workers %s)', (workers) => {
    const dir = mkdtempSync(join(tmpdir(), 'bdl-sample-'));
    const out = join(dir, 'draws.json');
    const mutates = join(dir, 'mutates.mjs');
    writeFileSync(mutates, `export const dim = 2;
export function logDensity(q, g) { g[0] = -q[0]; g[1] = -q[1]; const lp = -0.5 * (q[0] * q[0] + q[1] * q[1]); q[0] = 0; return lp; }\n`);
    const asyncTarget = join(dir, 'async.mjs');
    writeFileSync(asyncTarget, `export const dim = 1;
export async function logDensity(q, g) { g[0] = -q[0]; return -0.5 * q[0] * q[0]; }\n`);
    for (const [target, found] of [[mutates, /theta\[0\] changed/], [asyncTarget, /found a Promise/]] as const) {
      const r = spawnSync(process.execPath, [cli, 'sample', '--target', target, '--chains', '2', '--warmup', '20', '--draws', '10', '--out', out, '--workers', workers], { encoding: 'utf8', timeout: 60_000 });
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`bdl: target module file://${target.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
      expect(r.stderr).toMatch(found);
      expect(existsSync(out)).toBe(false);
    }
  });
});
