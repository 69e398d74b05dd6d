/**
 * One entry for every format: `importModel` from bytes and JSON already in memory (browser or Node),
 * `fetchModel` from a URL (model.json with its shards beside it, a .onnx, or a .safetensors).
 */
import { argError, BdlError, describe } from '../errors.js';
import { custom, enumOf, schema, text } from '../options/schema.js';
import type { ImportedNetwork, LowerOptions } from './layers.js';
import { MAX_MODEL_BYTES, type Bytes } from './bytes.js';
import { Downloads } from './download.js';
import { importOnnx } from './onnx.js';
import { importSafetensors } from './safetensors.js';
import { checkTfjsLayers, importTfjs, manifestBytes, tfjsShardPaths, type TfjsFiles } from './tfjs.js';
import { MAX_MODEL_JSON, parseModelJson } from './tfjs-json.js';

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
  opts = IMPORT_OPTIONS.check(opts);
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

/** `fetchModel`'s options: `importModel`'s, the fetch to use and a signal that cancels the download. */
export interface FetchOptions extends ImportOptions {
  /** The fetch to use (default: the global fetch), e.g. one that adds credentials. */
  fetch?: typeof fetch;
  /** Cancels the download: every request and body read follows it; fetchModel rejects with E_ABORTED. */
  signal?: AbortSignal;
}

/** fetchModel's options: importModel's and how to fetch. */
export const FETCH_OPTIONS = schema('fetchModel', {
  ...IMPORT_OPTIONS.fields,
  fetch: custom<typeof fetch>({ expected: 'a function like fetch', valid: (v) => typeof v === 'function', help: 'the fetch to use (default: the global fetch)' }),
  signal: custom<AbortSignal>({ expected: 'an AbortSignal (new AbortController().signal)', valid: (v) => typeof AbortSignal !== 'undefined' && v instanceof AbortSignal, help: 'cancels the download (E_ABORTED); every request and body read follows it', hint: 'Pass the signal of an AbortController; objects that only look like one are refused.' }),
});

/**
 * Fetches and imports a model by URL: a TF.js model.json and the shards its manifest names (relative
 * to it), an .onnx, or a .safetensors (with `opts.layers`). Every body is bounded before it is read
 * (model.json by MAX_MODEL_JSON, the shards together by what the manifest's weights take, other files
 * by MAX_MODEL_BYTES) and released when refused, failed or cancelled.
 */
export async function fetchModel(url: string, opts: FetchOptions = {}): Promise<ImportedNetwork> {
  opts = FETCH_OPTIONS.check(opts);
  const format = formatOf(url);
  let href: string;
  try {
    href = new URL(url, globalThis.location?.href).href;
  } catch {
    throw argError('E_ARG', 'model', 'an absolute URL (http://… or https://…; relative ones only in a page)', JSON.stringify(url), 'Pass the full URL; for a file on disk in Node use importModelFile(path).');
  }
  const lower: LowerOptions = { task: opts.task };
  const downloads = new Downloads(opts.fetch ?? fetch, opts.signal);
  try {
    if (format !== 'tfjs') {
      const tooLarge = (found: string) => new BdlError('E_MEMORY', `${href}: expected a model file of at most ${MAX_MODEL_BYTES} bytes (2 GiB; beyond it the engine has no room to compute in its one wasm32 memory), found ${found}. Import a smaller network, or check that the URL is the model's.`, 'model');
      const bytes = await downloads.bytes(href, { bytes: MAX_MODEL_BYTES, refuse: tooLarge });
      return format === 'onnx' ? importOnnx(bytes, lower) : importSafetensors(bytes, opts.layers ?? '', lower);
    }
    const notModelJson = (found: string) => new BdlError('E_FORMAT', `${href}: expected a TF.js model.json (a layers model's topology: kilobytes, at most ${MAX_MODEL_JSON} bytes), found ${found}. Pass model.json's URL, not a weight shard or another file.`, 'model');
    // As text: a truncated or non-JSON body is E_PARSE (model.json's checks), not a SyntaxError.
    const model = parseModelJson(new TextDecoder().decode(await downloads.bytes(href, { bytes: MAX_MODEL_JSON, refuse: notModelJson })));
    checkTfjsLayers(model);
    const urls = shardUrls(href, tfjsShardPaths(model));
    const total = manifestBytes(model);
    const budget = { left: total };
    const notShard = (u: string) => (found: string) => new BdlError('E_FORMAT', `${u}: expected a weight shard of model.json's manifest (its weights take ${total} bytes in all ${urls.length} shard(s)), found ${found}. The file is not this model's shard, or the server sends another; re-save the model or fix the server.`, 'shards');
    const shards = await limited(urls, SHARD_REQUESTS, (u) => downloads.bytes(u, { bytes: total, refuse: notShard(u), shared: budget }));
    return importTfjs({ model, shards }, lower);
  } finally {
    downloads.close();
  }
}

/**
 * Shard requests in flight at once (a browser's connections per host): a manifest may name thousands
 * of paths, and asking for them all at once would open as many connections (Node's fetch does not
 * queue them), exhausting sockets or file descriptors before the first byte is checked.
 */
const SHARD_REQUESTS = 6;

/**
 * `f` over `items`, at most `limit` at a time, the results in order. The first failure rejects; no
 * request starts after it (fetchModel's `finally` aborts the downloads, and `bytes` checks the signal first).
 */
async function limited<T, R>(items: readonly T[], limit: number, f: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const lane = async () => {
    while (next < items.length && !failed) {
      const i = next++;
      try {
        out[i] = await f(items[i]);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return out;
}

/**
 * The shards' URLs, each checked to stay in model.json's folder on its host: tfjsShardPaths refused
 * names that leave it, and this holds whatever else a URL parser makes of a name.
 */
function shardUrls(modelUrl: string, paths: string[]): string[] {
  const base = new URL('.', modelUrl);
  return paths.map((p, i) => {
    const u = new URL(p, base);
    if (u.origin !== base.origin || u.protocol !== base.protocol || !u.pathname.startsWith(base.pathname)) {
      throw new BdlError('E_FORMAT', `model.json: weightsManifest path ${i}: expected a shard in model.json's folder (${base.href}), found ${JSON.stringify(p)}, which resolves to ${u.href}. Shards are read only from model.json's own folder; name each by its file name.`, 'weightsManifest');
    }
    return u.href;
  });
}
