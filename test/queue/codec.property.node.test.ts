// Property tests over what crosses Redis (src/queue/codec.ts): whatever text or bytes a job, a result
// or a run's data holds — written by this package or by anyone else with access to Redis — decoding
// either gives back what was encoded or rejects with a BdlError; never another error, and never a
// value of another shape (run data: own keys only, each a typed array of the allowed kinds).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BdlError } from '../../src/errors.js';
import { decodeData, decodeTask, decodeValue, encodeData, encodeTask, encodeValue } from '../../src/queue/codec.js';
import { fuzz } from '../helpers/fuzz.js';

const ALLOWED = [Float32Array, Float64Array, Int32Array, Uint32Array, Uint8Array];

/** Runs `f`; a BdlError is an answer, anything else thrown fails the property. */
function outcome<T>(f: () => T): T | BdlError {
  try {
    return f();
  } catch (e) {
    if (e instanceof BdlError) return e;
    throw e;
  }
}

const typed = fc.oneof(
  fc.float32Array({ maxLength: 4 }),
  fc.float64Array({ maxLength: 4 }),
  fc.int32Array({ maxLength: 4 }),
  fc.uint32Array({ maxLength: 4 }),
  fc.uint8Array({ maxLength: 4 }),
);
/** Task-like values: JSON with typed arrays and every number (NaN, ±Infinity, −0). */
const taskValue = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, fc.double(), fc.integer(), fc.string({ maxLength: 6 }), fc.boolean(), fc.constant(null), typed, fc.array(tie('value'), { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 5 }), tie('value'), { maxKeys: 3 })),
})).value;

