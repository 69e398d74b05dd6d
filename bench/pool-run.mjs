// Runs the pool benchmark alone: `node bench/pool-run.mjs [--browser]` (after `npm run build`).
// Prints {"pool": {...}} for Node, or for Chromium with --browser (a cross-origin-isolated page).
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundleBench } from './bundle.mjs';

const root = new URL('..', import.meta.url);
const bundle = await bundleBench('pool');

if (!process.argv.includes('--browser')) {
  const { benchPool } = await import(pathToFileURL(bundle).href);
  const pool = await benchPool({ workerUrl: new URL('dist/worker.js', root) });
  console.log(JSON.stringify({ pool }));
} else {
  const { chromium } = await import('playwright-core');
  const types = { '.js': 'text/javascript', '.html': 'text/html', '.map': 'application/json' };
  const server = createServer((req, res) => {
    const path = req.url.split('?')[0];
    const file = path === '/' ? null : path === '/pool.js' ? bundle : new URL(`.${path}`, root).pathname;
    const headers = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };
    try {
      const body = file === null ? '<!doctype html><title>pool bench</title>' : readFileSync(file);
      res.writeHead(200, { ...headers, 'Content-Type': types[file === null ? '.html' : extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404, headers).end();
    }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-renderer-backgrounding', '--disable-background-timer-throttling', '--disable-backgrounding-occluded-windows', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    const pool = await page.evaluate(async () => {
      const { benchPool } = await import('/pool.js');
      return { ...(await benchPool({ workerUrl: '/dist/worker.js' })), crossOriginIsolated };
    });
    console.log(JSON.stringify({ pool }));
  } finally {
    await browser.close();
    server.close();
  }
}
