// `npm run bench [-- --json FILE] [--only node|node-relaxed|chromium|queue] [--no-sampling] [--no-e2e] [--stan]`: builds the wasm, bundles the
// benchmark for Node and for a page, runs it in Node (plain SIMD, then relaxed SIMD in a second
// process started with --experimental-wasm-relaxed-simd) and in Debian's Chromium driven by
// playwright-core against a local server, then writes the JSON and bench/RESULTS.md.
import { execFileSync, spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { queueMarkdown } from './queue-md.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'bench/out');
const args = process.argv.slice(2);
const opt = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const only = opt('--only')?.split(',');
const wanted = (name) => !only || only.includes(name);
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const chromiumArgs = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

// The full build: the pool benchmark spawns workers from dist/worker.js.
execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
mkdirSync(out, { recursive: true });
const common = { bundle: true, format: 'esm', target: 'es2022', loader: { '.wasm': 'binary' }, logLevel: 'warning' };
await esbuild.build({
  ...common,
  entryPoints: [join(root, 'bench/node.ts')],
  outfile: join(out, 'node.mjs'),
  platform: 'node',
  // TF.js's Node build is CommonJS and requires Node built-ins.
  banner: {
    js: "import { createRequire as __cr } from 'node:module'; import { fileURLToPath as __fu } from 'node:url';" +
      ' const require = __cr(import.meta.url); const __filename = __fu(import.meta.url); const __dirname = __fu(new URL(".", import.meta.url));',
  },
});
await esbuild.build({ ...common, entryPoints: [join(root, 'bench/page.ts')], outfile: join(out, 'page.js'), platform: 'browser' });
writeFileSync(join(out, 'index.html'), '<!doctype html><meta charset="utf-8"><title>bdl-wasm bench</title><script type="module" src="/page.js"></script>\n');

const results = {};
let cpu = 'unknown';

function runNode(key, nodeFlags, flavor) {
  console.log(`\n== ${key}`);
  const r = spawnSync(process.execPath, [...nodeFlags, join(out, 'node.mjs'), '--flavor', flavor], {
    cwd: root, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', maxBuffer: 1 << 26,
  });
  if (r.status !== 0) throw new Error(`${key} benchmark failed (exit ${r.status})`);
  const lines = r.stdout.trim().split('\n');
  results[key] = JSON.parse(lines[lines.length - 1]);
  cpu = results[key].env.cpu;
}

if (wanted('node')) runNode('node', [], 'simd');
if (wanted('node-relaxed')) runNode('node-relaxed', ['--experimental-wasm-relaxed-simd'], 'relaxed');
if (wanted('chromium')) {
  if (existsSync(chromiumPath)) await runChromium();
  else console.log(`\nNo Chromium at ${chromiumPath}: skipping the page (set CHROMIUM_PATH).`);
}

async function runChromium() {
  console.log('\n== chromium');
  const require = createRequire(import.meta.url);
  const tfjsDir = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm' };
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const file = path === '/' ? join(out, 'index.html')
      : path.startsWith('/tfjs/') ? join(tfjsDir, path.slice(6).replace(/[^\w.-]/g, ''))
      : join(out, path.slice(1).replace(/[^\w.-]/g, ''));
    if (!existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const origin = `http://127.0.0.1:${server.address().port}`;
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
  try {
    const page = await browser.newPage();
    // Never the network: everything comes from the local server.
    await page.route('**/*', (route) => (route.request().url().startsWith(origin) ? route.continue() : route.abort()));
    await page.goto(`${origin}/?cpu=${encodeURIComponent(cpu)}`);
    let printed = 0;
    for (;;) {
      const s = await page.evaluate(() => window.bdlBench);
      for (; s && printed < s.log.length; printed++) console.error(s.log[printed]);
      if (s?.error) throw new Error(`page: ${s.error}`);
      if (s?.result) {
        results.chromium = s.result;
        break;
      }
      await new Promise((ok) => setTimeout(ok, 500));
    }
  } finally {
    await browser.close();
    server.close();
  }
}

// The worker pool: start-up, round trip and the 2-worker speedup, in Node and in a COI page.
function runPool(key, flags) {
  if (!results[key]) return;
  console.log(`\n== ${key}: pool`);
  const r = spawnSync(process.execPath, [join(root, 'bench/pool-run.mjs'), ...flags], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${key} pool benchmark failed (exit ${r.status})`);
  results[key].pool = JSON.parse(r.stdout.trim().split('\n').pop()).pool;
  console.log(JSON.stringify(results[key].pool));
}
runPool('node', []);
// Sampling: NUTS on the Stan peer's BNN, 4 chains on 2 workers (skip with --no-sampling: minutes).
if (results.node && !args.includes('--no-sampling')) {
  console.log('\n== node: sampling (4 chains × (1000 warmup + 1000 draws), the Stan peer\'s BNN; 3 runs of each binary, in turn)');
  // Both binaries: plain SIMD (Node 20's default) and relaxed SIMD (fused multiply-add: Chromium's and
  // Node ≥ 22's default). --stan: Stan's NUTS on the same posterior in this run and on this machine
  // (15–20 more minutes); otherwise the ratios are to the recorded anchor, measured on another processor.
  const r = spawnSync(process.execPath, [join(root, 'bench/sampling-run.mjs'), '--binaries', 'simd,relaxed', ...(args.includes('--stan') ? ['--stan'] : [])], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`sampling benchmark failed (exit ${r.status})`);
  results.node.sampling = JSON.parse(r.stdout.trim().split('\n').pop()).sampling;
  console.log(JSON.stringify(results.node.sampling));
}
// Multi-chain sampling on the pool: 4 chains × 100,000 draws of a 6-parameter target on 1 vs 2 workers (and in-thread).
if (results.node && !args.includes('--no-sampling')) {
  console.log('\n== node: chains (4 chains × 100,000 draws, 6 parameters; 1 vs 2 workers vs in-thread)');
  const r = spawnSync(process.execPath, [join(root, 'bench/chains-run.mjs')], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`chains benchmark failed (exit ${r.status})`);
  results.node.chains = JSON.parse(r.stdout.trim().split('\n').pop()).chains;
  console.log(JSON.stringify(results.node.chains));
}
if (existsSync(chromiumPath)) runPool('chromium', ['--browser']);
// End to end: `bdl fit` ensembles against PyTorch (skip with --no-e2e: about two minutes).
if (results.node && !args.includes('--no-e2e')) {
  console.log('\n== node: end to end (bdl fit ensemble vs PyTorch, bench/e2e-run.mjs)');
  const r = spawnSync(process.execPath, [join(root, 'bench/e2e-run.mjs')], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`end-to-end benchmark failed (exit ${r.status})`);
  results.node.e2e = JSON.parse(r.stdout.trim().split('\n').pop()).e2e;
}

// The queue backend (bench/queue-run.mjs): needs Debian's redis-server; alone with --only queue.
if (wanted('queue')) {
  console.log('\n== queue: BullMQ on a loopback redis-server, bdl worker processes');
  const r = spawnSync(process.execPath, [join(root, 'bench/queue-run.mjs'), ...(only ? ['--write'] : [])], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  if (r.status !== 0) console.log(`queue benchmark skipped or failed (exit ${r.status}); is redis-server installed?`);
  else results.queue = JSON.parse(r.stdout.trim().split('\n').pop()).queue;
}

const json = JSON.stringify(results, null, 2);
writeFileSync(join(out, 'latest.json'), json);
const file = opt('--json');
if (file) writeFileSync(resolve(file), json);
if (!only) writeFileSync(join(root, 'bench/RESULTS.md'), resultsMarkdown(results));
console.log(`\nwrote ${file ?? 'bench/out/latest.json'}${only ? '' : ' and bench/RESULTS.md'}`);

/** The multi-chain line: draws/s on 2 workers vs 1 (target ≥ 1.8×), peak RSS, longest event-loop block. */
function chainsLine(c, f) {
  const mode = (name, m) => `${name} ${f(m.draws_per_s, 0)} draws/s, peak RSS ${f(m.peak_rss_mb, 0)} MB, event loop blocked ≤ ${f(m.max_block_sampling_ms, 0)} ms while sampling (${f(m.max_block_ms, 0)} ms with the final diagnostics, ${f(m.diagnostics_s, 1)} s; in CPU time ≤ ${f(m.max_block_cpu_diagnostics_ms, 0)} ms in the diagnostics)`;
  return `Multi-chain sampling (4 NUTS chains × ${c.draws} draws + ${c.warmup} warmup, ${c.dim} parameters, median of ${c.repeats}, load average ${f(c.in_thread.load_avg, 1)}): 2 workers / 1 worker = **${f(c.speedup_2_vs_1, 2)}×** (target ≥ 1.8×); ${mode('1 worker', c.workers_1)}; ${mode('2 workers', c.workers_2)}; ${mode('in-thread', c.in_thread)}.`;
}

function resultsMarkdown(all) {
  const f = (x, d = 1) => (x == null ? '–' : x.toFixed(d));
  const L = ['# Benchmark results', '', 'Latest `npm run bench` (single thread; medians of ≥ 5 timed batches after warm-up).', ''];
  const first = Object.values(all)[0];
  if (first) L.push(`Machine: ${first.env.cpu}, ${first.env.date.slice(0, 10)}.`, '');
  for (const [key, r] of Object.entries(all)) {
    if (key === 'queue') continue;
    L.push(`## ${key} (${r.env.wasm} binary)`, '', `f32x4 register-only peak: **${f(r.wasm_peak_gflops)} GFLOP/s**`, '');
    L.push('| m×k·k×n | bdl A·B | bdl Aᵀ·B | bdl A·Bᵀ | TF.js A·B | TF.js Aᵀ·B | TF.js A·Bᵀ | bdl/TF.js (A·B) | bdl A·B / peak |');
    L.push('|---|---|---|---|---|---|---|---|---|');
    for (const g of r.gemm) {
      L.push(`| ${g.m}×${g.k}·${g.k}×${g.n} | ${f(g.bdl_nn_gflops)} | ${f(g.bdl_tn_gflops)} | ${f(g.bdl_nt_gflops)} | ${f(g.tfjs_wasm_gflops)} | ${f(g.tfjs_wasm_tn_gflops)} | ${f(g.tfjs_wasm_nt_gflops)} | ${f(g.ratio, 2)}× | ${f(100 * g.bdl_of_peak, 0)} % |`);
    }
    L.push('', '| MLP | bdl examples/s | TF.js examples/s |', '|---|---|---|');
    for (const m of [...r.mlp_train, ...r.mlp_predict]) L.push(`| ${m.name} | ${f(m.bdl_examples_per_s, 0)} | ${f(m.tfjs_wasm_examples_per_s, 0)} |`);
    if (r.laplace) L.push('', `Laplace (last-layer KFAC, 784-256-256-10, 2000 rows): curvature ${f(r.laplace.fit_s, 2)} s, evidence tuning ${f(r.laplace.tune_s, 3)} s, predictive ${f(r.laplace.predict_s, 2)} s, wasm memory ${f(r.laplace.memory_mb, 1)} MB.`);
    if (r.import) L.push('', `Import of a 784-256-256-10 network: TF.js layers model ${f(r.import.tfjs_import_ms, 1)} ms, safetensors ${f(r.import.safetensors_import_ms, 1)} ms; post-hoc last-layer KFAC Laplace on it with ${r.import.rows} rows (curvature + evidence) ${f(r.import.posthoc_fit_s, 2)} s, linearized predictive on 1,000 rows ${f(r.import.posthoc_predict_s, 2)} s.`);
    if (r.sampling) {
      const sm = r.sampling;
      const stan = sm.peer ?? { grad_evals_per_s_per_chain: 1613, pred_ess_per_s: 2.87, cpu: 'AMD EPYC (2 cores), 2026-11-29', measured: 'anchor' };
      const peerText = stan.measured === 'this run' ? `Stan in this run, ${stan.cpu}` : `Stan's recorded anchor, ${stan.cpu}; this run on ${sm.cpu ?? 'another processor'}`;
      L.push('', `Sampling (NUTS, Stan peer's BNN 8-50-1, N=300, 4 chains × 2000 iterations on 2 workers): ${f(sm.grad_evals_per_s_per_chain, 0)} gradient evaluations/s per chain (Stan ${f(stan.grad_evals_per_s_per_chain, 0)}: ${f(sm.grad_evals_per_s_per_chain / stan.grad_evals_per_s_per_chain, 1)}×), predictive bulk ESS min ${f(sm.pred_ess_min, 0)} in ${f(sm.wall_s, 0)} s = ${f(sm.pred_ess_per_s, 2)}/s (Stan ${f(stan.pred_ess_per_s, 2)}: ${f(sm.pred_ess_per_s / stan.pred_ess_per_s, 1)}×), R̂ max ${f(sm.rhat_max, 3)} (${peerText}).`);
      const every = (s) => s.runs.map((x) => `${f(x.grad_evals_per_s_per_chain, 0)}/s (${f(x.grad_evals_per_s_per_chain / stan.grad_evals_per_s_per_chain, 1)}×), ESS/s ${f(x.pred_ess_per_s, 2)} (${f(x.pred_ess_per_s / stan.pred_ess_per_s, 1)}×), R̂ ${f(x.rhat_max, 3)}`).join('; ');
      if (sm.runs) L.push(`Plain SIMD binary (Node 20's default): the run with the median gradient rate of ${sm.runs.length}; every run: ${every(sm)}.`);
      const rx = sm.by_binary?.relaxed;
      if (rx) L.push('', `Relaxed SIMD binary (fused multiply-add; Chromium's and Node ≥ 22's default, Node 20 with --experimental-wasm-relaxed-simd), its runs taken in turn with the plain binary's: ${f(rx.grad_evals_per_s_per_chain, 0)} gradient evaluations/s per chain (${f(rx.grad_evals_per_s_per_chain / stan.grad_evals_per_s_per_chain, 1)}× Stan), predictive ESS/s ${f(rx.pred_ess_per_s, 2)} (${f(rx.pred_ess_per_s / stan.pred_ess_per_s, 1)}×), R̂ max ${f(rx.rhat_max, 3)}, ${rx.divergences} divergences; every run: ${every(rx)}.`);
    }
    if (r.chains) L.push('', chainsLine(r.chains, f));
    if (r.e2e) {
      const e = r.e2e;
      L.push('', `End to end, \`bdl fit --method ensemble\` (5 members, 1×50, 2 workers) vs PyTorch 1.13 (same data, 1 and 2 threads): (a) Friedman #1 8k rows, 40 epochs, batch 32: bdl ${f(e.a.bdl_s, 1)} s, PyTorch ${f(e.a.torch1_s, 1)} s / ${f(e.a.torch2_s, 1)} s, ${f(e.a.speedup_vs_best, 2)}× its best (target 7×); (b) Fashion-MNIST 10k, 20 epochs, batch 128: bdl ${f(e.b.bdl_s, 1)} s, PyTorch ${f(e.b.torch1_s, 1)} s / ${f(e.b.torch2_s, 1)} s, ${f(e.b.speedup_vs_best, 2)}× its best (target ≥ 1×). Training alone (bdl's timings.train, PyTorch's train_seconds): (a) bdl ${f(e.a.bdl_train_s, 2)} s vs ${f(Math.min(e.a.torch1_train_s, e.a.torch2_train_s), 2)} s, ${f(e.a.train_speedup_vs_best, 2)}×; (b) bdl ${f(e.b.bdl_train_s, 2)} s vs ${f(Math.min(e.b.torch1_train_s, e.b.torch2_train_s), 2)} s, ${f(e.b.train_speedup_vs_best, 2)}×.`);
    }
    if (r.pool) L.push('', `Worker pool: start-up ${f(r.pool.startup_ms, 0)} ms, round trip ${f(r.pool.roundtrip_us, 0)} µs, speedup on 2 workers ${f(r.pool.speedup_2, 2)}×.`);
    L.push('');
  }
  if (all.queue) L.push(queueMarkdown(all.queue));
  L.push('The register-only loop is a lower bound on the f32x4 ceiling: where a GEMM reads above 100 % of it, the loop is what falls short (on this CPU type TOOLCHAIN.md measured a native unfused 128-bit ceiling that TF.js-wasm reaches 76 % of; the TF.js column gives the same scale in this run).', '');
  L.push('GFLOP/s = 2·m·n·k / time. Other processes share this 2-core machine, so absolute figures swing between runs: bdl/TF.js and bdl/peak are medians of per-round ratios, bdl, TF.js and the peak loop being timed in interleaved batches.', '');
  return L.join('\n');
}
