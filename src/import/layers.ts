/**
 * What every importer produces: a sequence of layer operations read from a file (dense, activation,
 * batch-norm affine, dropout, shape no-ops), and its lowering to the project's network — an MlpSpec
 * and a flat θ in the engine's layout (Wₗ fanIn × fanOut row-major, then bₗ).
 *
 * Lowering folds every inference-mode batch normalization into a neighbouring dense layer, so no
 * method ever switches it to batch statistics; keeps dropout rates where they stand; and refuses
 * what the engine cannot run as written (never a silently different network).
 */
import { BdlError } from '../errors.js';
import { checkSpec, layoutOf, type Activation, type Likelihood, type MlpSpec } from '../model/spec.js';

/** Activations the engine runs inside a network (hidden layers). */
export const HIDDEN_ACTIVATIONS: readonly Activation[] = ['relu', 'tanh', 'sigmoid', 'gelu', 'elu', 'selu', 'swish', 'relu6', 'softsign', 'hard-sigmoid', 'identity'];
/** What a network's last layer may end in: its output transform, which fixes the likelihood. */
export type OutputTransform = 'identity' | 'softmax' | 'log-softmax' | 'sigmoid';

/** Where an op came from, for error messages: the file's node or layer name and its op type. */
export interface Origin {
  name: string;
  op: string;
}

export type LayerOp =
  | { kind: 'dense'; origin: Origin; fanIn: number; fanOut: number; /** fanIn × fanOut row-major. */ w: Float32Array; b: Float32Array }
  | { kind: 'activation'; origin: Origin; activation: Activation | 'softmax' | 'log-softmax' }
  /** y = x·scale + shift per feature (an inference-mode BatchNormalization). */
  | { kind: 'affine'; origin: Origin; scale: Float64Array; shift: Float64Array }
  | { kind: 'dropout'; origin: Origin; rate: number }
  /** Flatten / Identity / InputLayer: no change to a row-major feature vector. */
  | { kind: 'noop'; origin: Origin };

/** A network read from a file, in the engine's terms. */
export interface ImportedNetwork {
  /** The network (`likelihood` from the output transform and the requested task). */
  readonly spec: MlpSpec;
  /** Flat parameters in the engine's layout. */
  readonly theta: Float32Array;
  /** What the producer applies after the last dense layer (we keep logits inside the engine). */
  readonly output: OutputTransform;
  /** 'tfjs' | 'onnx' | 'safetensors'. */
  readonly format: string;
  /** The file's own layer names, per weight layer. */
  readonly layerNames: string[];
  /** Batch normalizations folded into dense layers, by name. */
  readonly folded: string[];
}

export interface LowerOptions {
  /**
   * How to treat an output without a softmax/sigmoid: 'regression' (default; gaussian likelihood)
   * or 'classification' (the outputs are logits: categorical, or bernoulli for one output).
   */
  task?: 'regression' | 'classification';
}

/** Supported ops, for the error messages. */
export const SUPPORTED = 'dense (Dense / Gemm / MatMul+Add / Linear), activations relu, tanh, sigmoid, gelu, elu, selu, swish/silu, relu6, softsign, hard sigmoid, linear (softmax, log-softmax, sigmoid at the output), batch normalization (inference), dropout, flatten, identity';

