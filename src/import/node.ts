/**
 * Importing from file paths (Node only). Exported from the package's one entry, which browsers load
 * too: node:fs and node:path are imported when the function runs (as the pool loads worker_threads),
 * never by a static import a browser or a bundler would have to resolve.
 */
import { argError, BdlError, describe } from '../errors.js';
import { isNode, nodeImport } from '../pool/executors.js';
import { MAX_MODEL_BYTES } from './bytes.js';
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
  const fail = (p: string, e: unknown) => new BdlError('E_ARG', `${p}: cannot read the file (${(e as NodeJS.ErrnoException).code ?? 'error'}). Check the path.`, p);
  // Sizes first: nothing is read from a path that is not a plain file (a FIFO would block the read
  // forever), nor from shards whose sizes the manifest refutes, nor from a model.json no model has.
  const sizeOf = async (p: string): Promise<number> => {
    const stat = await fs.stat(p).catch((e: unknown) => {
      throw fail(p, e);
    });
    if (!stat.isFile()) throw new BdlError('E_ARG', `${p}: expected a file, found ${stat.isDirectory() ? 'a directory' : 'a special file (a pipe, socket or device)'}. Pass the model's files.`, p);
    return stat.size;
  };
  const read = async (p: string): Promise<Uint8Array> => {
    try {
      return new Uint8Array(await fs.readFile(p));
    } catch (e) {
      throw fail(p, e);
    }
  };
  const size = await sizeOf(path);
  if (format !== 'tfjs' && size > MAX_MODEL_BYTES) throw new BdlError('E_MEMORY', `${path}: expected a model file of at most ${MAX_MODEL_BYTES} bytes (2 GiB; beyond it the engine has no room to compute in its one wasm32 memory), found ${size} bytes. Import a smaller network, or check that the path is the model's.`, 'model');
  if (format === 'tfjs' && size > MAX_MODEL_JSON) throw new BdlError('E_FORMAT', `${path}: expected a TF.js model.json (a layers model's topology: kilobytes, at most ${MAX_MODEL_JSON} bytes), found ${size} bytes. Pass model.json, not a weight shard or another file.`, 'model');
  const bytes = await read(path);
  if (format === 'onnx') return importModel({ onnx: bytes }, opts);
  if (format === 'safetensors') return importModel({ safetensors: bytes, layers: opts.layers ?? '' }, opts);
  // Parsed once (TextDecoder drops a byte-order mark); what is not a layers model is refused here.
  const model = parseModelJson(new TextDecoder().decode(bytes));
  const paths = tfjsShardPaths(model);
  const files = paths.map((p) => join(dirname(path), p));
  checkShardSizes(model, await Promise.all(files.map(sizeOf)));
  const shards = await Promise.all(files.map(read));
  return importModel({ tfjs: { model, shards } }, opts);
}
