// Ctrl-C: the command stops, exits 130 and leaves no output file, whole or partial (issue 16.1).
import { spawn } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, yachtFiles } from './helpers.js';

const { dir, train, test } = yachtFiles();

/** Starts `bdl args…`, sends SIGINT once `ready` shows on stderr, and resolves with the exit code (killed after 60 s). */
function interrupt(args: string[], ready: RegExp, signal: NodeJS.Signals = 'SIGINT'): Promise<{ code: number | null; stderr: string; afterSigint: number }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let sent = 0;
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (!sent && ready.test(stderr)) {
        sent = performance.now();
        child.kill(signal);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, afterSigint: sent ? performance.now() - sent : NaN });
    });
  });
}

describe('bdl on SIGINT', () => {
  it('fit: exits 130 and writes neither --out nor --save (nor a temporary)', async () => {
    const r = await interrupt(['fit', '--method', 'map', '--epochs', '100000', '--train', train, '--test', test, '--out', join(dir, 'o.json'), '--save', join(dir, 'p.bdl')], /epochs \|/);
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toMatch(/bdl: cancelled/);
    expect(readdirSync(dir).sort()).toEqual(['test.txt', 'train.txt']);
  }, 70_000);

  it('sample with in-thread chains: exits 130 and writes no --out', async () => {
    const target = join(dir, 'normal.mjs');
    writeFileSync(target, 'export const dim = 2; export function logDensity(t, g) { g[0] = -t[0]; g[1] = -t[1]; return -0.5 * (t[0] * t[0] + t[1] * t[1]); }\n');
    const r = await interrupt(['sample', '--target', target, '--chains', '2', '--warmup', '1000', '--draws', '1000000', '--workers', '0', '--out', join(dir, 'd.json')], /iterations \|/);
    expect(r.code, r.stderr).toBe(130);
    expect(readdirSync(dir).sort()).toEqual(['normal.mjs', 'test.txt', 'train.txt']);
  }, 70_000);

  // timeout, a CI cancel, docker stop and a closed terminal send these: the same cancel, exit 128 + the signal.
  for (const [signal, code] of [['SIGTERM', 143], ['SIGHUP', 129]] as const) {
    it(`fit on ${signal}: cancels the same way and exits ${code}, writing nothing`, async () => {
      const r = await interrupt(['fit', '--method', 'map', '--epochs', '100000', '--train', train, '--test', test, '--out', join(dir, 'o.json')], /epochs \|/, signal);
      expect(r.code, r.stderr).toBe(code);
      expect(r.stderr).toMatch(new RegExp(`cancelling \\(${signal}\\)…[\\s\\S]*bdl: cancelled`));
      expect(readdirSync(dir).filter((f) => f.startsWith('o.json'))).toEqual([]);
    }, 70_000);
  }
});
