/**
 * Reading a model's files through one open handle each (Node): the kind and size are checked on the
 * handle, and the bytes parsed are read through it, bounded by that size. Checking a path and then
 * reading the path again would parse whatever the path holds by then: a shard replaced by another of
 * the same size (its weights imported in silence), a model.json grown to gigabytes (read whole).
 * node:fs is passed in, never imported here: the package's one entry is loaded by browsers too.
 */
import { BdlError } from '../errors.js';

type Fs = typeof import('node:fs/promises');
type FileHandle = import('node:fs/promises').FileHandle;

/** An open plain file and its size, as checked on the handle. */
export interface OpenFile {
  readonly path: string;
  readonly handle: FileHandle;
  readonly size: number;
}

function readError(path: string, e: unknown): BdlError {
  return new BdlError('E_ARG', `${path}: cannot read the file (${(e as NodeJS.ErrnoException).code ?? 'error'}). Check the path.`, path);
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
    return { path, handle, size: stat.size };
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

/** Closes every handle, whatever happened; a close that fails has nothing left to release. */
export async function closeFiles(files: readonly OpenFile[]): Promise<void> {
  await Promise.all(files.map((f) => f.handle.close().catch(() => undefined)));
}
