/**
 * Importing from file paths (Node only). Exported from the package's one entry, which browsers load
 * too: node:fs and node:path are imported when the function runs (as the pool loads worker_threads),
 * never by a static import a browser or a bundler would have to resolve.
 */
import { argError, BdlError, describe } from '../errors.js';
import { isNode, nodeImport } from '../pool/executors.js';
import { MAX_MODEL_BYTES } from './bytes.js';
import { closeFiles, MAX_OPEN_FILES, openFile, readOpenFile, readReopened, type OpenFile } from './files.js';
import type { ImportedNetwork } from './layers.js';
import { formatOf, IMPORT_OPTIONS, importModel, type ImportOptions } from './load.js';
import { checkShardSizes, tfjsShardPaths } from './tfjs.js';
import { MAX_MODEL_JSON, parseModelJson } from './tfjs-json.js';

type Fs = typeof import('node:fs/promises');
type Path = typeof import('node:path');

/** Imports model.json (+ its shards beside it), model.onnx, or weights.safetensors (with opts.layers), by path (Node). */
export async function importModelFile(path: string, opts: ImportOptions = {}): Promise<ImportedNetwork> {
  opts = IMPORT_OPTIONS.check(opts, 'importModelFile');
  if (typeof path !== 'string' || path === '') throw argError('E_ARG', 'path', 'a file path (model.json, .onnx or .safetensors)', describe(path), 'Pass the path as a string.');
  if (!isNode()) throw argError('E_ARG', 'importModelFile', 'Node (it reads files with node:fs)', 'a runtime without a file system', 'In a browser or worker use fetchModel(url), or importModel with the files\' bytes.');
  const format = formatOf(path);
  const [fs, { dirname, join }] = await Promise.all([nodeImport<Fs>('fs/promises'), nodeImport<Path>('path')]);
  // Each file is opened once, and its kind and size are checked on that handle before a byte is read
  // (a FIFO would block the read forever; a size no model has is refused unread); the bytes parsed
  // are read through the same handle, bounded by the size checked (./files.ts).
  const bytes = await readChecked(fs, path, (size) => {
    if (format !== 'tfjs' && size > MAX_MODEL_BYTES) throw new BdlError('E_MEMORY', `${path}: expected a model file of at most ${MAX_MODEL_BYTES} bytes (2 GiB; beyond it the engine has no room to compute in its one wasm32 memory), found ${size} bytes. Import a smaller network, or check that the path is the model's.`, 'model');
    if (format === 'tfjs' && size > MAX_MODEL_JSON) throw new BdlError('E_FORMAT', `${path}: expected a TF.js model.json (a layers model's topology: kilobytes, at most ${MAX_MODEL_JSON} bytes), found ${size} bytes. Pass model.json, not a weight shard or another file.`, 'model');
  });
  if (format === 'onnx') return importModel({ onnx: bytes }, opts);
  if (format === 'safetensors') return importModel({ safetensors: bytes, layers: opts.layers ?? '' }, opts);
  // Parsed once (TextDecoder drops a byte-order mark); what is not a layers model is refused here.
  const model = parseModelJson(new TextDecoder().decode(bytes));
  const files = tfjsShardPaths(model).map((p) => join(dirname(path), p));
  // Every shard's size is checked against the manifest before any is read. The first MAX_OPEN_FILES − 1
  // stay open from their check to their read; the others are closed once checked (a model of
  // thousands of shards would otherwise exhaust the process's files) and reopened one at a time to be
  // read, refused if the path then holds another file (./files.ts).
  const held: OpenFile[] = [];
  try {
    const checked: OpenFile[] = [];
    for (const f of files) {
      const file = await openFile(fs, f);
      checked.push(file);
      if (held.length < MAX_OPEN_FILES - 1) held.push(file);
      else await closeFiles([file]);
    }
    checkShardSizes(model, checked.map((f) => f.size));
    const shards: Uint8Array[] = [];
    for (const [i, f] of checked.entries()) shards.push(await (i < held.length ? readOpenFile(f) : readReopened(fs, f)));
    return importModel({ tfjs: { model, shards } }, opts);
  } finally {
    await closeFiles(held);
  }
}

/** One file's bytes: opened, its size given to `check` (which throws to refuse), read through the same handle, closed. */
async function readChecked(fs: Fs, path: string, check: (size: number) => void): Promise<Uint8Array> {
  const file = await openFile(fs, path);
  try {
    check(file.size);
    return await readOpenFile(file);
  } finally {
    await closeFiles([file]);
  }
}
