/**
 * Output files that are whole or absent: each is written to a temporary name beside its target and
 * renamed at the end (a rename within a directory is atomic), only if the run was not cancelled.
 * Temporary files still open when the process is interrupted are removed (`removeTemporaries`).
 */
import { once } from 'node:events';
import { constants, lstatSync, realpathSync, statSync, unlinkSync } from 'node:fs';
import { access, rename, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { BdlError } from '../errors.js';
import { formatBytes } from '../linalg/memory.js';
import { openFifo } from './fifo.js';
import { summaryLine } from './json.js';

const temporaries = new Set<string>();

/**
 * Whether `path` is a device, a pipe or a socket (/dev/null, /dev/stdout, a FIFO): written in place,
 * as there is no file to replace. Renamed over, /dev/null itself became a regular file (as root), and
 * a FIFO's reader got nothing.
 */
function statDir(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

function isSpecial(path: string): boolean {
  try {
    const s = statSync(path);
    return !s.isFile() && !s.isDirectory();
  } catch {
    return false;
  }
}

/**
 * Where an output goes: in place (`undefined`) for a device or a pipe, and for a symbolic link whose
 * target cannot be resolved (a dangling link, a deleted file behind /dev/stdout); else the path with
 * its links resolved, whose directory the temporary is written to and renamed in. Renamed over, a
 * link was replaced by a file: `--out /dev/stdout > r.json` (as root) made /dev/stdout itself a
 * regular file, and r.json stayed empty.
 */
function destination(path: string): string | undefined {
  if (isSpecial(path)) return undefined;
  try {
    return realpathSync(path);
  } catch {
    try {
      lstatSync(path);
    } catch {
      return path;
    }
    return undefined;
  }
}

/** Checks up front that `path`'s directory exists and is writable (or that `path` is a device or pipe that can be written), naming the flag otherwise. */
export async function checkWritable(path: string, flag: string): Promise<void> {
  // "dir/" names no file: its directory was checked as the parent of the run's directory, and the
  // write failed at the end with ENOENT on "dir/.<pid>.tmp", after the whole run.
  if (/[\\/]$/.test(path)) throw new BdlError('E_ARG', `--${flag}: expected a file name, found ${JSON.stringify(path)}, which ends in a path separator (a directory). Name a file in it, e.g. ${JSON.stringify(join(path, flag === 'save' ? 'posterior.bdl' : 'out.json'))}.`, flag);
  const to = destination(path);
  if (to === undefined) {
    const ok = await access(path, constants.W_OK).then(() => true, (e: NodeJS.ErrnoException) => e.code === 'ENOENT' && statDir(dirname(resolve(path))));
    if (!ok) throw new BdlError('E_ARG', `--${flag}: expected a file or a device that can be written, found ${JSON.stringify(path)}, which cannot be written. Pick another path.`, flag);
    return;
  }
  path = to;
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

/** A flag and the path it names (undefined: not given). */
export type PathFlag = readonly [flag: string, path: string | undefined];

/**
 * Refuses an output that would replace an input (or another output): the same directory entry once
 * symbolic links in its directory are resolved, or the same file (a link to it, another spelling on
 * a case-insensitive file system). The rename that writes an output would replace the user's file.
 */
export function checkNotInput(outputs: readonly PathFlag[], inputs: readonly PathFlag[]): void {
  const outs = outputs.filter((o): o is readonly [string, string] => o[1] !== undefined);
  for (const [flag, path] of outs) {
    for (const [other, input] of inputs) {
      if (input === undefined || !samePath(path, input)) continue;
      throw new BdlError('E_ARG', `--${flag}: expected a path other than --${other}'s, found ${JSON.stringify(path)}, which is --${other} ${JSON.stringify(input)}: writing it would replace your input. Write the output elsewhere.`, flag);
    }
  }
  outs.forEach(([flag, path], i) => {
    const before = outs.slice(0, i).find(([, p]) => samePath(p, path));
    if (before) throw new BdlError('E_ARG', `--${flag}: expected a path other than --${before[0]}'s, found ${JSON.stringify(path)} for both: one output would overwrite the other. Give each its own file.`, flag);
  });
}

function samePath(a: string, b: string): boolean {
  if (entryOf(a) === entryOf(b)) return true;
  try {
    const [x, y] = [statSync(a), statSync(b)];
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false;
  }
}

/** A path's directory entry: its directory with symbolic links resolved, and its name. */
function entryOf(path: string): string {
  const abs = resolve(path);
  let dir = dirname(abs);
  try {
    dir = realpathSync(dir);
  } catch {
    // A directory that does not exist yet: compare the path as given.
  }
  return join(dir, basename(abs));
}

/**
 * Checks up front that `dir` is a writable directory, or can be created (its nearest existing
 * ancestor is a writable directory), and that none of `files` in it is a directory, naming the flag.
 * Creates nothing: a run that fails or is cancelled leaves no empty directory behind.
 */
export async function checkOutputDir(dir: string, flag: string, files: readonly string[]): Promise<void> {
  const abs = resolve(dir);
  let at = abs;
  let isDir: boolean | undefined;
  for (;;) {
    try {
      isDir = statSync(at).isDirectory();
      break;
    } catch {
      const up = dirname(at);
      if (up === at) break;
      at = up;
    }
  }
  if (isDir && at === abs) {
    for (const f of files) {
      try {
        if (statSync(join(abs, f)).isDirectory()) throw new BdlError('E_ARG', `--${flag}: expected a directory where ${f} can be written, found ${JSON.stringify(join(dir, f))}, a directory. Remove it, or pick another --${flag}.`, flag);
      } catch (e) {
        if (e instanceof BdlError) throw e;
      }
    }
  }
  let writable = isDir === true;
  if (writable) writable = await access(at, constants.W_OK | constants.X_OK).then(() => true, () => false);
  if (!writable) {
    const under = at === abs ? '' : `, to be created in ${at}`;
    const found = `${JSON.stringify(dir)}${isDir === undefined ? ', on no existing directory' : isDir ? `${under}, which cannot be written` : at === abs ? ', a file' : `, under ${at}, a file`}`;
    throw new BdlError('E_ARG', `--${flag}: expected a directory that exists or can be created, and can be written, found ${found}. Pick another --${flag}.`, flag);
  }
}

/** An output file: the flag that names it, its path, and its contents (pieces: a document too long for one string). */
export interface Output {
  readonly flag: string;
  readonly path: string;
  readonly data: string | Uint8Array | AsyncIterable<string>;
}

/**
 * A command's JSON document to `--out` (with `also`, e.g. `--save`: every file whole or none), or
 * to standard output without it; then the run's one-line summary on standard error when the test
 * rows had targets.
 */
export async function emitDocument(doc: { method: string; metrics: Record<string, number> | null; seconds: number }, out: string | undefined, signal: AbortSignal, also: readonly Output[] = []): Promise<void> {
  const json = JSON.stringify(doc) + '\n';
  const files = out !== undefined ? [{ flag: 'out', path: out, data: json }, ...also] : also;
  if (files.length > 0) await writeOutputs(files, signal);
  if (out === undefined) process.stdout.write(json);
  if (doc.metrics) process.stderr.write(`${doc.method}: ${summaryLine(doc.metrics)}, ${doc.seconds.toFixed(2)} s\n`);
}

/**
 * Writes the outputs whole: all temporaries first, then the renames, unless `signal` aborted; a
 * symbolic link's target rather than the link (`destination`), and a device or a pipe (/dev/null,
 * /dev/stdout, a FIFO) in place, once nothing was aborted. Contents given as pieces are written as
 * they come. A full disk is E_ARG naming the flag, the path and the bytes (diskFull).
 */
export async function writeOutputs(outputs: readonly Output[], signal?: AbortSignal): Promise<void> {
  const staged: [string, string][] = [];
  const direct: Output[] = [];
  try {
    for (const o of outputs) {
      const to = destination(o.path);
      if (to === undefined) {
        direct.push(o);
        continue;
      }
      const tmp = `${to}.${process.pid}.tmp`;
      temporaries.add(tmp);
      staged.push([tmp, to]);
      await writeWhole(tmp, o);
    }
    if (signal?.aborted) throw new BdlError('E_ABORTED', 'cancelled before the output was written.');
    for (const o of direct) await writeWhole(o.path, o);
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

/** Errors of a file system with no room left: the disk is full, or the user's quota is. */
const NO_SPACE = ['ENOSPC', 'EDQUOT'];

/** Where an output that met a full disk goes: its name in the message, the flag to give another path with, its disk, the bytes it needed when known, and what became of it. */
export interface FullDisk {
  readonly name: string;
  readonly flag: string;
  readonly disk: string;
  readonly needed?: string;
  readonly result: string;
}

/** A full disk (or quota) met by an output, said the same for a file and for standard output: E_ARG naming the flag; undefined for any other error. */
export function noSpaceError(e: unknown, o: FullDisk): BdlError | undefined {
  const code = (e as NodeJS.ErrnoException | undefined)?.code ?? '';
  if (!NO_SPACE.includes(code)) return undefined;
  const left = code === 'EDQUOT' ? 'none left in your quota' : 'none left';
  return new BdlError('E_ARG', `${o.name}: expected room${o.needed ? ` for ${o.needed}` : ''} on ${o.disk}, found ${left} (${code}). Free space there, or give --${o.flag} a path on another disk; ${o.result}.`, o.flag);
}

/** Writes `o`'s contents to `file` (its temporary, or its path); a full disk is E_ARG naming `o`'s flag and path, and the bytes it needed. */
async function writeWhole(file: string, o: Output): Promise<void> {
  let bytes = 0;
  let data = o.data;
  if (typeof data === 'string') bytes = Buffer.byteLength(data);
  else if (data instanceof Uint8Array) bytes = data.byteLength;
  else {
    const pieces = data;
    data = (async function* () {
      for await (const piece of pieces) {
        bytes += Buffer.byteLength(piece);
        yield piece;
      }
    })();
  }
  const fifo = await openFifo(file, 'w');
  try {
    await writeFile(fifo ?? file, data);
  } catch (e) {
    const needed = typeof o.data === 'string' || o.data instanceof Uint8Array ? formatBytes(bytes) : `more than ${formatBytes(bytes)}`;
    throw noSpaceError(e, { name: `--${o.flag}`, flag: o.flag, disk: `the disk of ${JSON.stringify(o.path)}`, needed, result: 'nothing was written' }) ?? e;
  } finally {
    await fifo?.close();
  }
}

/** Writes `pieces` to standard output as they come, waiting while its buffer is full. */
export async function writeStdout(pieces: AsyncIterable<string>): Promise<void> {
  for await (const piece of pieces) if (!process.stdout.write(piece)) await once(process.stdout, 'drain');
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
