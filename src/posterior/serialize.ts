/**
 * The posterior file format, versioned: restoring gives the same predictions for the same seed.
 *
 *   bytes 0–3  "BDLP"      bytes 4–5  format version (u16 LE)   bytes 6–7  0
 *   bytes 8–11 header length H (u32 LE), then H bytes of UTF-8 JSON:
 *              { method, spec, standardizer?, state?, arrays: [{ name, dtype, length }] }
 *   then each array's little-endian values, each starting on an 8-byte boundary;
 *   version 2 adds an 8-byte trailer: CRC-32 (IEEE) of every byte before it (u32 LE), then "BDLZ".
 *
 * Version 1 (no trailer) still loads. Decoding checks the checksum, then every declared size against
 * the bytes present and against the network the spec describes, before allocating anything: a
 * corrupt or crafted file is E_FORMAT, never a raw TypeError or a huge allocation.
 */
import { BdlError, describe } from '../errors.js';
import type { Standardizer } from '../data/standardize.js';
import { checkSpec, layoutOf, type MlpSpec } from '../model/spec.js';
import { formatError as bad, type PosteriorParts } from './parts.js';

export const FORMAT_VERSION = 2;
const MAGIC = [0x42, 0x44, 0x4c, 0x50]; // "BDLP"
const TRAILER = [0x42, 0x44, 0x4c, 0x5a]; // "BDLZ"
const TRAILER_BYTES = 8;
/** Array names a file may use: plain identifiers (never "__proto__"-like keys with other meanings). */
const NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

export type { PosteriorParts };

export function encodePosterior(p: PosteriorParts): Uint8Array<ArrayBuffer> {
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
  const out = new Uint8Array(size + TRAILER_BYTES);
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
  dv.setUint32(size, crc32(out.subarray(0, size)), true);
  out.set(TRAILER, size + 4);
  return out;
}

interface Header {
  method: string;
  spec: MlpSpec;
  standardizer?: { xMean: number[]; xStd: number[]; yMean?: number[]; yStd?: number[] };
  state?: Record<string, unknown>;
  arrays: { name: string; dtype: 'f32' | 'f64'; length: number }[];
}

