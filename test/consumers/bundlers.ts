// The three bundlers users reach for, each building the scratch app (app/index.html + main.js) into
// `<dir>/dist` with the configuration a new user would write: Vite's defaults, webpack 5's
// production mode, and esbuild with its one extra step (bdl-wasm's worker as a second entry). And
// webpack's build of the Node script (app/node-esm.mjs) for `target: 'node'`.
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** 'esbuild-no-worker': esbuild without the extra step, as a user who skipped it would build. */
export type Bundler = 'vite' | 'esbuild' | 'webpack' | 'esbuild-no-worker' | 'webpack-node';

export async function bundle(bundler: Bundler, dir: string): Promise<void> {
  const out = join(dir, 'dist');
  if (bundler === 'vite') {
    const { build } = await import('vite');
    // No config file, no options: Vite's defaults (workers built as iife).
    await build({ root: dir, configFile: false, logLevel: 'silent' });
    return;
  }
  mkdirSync(out, { recursive: true });
  copyFileSync(join(dir, 'index.html'), join(out, 'index.html'));
  if (bundler === 'esbuild' || bundler === 'esbuild-no-worker') {
    const esbuild = await import('esbuild');
    // esbuild leaves `new Worker(new URL('./worker.js', import.meta.url))` alone: the README's one
    // step is to bundle bdl-wasm's worker as an entry named worker.js beside the app's bundle.
    await esbuild.build({
      absWorkingDir: dir,
      entryPoints: bundler === 'esbuild' ? { main: './main.js', worker: 'bdl-wasm/worker' } : { main: './main.js' },
      bundle: true,
      format: 'esm',
      outdir: out,
      logLevel: 'silent',
    });
    return;
  }
  const { default: webpack } = await import('webpack');
  // For Node: webpack's CommonJS output, as .cjs in this "type": "module" project.
  const node = bundler === 'webpack-node' ? { target: 'node', entry: './node-esm.mjs', output: { path: out, filename: 'main.cjs', chunkFilename: '[id].cjs' } } : { entry: './main.js', output: { path: out } };
  await new Promise<void>((ok, fail) => {
    // Production mode as `webpack --mode production` would run it; minification off only to keep the
    // test fast (it does not change what runs).
    webpack({ mode: 'production', context: dir, ...node, optimization: { minimize: false } }, (err, stats) => {
      if (err) fail(err);
      else if (stats?.hasErrors()) fail(new Error(stats.toString({ all: false, errors: true })));
      else ok();
    });
  });
}
