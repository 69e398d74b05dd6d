/** The byte inputs importers accept, checked at the boundary. */
import { argError, describe } from '../errors.js';

export type Bytes = ArrayBuffer | Uint8Array;

/** A view of the caller's bytes (never copied, never mutated). */
export function asBytes(b: unknown, argument: string): Uint8Array {
  if (b instanceof Uint8Array) return b;
  if (b instanceof ArrayBuffer) return new Uint8Array(b);
  throw argError('E_ARG', argument, 'an ArrayBuffer or Uint8Array', describe(b), 'Pass the file as read (fetch(...).arrayBuffer() or fs.readFile).');
}