/** Lowers a layer sequence to the engine's network; `inputs` is the flattened input width (checked against the first dense). */
export function lowerLayers(ops: readonly LayerOp[], inputs: number | undefined, format: string, opts: LowerOptions = {}): ImportedNetwork {
  type Layer = { w: Float64Array; b: Float64Array; fanIn: number; fanOut: number; act?: Activation | 'softmax' | 'log-softmax'; dropout: number; origin: Origin };
  const layers: Layer[] = [];
  const folded: string[] = [];
  let pendingDropout = 0;
  let pendingAffine: { scale: Float64Array; shift: Float64Array; origin: Origin } | undefined;
  let pendingDropOrigin: Origin | undefined;
  let width = inputs;
  const current = () => layers[layers.length - 1];

  for (const op of ops) {
    switch (op.kind) {
      case 'noop':
        break;
      case 'dense': {
        if (width !== undefined && op.fanIn !== width) {
          throw new BdlError('E_SHAPE', `${where(op.origin)}: expected ${width} inputs (the width of what comes before it), found a ${op.fanIn} × ${op.fanOut} weight. The file's layer shapes do not connect; re-export the model.`, op.origin.name);
        }
        if (op.w.length !== op.fanIn * op.fanOut || op.b.length !== op.fanOut) {
          throw new BdlError('E_SHAPE', `${where(op.origin)}: expected a ${op.fanIn} × ${op.fanOut} weight and ${op.fanOut} biases, found ${op.w.length} and ${op.b.length} values.`, op.origin.name);
        }
        const layer: Layer = { w: Float64Array.from(op.w), b: Float64Array.from(op.b), fanIn: op.fanIn, fanOut: op.fanOut, dropout: pendingDropout, origin: op.origin };
        if (pendingAffine) {
          // An affine on this layer's input (batch norm after the previous activation): x·diag(a)·W + (c·W + b).
          foldIntoInput(layer, pendingAffine.scale, pendingAffine.shift);
          folded.push(pendingAffine.origin.name);
          pendingAffine = undefined;
        }
        layers.push(layer);
        pendingDropout = 0;
        pendingDropOrigin = undefined;
        width = op.fanOut;
        break;
      }
      case 'activation': {
        const L = current();
        if (!L) throw unsupported(op.origin, 'an activation before the first dense layer');
        // A linear activation changes nothing, wherever it stands (Keras's Activation('linear') after a Dropout).
        if (op.activation === 'identity') break;
        if (pendingAffine || pendingDropout > 0) throw unsupported(op.origin, 'an activation after a batch normalization or dropout that follows an activation');
        if (L.act !== undefined && L.act !== 'identity') throw unsupported(op.origin, `a second activation (${op.activation}) after ${L.act} on the same layer`);
        L.act = op.activation;
        break;
      }
      case 'affine': {
        const L = current();
        if (!L) throw unsupported(op.origin, 'a batch normalization on the inputs (standardize the inputs instead)');
        if (op.scale.length !== L.fanOut) throw new BdlError('E_SHAPE', `${where(op.origin)}: expected ${L.fanOut} features (the width of ${L.origin.name}), found ${op.scale.length}.`, op.origin.name);
        if (pendingDropout === 0 && (L.act === undefined || L.act === 'identity')) {
          // Directly after the dense layer: scale its columns and shift its biases.
          for (let i = 0; i < L.fanIn; i++) for (let j = 0; j < L.fanOut; j++) L.w[i * L.fanOut + j] *= op.scale[j];
          for (let j = 0; j < L.fanOut; j++) L.b[j] = L.b[j] * op.scale[j] + op.shift[j];
          folded.push(op.origin.name);
        } else {
          // On the next layer's input, after any dropout there: the engine drops that input, then
          // multiplies by diag(scale)·W and adds shift·W — exactly the normalization of the dropped values.
          if (pendingAffine) throw unsupported(op.origin, 'two batch normalizations in a row');
          pendingAffine = { scale: op.scale, shift: op.shift, origin: op.origin };
        }
        break;
      }
      case 'dropout':
        if (!(op.rate >= 0 && op.rate < 1)) throw new BdlError('E_ARG', `${where(op.origin)}: expected a rate in [0, 1), found ${op.rate}.`, op.origin.name);
        if (pendingAffine && op.rate > 0) throw unsupported(op.origin, 'dropout between a batch normalization and the next dense layer (the normalization cannot be folded past it)');
        // Two dropouts in a row keep an element with probability (1−p)(1−q).
        pendingDropout = pendingDropout === 0 ? op.rate : 1 - (1 - pendingDropout) * (1 - op.rate);
        pendingDropOrigin = op.origin;
        break;
    }
  }
  if (layers.length === 0) throw new BdlError('E_FORMAT', `${format}: the model has no dense layer. Supported: ${SUPPORTED}.`, 'model');
  if (pendingAffine) throw unsupported(pendingAffine.origin, 'a batch normalization after the output activation');
  if (pendingDropout > 0) throw unsupported(pendingDropOrigin!, 'dropout after the last dense layer (it would drop outputs)');
  return assemble(layers, format, folded, opts);

  function assemble(ls: Layer[], fmt: string, fold: string[], o: LowerOptions): ImportedNetwork {
    const last = ls[ls.length - 1];
    const hiddenActs = new Set(ls.slice(0, -1).map((l) => l.act ?? 'identity'));
    for (const l of ls.slice(0, -1)) {
      const a = l.act ?? 'identity';
      if (!(HIDDEN_ACTIVATIONS as readonly string[]).includes(a)) throw unsupported(l.origin, `activation ${a} on a hidden layer`);
    }
    if (hiddenActs.size > 1) {
      const names = ls.slice(0, -1).map((l) => `${l.origin.name}: ${l.act ?? 'linear'}`).join(', ');
      throw new BdlError('E_FORMAT', `${fmt}: hidden layers with different activations (${names}); the engine runs one hidden activation per network. Supported: ${SUPPORTED}.`, ls[0].origin.name);
    }
    for (const l of ls) checkFloat32(l);
    const output = outputOf(last);
    const likelihood = likelihoodOf(output, last.fanOut, o.task ?? (output === 'identity' ? 'regression' : 'classification'), last.origin);
    const activation = (hiddenActs.values().next().value ?? 'relu') as Activation;
    const dropout = ls.map((l) => l.dropout);
    const spec = checkSpec({
      inputs: ls[0].fanIn,
      hidden: ls.slice(0, -1).map((l) => l.fanOut),
      outputs: last.fanOut,
      activation,
      likelihood,
      ...(dropout.some((d) => d > 0) && { dropout }),
    }, 'imported network');
    const layout = layoutOf(spec);
    const theta = new Float32Array(layout.size);
    layout.layers.forEach((L, i) => {
      theta.set(Float32Array.from(ls[i].w), L.w);
      theta.set(Float32Array.from(ls[i].b), L.b);
    });
    return { spec, theta, output, format: fmt, layerNames: ls.map((l) => l.origin.name), folded: fold };
  }
}

