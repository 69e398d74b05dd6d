// The system's limit on open files (EMFILE in this process, ENFILE on the system) reached as a file is
// opened: the readers of the command line said "Check the path", which sends the user to a path that
// is fine. The limit cannot be reached here without starving the test runner, so the failure is
// injected at node:fs/promises, as the kernel gives it.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';

vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  const open: typeof fs.open = async (path, ...rest) => {
    const code = /E[MN]FILE/.exec(String(path))?.[0];
    if (code) throw Object.assign(new Error(`${code}: too many open files, open '${String(path)}'`), { code, errno: code === 'EMFILE' ? -24 : -23, syscall: 'open' });
    return fs.open(path, ...rest);
  };
  return { ...fs, default: { ...fs, open }, open };
});
const { readText } = await import('../../src/cli/tables.js');
const { readUserFile } = await import('../../src/cli/read.js');

const dir = mkdtempSync(join(tmpdir(), 'open-limit-'));
const file = (name: string) => {
  writeFileSync(join(dir, name), '1,2\n3,4\n');
  return join(dir, name);
};
const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as Error & { code?: string; argument?: string });

describe('the open-file limit, met by a reader of the command line', () => {
  it('is said as the system refusing another open file, with what to do, not "Check the path" (tables, posterior, results)', async () => {
    const train = file('EMFILE.csv');
    const e = await failure(readText(train, 'train'));
    expect(e).toMatchObject({ code: 'E_ARG', argument: train });
    expect(e!.message).toBe(`${train}: the system refused to open another file (EMFILE: too many open files in this process). Raise the limit on open files (ulimit -n) or close files the process holds, then try again.`);
    const posterior = file('ENFILE.bdl');
    const f = await failure(readUserFile(posterior, 1 << 20, 'posterior'));
    expect(f).toMatchObject({ code: 'E_ARG', argument: 'posterior', message: expect.stringMatching(/ENFILE\.bdl: the system refused to open another file \(ENFILE: too many open files on the system\)\. Raise the limit/) });
    // A path that is wrong is still said as such.
    const g = await failure(readUserFile(join(dir, 'missing.json'), 1 << 20, 'results'));
    expect(g!.message).toMatch(/missing\.json: cannot read the file \(ENOENT\)\. Check the path\.$/);
  });
});
