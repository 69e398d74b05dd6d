// Files that never end, given where a data file, a posterior or a results.json belongs: a device
// (/dev/zero, /dev/urandom) or a pipe. readFile reads those to their end: `bdl predict --posterior
// /dev/zero` grew past 20 GiB and ignored SIGTERM. Each is now refused at its first bytes, or once it
// has given more than any such file can hold, with one line and exit 1.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { closeSync, constants, existsSync, lstatSync, mkdirSync, openSync, readFileSync, readSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCapped } from '../../src/cli/read.js';
import { cli, yachtFiles } from './helpers.js';

const { dir, train, test } = yachtFiles();
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

  it('compare --data DIR whose files are /dev/zero, and --lora /dev/zero: one line naming the file, exit 1 (they were read to their end: 1.1 GB after 2.5 s)', () => {
    const data = join(dir, 'zero-data');
    mkdirSync(join(data, 'uci'), { recursive: true });
    symlinkSync('/dev/zero', join(data, 'uci', 'energy.txt'));
    symlinkSync('/dev/zero', join(data, 'digits.csv.gz'));
    const nul = (file: string) => new RegExp(`^bdl: ${file.replace(/[/.]/g, '\\$&')} line 1: expected text .*found a NUL character`, 'm');
    for (const [args, why] of [
      [['--dataset', 'energy', '--data', data], nul(join(data, 'uci', 'energy.txt'))],
      [['--dataset', 'digits', '--data', data], nul(join(data, 'digits.csv.gz'))],
      [['--dataset', 'toy-gap', '--lora', '/dev/zero'], /^bdl: \/dev\/zero: no markdown table/m],
    ] as const) {
      const r = bdl('compare', ...args, '--methods', 'map', '--out', join(dir, 'zero-report'));
      expect(r.status, r.stderr).toBe(1);
      expect(r.stderr).toMatch(why);
    }
  });

  it('advise --results /dev/zero: not valid JSON, exit 1', () => {
    const r = bdl('advise', '--trained', 'no', '--results', '/dev/zero');
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/^bdl: \/dev\/zero: not valid JSON/m);
  });

  it('sample --target /dev/zero: E_ARG, a module is a file (it was read to its end to hash it, over 2 GiB in 6 s)', () => {
    const r = bdl('sample', '--target', '/dev/zero', '--draws', '10', '--warmup', '10');
    expect(r.status, r.stderr).not.toBeNull();
    expect(r.stderr).toMatch(/^bdl( sample)?: --target: expected a JavaScript module file, found \/dev\/zero, a device or a pipe\. Pass the module's file\.$/m);
    expect(r.status).toBeGreaterThan(0);
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

/** What a reader opened before the write gets from `fd` (non-blocking: what the pipe holds). */
function drain(fd: number): Buffer {
  const parts: Buffer[] = [];
  for (;;) {
    const buf = Buffer.alloc(1 << 16);
    let n = 0;
    try {
      n = readSync(fd, buf, 0, buf.length, null);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') break;
      throw e;
    }
    if (n === 0) break;
    parts.push(buf.subarray(0, n));
  }
  return Buffer.concat(parts);
}

describe.skipIf(process.platform === 'win32')('bdl writing to a pipe or a device', () => {
  it('--out and --save naming FIFOs write into them: they stay FIFOs and their readers get the JSON and the posterior (they were renamed over, the readers got nothing)', () => {
    const out = join(dir, 'out.fifo');
    const save = join(dir, 'save.fifo');
    execFileSync('mkfifo', [out, save]);
    const readers = [out, save].map((f) => openSync(f, constants.O_RDONLY | constants.O_NONBLOCK));
    try {
      const r = bdl('fit', '--method', 'map', '--epochs', '2', '--seed', '1', '--train', train, '--test', test, '--out', out, '--save', save);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toBe('');
      expect(statSync(out).isFIFO() && statSync(save).isFIFO()).toBe(true);
      const [json, posterior] = readers.map(drain);
      expect(JSON.parse(json.toString('utf8'))).toMatchObject({ command: 'fit', method: 'map' });
      const kept = join(dir, 'from-fifo.bdl');
      writeFileSync(kept, posterior);
      const p = bdl('predict', '--posterior', kept, '--test', test);
      expect(p.status, p.stderr).toBe(0);
      expect(JSON.parse(p.stdout).mean).toEqual(JSON.parse(json.toString('utf8')).mean);
    } finally {
      readers.forEach((fd) => closeSync(fd));
    }
  });

  it.skipIf(!existsSync('/dev/full'))('--out /dev/full (a disk with no space left): one line naming --out, its path, the bytes it needed and what to do, exit 1 (it was Node\'s bare "ENOSPC: no space left on device, write")', () => {
    const r = bdl('fit', '--method', 'map', '--epochs', '1', '--train', train, '--test', test, '--out', '/dev/full');
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/^bdl: --out: expected room for \d+ bytes on the disk of "\/dev\/full", found none left \(ENOSPC\)\. Free space there, or give --out a path on another disk; nothing was written\.$/m);
    expect(r.stderr.trim().split('\n').filter((l) => l.startsWith('bdl:'))).toHaveLength(1);
  });

  it.skipIf(!existsSync('/dev/full'))('standard output on a full disk (bdl fit > /dev/full): the same one line as --out, exit 1 (it was "bdl: standard output: ENOSPC: no space left on device, write")', () => {
    const full = openSync('/dev/full', 'w');
    try {
      const r = spawnSync(process.execPath, [cli, 'fit', '--method', 'map', '--epochs', '1', '--train', train, '--test', test], { encoding: 'utf8', timeout: 20_000, stdio: ['ignore', full, 'pipe'] });
      expect(r.status, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/^bdl: standard output: expected room on the disk it is written to, found none left \(ENOSPC\)\. Free space there, or give --out a path on another disk; the output sent to it is incomplete\.$/m);
      expect(r.stderr.trim().split('\n').filter((l) => l.startsWith('bdl:'))).toHaveLength(1);
    } finally {
      closeSync(full);
    }
  });

  it('--out and --save naming symbolic links write their targets and keep the links (the links were replaced by files, the targets kept their stale contents)', () => {
    const [outTarget, saveTarget] = [join(dir, 'real-out.json'), join(dir, 'real-save.bdl')];
    writeFileSync(outTarget, 'stale');
    writeFileSync(saveTarget, 'stale');
    const [out, save] = [join(dir, 'link-out.json'), join(dir, 'link-save.bdl')];
    symlinkSync(outTarget, out);
    symlinkSync(saveTarget, save);
    // A link to standard output (as /dev/stdout is), with standard output redirected to a file.
    const stdoutLink = join(dir, 'stdout-link');
    symlinkSync('/proc/self/fd/1', stdoutLink);
    const r = bdl('fit', '--method', 'map', '--epochs', '2', '--seed', '1', '--train', train, '--test', test, '--out', out, '--save', save);
    expect(r.status, r.stderr).toBe(0);
    expect(lstatSync(out).isSymbolicLink() && lstatSync(save).isSymbolicLink()).toBe(true);
    const doc = JSON.parse(readFileSync(outTarget, 'utf8'));
    expect(doc).toMatchObject({ command: 'fit', method: 'map' });
    const p = bdl('predict', '--posterior', saveTarget, '--test', test);
    expect(p.status, p.stderr).toBe(0);
    expect(JSON.parse(p.stdout).mean).toEqual(doc.mean);
    if (existsSync('/proc/self/fd/1')) {
      const redirected = join(dir, 'redirected.json');
      const fd = openSync(redirected, 'w');
      try {
        const q = spawnSync(process.execPath, [cli, 'predict', '--posterior', saveTarget, '--test', test, '--out', stdoutLink], { stdio: ['ignore', fd, 'pipe'], timeout: 20_000, killSignal: 'SIGKILL' });
        expect(q.status, String(q.stderr)).toBe(0);
      } finally {
        closeSync(fd);
      }
      expect(lstatSync(stdoutLink).isSymbolicLink()).toBe(true);
      expect(JSON.parse(readFileSync(redirected, 'utf8')).mean).toEqual(doc.mean);
    }
  });

  it('a FIFO with nobody at its other end (--train with no writer, --out with no reader): one line after ~1 s naming it and what it waits for; one SIGINT or SIGTERM ends the command, 130 / 143 (it blocked at open in silence, and a signal was not heard)', async () => {
    const input = join(dir, 'in.fifo');
    const output = join(dir, 'out-noreader.fifo');
    execFileSync('mkfifo', [input, output]);
    const cases = [
      { args: ['--train', input, '--test', test], line: `bdl: ${input}: waiting for a writer on this FIFO (Ctrl-C to stop)`, signal: 'SIGINT', code: 130 },
      { args: ['--train', train, '--test', test, '--out', output], line: `bdl: ${output}: waiting for a reader on this FIFO (Ctrl-C to stop)`, signal: 'SIGTERM', code: 143 },
    ] as const;
    await Promise.all(cases.map(async ({ args, line, signal, code }) => {
      const child = spawn(process.execPath, [cli, 'fit', '--method', 'map', '--epochs', '1', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      let stderr = '';
      const exit = new Promise<number | null>((done) => child.on('close', (c) => done(c)));
      await Promise.race([exit, new Promise<void>((said) => child.stderr.on('data', (d: Buffer) => ((stderr += d.toString('utf8')), stderr.includes('waiting for') && said())))]);
      child.kill(signal);
      expect(await exit, stderr).toBe(code);
      clearTimeout(killer);
      expect(stderr).toContain(`${line}\n`);
      expect(stderr).toMatch(/^bdl: cancelled$/m);
    }));
    expect(statSync(output).isFIFO()).toBe(true);
  }, 30_000);

  it('a reader of standard output that leaves early (bdl fit | head -c 10): exit 141 and one line, not an unhandled EPIPE stack trace', async () => {
    // ~2,500 test rows: a JSON well past a pipe's 64 KiB, so that the write meets the closed pipe.
    const big = join(dir, 'big.txt');
    writeFileSync(big, Array.from({ length: 80 }, () => readFileSync(test, 'utf8').trim()).join('\n'));
    const child = spawn(process.execPath, [cli, 'fit', '--method', 'map', '--epochs', '1', '--train', train, '--test', big], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((done) => child.on('close', (c) => done(c)));
    expect(stderr).not.toMatch(/Unhandled 'error' event|at .*\(node:/);
    expect(stderr).toMatch(/^bdl: standard output was closed before everything was written to it \(its reader left: EPIPE\)\.$/m);
    expect(code).toBe(141);
  }, 30_000);
});
