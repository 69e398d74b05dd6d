/**
 * The demo's import panel: load a small TF.js model (the bundled example, trained with tfjs-layers,
 * or your own model.json + shards), add last-layer Laplace around its weights on the example's
 * training data (or the points of the main canvas), and draw the uncertainty band. Everything runs
 * on this page; nothing is retrained.
 */
import { fetchModel, importModel, makeDataset, posthoc, type ImportedNetwork } from '../src/index.js';

const X0 = -6;
const X1 = 6;
const Y0 = -2.5;
const Y1 = 2.5;
const GRID = Array.from({ length: 241 }, (_, i) => X0 + ((X1 - X0) * i) / 240);

/** Mounts the panel into `host`; `userPoints` gives the main canvas's points (training data for your own model). */
export function mountImportPanel(host: HTMLElement, userPoints: () => { x: number; y: number }[]): void {
  const box = document.createElement('section');
  box.innerHTML = `<h2>A network trained elsewhere: post-hoc Laplace</h2>
<p>A 1-32-32-1 tanh network trained with TensorFlow.js on sin(x) + noise, with no data in (−1, 1) and none beyond ±4.
bdl-wasm reads its model.json and weights directly, fits a last-layer Laplace posterior on the training data (prior
precision and noise by marginal likelihood), and predicts: the mean is the network's own output.</p>
<p><button data-act="example">Load the example model</button>
<label>or your own (model.json + .bin shards, one input, one output): <input type="file" multiple accept=".json,.bin"></label>
<span data-role="status"></span></p>
<canvas data-role="import-band" width="640" height="300" style="border:1px solid #ddd"></canvas>`;
  host.append(box);
  const canvas = box.querySelector('canvas')!;
  const status = box.querySelector<HTMLElement>('[data-role="status"]')!;
  const say = (s: string) => (status.textContent = ` ${s}`);

  box.querySelector('[data-act="example"]')!.addEventListener('click', () => run(async () => {
    const net = await fetchModel(new URL('models/sine/model.json', location.href).href);
    const train = (await (await fetch(new URL('models/sine/train.json', location.href))).json()) as { x: number[]; y: number[] };
    return { net, train };
  }));
  box.querySelector<HTMLInputElement>('input[type=file]')!.addEventListener('change', (e) => run(async () => {
    const files = [...((e.target as HTMLInputElement).files ?? [])];
    const json = files.find((f) => f.name.endsWith('.json'));
    if (!json) throw new Error('pick the model.json and its .bin shard(s) together');
    const shards: Record<string, Uint8Array> = {};
    for (const f of files) if (f !== json) shards[f.name] = new Uint8Array(await f.arrayBuffer());
    const net = importModel({ tfjs: { model: await json.text(), shards } });
    const pts = userPoints();
    if (pts.length < 2) throw new Error('add at least two points on the canvas above: they are the data the posterior is fitted on');
    return { net, train: { x: pts.map((p) => p.x), y: pts.map((p) => p.y) } };
  }));

  async function run(load: () => Promise<{ net: ImportedNetwork; train: { x: number[]; y: number[] } }>): Promise<void> {
    try {
      say('loading…');
      const { net, train } = await load();
      if (net.spec.inputs !== 1 || net.spec.outputs !== 1 || net.spec.likelihood !== 'gaussian') {
        throw new Error(`this panel draws 1-input regression networks; the model is ${net.spec.inputs}-…-${net.spec.outputs} (${net.spec.likelihood})`);
      }
      const t0 = performance.now();
      const post = await posthoc(net, makeDataset(train.x.map((v) => [v]), train.y), { method: 'laplace' });
      const p = await post.predict(Float32Array.from(GRID));
      if (p.kind !== 'regression') return;
      draw(canvas, train, p.mean, p.epistemic, p.variance);
      canvas.dataset.drawn = 'true';
      const info = post.info as { priorPrecision: number; noiseStd: number };
      say(`${net.format} ${[net.spec.inputs, ...net.spec.hidden, net.spec.outputs].join('-')} ${net.spec.activation}: prior precision ${info.priorPrecision.toPrecision(3)}, noise σ ${info.noiseStd.toPrecision(3)} (marginal likelihood), ${(performance.now() - t0).toFixed(0)} ms`);
    } catch (e) {
      say(`error: ${(e as Error).message}`);
    }
  }
}

function draw(c: HTMLCanvasElement, train: { x: number[]; y: number[] }, mean: Float64Array, epi: Float64Array, total: Float64Array): void {
  const g = c.getContext('2d')!;
  const sx = (x: number) => ((x - X0) / (X1 - X0)) * c.width;
  const sy = (y: number) => ((Y1 - y) / (Y1 - Y0)) * c.height;
  g.fillStyle = '#fff';
  g.fillRect(0, 0, c.width, c.height);
  const band = (v: Float64Array, color: string) => {
    g.fillStyle = color;
    g.beginPath();
    GRID.forEach((x, i) => g.lineTo(sx(x), sy(mean[i] + 2 * Math.sqrt(v[i]))));
    for (let i = GRID.length - 1; i >= 0; i--) g.lineTo(sx(GRID[i]), sy(mean[i] - 2 * Math.sqrt(v[i])));
    g.fill();
  };
  band(total, '#f4b183');
  band(epi, '#3b7dd8');
  g.strokeStyle = '#111';
  g.beginPath();
  GRID.forEach((x, i) => g.lineTo(sx(x), sy(mean[i])));
  g.stroke();
  g.fillStyle = '#111';
  train.x.forEach((x, i) => {
    g.beginPath();
    g.arc(sx(x), sy(train.y[i]), 2.5, 0, 2 * Math.PI);
    g.fill();
  });
}
