#!/usr/bin/env node
/**
 * Bayesian low-rank adapters on a real shift (issue 19, part 3); writes eval/LoRA.md.
 *
 * Pretrain a 784-128-128-10 ReLU MLP on Fashion-MNIST classes 0–4; freeze it; fine-tune rank-2/3
 * adapters on layers 1 and 2 (926 parameters) on classes 5–9; compare the point adapters, Laplace /
 * SWAG / VI adapters, last-layer Laplace post hoc on the fine-tuned net, and a 5-member deep ensemble
 * trained on classes 5–9 from scratch. Test: the 5000 test images of classes 5–9 (subsampled, below).
 * OOD sets, scored by predictive entropy: (near) the test images of classes 0–4, which the fine-tuned
 * task never labels; (far) uniform-noise images. Rows are subsampled for run time; see ROWS.
 *
 * Usage: npm run build && node eval/lora.mjs [--out eval/LoRA.md]
 * The HTML report shows this table: bdl compare --lora eval/LoRA.md.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { fitLora, loraLaplace, loraSwag, loraVi, makeDataset, posthoc, trainEnsemble } from '../dist/index.js';
import { fit, Mlp, Rng } from '../dist/advanced.js';
import { accuracy, auroc, ece, nll, oodScore } from '../dist/metrics.js';

const DIR = '/usr/share/datasets/fashion-mnist';
const ROWS = { pretrain: 6000, finetune: 2000, curvature: 1000, test: 2000, ood: 1000 };
const SEED = 0;
const arg = (name, dflt) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : dflt);
const out = arg('--out', 'eval/LoRA.md');

function idx(name) {
  const b = gunzipSync(readFileSync(`${DIR}/${name}`));
  const dims = b[3];
  const shape = Array.from({ length: dims }, (_, i) => b.readUInt32BE(4 + 4 * i));
  return { shape, data: b.subarray(4 + 4 * dims) };
}
function load(split) {
  const x = idx(`${split}-images-idx3-ubyte.gz`);
  const y = idx(`${split}-labels-idx1-ubyte.gz`);
  return { x: x.data, y: y.data, n: y.shape[0] };
}
/** The first `max` rows (in a seeded random order) whose label passes `keep`, pixels / 255. */
function pick(set, keep, max, stream) {
  const order = new Rng(SEED, stream).permutation(set.n);
  const rows = [];
  for (const i of order) if (keep(set.y[i]) && rows.length < max) rows.push(i);
  const x = new Float32Array(rows.length * 784);
  rows.forEach((r, j) => { for (let p = 0; p < 784; p++) x[j * 784 + p] = set.x[r * 784 + p] / 255; });
  return makeDataset({ data: x, cols: 784 }, Array.from(rows, (r) => set.y[r]));
}

const t0 = performance.now();
const train = load('train');
const test = load('t10k');
const old = (c) => c < 5;
const fresh = (c) => c >= 5;
const pre = pick(train, old, ROWS.pretrain, 1);
const ft = pick(train, fresh, ROWS.finetune, 2);
const curv = pick(train, fresh, ROWS.curvature, 3);
const te = pick(test, fresh, ROWS.test, 4);
const near = pick(test, old, ROWS.ood, 5);
const noiseRng = new Rng(SEED, 0x71);
const noiseX = Float32Array.from({ length: ROWS.ood * 784 }, () => noiseRng.uniform());
const far = makeDataset({ data: noiseX, cols: 784 }, new Array(ROWS.ood).fill(0));

const spec = { inputs: 784, hidden: [128, 128], outputs: 10, activation: 'relu', likelihood: 'categorical' };
const mlp = await Mlp.create(spec, { capacity: 256 });
const base = await fit(mlp, pre, { epochs: 8, batchSize: 64, learningRate: 1e-3, seed: SEED, standardize: false });
const theta0 = base.params;
const adapters = { layers: [{ layer: 1, rank: 2 }, { layer: 2, rank: 3 }] };
const ftOpts = { epochs: 30, batchSize: 32, learningRate: 3e-3, seed: SEED };
const timed = async (f) => { const s = performance.now(); const v = await f(); return [v, (performance.now() - s) / 1000]; };

const rows = [];
async function evaluate(name, post, seconds, trainable) {
  const p = await post.predict(te.x);
  const labels = Array.from(te.y);
  const pn = await post.predict(near.x);
  const pf = await post.predict(far.x);
  const sIn = oodScore(p, 'entropy');
  rows.push({ name, trainable, acc: accuracy(p.probs, labels), nll: nll(p.probs, labels), ece: ece(p.probs, labels), near: auroc(sIn, oodScore(pn, 'entropy')), far: auroc(sIn, oodScore(pf, 'entropy')), seconds });
  console.error(`${name}: done (${seconds.toFixed(1)} s)`);
}