/**
 * A backstop after folding and scaling: each tensor was checked as read, but a batch normalization
 * folded into a layer, a Gemm's alpha/beta, or float64 weights can still give values that are
 * ±Infinity in float32, the precision the engine runs in.
 */
function checkFloat32(l: { w: Float64Array; b: Float64Array; origin: Origin }): void {
  for (const [part, a] of [['weight', l.w], ['bias', l.b]] as const) {
    for (let i = 0; i < a.length; i++) {
      if (Number.isFinite(Math.fround(a[i]))) continue;
      throw new BdlError('E_NONFINITE', `${where(l.origin)}: expected weights finite in float32, found ${a[i]} at ${part} index ${i} (inputs × outputs, row-major) once folded and scaled. A batch normalization, a Gemm's alpha/beta or float64 weights give values beyond float32's range here; the network cannot run in float32 as saved, so rescale it before exporting.`, l.origin.name);
    }
  }
}

function outputOf(last: { act?: string; origin: Origin }): OutputTransform {
  const a = last.act ?? 'identity';
  if (a === 'identity' || a === 'softmax' || a === 'log-softmax' || a === 'sigmoid') return a;
  throw unsupported(last.origin, `output activation ${a} (an output ends in linear, softmax, log-softmax or sigmoid)`);
}

