/**
 * Import benchmark: reading a 784-256-256-10 network from the TF.js layers format (model.json +
 * shard, laid out as tfjs-layers saves it) and from safetensors (a PyTorch state_dict), and post-hoc
 * last-layer Laplace (KFAC, evidence-tuned) on it with 10,000 training rows, then its linearized
 * predictive on 1,000 rows. The weights are random (the timing does not depend on them).
 */
import { makeDataset } from '../src/data/dataset.js';
import { importSafetensors } from '../src/import/safetensors.js';
import { importTfjs } from '../src/import/tfjs.js';
import { posthoc } from '../src/methods/posthoc/posthoc.js';
import { Rng } from '../src/random/index.js';
import { median } from './timing.js';

export interface ImportBench {
  tfjs_import_ms: number;
  safetensors_import_ms: number;
  posthoc_fit_s: number;
  posthoc_predict_s: number;
  rows: number;
}

const WIDTHS = [784, 256, 256, 10];

export async function benchImport(rows = 10_000, testRows = 1_000): Promise<ImportBench> {
  const rng = new Rng(7);
  const weights = WIDTHS.slice(1).map((out, l) => ({ w: Float32Array.from({ length: WIDTHS[l] * out }, () => (rng.uniform() - 0.5) * 0.1), b: new Float32Array(out) }));
  const tfjs = tfjsFiles(weights);
  const st = safetensorsFile(weights);
  const time = (f: () => unknown) => {
    const t = performance.now();
    f();
    return performance.now() - t;
  };
  for (let i = 0; i < 2; i++) time(() => importTfjs(tfjs));
  const tfjs_import_ms = median(Array.from({ length: 7 }, () => time(() => importTfjs(tfjs))));
  for (let i = 0; i < 2; i++) time(() => importSafetensors(st, '784-256r-256r-10softmax'));
  const safetensors_import_ms = median(Array.from({ length: 7 }, () => time(() => importSafetensors(st, '784-256r-256r-10softmax'))));

  const net = importTfjs(tfjs);
  const x = Float32Array.from({ length: rows * 784 }, () => rng.uniform());
  const labels = Array.from({ length: rows }, (_, i) => Math.floor(10 * x[i * 784]) % 10);
  const train = makeDataset({ data: x, cols: 784 }, labels);
  let t = performance.now();
  const post = await posthoc(net, train, { method: 'laplace' });
  const posthoc_fit_s = (performance.now() - t) / 1000;
  t = performance.now();
  await post.predict(x.subarray(0, testRows * 784));
  const posthoc_predict_s = (performance.now() - t) / 1000;
  return { tfjs_import_ms, safetensors_import_ms, posthoc_fit_s, posthoc_predict_s, rows };
}

function tfjsFiles(weights: { w: Float32Array; b: Float32Array }[]) {
  const layers = weights.map((_, l) => ({
    class_name: 'Dense',
    config: { name: `dense_${l + 1}`, units: WIDTHS[l + 1], activation: l === weights.length - 1 ? 'softmax' : 'relu', use_bias: true, ...(l === 0 && { batch_input_shape: [null, 784] }) },
  }));
  const specs = weights.flatMap((_, l) => [
    { name: `dense_${l + 1}/kernel`, shape: [WIDTHS[l], WIDTHS[l + 1]], dtype: 'float32' },
    { name: `dense_${l + 1}/bias`, shape: [WIDTHS[l + 1]], dtype: 'float32' },
  ]);
  const bytes = concat(weights.flatMap(({ w, b }) => [w, b]));
  const model = { format: 'layers-model', modelTopology: { class_name: 'Sequential', config: { name: 'bench', layers } }, weightsManifest: [{ paths: ['weights.bin'], weights: specs }] };
  return { model: JSON.stringify(model), shards: [bytes] };
}

function safetensorsFile(weights: { w: Float32Array; b: Float32Array }[]): Uint8Array {
  const header: Record<string, unknown> = {};
  const parts: Float32Array[] = [];
  let off = 0;
  weights.forEach(({ w, b }, l) => {
    const [fanIn, fanOut] = [WIDTHS[l], WIDTHS[l + 1]];
    // PyTorch's Linear stores out × in.
    const wt = new Float32Array(w.length);
    for (let i = 0; i < fanIn; i++) for (let j = 0; j < fanOut; j++) wt[j * fanIn + i] = w[i * fanOut + j];
    header[`${2 * l}.weight`] = { dtype: 'F32', shape: [fanOut, fanIn], data_offsets: [off, off + 4 * wt.length] };
    off += 4 * wt.length;
    header[`${2 * l}.bias`] = { dtype: 'F32', shape: [fanOut], data_offsets: [off, off + 4 * b.length] };
    off += 4 * b.length;
    parts.push(wt, b);
  });
  let json = new TextEncoder().encode(JSON.stringify(header));
  const pad = (8 - (json.length % 8)) % 8;
  json = new TextEncoder().encode(JSON.stringify(header) + ' '.repeat(pad));
  const out = new Uint8Array(8 + json.length + off);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(concat(parts), 8 + json.length);
  return out;
}

function concat(arrays: Float32Array[]): Uint8Array {
  const n = arrays.reduce((s, a) => s + a.length, 0);
  const out = new Float32Array(n);
  let o = 0;
  for (const a of arrays) {
    out.set(a, o);
    o += a.length;
  }
  return new Uint8Array(out.buffer);
}
