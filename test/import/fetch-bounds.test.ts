// fetchModel against servers that lie, never stop or stall (a fake fetch of Response objects with
// ReadableStream bodies; no node: modules, so this runs in Node and in Chromium). Each body counts the
// bytes pulled from it and whether it was cancelled: a refused or failed body must be released, and
// nothing may be read far past the bound. Every call runs under `within`, so a hang fails the test.
import { describe, expect, it } from 'vitest';
import { BdlError } from '../../src/errors.js';
import { fetchModel } from '../../src/import/load.js';
import { importTfjs } from '../../src/import/tfjs.js';
import { MAX_MODEL_JSON } from '../../src/import/tfjs-json.js';
import { dense, onnxModel, gemm, tfjsModel } from './hostile.js';

const MB = 1 << 20;

/** The promise, or a rejection once `ms` pass (a hang is a failure, not a blocked run). */
async function within<T>(ms: number, p: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`still running after ${ms} ms`)), ms)));
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/** The BdlError a promise rejects with (any other outcome fails the test). */
async function rejection(p: Promise<unknown>, ms = 10_000): Promise<BdlError> {
  const e = await within(ms, p).then(
    () => new Error('resolved'),
    (e: unknown) => e,
  );
  if (!(e instanceof BdlError)) throw new Error(`expected a BdlError, got ${String(e)}`);
  return e;
}

interface Body { stream: ReadableStream<Uint8Array>; pulled: number; cancelled: boolean }

/**
 * A body of `chunk`-byte pieces that goes on until `stopAt` bytes (far past any bound: a safety net so
 * code without a bound ends rather than exhausting the memory), or after `stallAfter` bytes waits forever.
 */
function body(o: { chunk?: number; stopAt?: number; stallAfter?: number; fill?: number; bytes?: Uint8Array } = {}): Body {
  const piece = o.bytes ?? new Uint8Array(o.chunk ?? 64 * 1024).fill(o.fill ?? 32);
  const b: Body = {
    pulled: 0,
    cancelled: false,
    stream: new ReadableStream<Uint8Array>(
      {
        pull(c) {
          if (o.stallAfter !== undefined && b.pulled >= o.stallAfter) return new Promise<void>(() => undefined);
          if (b.pulled >= (o.stopAt ?? (o.bytes ? piece.length : 64 * MB))) return c.close();
          b.pulled += piece.length;
          c.enqueue(piece);
        },
        cancel() {
          b.cancelled = true;
        },
      },
      { highWaterMark: 0 },
    ),
  };
  return b;
}

/** A fake fetch serving `routes` by URL (404 otherwise), recording what was asked and with which signal. */
function server(routes: Record<string, (init?: RequestInit) => Response | Promise<Response>>) {
  const asked: string[] = [];
  const signals: (AbortSignal | null | undefined)[] = [];
  const get = (async (u: string | URL | Request, init?: RequestInit) => {
    asked.push(String(u));
    signals.push(init?.signal);
    const route = routes[String(u)];
    return route ? route(init) : new Response('not found', { status: 404 });
  }) as typeof fetch;
  return { get, asked, signals };
}

/** A 2-3-1 network: its model.json and one 52-byte shard (13 float32 weights). */
function small() {
  const a = dense('d1', 2, 3, 'relu', true);
  const b = dense('d2', 3, 1);
  return tfjsModel([a.layer, b.layer], [...a.weights, ...b.weights]);
}

const M = 'http://models.example/m/';
const json = (v: unknown) => () => new Response(JSON.stringify(v));
const shardOf = (bytes: Uint8Array) => () => new Response(new Blob([bytes as Uint8Array<ArrayBuffer>]));