function likelihoodOf(output: OutputTransform, width: number, task: string, origin: Origin): Likelihood {
  if (task !== 'regression' && task !== 'classification') throw new BdlError('E_ARG', `task: expected 'regression' or 'classification', found ${JSON.stringify(task)}.`, 'task');
  if (output === 'softmax' || output === 'log-softmax') {
    if (task === 'regression') throw new BdlError('E_ARG', `task: a network ending in ${output} (${origin.name}) is a classifier; found task 'regression'. Omit task or use 'classification'.`, 'task');
    return 'categorical';
  }
  if (output === 'sigmoid') {
    // Independent sigmoids over several units are multi-label: no likelihood here models that (a
    // bernoulli network has one output), so it is refused rather than run as something else.
    if (width !== 1) throw new BdlError('E_FORMAT', `${where(origin)}: expected a sigmoid output of 1 unit (a binary classifier), found ${width} units: independent sigmoids make a multi-label classifier, which is neither a softmax classifier nor a regression. Export the network with a softmax output (one class per row), or one network per label.`, origin.name);
    if (task === 'regression') throw new BdlError('E_ARG', `task: a network ending in sigmoid (${origin.name}) gives probabilities; found task 'regression'. Omit task or use 'classification'.`, 'task');
    return 'bernoulli';
  }
  if (task === 'classification') return width === 1 ? 'bernoulli' : 'categorical';
  return 'gaussian';
}

/** Folds y = x·a + c on a layer's input into its weights: W ← diag(a)·W, b ← b + c·W. */
function foldIntoInput(L: { w: Float64Array; b: Float64Array; fanIn: number; fanOut: number }, a: Float64Array, c: Float64Array): void {
  for (let i = 0; i < L.fanIn; i++) {
    for (let j = 0; j < L.fanOut; j++) {
      L.b[j] += c[i] * L.w[i * L.fanOut + j];
      L.w[i * L.fanOut + j] *= a[i];
    }
  }
}

/** Inference-mode batch normalization as an affine: scale = γ/√(var + ε), shift = β − mean·scale. */
export function batchNormAffine(origin: Origin, gamma: ArrayLike<number> | undefined, beta: ArrayLike<number> | undefined, mean: ArrayLike<number>, variance: ArrayLike<number>, epsilon: number): LayerOp {
  const n = mean.length;
  for (const [name, a] of [['gamma', gamma], ['beta', beta], ['variance', variance]] as const) {
    if (a && a.length !== n) throw new BdlError('E_SHAPE', `${where(origin)}: expected ${n} values of ${name} (as many as the moving mean), found ${a.length}.`, origin.name);
  }
  const scale = new Float64Array(n);
  const shift = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    if (!(variance[j] + epsilon > 0)) throw new BdlError('E_FORMAT', `${where(origin)}: variance + epsilon must be positive, found ${variance[j]} + ${epsilon} at feature ${j}.`, origin.name);
    scale[j] = (gamma ? gamma[j] : 1) / Math.sqrt(variance[j] + epsilon);
    shift[j] = (beta ? beta[j] : 0) - mean[j] * scale[j];
  }
  return { kind: 'affine', origin, scale, shift };
}

/**
 * Refuses a dense weight without an input or an output before anything is allocated for it: a
 * declared [0, 1e9] kernel holds no bytes, yet its biases (zeros when the file has none) would take
 * gigabytes.
 */
export function checkDenseShape(origin: Origin, fanIn: number, fanOut: number): void {
  if (Number.isSafeInteger(fanIn) && Number.isSafeInteger(fanOut) && fanIn >= 1 && fanOut >= 1) return;
  throw new BdlError('E_SHAPE', `${where(origin)}: expected a weight of at least 1 input × 1 output, found ${fanIn} × ${fanOut}. The file is corrupt or was edited by hand; re-export the model.`, origin.name);
}

/** "layer 'dense_1' (Dense)". */
export function where(o: Origin): string {
  return `layer ${JSON.stringify(o.name)} (${o.op})`;
}

/** The typed error for anything the importer cannot represent exactly. */
export function unsupported(o: Origin, what: string): BdlError {
  return new BdlError('E_FORMAT', `${where(o)}: ${what} is not supported. Supported: ${SUPPORTED}; a plain sequence of layers.`, o.name);
}
