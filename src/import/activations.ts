/** Activation names as producers write them, mapped to the engine's (or refused by name). */
import type { Activation } from '../model/spec.js';
import { unsupported, type Origin } from './layers.js';

const NAMES: Record<string, Activation | 'softmax' | 'log-softmax'> = {
  linear: 'identity',
  identity: 'identity',
  relu: 'relu',
  tanh: 'tanh',
  sigmoid: 'sigmoid',
  // TF.js's and Keras's 'gelu' is the exact x·Φ(x), as the engine's kernel.
  gelu: 'gelu',
  elu: 'elu',
  selu: 'selu',
  swish: 'swish',
  silu: 'swish',
  relu6: 'relu6',
  softsign: 'softsign',
  hardsigmoid: 'hard-sigmoid',
  softmax: 'softmax',
  logsoftmax: 'log-softmax',
};

/** The engine's activation for a producer's name (case and underscores ignored). */
export function activationOf(name: unknown, origin: Origin): Activation | 'softmax' | 'log-softmax' {
  const key = typeof name === 'string' ? name.toLowerCase().replace(/_/g, '') : '';
  const a = Object.hasOwn(NAMES, key) ? NAMES[key] : undefined;
  if (a === undefined) throw unsupported(origin, `activation ${JSON.stringify(name)}`);
  return a;
}
