/**
 * What crosses Redis, and how. Tasks travel as JSON a person can read in Redis (typed arrays and
 * non-finite numbers tagged, nothing else): a job is data, never code. Results and checkpoints
 * travel as V8's structured-clone bytes, which keep every typed array, NaN and −0 bit for bit.
 * A run's data is one byte string in a fixed layout, content-addressed by its SHA-256.
 */
import { createHash } from 'node:crypto';
import { deserialize, serialize } from 'node:v8';
import { argError, describe } from '../errors.js';
import type { SharedArray, TaskData } from '../pool/types.js';

const ARRAYS = { Float32Array, Float64Array, Int32Array, Uint32Array, Uint8Array } as const;
type ArrayName = keyof typeof ARRAYS;

/** The typed array a tag names: own entries only ('constructor' or 'valueOf' named Object.prototype's members). */
const arrayOf = (name: unknown) => (typeof name === 'string' && Object.hasOwn(ARRAYS, name) ? ARRAYS[name as ArrayName] : undefined);

/** JSON with typed arrays as { $ta, b64 } and NaN/±Infinity/−0 as { $n }. */
export function encodeTask(value: unknown): string {
  return JSON.stringify(tag(value));
}

/** The inverse of `encodeTask`; anything but plain JSON and the two tags is refused. */
export function decodeTask(text: string): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw argError('E_ARG', 'job.task', 'JSON written by encodeTask', describe(text), 'Encode tasks with encodeTask.');
  }
  return untag(parsed, 0);
}

function tag(v: unknown): unknown {
  if (typeof v === 'number') return Number.isFinite(v) && !Object.is(v, -0) ? v : { $n: Object.is(v, -0) ? '-0' : String(v) };
  if (ArrayBuffer.isView(v)) {
    const name = v.constructor.name as ArrayName;
    if (!(name in ARRAYS)) throw argError('E_ARG', 'task', `typed arrays of ${Object.keys(ARRAYS).join(', ')}`, name, 'Convert the array.');
    return { $ta: name, b64: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') };
  }
  if (Array.isArray(v)) return v.map(tag);
  if (v !== null && typeof v === 'object' && ('$n' in v || '$ta' in v)) {
    throw argError('E_ARG', 'task', 'objects without the keys $n and $ta (the codec tags numbers and typed arrays with them)', Object.keys(v).join(', '), 'Rename the key.');
  }
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined).map(([k, x]) => [k, tag(x)]));
  return v;
}

function untag(v: unknown, depth: number): unknown {
  if (depth > 32) throw argError('E_ARG', 'job.task', 'at most 32 levels of nesting', 'deeper', 'Jobs are plain task descriptions.');
  if (Array.isArray(v)) return v.map((x) => untag(x, depth + 1));
  if (v === null || typeof v !== 'object') return v;
  const o = v as Record<string, unknown>;
  if ('$n' in o) {
    const n = o.$n === '-0' ? -0 : o.$n === 'NaN' ? NaN : o.$n === 'Infinity' ? Infinity : o.$n === '-Infinity' ? -Infinity : undefined;
    if (n === undefined) throw argError('E_ARG', 'job.task', 'a tagged number (NaN, ±Infinity, -0)', describe(o.$n), 'Encode tasks with encodeTask.');
    return n;
  }
  if ('$ta' in o) {
    const Ctor = arrayOf(o.$ta);
    if (Ctor === undefined || typeof o.b64 !== 'string') throw argError('E_ARG', 'job.task', 'a tagged typed array', describe(o.$ta), 'Encode tasks with encodeTask.');
    const bytes = Buffer.from(o.b64, 'base64');
    if (bytes.byteLength % Ctor.BYTES_PER_ELEMENT !== 0) throw argError('E_ARG', 'job.task', `a whole number of ${o.$ta} elements`, `${bytes.byteLength} bytes`, 'Encode tasks with encodeTask.');
    const out = new Ctor(bytes.byteLength / Ctor.BYTES_PER_ELEMENT);
    new Uint8Array(out.buffer).set(bytes);
    return out;
  }
  return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, untag(x, depth + 1)]));
}

