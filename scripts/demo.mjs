// `npm run demo`: builds the browser demo into demo/dist/ (the page, its script, and the built library
// with its worker beside it), then, with --serve [port], serves it over HTTP (module workers need http).
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import * as esbuild from 'esbuild';

const out = 'demo/dist';
rmSync(out, { recursive: true, force: true }); // stale hashed chunks of earlier builds
mkdirSync(out, { recursive: true });
for (const f of readdirSync('dist')) if (f.endsWith('.js') && f !== 'cli.js' && f !== 'report-page.js') copyFileSync(join('dist', f), join(out, f));
copyFileSync('demo/index.html', join(out, 'index.html'));
await esbuild.build({
  entryPoints: ['demo/main.ts'],
  outfile: join(out, 'demo.js'),
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  logLevel: 'warning',
  // The library is the built bundle beside the page (it spawns ./worker.js next to itself).
  plugins: [{ name: 'bdl-dist', setup: (b) => b.onResolve({ filter: /src\/index\.js$/ }, () => ({ path: './index.js', external: true })) }],
});
// The demo's worker: the library's task kinds plus 'band', bundled from source with the wasm bytes.
await esbuild.build({
  entryPoints: ['demo/worker.ts'],
  outfile: join(out, 'demo-worker.js'),
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  loader: { '.wasm': 'binary' },
  logLevel: 'warning',
});
console.log(`demo built in ${out}/`);

const i = process.argv.indexOf('--serve');
if (i >= 0) {
  const port = Number(process.argv[i + 1] ?? 8080) || 8080;
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.map': 'application/json' };
  createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    try {
      const body = await readFile(join(out, path === '/' ? 'index.html' : path));
      res.writeHead(200, { 'content-type': types[extname(path) || '.html'] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  }).listen(port, () => console.log(`open http://localhost:${port}/`));
}
