// fetchModel over real HTTP (node:http on 127.0.0.1, Node's own fetch): the producers' fixtures
// served as files, a shard that never ends, a redirect, a port nothing listens on, a relative URL.
import { readFile } from 'node:fs/promises';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BdlError } from '../../src/errors.js';
import { fetchModel } from '../../src/import/load.js';
import { networkOutputs } from '../../src/import/run.js';
import { dense, tfjsModel } from './hostile.js';

const fixtures = 'test/fixtures/import';
let server: Server;
let base: string;
/** The endless shard's response: what it wrote, and whether the client went away. */
const endless = { written: 0, closed: false };

function serveEndless(res: ServerResponse): void {
  const chunk = Buffer.alloc(64 * 1024, 1);
  res.writeHead(200, { 'content-type': 'application/octet-stream' });
  res.on('close', () => (endless.closed = true));
  const more = () => {
    // Stops at 256 MB only so a client without a bound ends; it should go away after ~52 bytes.
    while (!res.destroyed && endless.written < 256 * 2 ** 20) {
      endless.written += chunk.length;
      if (!res.write(chunk)) return void res.once('drain', more);
    }
    res.end();
  };
  more();
}

beforeAll(async () => {
  const a = dense('d1', 2, 3, 'relu', true);
  const b = dense('d2', 3, 1);
  const small = tfjsModel([a.layer, b.layer], [...a.weights, ...b.weights]).model;
  server = createServer((req, res) => {
    const path = new URL(req.url!, 'http://x').pathname;
    if (path === '/endless/model.json') return void res.end(JSON.stringify(small));
    if (path === '/endless/group1-shard1of1.bin') return serveEndless(res);
    if (path.startsWith('/moved/')) return void res.writeHead(302, { location: path.replace('/moved/', '/fixtures/tfjs-clf/') }).end();
    if (!path.startsWith('/fixtures/') || path.includes('..')) return void res.writeHead(404).end();
    readFile(fixtures + path.slice('/fixtures'.length)).then(
      (bytes) => res.writeHead(200, { 'content-length': bytes.length }).end(bytes),
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

async function rejection(p: Promise<unknown>): Promise<BdlError> {
  const e = await p.then(() => new Error('resolved'), (e: unknown) => e);
  if (!(e instanceof BdlError)) throw new Error(`expected a BdlError, got ${String(e)}`);
  return e;
}

describe('fetchModel over HTTP', () => {
  it('model.json and its two shards, served as files: the producer\'s predictions', async () => {
    const net = await fetchModel(`${base}/fixtures/tfjs-clf/model.json`);
    const p = JSON.parse(await readFile(`${fixtures}/tfjs-clf/predictions.json`, 'utf8')) as { inputs: number[][]; outputs: number[][] };
    const ours = await networkOutputs(net, Float32Array.from(p.inputs.flat()));
    p.outputs.flat().forEach((v, i) => expect(Math.abs(ours[i] - v)).toBeLessThan(1e-5));
  });
  it('a shard the server streams without end: E_FORMAT after ~52 bytes, and the connection closed', async () => {
    const e = await rejection(fetchModel(`${base}/endless/model.json`));
    expect(e).toMatchObject({ code: 'E_FORMAT', argument: 'shards' });
    expect(e.message).toMatch(/\/endless\/group1-shard1of1\.bin: expected a weight shard .*52 bytes/);
    for (let i = 0; i < 200 && !endless.closed; i++) await new Promise((r) => setTimeout(r, 10));
    expect(endless.closed).toBe(true);
    expect(endless.written).toBeLessThan(32 * 2 ** 20);
  }, 20_000);
  it('a redirected model.json: its shards are still asked of the folder the caller named', async () => {
    const net = await fetchModel(`${base}/moved/model.json`);
    expect(net.spec).toMatchObject({ inputs: 4, outputs: 3 });
  });
  it('a port nothing listens on: E_ARG naming the URL and ECONNREFUSED, not a TypeError', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const e = await rejection(fetchModel(`http://127.0.0.1:${port}/model.onnx`));
    expect(e).toMatchObject({ code: 'E_ARG', argument: 'model' });
    expect(e.message).toMatch(new RegExp(`fetching http://127\\.0\\.0\\.1:${port}/model\\.onnx failed \\(fetch failed: ECONNREFUSED\\)`));
  });
  it('a relative URL in Node (no page to resolve it against): E_ARG pointing to importModelFile', async () => {
    const e = await rejection(fetchModel('models/model.json'));
    expect(e).toMatchObject({ code: 'E_ARG', argument: 'model' });
    expect(e.message).toMatch(/expected an absolute URL .*importModelFile/);
  });
});