/** A result or checkpoint as bytes (structured clone: exact for typed arrays and every number). */
export function encodeValue(value: unknown): Buffer {
  return serialize(value);
}

/**
 * The inverse of `encodeValue`. Node's deserializer makes typed arrays that view slices of one
 * shared buffer; each gets a buffer of its own, as results transferred from a local worker have.
 */
export function decodeValue(bytes: Uint8Array): unknown {
  let value: unknown;
  try {
    value = deserialize(bytes);
  } catch (e) {
    throw argError('E_FORMAT', 'result', 'bytes written by encodeValue', `${bytes.byteLength} bytes that do not deserialize (${(e as Error).message})`, 'Results and checkpoints are written by the queue worker: run again.');
  }
  return ownBuffers(value, 0);
}

function ownBuffers(v: unknown, depth: number): unknown {
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
    const a = v as SharedArray;
    return a.byteOffset === 0 && a.byteLength === a.buffer.byteLength ? a : a.slice();
  }
  if (depth > 8 || v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map((x) => ownBuffers(x, depth + 1));
  if (Object.getPrototypeOf(v) !== Object.prototype) return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, ownBuffers(x, depth + 1)]));
}

/** SHA-256 of bytes, lower-case hex. */
export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * A run's data as one byte string: a 4-byte little-endian header length, the header (JSON list of
 * [name, type, length] in name order), zero padding to 8 bytes, then each array's bytes padded to 8.
 * Name order makes the bytes — hence the hash — independent of how the caller built the record.
 */
export function encodeData(data: TaskData): Buffer {
  const names = Object.keys(data).sort();
  const header = Buffer.from(JSON.stringify(names.map((n) => [n, data[n].constructor.name, data[n].length])));
  const pad8 = (n: number) => (n + 7) & ~7;
  let size = pad8(4 + header.byteLength);
  for (const n of names) size += pad8(data[n].byteLength);
  const out = Buffer.alloc(size);
  out.writeUInt32LE(header.byteLength, 0);
  header.copy(out, 4);
  let at = pad8(4 + header.byteLength);
  for (const n of names) {
    const a = data[n];
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
    at += pad8(a.byteLength);
  }
  return out;
}

/** The inverse of `encodeData`, into SharedArrayBuffers (every worker thread then reads the same memory). */
export function decodeData(bytes: Uint8Array): TaskData {
  const bad = (found: string) => argError('E_FORMAT', 'data', 'bytes written by encodeData', found, 'Store run data with the queue pool.');
  if (bytes.byteLength < 4) throw bad(`${bytes.byteLength} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hl = view.getUint32(0, true);
  if (4 + hl > bytes.byteLength) throw bad('a truncated header');
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(bytes.subarray(4, 4 + hl)).toString('utf8'));
  } catch {
    throw bad('a header that is not JSON');
  }
  if (!Array.isArray(header)) throw bad(describe(header));
  const pad8 = (n: number) => (n + 7) & ~7;
  let at = pad8(4 + hl);
  const out: Record<string, SharedArray> = {};
  for (const entry of header) {
    const [name, type, length] = Array.isArray(entry) ? entry : [];
    const Ctor = arrayOf(type);
    // '__proto__' would set the record's prototype rather than name an array.
    if (typeof name !== 'string' || name === '__proto__' || Ctor === undefined || !Number.isInteger(length) || length < 0) throw bad(`header entry ${describe(entry)}`);
    const n = length * Ctor.BYTES_PER_ELEMENT;
    if (at + n > bytes.byteLength) throw bad(`array ${name} past the end`);
    const a = new (Ctor as unknown as new (b: ArrayBufferLike) => SharedArray)(new SharedArrayBuffer(n));
    new Uint8Array(a.buffer).set(bytes.subarray(at, at + n));
    out[name] = a;
    at += pad8(n);
  }
  return out;
}
