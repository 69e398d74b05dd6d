/**
 * Opening a FIFO (a named pipe) the user names as an input or an output. Its open waits until the
 * other end is opened: with no writer (or reader) it blocked in silence, in a thread that no signal
 * reaches, so Ctrl-C said "cancelling…" and nothing ended. Here a wait past a second is said on
 * standard error, naming the path and what it waits for, and a cancel (`releaseWaits`, on the first
 * Ctrl-C or SIGTERM) opens the other end for an instant without blocking, which ends the wait; the
 * open then fails with E_ABORTED.
 */
import { closeSync, constants, openSync, statSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { BdlError } from '../errors.js';

/** How long an open may wait before it is said. */
const NOTICE_MS = 1000;

interface Wait {
  readonly path: string;
  readonly mode: 'r' | 'w';
  released: boolean;
}
const waits = new Set<Wait>();

/** `path` opened for reading ('r') or writing ('w') when it is a FIFO; `undefined` for anything else (opened as usual by the caller). */
export async function openFifo(path: string, mode: 'r' | 'w'): Promise<FileHandle | undefined> {
  let fifo = false;
  try {
    fifo = statSync(path).isFIFO();
  } catch {
    // Missing or unreadable: the caller's own open says so.
  }
  if (!fifo) return undefined;
  const wait: Wait = { path, mode, released: false };
  const other = mode === 'r' ? 'writer' : 'reader';
  waits.add(wait);
  const notice = setTimeout(() => process.stderr.write(`bdl: ${path}: waiting for a ${other} on this FIFO (Ctrl-C to stop)\n`), NOTICE_MS);
  try {
    const handle = await open(path, mode);
    if (!wait.released) return handle;
    await handle.close();
    throw new BdlError('E_ABORTED', `cancelled while waiting for a ${other} on the FIFO ${path}.`);
  } finally {
    clearTimeout(notice);
    waits.delete(wait);
  }
}

/**
 * Ends every FIFO open still waiting: opening the other end without blocking wakes it (a reader's
 * end always opens so; a writer's does once a reader waits, as the blocked open is one).
 */
export function releaseWaits(): void {
  for (const w of waits) {
    w.released = true;
    try {
      closeSync(openSync(w.path, (w.mode === 'r' ? constants.O_WRONLY : constants.O_RDONLY) | constants.O_NONBLOCK));
    } catch {
      // Its open has just returned (the other end came), or the FIFO is gone.
    }
  }
}
