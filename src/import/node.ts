/**
 * Importing from file paths (Node only). Exported from the package's one entry, which browsers load
 * too: node:fs and node:path are imported when the function runs (as the pool loads worker_threads),
 * never by a static import a browser or a bundler would have to resolve.
 */
import { argError, BdlError, describe } from '../errors.js';
import { isNode, nodeImport } from '../pool/executors.js';
import type { ImportedNetwork } from './layers.js';
import { formatOf, IMPORT_OPTIONS, importModel, type ImportOptions } from './load.js';
import { tfjsShardPaths } from './tfjs.js';

type Fs = typeof import('node:fs/promises');
type Path = typeof import('node:path');

/** Imports model.json (+ its shards beside it), model.onnx, or weights.safetensors (with opts.layers), by path (Node). */
export async function importModelFile(path: string, opts: ImportOptions = {}): Promise<ImportedNetwork> {
  IMPORT_OPTIONS.check(opts, 'importModelFile');
  if (typeof path !== 'string' || path === '') throw argError('E_ARG', 'path', 'a file path (model.json, .onnx or .safetensors)', describe(path), 'Pass the path as a string.');
  if (!isNode()) throw argError('E_ARG', 'importModelFile', 'Node (it reads files with node:fs)', 'a runtime without a file system', 'In a browser or worker use fetchModel(url), or importModel with the files\' bytes.');
  const format = formatOf(path);
  const [fs, { dirname, join }] = await Promise.all([nodeImport<Fs>('fs/promises'), nodeImport<Path>('path')]);
  const read = async (p: string): Promise<Uint8Array> => {
    try {
      return new Uint8Array(await fs.readFile(p));
    } catch (e) {
      throw new BdlError('E_ARG', `${p}: cannot read the file (${(e as NodeJS.ErrnoException).code ?? 'error'}). Check the path.`, p);
    }
  };
  const bytes = await read(path);
  if (format === 'onnx') return importModel({ onnx: bytes }, opts);
  if (format === 'safetensors') return importModel({ safetensors: bytes, layers: opts.layers ?? '' }, opts);
  const model = new TextDecoder().decode(bytes);
  let paths: string[];
  try {
    paths = tfjsShardPaths(JSON.parse(model));
  } catch (e) {
    if (e instanceof BdlError) throw e;
    throw new BdlError('E_PARSE', `${path}: not valid JSON (${(e as Error).message}). The file is truncated or not a TF.js model.`, 'model');
  }
  const shards = await Promise.all(paths.map((p) => read(join(dirname(path), p))));
  return importModel({ tfjs: { model, shards } }, opts);
}
