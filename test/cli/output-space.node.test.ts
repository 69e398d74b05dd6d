// An output written to a disk that fills up: the temporary beside it is removed and the error names
// the flag, the path and the bytes it needed (it was Node's "ENOSPC: no space left on device, write").
// A full file system cannot be made without root, so the failure is injected at node:fs/promises:
// writeFile writes part of the file, then fails as the kernel does.
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';

vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  const writeFile: typeof fs.writeFile = async (path, data, options) => {
    if (!String(path).includes('full-disk')) return fs.writeFile(path, data, options);
    await fs.writeFile(path, 'partial');
    throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
  };
  return { ...fs, default: { ...fs, writeFile }, writeFile };
});
const { writeOutputs } = await import('../../src/cli/output.js');

describe('an output on a full disk', () => {
  it("is a typed error naming the flag, the path and the bytes it needed; the temporary is removed and the other output is not renamed into place", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'full-disk-'));
    const out = join(dir, 'out.json');
    const err = await writeOutputs([{ flag: 'save', path: join(dir, 'p.bdl'), data: new Uint8Array(3000) }, { flag: 'out', path: out, data: 'é'.repeat(1000) }]).then(() => undefined, (e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_ARG', argument: 'save' });
    expect((err as Error).message).toBe(`--save: expected room for 3000 bytes on the disk of ${JSON.stringify(join(dir, 'p.bdl'))}, found none left (ENOSPC). Free space there, or give --save a path on another disk; nothing was written.`);
    expect(readdirSync(dir)).toEqual([]);
    expect(existsSync(out)).toBe(false);
  });
});
