/**
 * The posterior file format, versioned: restoring gives the same predictions for the same seed.
 *
 *   bytes 0–3  "BDLP"      bytes 4–5  format version (u16 LE)   bytes 6–7  0
 *   bytes 8–11 header length H (u32 LE), then H bytes of UTF-8 JSON:
 *              { method, spec, standardizer?, state?, arrays: [{ name, dtype, length }] }
 *   then each array's little-endian values, each starting on an 8-byte boundary.
 *
 * Methods register how to rebuild themselves from the decoded parts; `posteriorFromBytes` dispatches.
 */
import { BdlError } from '../errors.js';
import type { Standardizer } from '../data/standardize.js';
import { checkSpec, type MlpSpec } from '../model/spec.js';
import type { Posterior } from './types.js';

export const FORMAT_VERSION = 1;
const MAGIC = [0x42, 0x44, 0x4c, 0x50]; // "BDLP"

export interface PosteriorParts {
  method: string;
  spec: MlpSpec;
  standardizer?: Standardizer;
  /** Small JSON-able method state (options, tuned hyperparameters). */
  state?: Record<string, unknown>;
  /** Named numeric arrays (weights, moments, factors). */
  arrays: Record<string, Float32Array | Float64Array>;
}

export function encodePosterior(p: PosteriorParts): Uint8Array {
  const names = Object.keys(p.arrays);
  const header = {
    method: p.method,
    spec: p.spec,
    standardizer: p.standardizer && {
      xMean: Array.from(p.standardizer.xMean),
      xStd: Array.from(p.standardizer.xStd),
      yMean: p.standardizer.yMean && Array.from(p.standardizer.yMean),
      yStd: p.standardizer.yStd && Array.from(p.standardizer.yStd),
    },
    state: p.state,
    arrays: names.map((name) => ({ name, dtype: p.arrays[name] instanceof Float64Array ? 'f64' : 'f32', length: p.arrays[name].length })),
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  let size = align8(12 + json.length);
  for (const n of names) size = align8(size + p.arrays[n].byteLength);
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  out.set(MAGIC, 0);
  dv.setUint16(4, FORMAT_VERSION, true);
  dv.setUint32(8, json.length, true);
  out.set(json, 12);
  let off = align8(12 + json.length);
  for (const n of names) {
    const a = p.arrays[n];
    const bytes = a instanceof Float64Array ? 8 : 4;
    for (let i = 0; i < a.length; i++) {
      if (bytes === 8) dv.setFloat64(off + 8 * i, a[i], true);
      else dv.setFloat32(off + 4 * i, a[i], true);
    }
    off = align8(off + a.byteLength);
  }
  return out;
}

export function decodePosterior(bytes: Uint8Array): PosteriorParts {
  const bad = (what: string) =>
    new BdlError('E_FORMAT', `posterior bytes: ${what}. Pass the exact Uint8Array that toBytes() produced (same or older library version).`, 'bytes');
  if (!(bytes instanceof Uint8Array)) throw bad('expected a Uint8Array');
  if (bytes.length < 12 || MAGIC.some((m, i) => bytes[i] !== m)) throw bad('not a bdl-wasm posterior (no "BDLP" signature)');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = dv.getUint16(4, true);
  if (version > FORMAT_VERSION) throw bad(`format version ${version} is newer than this library's ${FORMAT_VERSION}`);
  const h = dv.getUint32(8, true);
  if (12 + h > bytes.length) throw bad(`truncated: the header needs ${12 + h} bytes, found ${bytes.length}`);
  let header: {
    method: string;
    spec: MlpSpec;
    standardizer?: { xMean: number[]; xStd: number[]; yMean?: number[]; yStd?: number[] };
    state?: Record<string, unknown>;
    arrays: { name: string; dtype: 'f32' | 'f64'; length: number }[];
  };
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + h)));
  } catch {
    throw bad('the header is not valid JSON');
  }
  if (typeof header?.method !== 'string' || !Array.isArray(header.arrays)) throw bad('the header lacks a method or arrays');
  const arrays: Record<string, Float32Array | Float64Array> = {};
  let off = align8(12 + h);
  for (const a of header.arrays) {
    const width = a.dtype === 'f64' ? 8 : 4;
    if (off + a.length * width > bytes.length) throw bad(`truncated: array "${a.name}" needs ${off + a.length * width} bytes, found ${bytes.length}`);
    const out = width === 8 ? new Float64Array(a.length) : new Float32Array(a.length);
    for (let i = 0; i < a.length; i++) out[i] = width === 8 ? dv.getFloat64(off + 8 * i, true) : dv.getFloat32(off + 4 * i, true);
    arrays[a.name] = out;
    off = align8(off + a.length * width);
  }
  const s = header.standardizer;
  return {
    method: header.method,
    spec: checkSpec(header.spec, 'posterior spec'),
    standardizer: s && {
      xMean: Float64Array.from(s.xMean),
      xStd: Float64Array.from(s.xStd),
      yMean: s.yMean && Float64Array.from(s.yMean),
      yStd: s.yStd && Float64Array.from(s.yStd),
    },
    state: header.state,
    arrays,
  };
}

type Restore = (parts: PosteriorParts) => Promise<Posterior>;
const formats = new Map<string, Restore>();

/** Registers how a method's posterior is rebuilt from its parts (called once by each method module). */
export function registerPosteriorFormat(method: string, restore: Restore): void {
  formats.set(method, restore);
}

/** Restores a posterior written by `toBytes()`. */
export async function posteriorFromBytes(bytes: Uint8Array): Promise<Posterior> {
  const parts = decodePosterior(bytes);
  const restore = formats.get(parts.method);
  if (!restore) {
    throw new BdlError('E_FORMAT', `posterior bytes: method "${parts.method}" is not known here (known: ${[...formats.keys()].join(', ') || 'none'}). Import the module of that method first.`, 'bytes');
  }
  return restore(parts);
}

function align8(n: number): number {
  return (n + 7) & ~7;
}
