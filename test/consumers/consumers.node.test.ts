// The packed package in the projects users put it in: a plain Node ES-module script, a CommonJS
// require(), and browser apps built by Vite (default config), esbuild and webpack 5, each served on a
// loopback port and run in Chromium. Every one trains the same small ensemble in two workers on the
// plain SIMD core and must predict exactly the numbers Node does.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumArgs, chromiumPath } from '../../vitest.config.js';
import { skipWithoutChromium } from '../helpers/chromium.js';
import { bundle, type Bundler } from './bundlers.js';
import { scratchProject, wasmBinaries } from './pack.js';
import { serve } from './serve.js';

interface Result {
  workers: number;
  mean: number[];
  variance: number[];
}

async function app(name: string): Promise<string> {
  const dir = await scratchProject(name);
  cpSync(join(__dirname, 'app'), dir, { recursive: true });
  return dir;
}

const node = (dir: string, script: string): Result => JSON.parse(execFileSync(process.execPath, [script], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })) as Result;

let expected: Result;

describe('the packed package in Node', () => {
  it('an ES-module script imports it by name and trains in worker_threads', async () => {
    expected = node(await app('esm'), 'node-esm.mjs');
    expect(expected.workers).toBe(2);
    expect(expected.mean).toHaveLength(5);
    expect(expected.mean.every(Number.isFinite)).toBe(true);
    expect(Math.min(...expected.variance)).toBeGreaterThan(0);
  });

  it('a CommonJS script require()s it (Node >= 20.19) and gets the same numbers', async () => {
    expect(node(await app('cjs'), 'node-cjs.cjs')).toEqual(expected);
  });

  it("bundled by webpack for target 'node' and deployed without node_modules, it trains in the bundle's own worker", async () => {
    // webpack writes the build machine's path of bdl-wasm's files into the bundle: a worker found
    // through it (node_modules/bdl-wasm/dist/worker.js) is gone wherever the bundle is deployed.
    const dir = await app('webpack-node');
    await bundle('webpack-node', dir);
    const deployed = mkdtempSync(join(tmpdir(), 'bdl-deployed-'));
    cpSync(join(dir, 'dist'), deployed, { recursive: true });
    rmSync(dir, { recursive: true });
    expect(node(deployed, 'main.cjs')).toEqual(expected);
  });
});

describe.skipIf(skipWithoutChromium('test/consumers/consumers.node.test.ts'))('the packed package bundled for a browser', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
  });
  afterAll(async () => {
    await browser?.close();
  });

  /** Builds the app, serves it and returns what the page reported: its state and its text. */
  async function runApp(bundler: Bundler): Promise<{ state: string | null; text: string; errors: string[]; dir: string }> {
    const dir = await app(bundler);
    await bundle(bundler, dir);
    const served = await serve(join(dir, 'dist'));
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    try {
      await page.goto(served.url);
      await page.waitForSelector('#result:not([data-state="running"])', { timeout: 30_000 });
      return { state: await page.getAttribute('#result', 'data-state'), text: (await page.textContent('#result')) ?? '', errors, dir };
    } finally {
      await page.close();
      await served.close();
    }
  }

  it.each<Bundler>(['vite', 'esbuild', 'webpack'])('%s: builds, spawns the workers and predicts what Node predicts, each binary in the app once', async (bundler) => {
    const { state, text, errors, dir } = await runApp(bundler);
    expect(state, text).toBe('done');
    expect(errors).toEqual([]);
    expect(JSON.parse(text)).toEqual(expected);
    // The page compiles the core and sends it to its workers: a worker bundle with the binaries
    // (both, as base64) downloads ≈ 390 kB it never uses.
    const js = readdirSync(join(dir, 'dist'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js'));
    expect(js.length).toBeGreaterThan(1);
    expect(js.reduce((n, f) => n + wasmBinaries(readFileSync(join(dir, 'dist', f), 'utf8')), 0)).toBe(2);
  });

  it('esbuild without the worker entry: E_WORKER names the URL it tried and the esbuild step', async () => {
    const { state, text } = await runApp('esbuild-no-worker');
    expect(state).toBe('error');
    expect(text).toMatch(/^E_WORKER /);
    expect(text).toMatch(/http:\/\/127\.0\.0\.1:\d+\/worker\.js/);
    expect(text).toContain('worker=bdl-wasm/worker');
  });
});