describe('fetchModel reads model.json only up to MAX_MODEL_JSON', () => {
  it('a Content-Length above it: E_FORMAT before the body is read, and the body cancelled', async () => {
    const b = body();
    const s = server({ [M + 'model.json']: () => new Response(b.stream, { headers: { 'content-length': String(2 * 1024 ** 3) } }) });
    const e = await rejection(fetchModel(M + 'model.json', { fetch: s.get }));
    expect(e).toMatchObject({ code: 'E_FORMAT', argument: 'model' });
    expect(e.message).toMatch(/http:\/\/models\.example\/m\/model\.json: expected a TF\.js model\.json .*at most 100000000 bytes.*found a Content-Length of 2147483648 bytes/);
    expect(b.pulled).toBeLessThanOrEqual(64 * 1024);
    expect(b.cancelled).toBe(true);
  });
  it('a body with no Content-Length that never ends: E_FORMAT once it passes the bound, cancelled there', async () => {
    const b = body({ chunk: MB, stopAt: 3 * MAX_MODEL_JSON });
    const s = server({ [M + 'model.json']: () => new Response(b.stream) });
    const e = await rejection(fetchModel(M + 'model.json', { fetch: s.get }), 30_000);
    expect(e).toMatchObject({ code: 'E_FORMAT', argument: 'model' });
    expect(e.message).toMatch(/model\.json: expected a TF\.js model\.json .*found a body longer than that/);
    expect(b.pulled).toBeLessThanOrEqual(MAX_MODEL_JSON + MB);
    expect(b.cancelled).toBe(true);
  }, 40_000);
});

