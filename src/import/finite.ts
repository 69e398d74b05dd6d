/**
 * NaN or ±Infinity in a file's weights. Checked per tensor as it is read, in the file's own index
 * order, so the message points at the value in the user's file; a finite value that becomes ±Infinity
 * in float32 (the engine's precision) is refused too, since it would run as Infinity.
 */
import { BdlError } from '../errors.js';

/** Throws E_NONFINITE naming `file`, the tensor and the first bad value's index (flat, and per axis). */
export function checkFinite(values: ArrayLike<number>, file: string, tensor: string, shape: readonly number[]): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isFinite(Math.fround(v))) continue;
    const found = Number.isFinite(v) ? `${v} (beyond float32's range)` : String(v);
    throw new BdlError('E_NONFINITE', `${file}: weight ${JSON.stringify(tensor)}: expected finite values, found ${found} at index ${i}${axes(i, shape)}. The saved weights are corrupt or training diverged; re-save them from a checkpoint whose weights are finite.`, tensor);
  }
}

/** " ([r, c] in shape [R, C])" for a tensor of two or more axes, else "". */
function axes(i: number, shape: readonly number[]): string {
  if (shape.length < 2) return '';
  const at: number[] = [];
  for (let d = shape.length - 1, r = i; d >= 0; d--) {
    at.unshift(r % shape[d]);
    r = Math.floor(r / shape[d]);
  }
  return ` ([${at.join(', ')}] in shape [${shape.join(', ')}])`;
}
