/**
 * Restoring a posterior from its bytes: network posteriors by their method's weight source
 * (network-posterior.ts), other posteriors (the linearized Laplace) by the restorer their module
 * registers; a temperature in the file's state (tempered.ts) wraps the restored posterior again.
 */
import { BdlError } from '../errors.js';
import { NETWORK_METHODS, networkPosteriorOf } from './network-posterior.js';
import { decodePosterior, type PosteriorParts } from './serialize.js';
import { splitTemperature, TemperedPosterior } from './tempered.js';
import type { Posterior } from './types.js';

type Restore = (parts: PosteriorParts) => Promise<Posterior>;
const formats = new Map<string, Restore>();

/** Registers how a posterior that is not a NetworkPosterior is rebuilt from its parts. */
export function registerPosteriorFormat(method: string, restore: Restore): void {
  formats.set(method, restore);
}

/** Restores a posterior written by `toBytes()` (any corruption: E_FORMAT). */
export async function posteriorFromBytes(bytes: Uint8Array): Promise<Posterior> {
  const { temperature, parts } = splitTemperature(decodePosterior(bytes));
  const inner = await restoreParts(parts);
  return temperature === undefined ? inner : new TemperedPosterior(inner, temperature);
}

async function restoreParts(parts: PosteriorParts): Promise<Posterior> {
  const network = networkPosteriorOf(parts);
  if (network) return network;
  const restore = formats.get(parts.method);
  if (!restore) {
    throw new BdlError('E_FORMAT', `posterior bytes: method "${parts.method}" is not known here (known: ${knownMethods().join(', ')}). Import the module of that method first.`, 'bytes');
  }
  return restore(parts);
}

function knownMethods(): string[] {
  return [...NETWORK_METHODS, ...formats.keys()];
}
