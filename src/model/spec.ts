/**
 * The network a user describes, checked at the public boundary, and its flat parameter layout:
 * every method works on one flat f32 vector θ = [W₀, b₀, W₁, b₁, …], Wₗ stored fanIn × fanOut
 * row-major (so a layer's forward pass is X·Wₗ with no transpose).
 */
import { argError, describe } from '../errors.js';

/** The last six are TF.js's / Keras's definitions, there so that imported networks run as trained. */
export type Activation = 'identity' | 'relu' | 'tanh' | 'sigmoid' | 'gelu' | 'elu' | 'selu' | 'swish' | 'relu6' | 'softsign' | 'hard-sigmoid';
export type Likelihood = 'gaussian' | 'heteroscedastic' | 'categorical' | 'bernoulli';
export type TaskKind = 'regression' | 'classification';

export interface MlpSpec {
  inputs: number;
  hidden: number[];
  /** Regression: number of targets. Categorical: number of classes. Bernoulli: number of binary labels. */
  outputs: number;
  activation: Exclude<Activation, 'identity'> | 'identity';
  likelihood: Likelihood;
  /**
   * Drop probability at the input of each weight layer. A number applies to every hidden layer's
   * output (the inputs of layers 1…L−1); an array gives one rate per weight layer, index 0 being the
   * network's inputs. Absent or 0: no dropout.
   */
  dropout?: number | number[];
  /** Observation noise σ of the 'gaussian' likelihood, in (standardized) target units. Default 1. */
  noise?: number;
}

/** Kernel activation codes (the core's ABI). */
export const ACTIVATION_CODE: Record<Activation, number> = { identity: 0, relu: 1, tanh: 2, sigmoid: 3, gelu: 4, elu: 5, selu: 6, swish: 7, relu6: 8, softsign: 9, 'hard-sigmoid': 10 };

export interface LayerLayout {
  readonly fanIn: number;
  readonly fanOut: number;
  /** Offsets (in f32 elements) of W and b inside θ. */
  readonly w: number;
  readonly b: number;
  readonly activation: Activation;
  /** Drop probability at this layer's input (0: none). */
  readonly dropout: number;
}

export interface Layout {
  readonly layers: readonly LayerLayout[];
  /** Number of parameters. */
  readonly size: number;
  /** Width of the network's output (2× outputs for heteroscedastic: means then variance params). */
  readonly outputWidth: number;
  /** Widest layer input or output: sizes the activation buffers. */
  readonly maxWidth: number;
}

const ACTIVATIONS = Object.keys(ACTIVATION_CODE);
const LIKELIHOODS: Likelihood[] = ['gaussian', 'heteroscedastic', 'categorical', 'bernoulli'];

/** Validates a spec (throws a BdlError naming the field) and returns a normalized copy. */
export function checkSpec(spec: MlpSpec, argument = 'spec'): MlpSpec {
  if (spec === null || typeof spec !== 'object') throw argError('E_ARG', argument, 'an MlpSpec object', describe(spec), 'Pass { inputs, hidden, outputs, activation, likelihood }.');
  const posInt = (v: unknown, name: string) => {
    if (!Number.isInteger(v) || (v as number) < 1) throw argError('E_ARG', `${argument}.${name}`, 'a positive integer', describe(v), `Set ${name} to the layer's width.`);
  };
  posInt(spec.inputs, 'inputs');
  posInt(spec.outputs, 'outputs');
  if (!Array.isArray(spec.hidden)) throw argError('E_ARG', `${argument}.hidden`, 'an array of widths (may be empty)', describe(spec.hidden), 'E.g. hidden: [50].');
  spec.hidden.forEach((h, i) => posInt(h, `hidden[${i}]`));
  if (!ACTIVATIONS.includes(spec.activation)) throw argError('E_ARG', `${argument}.activation`, ACTIVATIONS.join(' | '), describe(spec.activation), "Use e.g. 'relu'.");
  if (!LIKELIHOODS.includes(spec.likelihood)) throw argError('E_ARG', `${argument}.likelihood`, LIKELIHOODS.join(' | '), describe(spec.likelihood), "Use 'gaussian' for regression, 'categorical' for classes.");
  if (spec.likelihood === 'categorical' && spec.outputs < 2) throw argError('E_ARG', `${argument}.outputs`, 'at least 2 classes for a categorical likelihood', String(spec.outputs), "Use 'bernoulli' for a single binary label.");
  const nLayers = spec.hidden.length + 1;
  const rates = dropoutRates(spec.dropout, nLayers);
  rates.forEach((p, i) => {
    if (!(p >= 0 && p < 1)) throw argError('E_ARG', `${argument}.dropout`, 'rates in [0, 1)', `${describe(p)} at layer ${i}`, 'Use e.g. 0.05.');
  });
  if (Array.isArray(spec.dropout) && spec.dropout.length !== nLayers) {
    throw argError('E_SHAPE', `${argument}.dropout`, `${nLayers} rates (one per weight layer, index 0 = inputs)`, `${spec.dropout.length}`, 'Or pass one number for every hidden layer.');
  }
  if (spec.noise !== undefined && !(spec.noise > 0 && Number.isFinite(spec.noise))) throw argError('E_ARG', `${argument}.noise`, 'a positive finite σ', describe(spec.noise), 'Omit it for σ = 1.');
  return { ...spec, hidden: [...spec.hidden], dropout: Array.isArray(spec.dropout) ? [...spec.dropout] : spec.dropout };
}

/** The flat layout of θ for a (checked) spec. */
export function layoutOf(spec: MlpSpec): Layout {
  const outputWidth = spec.likelihood === 'heteroscedastic' ? 2 * spec.outputs : spec.outputs;
  const widths = [spec.inputs, ...spec.hidden, outputWidth];
  const rates = dropoutRates(spec.dropout, widths.length - 1);
  const layers: LayerLayout[] = [];
  let off = 0;
  for (let l = 0; l + 1 < widths.length; l++) {
    const fanIn = widths[l];
    const fanOut = widths[l + 1];
    const last = l + 2 === widths.length;
    layers.push({ fanIn, fanOut, w: off, b: off + fanIn * fanOut, activation: last ? 'identity' : spec.activation, dropout: rates[l] });
    off += fanIn * fanOut + fanOut;
  }
  // A loop, not Math.max(...widths): a spread of ~130k arguments overflows the stack.
  return { layers, size: off, outputWidth, maxWidth: widths.reduce((m, w) => Math.max(m, w), -Infinity) };
}

/** What a likelihood predicts. */
export function taskOf(spec: MlpSpec): TaskKind {
  return spec.likelihood === 'gaussian' || spec.likelihood === 'heteroscedastic' ? 'regression' : 'classification';
}

function dropoutRates(d: number | number[] | undefined, nLayers: number): number[] {
  if (d === undefined) return new Array(nLayers).fill(0);
  if (Array.isArray(d)) return Array.from({ length: nLayers }, (_, i) => d[i] ?? 0);
  return Array.from({ length: nLayers }, (_, i) => (i === 0 ? 0 : d));
}
