// Property tests over importing a model trained elsewhere: the producers' own files
// (test/fixtures/import: TF.js layers, PyTorch's ONNX and safetensors), damaged at random — bytes
// flipped, the file cut short, a value of model.json replaced by any JSON value — either import as
// a network whose outputs are finite or refused, or are refused with a BdlError: never another
// error (a TypeError, a RangeError), never a hang. FUZZ_RUNS sets the budget (test/helpers/fuzz.ts).
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BdlError } from '../../src/errors.js';
import { importModel, type ModelSource } from '../../src/import/load.js';
import { networkOutputs } from '../../src/import/run.js';
import { fuzz } from '../helpers/fuzz.js';

const dir = 'test/fixtures/import';
const bytes = (path: string) => new Uint8Array(readFileSync(`${dir}/${path}`));
const onnx = bytes('torch-clf.onnx');
const safetensors = bytes('torch-reg.safetensors');
const tfjsJson = readFileSync(`${dir}/tfjs-clf/model.json`, 'utf8');
const tfjsShards = [bytes('tfjs-clf/group1-shard1of2.bin'), bytes('tfjs-clf/group1-shard2of2.bin')];

/**
 * Imports `source`; a network that comes back must run (its weights fit its spec: one output row
 * per input row; a damaged float may make the outputs overflow, which is no error). Anything thrown
 * that is not a BdlError fails the property.
 */
async function importsOrRefuses(source: ModelSource, opts: { layers?: string } = {}): Promise<void> {
  let net;
  try {
    net = importModel(source, opts);
  } catch (e) {
    if (!(e instanceof BdlError)) throw e;
    expect(e.message.length).toBeGreaterThan(20);
    return;
  }
  const out = await networkOutputs(net, new Float32Array(2 * net.spec.inputs).fill(1));
  expect(out.length).toBe(2 * net.spec.outputs);
}

/** The file with `flips` bytes xor-ed with non-zero masks, at positions drawn across the file. */
const flipped = (file: Uint8Array) =>
  fc.array(fc.tuple(fc.nat({ max: file.length - 1 }), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 8 }).map((flips) => {
    const out = file.slice();
    for (const [at, mask] of flips) out[at] ^= mask;
    return out;
  });
/** The file cut at any length (the empty file and the whole file but its last byte included). */
const truncated = (file: Uint8Array) => fc.nat({ max: file.length - 1 }).map((n) => file.slice(0, n));
const damaged = (file: Uint8Array) => fc.oneof(flipped(file), truncated(file));

/** Any JSON value, to put where model.json had another. */
const anyJson = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1e308, 0.5, '', 'relu', 'float32', [], {}, [0], [-1], [1e9], ['x'], { a: 1 }),
  fc.jsonValue({ maxDepth: 2 }),
);

/** model.json with the value at one path (drawn over every path of the document) replaced by `v`. */
function replaceAt(doc: unknown, index: number, v: unknown): unknown {
  const paths: (string | number)[][] = [];
  const walk = (x: unknown, path: (string | number)[]) => {
    paths.push(path);
    if (Array.isArray(x)) x.forEach((y, i) => walk(y, [...path, i]));
    else if (x && typeof x === 'object') for (const [k, y] of Object.entries(x)) walk(y, [...path, k]);
  };
  walk(doc, []);
  const path = paths[index % paths.length];
  if (path.length === 0) return v;
  const copy = structuredClone(doc) as Record<string | number, unknown>;
  let at = copy;
  for (const k of path.slice(0, -1)) at = at[k] as Record<string | number, unknown>;
  at[path[path.length - 1]] = v;
  return copy;
}

describe('importing a damaged model file', () => {
  it('ONNX (PyTorch export): bytes flipped or cut short import or are refused with a BdlError', async () => {
    await fc.assert(fc.asyncProperty(damaged(onnx), (file) => importsOrRefuses({ onnx: file })), fuzz(50));
  });

  it('safetensors (a PyTorch state_dict): bytes flipped or cut short, and any layer description', async () => {
    const layers = fc.oneof(fc.constant('3-16r-16r-1'), fc.constantFrom('3-16r-16r-1sm', '3-16-16-1', '3-d0.5-16r-16r-1', '3-16r-16r-1@0,2,4', '3-16r-16r-1@4,2,0', '1-1', '-', '3--1', '3-16r-16r-1@'), fc.string({ maxLength: 16 }));
    await fc.assert(
      fc.asyncProperty(fc.oneof(damaged(safetensors), fc.constant(safetensors)), layers, (file, l) => importsOrRefuses({ safetensors: file, layers: l })),
      fuzz(50),
    );
  });

  it('TF.js layers model: a shard flipped or cut short, model.json cut short', async () => {
    const text = fc.nat({ max: tfjsJson.length - 1 }).map((n) => tfjsJson.slice(0, n));
    const [first, second] = tfjsShards;
    const shards = fc.oneof(damaged(first).map((s) => [s, second]), damaged(second).map((s) => [first, s]));
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.tuple(fc.constant(tfjsJson), shards), fc.tuple(text, fc.constant(tfjsShards))), ([model, list]) =>
        importsOrRefuses({ tfjs: { model, shards: list } }),
      ),
      fuzz(50),
    );
  });

  it('TF.js layers model: any value of model.json replaced by any JSON value', async () => {
    const doc: unknown = JSON.parse(tfjsJson);
    await fc.assert(
      fc.asyncProperty(fc.nat(), anyJson, (index, v) => importsOrRefuses({ tfjs: { model: JSON.stringify(replaceAt(doc, index, v)), shards: tfjsShards } })),
      fuzz(100),
    );
  });
});
