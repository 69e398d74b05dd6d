// Files that never end, given where a data file, a posterior or a results.json belongs: a device
// (/dev/zero, /dev/urandom) or a pipe. readFile reads those to their end: `bdl predict --posterior
// /dev/zero` grew past 20 GiB and ignored SIGTERM. Each is now refused at its first bytes, or once it
// has given more than any such file can hold, with one line and exit 1.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readCapped } from '../../src/cli/read.js';
import { cli, yachtFiles } from './helpers.js';

const { train, test } = yachtFiles();
const devices = existsSync('/dev/zero') && existsSync('/dev/urandom');

/** Runs bdl, killed (status null) after 20 s: the reads that never ended were killed here. */
function bdl(...args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 20_000, killSignal: 'SIGKILL' });
}

describe.skipIf(!devices)('bdl on a file that never ends', () => {
  it('predict --posterior /dev/zero: E_FORMAT at its first bytes (no posterior signature), exit 1', () => {
    const r = bdl('predict', '--posterior', '/dev/zero', '--test', test);
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/^bdl: posterior bytes: not a bdl-wasm posterior \(no "BDLP" signature\)/m);
  });

  it.each(['/dev/zero', '/dev/urandom'])('fit --train and --test %s: E_PARSE naming the NUL character, exit 1', (device) => {
    for (const files of [['--train', device, '--test', test], ['--train', train, '--test', device]]) {
      const r = bdl('fit', '--method', 'map', '--epochs', '1', ...files);
      expect(r.status, r.stderr).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`^bdl: ${device} line \\d+: expected text \\(CSV or whitespace-separated numbers\\), found a NUL character`, 'm'));
    }
  });

  it('advise --results /dev/zero: not valid JSON, exit 1', () => {
    const r = bdl('advise', '--trained', 'no', '--results', '/dev/zero');
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/^bdl: \/dev\/zero: not valid JSON/m);
  });

  it('readCapped stops a device at the limit (undefined), reads a plain file whole and says EISDIR for a directory', async () => {
    expect(await readCapped('/dev/zero', 3 << 20)).toBeUndefined();
    const head = await readCapped('/dev/zero', 64 << 20, (b) => b.includes(0));
    expect(head!.length).toBe(1 << 20);
    const whole = await readCapped(test, 1 << 30, () => false);
    expect(whole!.toString('utf8')).toBe((await import('node:fs')).readFileSync(test, 'utf8'));
    expect(await readCapped(test, 10)).toBeUndefined();
    await expect(readCapped('/tmp', 10)).rejects.toMatchObject({ code: 'EISDIR' });
  });
});