describe('fetchModel reads each TF.js shard only up to what the manifest\'s weights take', () => {
  it('a shard whose Content-Length lies (52) and whose body never ends: E_FORMAT after ~52 bytes', async () => {
    const { model } = small();
    const b = body({ chunk: 16, stopAt: 64 * MB });
    const s = server({ [M + 'model.json']: json(model), [M + 'group1-shard1of1.bin']: () => new Response(b.stream, { headers: { 'content-length': '52' } }) });
    const e = await rejection(fetchModel(M + 'model.json', { fetch: s.get }));
    expect(e).toMatchObject({ code: 'E_FORMAT', argument: 'shards' });
    expect(e.message).toMatch(/http:\/\/models\.example\/m\/group1-shard1of1\.bin: expected a weight shard of model\.json's manifest \(its weights take 52 bytes in all 1 shard\(s\)\), found a body longer than that/);
    expect(b.pulled).toBeLessThanOrEqual(52 + 16);
    expect(b.cancelled).toBe(true);
  });
  it('a shard with a Content-Length of 10 GB: E_FORMAT before its body is read, and cancelled', async () => {
    const { model } = small();
    const b = body({ stopAt: 64 * MB });
    const s = server({ [M + 'model.json']: json(model), [M + 'group1-shard1of1.bin']: () => new Response(b.stream, { headers: { 'content-length': String(1e10) } }) });
    const e = await rejection(fetchModel(M + 'model.json', { fetch: s.get }));
    expect(e).toMatchObject({ code: 'E_FORMAT', argument: 'shards' });
    expect(e.message).toMatch(/group1-shard1of1\.bin: .*found a Content-Length of 10000000000 bytes/);
    expect(b.pulled).toBeLessThanOrEqual(64 * 1024);
    expect(b.cancelled).toBe(true);
  });
  it('shards that together pass the budget (each under it): refused, and the other shard\'s body released', async () => {
    const { model } = small();
    model.weightsManifest[0].paths = ['a.bin', 'b.bin'];
    const a = body({ chunk: 40, stopAt: 40 });
    const b = body({ chunk: 40, stopAt: 64 * MB, stallAfter: 40 });
    const s = server({ [M + 'model.json']: json(model), [M + 'a.bin']: () => new Response(a.stream), [M + 'b.bin']: () => new Response(b.stream) });
    const e = await rejection(fetchModel(M + 'model.json', { fetch: s.get }));
    expect(e).toMatchObject({ code: 'E_FORMAT', argument: 'shards' });
    expect(b.cancelled || a.cancelled).toBe(true);
  });
  it('one shard failing (HTTP 404) releases the other shards still downloading', async () => {
    const { model } = small();
    model.weightsManifest[0].paths = ['gone.bin', 'slow.bin'];
    const slow = body({ chunk: 8, stallAfter: 8 });
    const s = server({ [M + 'model.json']: json(model), [M + 'slow.bin']: () => new Response(slow.stream) });
    const e = await rejection(fetchModel(M + 'model.json', { fetch: s.get }));
    expect(e).toMatchObject({ code: 'E_ARG', argument: 'model' });
    expect(e.message).toMatch(/gone\.bin failed \(HTTP 404\)/);
    await within(2000, (async () => { while (!slow.cancelled) await new Promise((r) => setTimeout(r, 5)); })());
  });
  it('a manifest whose weights take 8 GiB: E_MEMORY before any shard is requested', async () => {
    const a = dense('d1', 65536, 32768, 'relu', true);
    const { model } = tfjsModel([a.layer], [{ name: 'd1/kernel', shape: [65536, 32768], values: [] }, { name: 'd1/bias', shape: [32768], values: [] }]);
    const b = body({ chunk: MB, stopAt: 64 * MB });
    const s = server({ [M + 'model.json']: json(model), [M + 'group1-shard1of1.bin']: () => new Response(b.stream) });
    const e = await rejection(fetchModel(M + 'model.json', { fetch: s.get }));
    expect(e).toMatchObject({ code: 'E_MEMORY', argument: 'weightsManifest' });
    expect(e.message).toMatch(/model\.json: expected weights of at most 2147483647 bytes .*take 8590065664 bytes/);
    expect(s.asked).toEqual([M + 'model.json']);
  });
  it('a layer the engine cannot run (a convolution): E_FORMAT before any shard is requested', async () => {
    const conv = { class_name: 'Conv2D', config: { name: 'c1', filters: 4, kernel_size: [3, 3], batch_input_shape: [null, 8, 8, 1] } };
    const d = dense('d1', 144, 2);
    const { model, shards } = tfjsModel([conv, { class_name: 'Flatten', config: { name: 'f' } }, d.layer], [{ name: 'c1/kernel', shape: [3, 3, 1, 4] }, { name: 'c1/bias', shape: [4] }, ...d.weights]);
    const s = server({ [M + 'model.json']: json(model), [M + 'group1-shard1of1.bin']: shardOf(shards[0]) });
    const e = await rejection(fetchModel(M + 'model.json', { fetch: s.get }));
    expect(e).toMatchObject({ code: 'E_FORMAT' });
    expect(e.message).toMatch(/Conv2D/);
    expect(s.asked).toEqual([M + 'model.json']);
  });
  it('a manifest of many shards: at most 6 requested at once (asking for all would open a connection each), imported as one', async () => {
    const { model, shards } = small();
    // 13 float32 weights in 13 shards of 4 bytes.
    model.weightsManifest[0].paths = Array.from({ length: 13 }, (_, i) => `group1-shard${i + 1}of13.bin`);
    let open = 0;
    let most = 0;
    const routes: Record<string, () => Promise<Response>> = { [M + 'model.json']: async () => new Response(JSON.stringify(model)) };
    model.weightsManifest[0].paths.forEach((p: string, i: number) => {
      routes[M + p] = async () => {
        most = Math.max(most, ++open);
        await new Promise((r) => setTimeout(r, 5));
        open--;
        return new Response(new Blob([shards[0].slice(4 * i, 4 * i + 4)]));
      };
    });
    const s = server(routes);
    const net = await within(10_000, fetchModel(M + 'model.json', { fetch: s.get }));
    expect(net.theta).toEqual(importTfjs({ model, shards: model.weightsManifest[0].paths.map((_: string, i: number) => shards[0].slice(4 * i, 4 * i + 4)) }).theta);
    expect(s.asked).toHaveLength(14);
    expect(most).toBe(6);
  });
  it('the model\'s shards as served (a real Content-Length) import as before', async () => {
    const { model, shards } = small();
    const s = server({ [M + 'model.json']: json(model), [M + 'group1-shard1of1.bin']: shardOf(shards[0]) });
    const net = await within(10_000, fetchModel(M + 'model.json', { fetch: s.get }));
    expect(net.spec).toMatchObject({ inputs: 2, hidden: [3], outputs: 1 });
  });
});

describe('fetchModel reads an .onnx or .safetensors only up to MAX_MODEL_BYTES', () => {
  it('a Content-Length of 3 GB: E_MEMORY before the body is read, and the body cancelled', async () => {
    const b = body({ stopAt: 64 * MB });
    const s = server({ [M + 'm.onnx']: () => new Response(b.stream, { headers: { 'content-length': String(3 * 1024 ** 3) } }) });
    const e = await rejection(fetchModel(M + 'm.onnx', { fetch: s.get }));
    expect(e).toMatchObject({ code: 'E_MEMORY', argument: 'model' });
    expect(e.message).toMatch(/http:\/\/models\.example\/m\/m\.onnx: expected a model file of at most 2147483647 bytes .*found a Content-Length of 3221225472 bytes/);
    expect(b.pulled).toBeLessThanOrEqual(64 * 1024);
    expect(b.cancelled).toBe(true);
  });
  it('an ONNX file served as such imports', async () => {
    const g = gemm('fc', 'x', 'y', 2, 1);
    const bytes = onnxModel({ nodes: [g.node], inits: g.inits, input: 'x', width: 2, output: 'y' });
    const s = server({ [M + 'm.onnx']: () => new Response(body({ bytes }).stream) });
    expect((await within(10_000, fetchModel(M + 'm.onnx', { fetch: s.get }))).spec).toMatchObject({ inputs: 2, outputs: 1 });
  });
});

describe('fetchModel is cancelled by opts.signal', () => {
  it('an abort mid-body: E_ABORTED at once, the body cancelled, every request given a signal', async () => {
    const { model } = small();
    const b = body({ chunk: 8, stallAfter: 8 });
    const c = new AbortController();
    const s = server({
      [M + 'model.json']: json(model),
      [M + 'group1-shard1of1.bin']: () => {
        setTimeout(() => c.abort(), 20);
        return new Response(b.stream);
      },
    });
    const e = await rejection(fetchModel(M + 'model.json', { fetch: s.get, signal: c.signal }), 3000);
    expect(e).toMatchObject({ code: 'E_ABORTED', argument: 'signal' });
    expect(e.message).toMatch(/fetchModel: cancelled while fetching http:\/\/models\.example\/m\/group1-shard1of1\.bin/);
    expect(b.cancelled).toBe(true);
    expect(s.signals.every((x) => x instanceof AbortSignal)).toBe(true);
  });
  it('an abort while the server has not answered (a fetch that ignores its signal): E_ABORTED at once', async () => {
    const c = new AbortController();
    const get = (() => new Promise<Response>(() => undefined)) as unknown as typeof fetch;
    setTimeout(() => c.abort(), 20);
    expect(await rejection(fetchModel(M + 'm.onnx', { fetch: get, signal: c.signal }), 3000)).toMatchObject({ code: 'E_ABORTED' });
  });
  it('a signal already aborted: E_ABORTED, nothing fetched', async () => {
    const s = server({});
    expect(await rejection(fetchModel(M + 'm.onnx', { fetch: s.get, signal: AbortSignal.abort() }))).toMatchObject({ code: 'E_ABORTED' });
    expect(s.asked).toEqual([]);
  });
});

describe('fetchModel\'s other failures are typed and name the URL', () => {
  it("an HTML page for a file (a dev server's index.html fallback, status 200): E_ARG saying so, its body released", async () => {
    const { model } = small();
    for (const missing of ['model.json', 'group1-shard1of1.bin']) {
      const page = body({ chunk: 1024, stopAt: 4096 });
      const html = () => new Response(page.stream, { headers: { 'content-type': 'text/html; charset=utf-8' } });
      const s = server({ [M + 'model.json']: missing === 'model.json' ? html : json(model), [M + 'group1-shard1of1.bin']: html });
      const e = await rejection(fetchModel(M + 'model.json', { fetch: s.get }));
      expect(e).toMatchObject({ code: 'E_ARG', argument: 'model' });
      expect(e.message).toContain(`fetching ${M + missing} gave an HTML page`);
      expect(page.cancelled).toBe(true);
    }
  });
  it('a request that fails (network down, refused): E_ARG, not a TypeError', async () => {
    const get = (async () => {
      throw new TypeError('fetch failed');
    }) as unknown as typeof fetch;
    const e = await rejection(fetchModel(M + 'm.onnx', { fetch: get }));
    expect(e).toMatchObject({ code: 'E_ARG', argument: 'model' });
    expect(e.message).toMatch(/model: fetching http:\/\/models\.example\/m\/m\.onnx failed \(fetch failed\)/);
  });
  it('a body that breaks off mid-way: E_ARG naming the URL and the bytes read', async () => {
    let n = 0;
    const stream = new ReadableStream<Uint8Array>({ pull: (c) => (n++ === 0 ? c.enqueue(new Uint8Array(8)) : c.error(new TypeError('terminated'))) });
    const s = server({ [M + 'm.onnx']: () => new Response(stream) });
    const e = await rejection(fetchModel(M + 'm.onnx', { fetch: s.get }));
    expect(e).toMatchObject({ code: 'E_ARG', argument: 'model' });
    expect(e.message).toMatch(/reading http:\/\/models\.example\/m\/m\.onnx failed after 8 bytes \(terminated\)/);
  });
  it('options are checked as importModel\'s are: a misspelt name is refused, not ignored', async () => {
    const s = server({});
    await expect(within(5000, fetchModel(M + 'm.onnx', { fetch: s.get, tsak: 'classification' } as never))).rejects.toMatchObject({ code: 'E_ARG', message: expect.stringMatching(/fetchModel: .*tsak/) });
    await expect(within(5000, fetchModel(M + 'm.onnx', { fetch: s.get, signal: { aborted: false } } as never))).rejects.toMatchObject({ code: 'E_ARG', argument: 'signal' });
    await expect(within(5000, fetchModel(M + 'm.onnx', { fetch: 'curl' } as never))).rejects.toMatchObject({ code: 'E_ARG', argument: 'fetch' });
    expect(s.asked).toEqual([]);
  });
});

describe('fetchModel requests shards only under model.json\'s folder', () => {
  // The URL parser drops leading spaces and control characters and removes tabs and newlines
  // anywhere, so these names pass a check on the text yet resolve to another host or folder.
  const tricks = [' //evil.example/w.bin', '\t//evil.example/w.bin', '\u0000//evil.example/w.bin', 'h\tttps://evil.example/w.bin', '.\t./w.bin', ' https://evil.example/w.bin'];
  for (const p of tricks) {
    it(`manifest path ${JSON.stringify(p)}: E_FORMAT, only model.json requested`, async () => {
      const { model, shards } = small();
      model.weightsManifest[0].paths = [p];
      const s = server({ [M + 'model.json']: json(model) });
      const steal = (u: string) => (s.asked.push(u), new Response(new Blob([shards[0] as Uint8Array<ArrayBuffer>])));
      const get = (async (u: string, init?: RequestInit) => (String(u).endsWith('model.json') ? s.get(u, init) : steal(String(u)))) as typeof fetch;
      const e = await rejection(fetchModel(M + 'model.json', { fetch: get }));
      expect(e).toMatchObject({ code: 'E_FORMAT', argument: 'weightsManifest' });
      expect(s.asked).toEqual([M + 'model.json']);
    });
  }
  it('a query or a fragment on model.json\'s URL, and a query on a shard name, stay in the folder', async () => {
    const { model, shards } = small();
    model.weightsManifest[0].paths = ['group1-shard1of1.bin?v=2'];
    const s = server({ [M + 'model.json?v=2#top']: json(model), [M + 'group1-shard1of1.bin?v=2']: shardOf(shards[0]) });
    expect((await within(10_000, fetchModel(M + 'model.json?v=2#top', { fetch: s.get }))).spec).toMatchObject({ inputs: 2, outputs: 1 });
    expect(s.asked).toEqual([M + 'model.json?v=2#top', M + 'group1-shard1of1.bin?v=2']);
  });
});
