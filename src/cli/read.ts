/**
 * Reading a file the user names, bounded. `readFile` bounds a plain file by its size (2 GiB), but
 * reads a device or a pipe to its end: `--posterior /dev/zero`, `--train /dev/urandom` or an endless
 * `<(yes 1,2)` filled the memory (tens of GiB) and ignored Ctrl-C and SIGTERM meanwhile. Here a plain
 * file larger than the limit is refused from its size before any byte is read, anything else once it
 * has given more than the limit; and `enough` may end the reading at its first bytes, when they
 * already say what the file is not (no posterior's signature, a NUL byte in what should be text).
 */
import { constants } from 'node:buffer';
import { open } from 'node:fs/promises';
import { BdlError, fileReadError } from '../errors.js';
import { openFifo } from './fifo.js';

/**
 * The most bytes a text file is read to: no text of more than three bytes per character fits a
 * JavaScript string (a UTF-8 character takes at most three bytes per UTF-16 unit, an invalid byte
 * becomes one unit), and a gzip stream is not much longer than the text it holds. A plain file beyond
 * it is refused from its size; a device or a pipe once it has given as much.
 */
export const MAX_TEXT_BYTES = 3 * constants.MAX_STRING_LENGTH;

/** The first bytes `enough` sees: at least this many, unless the file is shorter. */
const HEAD = 1 << 20;

/** Bytes read per call after the first. */
const CHUNK = 1 << 20;

/**
 * The file's bytes, or `undefined` when it holds more than `limit` bytes. `enough(head)` is asked once,
 * on the first `HEAD` bytes (or the whole file when shorter): when it answers true, only those are
 * returned, for the caller's parser to refuse. Errors are Node's (`code` set: ENOENT, EISDIR, …).
 */
export async function readCapped(path: string, limit: number, enough?: (head: Buffer) => boolean): Promise<Buffer | undefined> {
  const handle = (await openFifo(path, 'r')) ?? (await open(path, 'r'));
  try {
    const stat = await handle.stat();
    if (stat.isDirectory()) throw Object.assign(new Error('EISDIR: illegal operation on a directory, read'), { code: 'EISDIR' });
    if (stat.isFile() && stat.size > limit) return undefined;
    const chunks: Buffer[] = [];
    let total = 0;
    let asked = enough === undefined;
    // A plain file in one buffer of its size and a byte more (where a read that comes back short
    // is its end); a device or a pipe in chunks.
    let size = stat.isFile() ? Math.min(stat.size + 1, limit + 1) : CHUNK;
    for (;;) {
      const buf = Buffer.allocUnsafe(size);
      let got = 0;
      for (let n = -1; n !== 0 && got < size; got += n) n = (await handle.read(buf, got, size - got, null)).bytesRead;
      chunks.push(buf.subarray(0, got));
      total += got;
      if (total > limit) return undefined;
      const end = got < size;
      if (!asked && (total >= HEAD || end)) {
        asked = true;
        const head = joined(chunks, total);
        if (enough!(head)) return head;
      }
      if (end) return joined(chunks, total);
      size = CHUNK;
    }
  } finally {
    await handle.close();
  }
}

function joined(chunks: Buffer[], total: number): Buffer {
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, total);
}

/** readCapped, a failure to open or read said by its cause (fileReadError): E_ARG naming `argument`. */
export async function readUserFile(path: string, limit: number, argument: string, enough?: (head: Buffer) => boolean): Promise<Buffer | undefined> {
  try {
    return await readCapped(path, limit, enough);
  } catch (e) {
    throw e instanceof BdlError ? e : fileReadError(path, e, argument);
  }
}
