/**
 * Reading a decoded posterior file's parts with every field checked: a missing or mistyped array or
 * state entry, or an array whose length disagrees with the network, is E_FORMAT naming it — never a
 * TypeError later in predict.
 */
import { BdlError } from '../errors.js';
import type { Standardizer } from '../data/standardize.js';
import type { MlpSpec } from '../model/spec.js';

/** A posterior file's content: what `encodePosterior` writes and `decodePosterior` returns. */
export interface PosteriorParts {
  method: string;
  spec: MlpSpec;
  standardizer?: Standardizer;
  /** Small JSON-able method state (options, tuned hyperparameters). */
  state?: Record<string, unknown>;
  /** Named numeric arrays (weights, moments, factors). */
  arrays: Record<string, Float32Array | Float64Array>;
}

export function formatError(what: string, hint = 'Pass the exact Uint8Array that toBytes() produced (same or older library version).'): BdlError {
  return new BdlError('E_FORMAT', `posterior bytes: ${what}. ${hint}`, 'bytes');
}

/** What the values of an array must be (variances: 'nonnegative', precisions: 'positive'); unchecked when absent. */
type Values = 'finite' | 'positive' | 'nonnegative';

/** The f32 array `name`, of `length` values when given (each of kind `values` when given). */
export function f32(p: PosteriorParts, name: string, length?: number, values?: Values): Float32Array {
  return checked(p, name, Float32Array, length, values);
}

/** The f64 array `name`, of `length` values when given (each of kind `values` when given). */
export function f64(p: PosteriorParts, name: string, length?: number, values?: Values): Float64Array {
  return checked(p, name, Float64Array, length, values);
}

function checked<A extends Float32Array | Float64Array>(p: PosteriorParts, name: string, type: { new (n: number): A; name: string }, length?: number, values?: Values): A {
  const a = p.arrays[name];
  if (!(a instanceof type)) throw formatError(`${p.method}: array "${name}" (${type.name}) is missing`);
  if (length !== undefined && a.length !== length) throw formatError(`${p.method}: array "${name}" has ${a.length} values, the network needs ${length}`);
  if (values) {
    const i = a.findIndex((v) => !isKind(v, values));
    if (i >= 0) throw formatError(`${p.method}: array "${name}" holds ${a[i]} at ${i}, not a ${values} number`);
  }
  return a as A;
}

function isKind(v: number, kind: Values | 'integer'): boolean {
  return Number.isFinite(v) && (kind === 'finite' || (kind === 'positive' ? v > 0 : kind === 'nonnegative' ? v >= 0 : Number.isInteger(v) && v >= 1));
}

/** A finite number in the file's state (`integer`: ≥ 1 and whole; `positive`: > 0). */
export function stateNumber(p: PosteriorParts, key: string, kind: Values | 'integer' = 'finite', state: Record<string, unknown> | undefined = p.state): number {
  const v = state?.[key];
  if (!(typeof v === 'number' && isKind(v, kind))) throw formatError(`${p.method}: state "${key}" is not a ${kind} number`);
  return v;
}

/** A JSON object in the file's state (or {} when absent and `optional`). */
export function stateObject(p: PosteriorParts, key: string, optional = false): Record<string, unknown> {
  const v = p.state?.[key];
  if (v === undefined && optional) return {};
  if (!(v && typeof v === 'object' && !Array.isArray(v))) throw formatError(`${p.method}: state "${key}" is not an object`);
  return v as Record<string, unknown>;
}
