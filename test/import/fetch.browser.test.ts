// In Chromium: fetchModel reads the producers' fixtures over HTTP (TF.js shards resolved relative to
// model.json, ONNX through protobufjs bundled for the page) and reproduces their predictions.
import { describe, expect, it } from 'vitest';
import { fetchModel } from '../../src/import/load.js';
import { networkOutputs } from '../../src/import/run.js';

const base = new URL('/test/fixtures/import/', location.href).href;

async function check(model: string, predictions: string, layers?: string) {
  const net = await fetchModel(base + model, { layers });
  const p = (await (await fetch(base + predictions)).json()) as { inputs: number[][]; outputs: number[][] };
  const ours = await networkOutputs(net, Float32Array.from(p.inputs.flat()));
  p.outputs.flat().forEach((v, i) => expect(Math.abs(ours[i] - v)).toBeLessThan(1e-5));
}

describe('fetchModel in the browser', () => {
  it('TF.js model.json with two shards', () => check('tfjs-clf/model.json', 'tfjs-clf/predictions.json'));
  it('ONNX exported by PyTorch', () => check('torch-clf.onnx', 'torch-clf.predictions.json'));
  it('safetensors with a layer description', () => check('torch-reg.safetensors', 'torch-reg.predictions.json', '3-16r-16r-1'));
});
