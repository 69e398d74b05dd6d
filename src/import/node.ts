/** Importing from file paths (Node only: reads with node:fs). */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { BdlError } from '../errors.js';
import type { ImportedNetwork } from './layers.js';
import { formatOf, IMPORT_OPTIONS, importModel, type ImportOptions } from './load.js';
import { tfjsShardPaths } from './tfjs.js';

/** Imports model.json (+ its shards beside it), model.onnx, or weights.safetensors (with opts.layers). */
export async function importModelFile(path: string, opts: ImportOptions = {}): Promise<ImportedNetwork> {
  IMPORT_OPTIONS.check(opts, 'importModelFile');
  const format = formatOf(path);
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

async function read(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (e) {
    throw new BdlError('E_ARG', `${path}: cannot read the file (${(e as NodeJS.ErrnoException).code ?? 'error'}). Check the path.`, path);
  }
}
