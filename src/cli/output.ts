/**
 * Output files that are whole or absent: each is written to a temporary name beside its target and
 * renamed at the end (a rename within a directory is atomic), only if the run was not cancelled.
 * Temporary files still open when the process is interrupted are removed (`removeTemporaries`).
 */
import { constants, statSync, unlinkSync } from 'node:fs';
import { access, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { BdlError } from '../errors.js';

const temporaries = new Set<string>();

/** Checks up front that `path`'s directory exists and is writable, naming the flag otherwise. */
export async function checkWritable(path: string, flag: string): Promise<void> {
  const dir = dirname(resolve(path));
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
    await access(dir, constants.W_OK);
  } catch {
    isDir = false;
  }
  if (!isDir) throw new BdlError('E_ARG', `--${flag}: expected a file in a writable directory, found ${JSON.stringify(path)} (${dir} does not exist or cannot be written). Create the directory first, or pick another path.`, flag);
  try {
    if (statSync(path).isDirectory()) throw new BdlError('E_ARG', `--${flag}: expected a file name, found the directory ${JSON.stringify(path)}. Name a file inside it.`, flag);
  } catch (e) {
    if (e instanceof BdlError) throw e;
  }
}

/** Writes `files` (path → contents) whole: all temporaries first, then the renames, unless `signal` aborted. */
export async function writeOutputs(files: Record<string, string | Uint8Array>, signal?: AbortSignal): Promise<void> {
  const staged: [string, string][] = [];
  try {
    for (const [path, data] of Object.entries(files)) {
      const tmp = `${path}.${process.pid}.tmp`;
      temporaries.add(tmp);
      staged.push([tmp, path]);
      await writeFile(tmp, data);
    }
    if (signal?.aborted) throw new BdlError('E_ABORTED', 'cancelled before the output was written.');
    for (const [tmp, path] of staged) {
      await rename(tmp, path);
      temporaries.delete(tmp);
    }
  } finally {
    for (const [tmp] of staged) {
      if (!temporaries.has(tmp)) continue;
      temporaries.delete(tmp);
      await unlink(tmp).catch(() => undefined);
    }
  }
}

/** Removes the temporaries of writes still in flight (on a forced exit). */
export function removeTemporaries(): void {
  for (const tmp of temporaries) {
    try {
      unlinkSync(tmp);
    } catch {
      // Already renamed or never created.
    }
  }
  temporaries.clear();
}
