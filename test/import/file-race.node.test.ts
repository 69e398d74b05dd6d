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
import { importModelFile } from '../../src/import/node.js';
import { dense, tfjsModel } from './hostile.js';

type Fsp = typeof import('node:fs/promises');
const fsp = createRequire(import.meta.url)('node:fs/promises') as Fsp;
const root = mkdtempSync(join(tmpdir(), 'bdl-race-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A 2-3-1 model.json and its shard in a fresh folder, with the shard's weights. */
function folder(name: string): { json: string; shard: string; weights: Float32Array } {
  const a = dense('d1', 2, 3, 'relu', true);
  const b = dense('d2', 3, 1);
  const { model, shards } = tfjsModel([a.layer, b.layer], [...a.weights, ...b.weights]);
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'model.json'), JSON.stringify(model));
  writeFileSync(join(dir, 'group1-shard1of1.bin'), shards[0]);
  return { json: join(dir, 'model.json'), shard: join(dir, 'group1-shard1of1.bin'), weights: new Float32Array(shards[0].buffer.slice(0)) };
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