const sameBits = (a: unknown, b: unknown): boolean => {
  if (typeof a === 'number') return Object.is(a, b);
  if (ArrayBuffer.isView(a)) return ArrayBuffer.isView(b) && a.constructor === b.constructor && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => sameBits(x, b[i]));
  if (a !== null && typeof a === 'object') {
    const ka = Object.keys(a);
    return b !== null && typeof b === 'object' && ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && sameBits((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return a === b;
};

/** Text a job's task field might hold: encoded tasks, their edits, tags of every kind, and any string. */
const taskText = fc.oneof(
  taskValue.map((v) => encodeTask(v)),
  fc.tuple(taskValue.map((v) => encodeTask(v)), fc.nat(), fc.string({ maxLength: 3 })).map(([t, at, s]) => t.slice(0, at % (t.length + 1)) + s + t.slice(at % (t.length + 1))),
  fc.record({ $ta: fc.constantFrom<unknown>('Float32Array', 'Float64Array', 'Int16Array', 'constructor', 'toString', '__proto__', 'hasOwnProperty', 1, null), b64: fc.oneof(fc.base64String({ maxLength: 12 }), fc.string({ maxLength: 6 }), fc.constant<unknown>(3)) }).map((o) => JSON.stringify({ x: o })),
  fc.record({ $n: fc.constantFrom<unknown>('NaN', '-0', 'Infinity', '-Infinity', 'nan', 0, null, 'constructor') }).map((o) => JSON.stringify([o])),
  fc.json(),
  fc.string({ maxLength: 20 }),
  fc.nat({ max: 100 }).map((n) => '['.repeat(n) + ']'.repeat(n)),
);

describe('tasks (tagged JSON)', () => {
  it('round-trip every value bit for bit (or refuse, encoding, an object keyed like a tag)', () => {
    fc.assert(
      fc.property(taskValue, (v) => {
        const text = outcome(() => encodeTask(v));
        if (text instanceof BdlError) expect(text.argument).toBe('task');
        else expect(sameBits(v, decodeTask(text))).toBe(true);
      }),
      fuzz(),
    );
  });

  it('any text decodes or is refused with a BdlError', () => {
    fc.assert(
      fc.property(taskText, (text) => {
        const r = outcome(() => decodeTask(text));
        if (r instanceof BdlError) expect(r.argument).toBe('job.task');
      }),
      fuzz(),
    );
  });
});

/** A run's data header: names and types of every kind (prototype names too), lengths good and bad. */
const entry = fc.tuple(
  fc.constantFrom<unknown>('x', 'y', 'a', '__proto__', 'constructor', 'toString', '', 1),
  fc.constantFrom<unknown>('Float32Array', 'Float64Array', 'Int32Array', 'Uint32Array', 'Uint8Array', 'Int16Array', 'constructor', 'toString', '__proto__', 'valueOf', null),
  fc.oneof(fc.nat({ max: 6 }), fc.constantFrom<unknown>(-1, 1.5, NaN, 2 ** 40, '2', null)),
);
const dataBytes = fc.oneof(
  fc.dictionary(fc.constantFrom('x', 'y', 'w'), typed, { maxKeys: 3 }).map((d) => ({ bytes: new Uint8Array(encodeData(d)), data: d as Record<string, ArrayBufferView> | undefined })),
  fc.tuple(fc.array(entry, { maxLength: 3 }), fc.uint8Array({ maxLength: 64 }), fc.integer({ min: -4, max: 4 })).map(([header, body, skew]) => {
    const h = Buffer.from(JSON.stringify(header));
    const head = Buffer.alloc(4);
    head.writeUInt32LE(Math.max(0, h.byteLength + skew), 0);
    const pad = Buffer.alloc((8 - ((4 + h.byteLength) % 8)) % 8);
    return { bytes: new Uint8Array(Buffer.concat([head, h, pad, body])), data: undefined };
  }),
  fc.uint8Array({ maxLength: 64 }).map((bytes) => ({ bytes, data: undefined })),
);

describe('run data (content-addressed bytes)', () => {
  it('decodes into own typed arrays of the allowed kinds, or is refused with E_FORMAT', () => {
    fc.assert(
      fc.property(dataBytes, ({ bytes, data }) => {
        const r = outcome(() => decodeData(bytes));
        if (r instanceof BdlError) {
          expect(r.code).toBe('E_FORMAT');
          expect(data).toBeUndefined();
          return;
        }
        expect(Object.getPrototypeOf(r)).toBe(Object.prototype);
        for (const [k, a] of Object.entries(r)) expect(ALLOWED.some((C) => a instanceof C), `${k}: ${Object.prototype.toString.call(a)}`).toBe(true);
        const own = Object.getOwnPropertyNames(r);
        expect(own.length).toBe(Object.keys(r).length);
        if (data) expect(sameBits(Object.fromEntries(Object.entries(data).sort()), Object.fromEntries(Object.entries(r).map(([k, a]) => [k, ALLOWED.find((C) => a instanceof C)!.from(a as never)]).sort()))).toBe(true);
      }),
      fuzz(),
    );
  });
});

describe('results and checkpoints (structured-clone bytes)', () => {
  it('round-trip, and any bytes decode or are refused with E_FORMAT', () => {
    fc.assert(
      fc.property(taskValue, fc.nat(), fc.uint8Array({ maxLength: 4 }), fc.boolean(), (v, at, junk, edit) => {
        const bytes = new Uint8Array(encodeValue(v));
        if (!edit) {
          expect(sameBits(v, decodeValue(bytes))).toBe(true);
          return;
        }
        const i = at % (bytes.length + 1);
        const r = outcome(() => decodeValue(Buffer.concat([bytes.subarray(0, i), junk, bytes.subarray(i + junk.length)])));
        if (r instanceof BdlError) expect(r.code).toBe('E_FORMAT');
      }),
      fuzz(),
    );
  });
});

describe('defects the property found, each on its counterexample', () => {
  it('a task that is not JSON is refused with a BdlError naming job.task (a SyntaxError escaped)', () => {
    // Seed 1185577001: ''; the default seed: '!false'.
    for (const text of ['', '!false', '{"a":']) expect(outcome(() => decodeTask(text))).toMatchObject({ code: 'E_ARG', argument: 'job.task', message: expect.stringMatching(/JSON/) });
  });

  it("run data naming an Object.prototype member as its type or '__proto__' as a name is refused (a TypeError escaped, or a wrong value came back)", () => {
    const bytes = (header: unknown[], body = 8) => {
      const h = Buffer.from(JSON.stringify(header));
      const head = Buffer.alloc(4);
      head.writeUInt32LE(h.byteLength, 0);
      return new Uint8Array(Buffer.concat([head, h, Buffer.alloc((8 - ((4 + h.byteLength) % 8)) % 8), Buffer.alloc(body)]));
    };
    // Seed 1776248836: [["x","valueOf",0]] threw "Ctor is not a constructor"; "constructor" returned a SharedArrayBuffer as x.
    for (const type of ['valueOf', 'toString', 'constructor', 'hasOwnProperty']) expect(outcome(() => decodeData(bytes([['x', type, 1]])))).toMatchObject({ code: 'E_FORMAT', argument: 'data' });
    expect(outcome(() => decodeData(bytes([['__proto__', 'Uint8Array', 1]])))).toMatchObject({ code: 'E_FORMAT', argument: 'data' });
    expect(outcome(() => decodeTask(JSON.stringify({ $ta: 'constructor', b64: '' })))).toMatchObject({ code: 'E_ARG', argument: 'job.task' });
  });

  it('result or checkpoint bytes that are not a structured clone are refused with E_FORMAT (a plain Error escaped)', () => {
    // Seed -438678201: one byte changed at the start.
    for (const b of [new Uint8Array([0]), new Uint8Array(0), new Uint8Array([0xff, 0x0f, 0x6f])]) expect(outcome(() => decodeValue(b))).toMatchObject({ code: 'E_FORMAT', argument: 'result' });
  });
});

describe('tags in a task', () => {
  it("a task object with a key the codec tags with ($n, $ta) is refused when encoded (it decoded as a tag, or was refused by the worker)", () => {
    // Seed 2129476370: { $n: [] } encoded, then refused by decodeTask as a malformed tagged number.
    for (const v of [{ $n: [] }, { a: [{ $ta: 'Float32Array', b64: '' }] }, { $n: 'NaN' }]) expect(outcome(() => encodeTask(v))).toMatchObject({ code: 'E_ARG', argument: 'task', message: expect.stringMatching(/\$n|\$ta/) });
  });
});
