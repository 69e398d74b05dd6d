/** The byte inputs importers accept, checked at the boundary. */
import { argError, describe } from '../errors.js';

export type Bytes = ArrayBuffer | Uint8Array;

/**
 * The largest model file read (an .onnx, a .safetensors, or a TF.js model's shards together): 2 GiB
 * less a byte, the most Node's fs.readFile returns. Float32 weights of that size are 537 million
 * parameters, which leave the engine no room to compute in its one wasm32 memory (4 GiB), so a file
 * above it is refused (E_MEMORY) before it is read or downloaded.
 */
export const MAX_MODEL_BYTES = 2 ** 31 - 1;

/** A view of the caller's bytes (never copied, never mutated). */
export function asBytes(b: unknown, argument: string): Uint8Array {
  if (b instanceof Uint8Array) return b;
  if (b instanceof ArrayBuffer) return new Uint8Array(b);
  throw argError('E_ARG', argument, 'an ArrayBuffer or Uint8Array', describe(b), 'Pass the file as read (fetch(...).arrayBuffer() or fs.readFile).');
}
