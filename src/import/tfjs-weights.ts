/**
 * A TF.js model's weight values from its shards' bytes: the manifest's weights in order, little-endian
 * float32 or tensorflowjs_converter's uint8 / uint16 / float16 quantization of it, decoded as TF.js's
 * io.decodeWeights decodes them.
 */
import { bytesPerValue, weightKey, type WeightSpec } from './tfjs-json.js';

const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** A network weight: its manifest entry and its values as float32. */
export type Weight = { spec: WeightSpec; data: Float32Array };

/** A weight's number of values. */
export function sizeOf(s: WeightSpec): number {
  return s.shape.reduce((a, b) => a * b, 1);
}

/** The bytes the weights take in the shards, as stored (float32, quantized, or an optimizer's int32). */
export function weightBytes(specs: WeightSpec[]): number {
  let bytes = 0;
  for (const s of specs) bytes += bytesPerValue(s) * sizeOf(s);
  return bytes;
}

/** The network's weights by name, from the concatenated shards (an optimizer's state is skipped). */
export function readWeights(specs: WeightSpec[], shardBytes: Uint8Array[], total: number): Map<string, Weight> {
  const all = new Uint8Array(total);
  let off = 0;
  for (const b of shardBytes) {
    all.set(b, off);
    off += b.length;
  }
  const dv = new DataView(all.buffer);
  const weights = new Map<string, Weight>();
  off = 0;
  for (const s of specs) {
    const n = sizeOf(s);
    if (s.group !== 'optimizer') weights.set(weightKey(s.name), { spec: s, data: decode(s, all, dv, off, n) });
    off += bytesPerValue(s) * n;
  }
  return weights;
}

/**
 * A network weight's n values from byte `off`, as float32: as stored, or dequantized as TF.js reads
 * them (io.decodeWeights: v·scale + min rounded once to float32; half precision exactly). A quantized
 * weight may start at any byte, so its values are read through the DataView.
 */
function decode(s: WeightSpec, all: Uint8Array, dv: DataView, off: number, n: number): Float32Array {
  const q = s.quantization;
  const data = new Float32Array(n);
  if (!q) {
    // `all` is a fresh buffer: on a little-endian host one copy reads an aligned weight.
    if (LITTLE_ENDIAN && off % 4 === 0) data.set(new Float32Array(all.buffer, off, n));
    else for (let i = 0; i < n; i++) data[i] = dv.getFloat32(off + 4 * i, true);
  } else if (q.dtype === 'uint8') {
    for (let i = 0; i < n; i++) data[i] = all[off + i] * q.scale + q.min;
  } else if (q.dtype === 'uint16') {
    for (let i = 0; i < n; i++) data[i] = dv.getUint16(off + 2 * i, true) * q.scale + q.min;
  } else {
    for (let i = 0; i < n; i++) data[i] = half(dv.getUint16(off + 2 * i, true));
  }
  return data;
}

/** An IEEE 754 half-precision value from its bits (exact in float64 and in float32). */
function half(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return sign * f * 2 ** -24;
  if (e === 31) return f === 0 ? sign * Infinity : NaN;
  return sign * (1 + f / 1024) * 2 ** (e - 15);
}
