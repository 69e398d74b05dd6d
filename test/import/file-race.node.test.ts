// importModelFile reads what it checked: each file is opened once, its kind and size are checked on
// that handle, and the bytes parsed are read through it. A file swapped or grown between the check
// and the read (by another process: a download finishing, a re-save) is not what gets parsed.
// The race is made deterministic by running the swap inside the size check itself: `stat` (on a path
// or on a handle) is wrapped so that, once it has answered for the chosen file, the file is changed.
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readlinkSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { MAX_OPEN_FILES } from '../../src/import/files.js';
import { importModelFile } from '../../src/import/node.js';
import { dense, tfjsModel } from './hostile.js';

type Fsp = typeof import('node:fs/promises');
const fsp = createRequire(import.meta.url)('node:fs/promises') as Fsp;
const root = mkdtempSync(join(tmpdir(), 'bdl-race-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/**
 * A 2-3-1 model.json and its shard in a fresh folder, with the shard's weights; with `many`, a 4-8-1
 * model whose 49 weights are stored 4 bytes a shard (49 shard files, w0.bin …).
 */
function folder(name: string, many = false): { json: string; shard: string; dir: string; weights: Float32Array } {
  const [n0, n1] = many ? [4, 8] : [2, 3];
  const a = dense('d1', n0, n1, 'relu', true);
  const b = dense('d2', n1, 1);
  const { model, shards } = tfjsModel([a.layer, b.layer], [...a.weights, ...b.weights]);
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  const bytes = shards[0];
  if (many) model.weightsManifest[0].paths = Array.from({ length: bytes.length / 4 }, (_, i) => `w${i}.bin`);
  const paths: string[] = model.weightsManifest[0].paths;
  paths.forEach((p, i) => writeFileSync(join(dir, p), many ? bytes.subarray(4 * i, 4 * i + 4) : bytes));
  writeFileSync(join(dir, 'model.json'), JSON.stringify(model));
  return { json: join(dir, 'model.json'), shard: join(dir, paths[0]), dir, weights: new Float32Array(bytes.buffer.slice(0)) };
}

let restore: (() => void) | undefined;
afterEach(() => {
  restore?.();
  restore = undefined;
});

/**
 * Runs `change` once, right after the first size check of `file`: whether the reader checks it by
 * path (fs.stat) or on an open handle (FileHandle.stat; the handle's file is found by its fd).
 */
async function afterCheckOf(file: string, change: () => void): Promise<void> {
  let done = false;
  const once = () => {
    if (done) return;
    done = true;
    change();
  };
  const stat = fsp.stat;
  (fsp as { stat: unknown }).stat = async (...args: Parameters<Fsp['stat']>) => {
    const s = await stat(...args);
    if (String(args[0]) === file) once();
    return s;
  };
  syncBuiltinESMExports();
  const probe = await fsp.open(file);
  const proto = Object.getPrototypeOf(probe) as { stat: (...a: unknown[]) => Promise<unknown> };
  await probe.close();
  const handleStat = proto.stat;
  proto.stat = async function (this: { fd: number }, ...args: unknown[]) {
    const s = await handleStat.apply(this, args);
    if (readlinkSync(`/proc/self/fd/${this.fd}`) === file) once();
    return s;
  };
  restore = () => {
    (fsp as { stat: unknown }).stat = stat;
    syncBuiltinESMExports();
    proto.stat = handleStat;
  };
}

describe.skipIf(process.platform !== 'linux')('importModelFile parses the file it checked', () => {
  it('a shard replaced after its size check (same size, other weights) is not read: the weights are the checked file\'s', async () => {
    const { json, shard, weights } = folder('swap-shard');
    const other = join(root, 'other.bin');
    writeFileSync(other, new Uint8Array(new Float32Array(weights.length).fill(7).buffer));
    await afterCheckOf(shard, () => renameSync(other, shard));
    const net = await importModelFile(json);
    expect(net.theta).not.toContain(7);
    expect([...net.theta].sort()).toEqual([...weights].sort());
  });
  it('a model.json replaced after its size check by a 150 MB file is not read: the checked model imports', async () => {
    const { json } = folder('swap-json');
    const big = join(root, 'big.json');
    writeFileSync(big, '');
    truncateSync(big, 150e6);
    await afterCheckOf(json, () => renameSync(big, json));
    const net = await importModelFile(json);
    expect(net.spec).toMatchObject({ inputs: 2, hidden: [3], outputs: 1 });
  });
  it('a model.json that grows after its size check is refused (changed while read), never read beyond the size checked', async () => {
    const { json } = folder('grow-json');
    await afterCheckOf(json, () => truncateSync(json, 150e6));
    await expect(importModelFile(json)).rejects.toMatchObject({ code: 'E_ARG', message: expect.stringMatching(/model\.json: expected the \d+ bytes the file held when it was opened, found more: it changed while being read/) });
  });
  it('a shard that shrinks after its size check is refused (changed while read), not parsed short', async () => {
    const { json, shard } = folder('shrink-shard');
    await afterCheckOf(shard, () => truncateSync(shard, 20));
    await expect(importModelFile(json)).rejects.toMatchObject({ code: 'E_ARG', message: expect.stringMatching(/group1-shard1of1\.bin: expected the 52 bytes the file held when it was opened, found 20: it changed while being read/) });
  });
});

describe.skipIf(process.platform !== 'linux')('importModelFile closes every file it opened', () => {
  /** The files this process holds open under `dir` (/proc/self/fd). */
  const openUnder = (dir: string) => readdirSync('/proc/self/fd').flatMap((fd) => {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      return target.startsWith(dir) ? [target] : [];
    } catch {
      return [];
    }
  });
  it('on success and on every refusal (a FIFO shard, a shard of the wrong size, a changed shard, a malformed model.json)', async () => {
    const ok = folder('close-ok');
    await importModelFile(ok.json);
    const fifo = folder('close-fifo');
    rmSync(fifo.shard);
    execFileSync('mkfifo', [fifo.shard]);
    await expect(importModelFile(fifo.json)).rejects.toMatchObject({ code: 'E_ARG' });
    const short = folder('close-short');
    truncateSync(short.shard, 40);
    await expect(importModelFile(short.json)).rejects.toMatchObject({ code: 'E_FORMAT' });
    const changed = folder('close-changed');
    await afterCheckOf(changed.shard, () => truncateSync(changed.shard, 80));
    await expect(importModelFile(changed.json)).rejects.toMatchObject({ code: 'E_ARG' });
    const bad = folder('close-bad');
    writeFileSync(bad.json, '{"format": "layers-model"');
    await expect(importModelFile(bad.json)).rejects.toMatchObject({ code: 'E_PARSE' });
    expect(openUnder(root)).toEqual([]);
  });
});

/** Wraps fs/promises' open (as importModelFile reaches it) with `wrap`, until the test ends. */
function wrapOpen(wrap: (open: Fsp['open'], ...args: Parameters<Fsp['open']>) => ReturnType<Fsp['open']>): void {
  const open = fsp.open;
  (fsp as { open: unknown }).open = (...args: Parameters<Fsp['open']>) => wrap(open, ...args);
  syncBuiltinESMExports();
  restore = () => {
    (fsp as { open: unknown }).open = open;
    syncBuiltinESMExports();
  };
}

describe.skipIf(process.platform !== 'linux')('importModelFile and a model of many shards', () => {
  const openUnder = (dir: string) => readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`).startsWith(dir);
    } catch {
      return false;
    }
  }).length;

  it(`holds at most ${MAX_OPEN_FILES} files open at once (49 shards), and imports the weights in manifest order`, async () => {
    const m = folder('many', true);
    let peak = 0;
    wrapOpen((open, ...args) => {
      peak = Math.max(peak, openUnder(m.dir) + 1);
      return open(...args);
    });
    const net = await importModelFile(m.json);
    expect(peak).toBeGreaterThan(1);
    expect(peak).toBeLessThanOrEqual(MAX_OPEN_FILES);
    expect([...net.theta].sort()).toEqual([...m.weights].sort());
    expect(openUnder(m.dir)).toBe(0);
  });

  it('a shard replaced after its check, past the files held open, is refused (changed), never read', async () => {
    const m = folder('many-swap', true);
    const last = join(m.dir, 'w48.bin');
    const other = join(root, 'other4.bin');
    writeFileSync(other, new Uint8Array(new Float32Array([7]).buffer));
    await afterCheckOf(last, () => renameSync(other, last));
    await expect(importModelFile(m.json)).rejects.toMatchObject({ code: 'E_ARG', message: expect.stringMatching(/w48\.bin: expected the file checked before .*another file/) });
    expect(openUnder(m.dir)).toBe(0);
  });

  it('the system refusing another open file (EMFILE) is said as such, not "check the path"', async () => {
    const m = folder('many-emfile', true);
    let n = 0;
    wrapOpen((open, ...args) => {
      if (++n === 5) return Promise.reject(Object.assign(new Error('EMFILE: too many open files'), { code: 'EMFILE', errno: -24 }));
      return open(...args);
    });
    const e = (await importModelFile(m.json).catch((x: unknown) => x)) as Error;
    expect(e).toMatchObject({ code: 'E_ARG', message: expect.stringMatching(/w3\.bin: the system refused to open another file \(EMFILE: too many open files in this process\).*ulimit -n/) });
    expect(e.message).not.toMatch(/Check the path/);
    expect(openUnder(m.dir)).toBe(0);
  });
});
