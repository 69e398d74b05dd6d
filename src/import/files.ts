/**
 * Reading a model's files through one open handle each (Node): the kind and size are checked on the
 * handle, and the bytes parsed are read through it, bounded by that size. Checking a path and then
 * reading the path again would parse whatever the path holds by then: a shard replaced by another of
 * the same size (its weights imported in silence), a model.json grown to gigabytes (read whole).
 * node:fs is passed in, never imported here: the package's one entry is loaded by browsers too.
 */
import { BdlError, fileReadError } from '../errors.js';

/** Most files a model's import holds open at once (a process may open ~256 on macOS, ~1024 on Linux). */
export const MAX_OPEN_FILES = 32;

type Fs = typeof import('node:fs/promises');
type FileHandle = import('node:fs/promises').FileHandle;

/** An open plain file and its size, as checked on the handle. */
export interface OpenFile {
  readonly path: string;
  readonly handle: FileHandle;
  readonly size: number;
  /** Which file it is (device and inode), to know it again once reopened. */
  readonly dev: number;
  readonly ino: number;
}

function readError(path: string, e: unknown): BdlError {
  return fileReadError(path, e, path, `The import holds at most ${MAX_OPEN_FILES} of the model's files open; the rest of the limit is taken by other files.`);
}

/**
 * Opens `path` for reading and checks on the handle that it is a plain file. Non-blocking, so that
 * opening a FIFO returns at once (a blocking open waits for a writer forever) and is refused here;
 * on a plain file the flag changes nothing. The handle is closed when the check refuses it.
 */
export async function openFile(fs: Fs, path: string): Promise<OpenFile> {
  const flags = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0);
  const handle = await fs.open(path, flags).catch((e: unknown) => {
    throw readError(path, e);
  });
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new BdlError('E_ARG', `${path}: expected a file, found ${stat.isDirectory() ? 'a directory' : 'a special file (a pipe, socket or device)'}. Pass the model's files.`, path);
    return { path, handle, size: stat.size, dev: stat.dev, ino: stat.ino };
  } catch (e) {
    await handle.close();
    throw e instanceof BdlError ? e : readError(path, e);
  }
}

/**
 * The file's bytes, exactly the `size` checked on its handle: a file that has grown or shrunk since
 * is refused (one byte past the size is all that is read of it), never parsed as it then is.
 */
export async function readOpenFile({ path, handle, size }: OpenFile): Promise<Uint8Array> {
  const bytes = new Uint8Array(size);
  let got = 0;
  try {
    // A read may return fewer bytes than asked (Linux caps one read near 2 GiB): read until full or at the end.
    while (got < size) {
      const { bytesRead } = await handle.read(bytes, got, size - got, got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    const past = got === size ? (await handle.read(new Uint8Array(1), 0, 1, size)).bytesRead : 0;
    if (got < size || past > 0) {
      throw new BdlError('E_ARG', `${path}: expected the ${size} bytes the file held when it was opened, found ${past > 0 ? 'more' : got}: it changed while being read. Import it once nothing is writing to it (a download or save still running).`, path);
    }
    return bytes;
  } catch (e) {
    throw e instanceof BdlError ? e : readError(path, e);
  }
}

/**
 * Reopens a file checked and closed before (`checked`'s handle is no longer used) and reads it through
 * the new handle, refusing another file now at that path (replaced since: another device or inode) or
 * one of another size — the size checked is what was held against the manifest.
 */
export async function readReopened(fs: Fs, checked: OpenFile): Promise<Uint8Array> {
  const file = await openFile(fs, checked.path);
  try {
    if (file.dev !== checked.dev || file.ino !== checked.ino || file.size !== checked.size) {
      throw new BdlError('E_ARG', `${checked.path}: expected the file checked before (${checked.size} bytes), found another file at that path (${file.size} bytes): it was replaced while the model was being read. Import it once nothing is writing to the folder.`, checked.path);
    }
    return await readOpenFile(file);
  } finally {
    await closeFiles([file]);
  }
}

/** Closes every handle, whatever happened; a close that fails has nothing left to release. */
export async function closeFiles(files: readonly OpenFile[]): Promise<void> {
  await Promise.all(files.map((f) => f.handle.close().catch(() => undefined)));
}
