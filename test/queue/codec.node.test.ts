// What crosses Redis (no server needed): tasks as tagged JSON, results bit for bit, run data
// content-addressed; the worker's gate; and the core bundle free of BullMQ.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeData, decodeTask, decodeValue, encodeData, encodeTask, encodeValue, sha256 } from '../../src/queue/codec.js';
import { redactUrl } from '../../src/queue/connection.js';
import { createQueuePool } from '../../src/queue/pool.js';
import { queueKinds, validateTask } from '../../src/queue/validate.js';
import { TASKS } from '../../src/orchestration/tasks.js';
import { registerTasks } from '../../src/pool/registry.js';

registerTasks(TASKS);

describe('queue codec', () => {
  it('tasks round-trip through JSON with typed arrays, NaN, ±Infinity and −0 exact, undefined fields dropped', () => {
    const task = { kind: 'train-member', seed: 3, stream: 1, options: { adversarial: Float32Array.of(0.1, -0, NaN), a: [Infinity, -Infinity, -0, 1.5], b: undefined } };
    const text = encodeTask(task);
    expect(text).not.toMatch(/undefined/);
    const back = decodeTask(text) as typeof task;
    expect(back.options.adversarial).toBeInstanceOf(Float32Array);
    expect([...new Uint32Array(back.options.adversarial.buffer)]).toEqual([...new Uint32Array(task.options.adversarial.buffer)]);
    expect(Object.is(back.options.a[2], -0)).toBe(true);
    expect(back.options.a.slice(0, 2)).toEqual([Infinity, -Infinity]);
    expect('b' in back.options).toBe(false);
    expect(() => decodeTask('{"$n":"1e999"}')).toThrow(/tagged number/);
    expect(() => decodeTask('{"$ta":"BigInt64Array","b64":""}')).toThrow(/tagged typed array/);
  });

  it('results keep every bit (structured clone)', () => {
    const v = { x: Float64Array.of(NaN, -0, 1e-310), n: [NaN], s: 'ok' };
    const back = decodeValue(encodeValue(v)) as typeof v;
    expect([...new Uint32Array(back.x.buffer)]).toEqual([...new Uint32Array(v.x.buffer)]);
    expect(back.n[0]).toBeNaN();
  });

  it('run data: the same bytes and hash whatever the key order; decoded into shared memory', () => {
    const x = Float32Array.of(1, 2, 3);
    const y = Uint8Array.of(7);
    const a = encodeData({ x, y });
    const b = encodeData({ y, x });
    expect(sha256(a)).toBe(sha256(b));
    expect(a.byteLength % 8).toBe(0);
    const d = decodeData(a);
    expect(d.x).toEqual(x);
    expect(d.y).toEqual(y);
    expect(d.x.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(() => decodeData(a.subarray(0, 20))).toThrow(/past the end|truncated/);
  });

  it('redacts passwords in URLs', () => {
    expect(redactUrl('rediss://user:s3cret@host:6380/2')).toBe('rediss://user:***@host:6380/2');
    expect(redactUrl('redis://:s3cret@host')).toBe('redis://:***@host');
    expect(redactUrl('redis://host:6379')).toBe('redis://host:6379');
    // A password holding '@', and one in the query (ioredis reads both): hidden whole.
    expect(redactUrl('redis://:a@b@host:6379/0')).toBe('redis://:***@host:6379/0');
    expect(redactUrl('redis://host:6379/0?password=xyz&db=1')).toBe('redis://host:6379/0?password=***&db=1');
  });
});

describe('queue pool without a server', () => {
  it('refuses a URL that is not redis:// and fails fast with E_WORKER (password hidden) when nothing answers', async () => {
    await expect(createQueuePool({ connection: 'http://127.0.0.1:1' })).rejects.toMatchObject({ code: 'E_ARG', argument: 'connection' });
    // Not a URL at all (ioredis: a bare "Invalid URL" TypeError): refused the same way.
    await expect(createQueuePool({ connection: 'redis://127.0.0.1:notaport' })).rejects.toMatchObject({ code: 'E_ARG', argument: 'connection' });
    const t0 = performance.now();
    const err = await createQueuePool({ connection: 'redis://:s3cret@127.0.0.1:1', unreachableMs: 500 }).catch((e) => e);
    expect(err).toMatchObject({ code: 'E_WORKER', argument: 'connection' });
    expect(err.message).toMatch(/cannot reach Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:1/);
    expect(err.message).not.toMatch(/s3cret/);
    expect(performance.now() - t0).toBeLessThan(10_000);
  });
});

describe('queue worker gate', () => {
  const none = new Set<string>();
  it('accepts the built-in kinds with well-formed options', () => {
    expect(queueKinds()).toEqual(expect.arrayContaining(['selftest', 'chain', 'train-member', 'swag-member', 'subspace-chain', 'dropout-fit']));
    expect(validateTask({ kind: 'selftest', seed: 1, stream: 0, options: { steps: 3 } }, none).kind).toBe('selftest');
    const spec = { inputs: 1, hidden: [4], outputs: 1, activation: 'relu', likelihood: 'gaussian' };
    expect(() => validateTask({ kind: 'chain', seed: 1, stream: 2, options: { target: { type: 'bnn', spec, noiseVar: 0.1 }, kernel: { type: 'nuts', maxTreeDepth: 5 }, returns: 'both' } }, none)).not.toThrow();
    expect(() => validateTask({ kind: 'subspace-chain', seed: 1, stream: 1, options: { target: { type: 'bnn', spec, noiseVar: 0.1, temperature: 1 }, warmup: 10, draws: 5, thin: 1, kernel: { type: 'nuts' }, adapt: { metric: 'dense' }, returns: 'draws' } }, none)).not.toThrow();
  });

  it('refuses unknown kinds and fields, malformed options, and user targets off the allow-list', () => {
    const bad: [unknown, RegExp][] = [
      [null, /job: task: expected \{ kind: /],
      [{ kind: 'shell', seed: 1, stream: 0 }, /job: task\.kind: expected 'selftest' \|/],
      [{ kind: 'selftest', seed: -1, stream: 0 }, /job: task\.seed: expected an integer ≥ 0 and ≤ 4294967295/],
      [{ kind: 'selftest', seed: 1, stream: 0, code: 'x' }, /job: unknown option task\.code/],
      [{ kind: 'selftest', seed: 1, stream: 0, options: { reps: 1.5 } }, /job: task\.options\.reps: expected an integer/],
      [{ kind: 'selftest', seed: 1, stream: 0, options: [] }, /task\.options: expected an options object/],
      [{ kind: 'chain', seed: 1, stream: 0, options: { target: { type: 'bnn', spec: { inputs: 0 } } } }, /options\.target\.spec\.inputs/],
      [{ kind: 'chain', seed: 1, stream: 0, options: { target: { type: 'module', url: 'file:///x.mjs' } } }, /allow-list.*allowed: none/],
      // A subspace chain samples a network only, and returns the whitened coordinates' draws.
      [{ kind: 'subspace-chain', seed: 1, stream: 0, options: { target: { type: 'module', url: 'file:///x.mjs' } } }, /options\.target\.type/],
      [{ kind: 'subspace-chain', seed: 1, stream: 0, options: { returns: 'predictive' } }, /options\.returns/],
    ];
    for (const [t, re] of bad) expect(() => validateTask(t, none)).toThrow(re);
    expect(() => validateTask({ kind: 'chain', seed: 1, stream: 0, options: { target: { type: 'module', url: 'file:///x.mjs' } } }, new Set(['file:///x.mjs']))).not.toThrow();
  });
});

describe('the core bundle', () => {
  it('the entries a browser imports, and the chunks they import, never load bullmq or ioredis; dist/queue.js does', () => {
    const dist = new URL('../../dist/', import.meta.url);
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(new URL(file, dist), 'utf8');
      expect(text, file).not.toMatch(/from\s*["'](bullmq|ioredis)["']|import\(\s*["'](bullmq|ioredis|\.\/queue\.js)["']\)/);
      for (const m of text.matchAll(/(?:from|import)\s*["'](\.\/[\w-]+\.js)["']/g)) visit(m[1]);
    };
    for (const entry of ['index.js', 'metrics.js', 'diagnostics.js', 'samplers.js', 'advanced.js', 'worker.js']) visit(entry);
    expect(seen.size).toBeGreaterThan(6);
    expect(readFileSync(new URL('queue.js', dist), 'utf8')).toMatch(/from "bullmq"/);
  });
});
