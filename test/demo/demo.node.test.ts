// The browser demo in real Chromium: build it, serve it over HTTP (module workers need http), click
// points on the canvas, run one method, and see its band drawn (computed in a worker of the pool);
// Cancel stops a run. A screenshot goes to test-output/demo.png.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join, resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumPath } from '../../vitest.config.js';
import { skipWithoutChromium } from '../helpers/chromium.js';

const noBrowser = skipWithoutChromium('test/demo/demo.node.test.ts');

const root = resolve(__dirname, '../..');
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
let server: Server;
let browser: Browser;
let base = '';

beforeAll(async () => {
  if (noBrowser) return;
  execFileSync(process.execPath, ['scripts/demo.mjs'], { cwd: root });
  mkdirSync(join(root, 'test-output'), { recursive: true });
  server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname.replace(/\.\./g, '');
    try {
      const body = await readFile(join(root, 'demo/dist', path === '/' ? 'index.html' : path));
      res.writeHead(200, { 'content-type': path.endsWith('.js') ? 'text/javascript' : 'text/html' }).end(body);
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

describe.skipIf(noBrowser)('demo page', () => {
  it('clicking points and running a method draws its band', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(base);
    // Eight clicks across the canvas (640 × 320), on a rising line with a gap in the middle.
    for (const [px, py] of [[100, 220], [140, 200], [180, 190], [220, 175], [420, 140], [460, 130], [500, 115], [540, 100]]) {
      await page.click('#input', { position: { x: px, y: py } });
    }
    // Only mc-dropout (its band has an epistemic part), then Run.
    for (const box of await page.$$('#methods input')) await box.setChecked((await box.getAttribute('value')) === 'mc-dropout');
    await page.click('#run');
    await page.waitForSelector('[data-band="mc-dropout"] canvas[data-drawn="true"]', { timeout: 20_000 });
    // The panel's canvas holds the band's two colours and the mean line.
    const counts = await page.$eval('[data-band="mc-dropout"] canvas', (c) => {
      const d = (c as HTMLCanvasElement).getContext('2d')!.getImageData(0, 0, (c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height).data;
      let epi = 0;
      let total = 0;
      let dark = 0;
      for (let i = 0; i < d.length; i += 4) {
        const [r, g, b] = [d[i], d[i + 1], d[i + 2]];
        if (Math.abs(r - 0x3b) < 8 && Math.abs(g - 0x7d) < 8 && Math.abs(b - 0xd8) < 8) epi++;
        else if (Math.abs(r - 0xf4) < 8 && Math.abs(g - 0xb1) < 8 && Math.abs(b - 0x83) < 8) total++;
        else if (r < 60 && g < 60 && b < 60) dark++;
      }
      return { epi, total, dark };
    });
    expect(counts.epi).toBeGreaterThan(100);
    expect(counts.total).toBeGreaterThan(100);
    expect(counts.dark).toBeGreaterThan(50);
    await expect(page.locator('#status').innerText()).resolves.toMatch(/^done in/);
    await page.screenshot({ path: join(root, 'test-output/demo.png') });
    // Cancel: every method, Run, then Cancel at once; the run stops and the page can run again.
    for (const box of await page.$$('#methods input')) await box.setChecked(true);
    await page.click('#run');
    await page.click('#cancel');
    await page.waitForFunction(() => document.querySelector('#status')!.textContent === 'cancelled', undefined, { timeout: 10_000 });
    expect(await page.isEnabled('#run')).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });
});