export function decodePosterior(bytes: Uint8Array): PosteriorParts {
  if (!(bytes instanceof Uint8Array)) throw bad(`expected a Uint8Array, found ${describe(bytes)}`);
  if (bytes.length < 12 || MAGIC.some((m, i) => bytes[i] !== m)) throw bad('not a bdl-wasm posterior (no "BDLP" signature)');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = dv.getUint16(4, true);
  if (version > FORMAT_VERSION) throw bad(`format version ${version}, written by a newer bdl-wasm than this one (which reads versions 1–${FORMAT_VERSION})`, 'Upgrade bdl-wasm to read it, or save the posterior again with this version.');
  if (version < 1 || dv.getUint16(6, true) !== 0) throw bad(`format version ${version}.${dv.getUint16(6, true)} is not one this library wrote`);
  let end = bytes.length;
  if (version >= 2) {
    end -= TRAILER_BYTES;
    if (end < 12 || TRAILER.some((m, i) => bytes[end + 4 + i] !== m)) throw bad('truncated or extended: the end-of-file marker is missing');
    const stored = dv.getUint32(end, true);
    const actual = crc32(bytes.subarray(0, end));
    if (stored !== actual) throw bad(`corrupt: checksum ${hex(actual)} differs from the stored ${hex(stored)}`);
  }
  const h = dv.getUint32(8, true);
  if (12 + h > end) throw bad(`truncated: the header needs ${12 + h} bytes, found ${end}`);
  let header: Header;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(12, 12 + h));
    header = JSON.parse(text);
  } catch {
    throw bad('the header is not valid JSON');
  }
  // JSON.parse nests as deep as the text does, but the state is written out again (toBytes, info) by
  // recursive code: a header nested deeper than any this library writes is refused here.
  const depth = nesting(text);
  if (depth > MAX_DEPTH) throw bad(`the header nests ${depth} levels deep (this library writes at most ${MAX_DEPTH})`);
  if (!header || typeof header !== 'object' || typeof header.method !== 'string' || !Array.isArray(header.arrays)) throw bad('the header lacks a method or arrays');
  const spec = specOf(header.spec);
  if (header.state !== undefined && (header.state === null || typeof header.state !== 'object' || Array.isArray(header.state))) throw bad("the header's state is not an object");
  // Every declared size, checked against the bytes present before any array is allocated.
  let off = align8(12 + h);
  const seen = new Set<string>();
  for (const a of header.arrays) {
    if (!a || typeof a.name !== 'string' || !NAME.test(a.name) || seen.has(a.name)) throw bad(`an array entry has no valid, unique name (${JSON.stringify(a?.name)?.slice(0, 40)})`);
    seen.add(a.name);
    if (a.dtype !== 'f32' && a.dtype !== 'f64') throw bad(`array "${a.name}" has dtype ${JSON.stringify(a.dtype)}, not f32 or f64`);
    if (!Number.isSafeInteger(a.length) || a.length < 0) throw bad(`array "${a.name}" declares length ${JSON.stringify(a.length)}`);
    const need = off + a.length * (a.dtype === 'f64' ? 8 : 4);
    if (need > end) throw bad(`truncated: array "${a.name}" needs ${need} bytes, found ${end}`);
    off = align8(need);
  }
  if (version >= 2 && off !== end) throw bad(`${end - off} bytes after the last array`);
  // A network posterior holds at least one weight vector: a spec wider than the file is not this file's.
  // Every layer holds at least 2 weights (a weight and a bias): the layer count is bounded first, so
  // that a long list of hidden widths is refused before a layout is formed of it.
  if (8 * (spec.hidden.length + 1) > end) throw bad(`the spec declares ${spec.hidden.length + 1} layers (at least ${8 * (spec.hidden.length + 1)} bytes of weights), more than the file's ${end} bytes`);
  const P = layoutOf(spec).size;
  if (4 * P > end) throw bad(`the spec declares ${P} weights (${4 * P} bytes), more than the file's ${end} bytes`);
  const arrays: Record<string, Float32Array | Float64Array> = {};
  off = align8(12 + h);
  for (const a of header.arrays) {
    const width = a.dtype === 'f64' ? 8 : 4;
    const out = width === 8 ? new Float64Array(a.length) : new Float32Array(a.length);
    for (let i = 0; i < a.length; i++) out[i] = width === 8 ? dv.getFloat64(off + 8 * i, true) : dv.getFloat32(off + 4 * i, true);
    arrays[a.name] = out;
    off = align8(off + a.length * width);
  }
  return { method: header.method, spec, standardizer: standardizerOf(header.standardizer), state: header.state, arrays };
}

/** The header's spec, checked as a user's would be (any fault is the file's: E_FORMAT). */
function specOf(spec: unknown): MlpSpec {
  try {
    return checkSpec(spec as MlpSpec, 'posterior spec');
  } catch (e) {
    if (e instanceof BdlError) throw bad(`invalid network spec (${e.message})`);
    throw e;
  }
}

function standardizerOf(s: Header['standardizer']): Standardizer | undefined {
  if (s === undefined || s === null) return undefined;
  const vec = (v: unknown, name: string, optional: boolean): Float64Array | undefined => {
    if (v === undefined && optional) return undefined;
    // Scales divide and multiply every input and output: one ≤ 0 would flip or blow up predictions.
    const scale = name.endsWith('Std');
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'number' && Number.isFinite(x) && (!scale || x > 0))) throw bad(`standardizer.${name} is not a list of finite numbers${scale ? ' > 0' : ''}`);
    return Float64Array.from(v);
  };
  return { xMean: vec(s.xMean, 'xMean', false)!, xStd: vec(s.xStd, 'xStd', false)!, yMean: vec(s.yMean, 'yMean', true), yStd: vec(s.yStd, 'yStd', true) };
}

/** The deepest nesting of objects and arrays a header may have (this library writes at most ~6). */
const MAX_DEPTH = 64;

/** The deepest nesting of `{` and `[` in a JSON text (outside strings), in one pass without recursion. */
function nesting(json: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) max = Math.max(max, ++depth);
    else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (IEEE 802.3, as zlib): detects every single-bit and every burst error up to 32 bits. */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const hex = (n: number) => '0x' + n.toString(16).padStart(8, '0');

function align8(n: number): number {
  return (n + 7) & ~7;
}
