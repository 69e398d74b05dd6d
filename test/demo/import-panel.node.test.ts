// The demo's import panel in real Chromium: load the example TF.js model, fit last-layer Laplace on
// the page, and see the band drawn — wider in the gap of the training data than on it.
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join, resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumPath } from '../../vitest.config.js';

const root = resolve(__dirname, '../..');
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
let server: Server;
let browser: Browser;
let base = '';
const hasChromium = await import('node:fs').then((fs) => fs.existsSync(chromiumPath));
if (!hasChromium) console.log(`import panel test skipped: no Chromium at ${chromiumPath}`);

beforeAll(async () => {
  if (!hasChromium) return;
  execFileSync(process.execPath, ['scripts/demo.mjs'], { cwd: root });
  server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname.replace(/\.\./g, '');
    try {
      const body = await readFile(join(root, 'demo/dist', path === '/' ? 'index.html' : path));
      res.writeHead(200, { 'content-type': path.endsWith('.js') ? 'text/javascript' : path.endsWith('.bin') ? 'application/octet-stream' : path.endsWith('.json') ? 'application/json' : 'text/html' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
  browser = await chromium.launch({ executablePath: chromiumPath, args: ARGS });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  server?.close();
});

describe.skipIf(!hasChromium)('demo import panel', () => {
  it('loads the example TF.js model, adds last-layer Laplace and draws a band that widens off the data', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(base);
    await page.click('button[data-act="example"]');
    await page.waitForSelector('canvas[data-role="import-band"][data-drawn="true"]', { timeout: 30_000 });
    expect(await page.textContent('[data-role="status"]')).toMatch(/tfjs 1-32-32-1 tanh: prior precision [\d.e+-]+, noise σ [\d.e+-]+/);
    // Height of the blue (epistemic) band per column: in the gap (x = 0) against on the data (x = 2.5).
    const height = (x: number) => page.$eval('canvas[data-role="import-band"]', (c, x) => {
      const cv = c as HTMLCanvasElement;
      const col = Math.round(((x + 6) / 12) * cv.width);
      const d = cv.getContext('2d')!.getImageData(col, 0, 1, cv.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i] === 0x3b && d[i + 1] === 0x7d && d[i + 2] === 0xd8) n++;
      return n;
    }, x);
    expect(await height(0)).toBeGreaterThan(2 * (await height(2.5)));
    expect(errors).toEqual([]);
  });
});
