/**
 * One entry for every format: `importModel` from bytes and JSON already in memory (browser or Node),
 * `fetchModel` from a URL (model.json with its shards beside it, a .onnx, or a .safetensors).
 */
import { argError, BdlError, describe } from '../errors.js';
import { enumOf, schema, text } from '../options/schema.js';
import type { ImportedNetwork, LowerOptions } from './layers.js';
import type { Bytes } from './bytes.js';
import { importOnnx } from './onnx.js';
import { importSafetensors } from './safetensors.js';
import { importTfjs, tfjsShardPaths, type TfjsFiles } from './tfjs.js';
import { parseModelJson } from './tfjs-json.js';

export type ModelSource =
  | { tfjs: TfjsFiles }
  | { onnx: Bytes }
  | { safetensors: Bytes; layers: string };

export interface ImportOptions extends LowerOptions {
  /** safetensors: the layer description (see safetensors.ts), e.g. "784-256r-256r-10softmax". */
  layers?: string;
}

/** importModel's options, checked before any work (a misspelt name is refused, not ignored). */
export const IMPORT_OPTIONS = schema('importModel', {
  task: enumOf(['regression', 'classification'], { default: 'regression', help: 'an output without a softmax/sigmoid: regression (gaussian), or logits (classification)' }),
  layers: text({ help: 'safetensors: the layer description, e.g. "784-256r-256r-10softmax"' }),
});

/** Imports a network from a file already read. */
export function importModel(source: ModelSource, opts: ImportOptions = {}): ImportedNetwork {
  IMPORT_OPTIONS.check(opts);
  if (source && typeof source === 'object') {
    if ('tfjs' in source) return importTfjs(source.tfjs, opts);
    if ('onnx' in source) return importOnnx(source.onnx, opts);
    if ('safetensors' in source) return importSafetensors(source.safetensors, source.layers ?? opts.layers ?? '', opts);
  }
  throw argError('E_ARG', 'source', '{ tfjs: { model, shards } } | { onnx: bytes } | { safetensors: bytes, layers }', describe(source), 'Say which format the file is in.');
}

/** The format a file name implies. */
export function formatOf(path: string): 'tfjs' | 'onnx' | 'safetensors' {
  if (typeof path !== 'string') throw argError('E_ARG', 'model', 'a file name or URL ending in .json (TF.js), .onnx or .safetensors', describe(path), 'Pass the path or URL as a string.');
  const p = path.toLowerCase().split(/[?#]/)[0];
  if (p.endsWith('.json')) return 'tfjs';
  if (p.endsWith('.onnx')) return 'onnx';
  if (p.endsWith('.safetensors')) return 'safetensors';
  throw new BdlError('E_ARG', `model: expected a model.json (TF.js), .onnx or .safetensors file, found ${JSON.stringify(path)}.`, 'model');
}

/**
 * Fetches and imports a model by URL: a TF.js model.json and the shards its manifest names (relative
 * to it), an .onnx, or a .safetensors (with `opts.layers`). `fetchFn` defaults to the global fetch.
 */
export async function fetchModel(url: string, opts: ImportOptions & { fetch?: typeof fetch } = {}): Promise<ImportedNetwork> {
  const get = opts.fetch ?? fetch;
  const load = async (u: string) => {
    const r = await get(u);
    if (!r.ok) {
      // An unread body holds its connection open until garbage collection.
      await r.body?.cancel().catch(() => undefined);
      throw new BdlError('E_ARG', `model: fetching ${u} failed (HTTP ${r.status}).`, 'model');
    }
    return r;
  };
  const format = formatOf(url);
  if (format === 'tfjs') {
    // As text: a truncated or non-JSON body is E_PARSE (model.json's checks), not a SyntaxError.
    const model = parseModelJson(await (await load(url)).text());
    const base = new URL('.', new URL(url, globalThis.location?.href ?? 'file:///')).href;
    const paths = tfjsShardPaths(model);
    const shards = await Promise.all(paths.map(async (p) => new Uint8Array(await (await load(new URL(p, base).href)).arrayBuffer())));
    return importTfjs({ model, shards }, opts);
  }
  const bytes = new Uint8Array(await (await load(url)).arrayBuffer());
  return format === 'onnx' ? importOnnx(bytes, opts) : importSafetensors(bytes, opts.layers ?? '', opts);
}
