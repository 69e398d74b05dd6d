/**
 * The bdl-wasm side of the MLP benchmarks: the same work fit() does per minibatch — gather the rows,
 * forward + backward through the engine, Adam, θ ← θ − lr·u — or a forward pass + softmax for
 * 'predict'. Examples per second, median over timed batches after warm-up.
 */
import { Mlp } from '../src/model/mlp.js';
import { adam } from '../src/train/optimizers.js';
import { Arena, type CompiledCore } from '../src/wasm/index.js';
import type { MlpCase, MlpData } from './mlp-cases.js';
import { timePerCall } from './timing.js';

export async function bdlMlp(c: MlpCase, data: MlpData, core: CompiledCore): Promise<number | null> {
  const { layers, batch } = c;
  const classes = layers[layers.length - 1];
  const mlp = await Mlp.create(
    {
      inputs: layers[0],
      hidden: layers.slice(1, -1),
      outputs: classes,
      activation: c.activation,
      likelihood: c.loss === 'mse' ? 'gaussian' : 'categorical',
    },
    { arena: await Arena.create(core), capacity: batch },
  );
  const arena = mlp.arena;
  const k = arena.k;
  const theta = arena.allocF32(mlp.size);
  const view = arena.f32(theta, mlp.size);
  mlp.layout.layers.forEach((L, l) => view.set(data.weights[l], L.w));
  const xAll = arena.putF32(data.x);
  const y = c.loss === 'mse' ? data.y : Float32Array.from(data.labels!);
  const yAll = arena.putF32(y);
  const idx = arena.alloc(4 * batch);
  arena.u32(idx, batch).set(Array.from({ length: batch }, (_, i) => i));
  const xb = arena.allocF32(batch * layers[0]);
  const yb = arena.allocF32(batch * mlp.targetWidth);
  let step: () => void;
  if (c.kind === 'train') {
    const grad = arena.allocF32(mlp.size);
    const opt = adam();
    const state = opt.init(arena, mlp.size);
    let t = 0;
    step = () => {
      k.gather_rows_f32(xb, xAll, idx, batch, layers[0]);
      k.gather_rows_f32(yb, yAll, idx, batch, mlp.targetWidth);
      mlp.lossAndGradAt(theta, grad, xb, yb, batch, { scale: 1 / batch });
      opt.update(arena, state, { step: ++t, lr: 1e-3, theta, u: grad, n: mlp.size });
      k.axpy_f32(theta, -1e-3, grad, mlp.size);
    };
  } else {
    const probs = arena.allocF32(batch * classes);
    const out = new Float32Array(batch * classes);
    step = () => {
      const logits = mlp.forwardAt(theta, xAll, batch);
      k.softmax_f32(probs, logits, batch, classes);
      out.set(arena.f32(probs, batch * classes));
    };
  }
  return batch / timePerCall(step, 7, 150);
}