const [f, tFit] = await timed(() => fitLora(mlp, theta0, ft, adapters, ftOpts));
const P = f.adapters.size;
await evaluate('point adapters (MAP fine-tune)', f.posterior, tFit, P);
const [la, tLa] = await timed(() => loraLaplace(f, curv));
await evaluate(`Laplace adapters (full GGN, λ = ${la.priorPrecision.toPrecision(3)} by evidence; linearized predictive, probit)`, la, tFit + tLa, P);
const [lb, tLb] = await timed(() => loraLaplace(f, curv, { subset: 'B' }));
await evaluate(`Laplace on B, A fixed at A* (${lb.parts.indices.length} values, λ = ${lb.priorPrecision.toPrecision(3)}; linearized)`, lb, tFit + tLb, P);
const [ls, tLs] = await timed(() => loraLaplace(f, curv, { predictive: 'sampled', samples: 30, seed: SEED }));
await evaluate('Laplace adapters, full GGN, sampled predictive (30 draws of φ through the network)', ls, tFit + tLs, P);
const [sw, tSw] = await timed(() => loraSwag(f, ft, { epochs: 20, learningRate: 0.01, samples: 30, seed: SEED }));
await evaluate('SWAG adapters (20 SGD epochs from φ*)', sw, tFit + tSw, P);
const [vi, tVi] = await timed(() => loraVi(mlp, theta0, ft, adapters, { ...ftOpts, samples: 30 }));
await evaluate('VI adapters (mean field, from scratch)', vi, tVi, 2 * P);
const net = { spec, theta: f.posterior.source.theta, output: 'softmax', format: 'lora', layerNames: ['h1', 'h2', 'out'], folded: [] };
const [ll, tLl] = await timed(() => posthoc(net, curv, { method: 'laplace', subset: 'last-layer', standardize: false }));
await evaluate('last-layer Laplace post hoc (KFAC, on the fine-tuned net)', ll, tFit + tLl, P);
const [ens, tEns] = await timed(() => trainEnsemble(ft, { task: 'classification', classes: 10, hidden: [128, 128], members: 5, epochs: 20, seed: SEED }));
await evaluate('deep ensemble, 5 full networks on 5–9 (reference)', ens, tEns, 5 * mlp.size);

const fmt = (v, d = 3) => v.toFixed(d);
/** The table's reading; the numbers come from this run's rows (order as evaluated above). */
function reading() {
  const [pt, glm, glmB, smp, swag, vi, last, ensR] = rows;
  const adapterNear = [pt, glm, glmB, swag, vi].map((r) => r.near);
  return `**Reading.** The sampled predictive of the full-GGN Laplace (draws of φ pushed through the network) collapses: accuracy ${fmt(smp.acc)} against ${fmt(pt.acc)} for the point adapters — ΔW = BA is bilinear in the adapters and the Gaussian is wide along the GGN's near-flat directions (A·B's rescalings), so the draws leave the region where the Gaussian was fitted. The linearized predictive, the predictive of the model the Gaussian is the posterior of, is now the default and restores the accuracy (${fmt(glm.acc)}; ${fmt(glmB.acc)} over B alone). ` +
    `It does not make the adapters well calibrated: with λ = ${la.priorPrecision.toPrecision(3)} chosen by the evidence the linearized predictive is under-confident, ECE ${fmt(glm.ece)} and NLL ${fmt(glm.nll)} against ${fmt(pt.ece)} and ${fmt(pt.nll)} for the point adapters (over B alone: ${fmt(glmB.ece)}, ${fmt(glmB.nll)}). ` +
    `The best calibrated rows are SWAG over the adapters (ECE ${fmt(swag.ece)}, NLL ${fmt(swag.nll)}) and the point adapters themselves; near-OOD detection by entropy is at or below chance for every adapter method (AUROC ${fmt(Math.min(...adapterNear))}–${fmt(Math.max(...adapterNear))}) and only the last-layer Laplace separates the old classes (${fmt(last.near)}), at ECE ${fmt(last.ece)}. The linearized Laplace does raise far-OOD AUROC (${fmt(glm.far)} against ${fmt(pt.far)}), and the deep ensemble, best in accuracy and NLL (${fmt(ensR.acc)}, ${fmt(ensR.nll)}), is confidently wrong on noise (far-OOD ${fmt(ensR.far)}). ` +
    `So on this shift the claim that inference in a small adapter subspace calibrates well does not hold for Laplace-LoRA as specified here (full GGN, one evidence-tuned λ): it repairs accuracy, not calibration; a single seed and subsampled data, so differences of a few hundredths are within noise.`;
}
const table = [
  '| method | trainable params | accuracy | NLL | ECE | AUROC near-OOD (classes 0–4) | AUROC far-OOD (noise) | seconds |',
  '|---|---:|---:|---:|---:|---:|---:|---:|',
  ...rows.map((r) => `| ${r.name} | ${r.trainable} | ${fmt(r.acc)} | ${fmt(r.nll)} | ${fmt(r.ece)} | ${fmt(r.near)} | ${fmt(r.far)} | ${fmt(r.seconds, 1)} |`),
].join('\n');
const md = `# Bayesian low-rank adapters on Fashion-MNIST (classes 0–4 → 5–9)

Generated by \`node eval/lora.mjs\` (after \`npm run build\`); seed ${SEED}; ${((performance.now() - t0) / 1000).toFixed(0)} s on this machine (shared cores: times are noisy).

- Pretrained network: ${spec.inputs}-${spec.hidden.join('-')}-${spec.outputs} ReLU (${mlp.size} weights), trained on ${pre.n} rows of classes 0–4 (MAP, Adam, 8 epochs), then frozen. Pretrained test accuracy on classes 0–4 is not part of the table.
- Adapters: rank 2 on layer 1 (128→128) and rank 3 on the head (128→10): **${P} adapter parameters** (< 1,000). VI trains (μ, ρ): ${2 * P} values for the same ${P} adapters.
- Fine-tuning data: ${ft.n} training rows of classes 5–9 (subsampled for run time); Laplace curvature and the last-layer Laplace on ${curv.n} rows of classes 5–9; test: ${te.n} test rows of classes 5–9.
- OOD (scored by predictive entropy, AUROC of test 5–9 vs OOD): near = ${near.n} test images of classes 0–4 (labels the fine-tuned task never predicts, but images the frozen features were trained on); far = ${ROWS.ood} images of i.i.d. uniform pixels (Philox stream 0x71).
- Metrics from src/metrics (accuracy, NLL, ECE with 15 bins). Seconds include the point fine-tune for post-hoc methods.

${table}

${reading()}
`;
writeFileSync(out, md);
console.log(md);
