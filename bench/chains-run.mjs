// Multi-chain sampling on the pool: `node bench/chains-run.mjs [--draws 100000 --warmup 1000 --repeats 3]`
// (after `npm run build`). 4 NUTS chains of a 6-parameter target (bench/gauss6.mjs) on 1 worker, on
// 2 workers and in-thread, each configuration in its own process (so its peak RSS is its own),
// interleaved `--repeats` times. Per run: draws/s while sampling (kept draws of all chains / seconds
// until the last chain's result is back), the seconds of the final diagnostics after it, peak RSS,
// and the longest the main thread's event loop was blocked while sampling and in the whole call
// (perf_hooks monitorEventLoopDelay; and in the main thread's CPU time, which a loaded machine does not
// inflate), and the load average at the end. Each pool first runs a short warm-up run (timed apart). Prints {"chains": {...}} with the medians and the 2-worker /
// 1-worker ratio of draws/s (each repeat's ratio, then their median). `--dist DIR`: another build.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const { values: a } = parseArgs({
  options: {
    draws: { type: 'string', default: '100000' },
    warmup: { type: 'string', default: '1000' },
    repeats: { type: 'string', default: '3' },
    dist: { type: 'string' },
    one: { type: 'string' },
  },
  strict: true,
});

if (a.one !== undefined) {
  console.log(JSON.stringify(await one(Number(a.one))));
} else {
  const sizes = [1, 2, 0];
  const runs = { 1: [], 2: [], 0: [] };
  for (let r = 0; r < Number(a.repeats); r++) {
    for (const size of sizes) {
      const p = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--one', String(size), '--draws', a.draws, '--warmup', a.warmup, ...(a.dist ? ['--dist', a.dist] : [])], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
      if (p.status !== 0) throw new Error(`chains benchmark (pool size ${size}) failed: exit ${p.status}`);
      const res = JSON.parse(p.stdout.trim().split('\n').pop());
      runs[size].push(res);
      console.error(`repeat ${r + 1}, ${size === 0 ? 'in-thread' : `${size} worker(s)`}: ${res.draws_per_s.toFixed(0)} draws/s sampling (warm-up run ${res.first_run_s.toFixed(2)} s), diagnostics ${res.diagnostics_s.toFixed(1)} s, peak RSS ${res.peak_rss_mb.toFixed(0)} MB, max event-loop block ${res.max_block_sampling_ms.toFixed(0)} ms while sampling, ${res.max_block_ms.toFixed(0)} ms overall (CPU: ${res.max_block_cpu_sampling_ms.toFixed(0)} ms sampling, ${res.max_block_cpu_diagnostics_ms.toFixed(0)} ms diagnostics), load ${res.load_avg.toFixed(1)}`);
    }
  }
  const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor((xs.length - 1) / 2)];
  const summary = (rs) => ({
    draws_per_s: median(rs.map((x) => x.draws_per_s)), first_run_s: median(rs.map((x) => x.first_run_s)), diagnostics_s: median(rs.map((x) => x.diagnostics_s)), peak_rss_mb: median(rs.map((x) => x.peak_rss_mb)),
    max_block_sampling_ms: Math.max(...rs.map((x) => x.max_block_sampling_ms)), max_block_ms: Math.max(...rs.map((x) => x.max_block_ms)),
    max_block_cpu_sampling_ms: Math.max(...rs.map((x) => x.max_block_cpu_sampling_ms)), max_block_cpu_diagnostics_ms: Math.max(...rs.map((x) => x.max_block_cpu_diagnostics_ms)),
    load_avg: median(rs.map((x) => x.load_avg)),
  });
  const chains = {
    chains: 4, draws: Number(a.draws), warmup: Number(a.warmup), dim: 6, repeats: Number(a.repeats),
    workers_1: summary(runs[1]), workers_2: summary(runs[2]), in_thread: summary(runs[0]),
    speedup_2_vs_1: median(runs[2].map((x, i) => x.draws_per_s / runs[1][i].draws_per_s)),
    speedups_2_vs_1: runs[2].map((x, i) => Number((x.draws_per_s / runs[1][i].draws_per_s).toFixed(2))),
  };
  console.log(JSON.stringify({ chains }));
}

async function one(size) {
  const { monitorEventLoopDelay } = await import('node:perf_hooks');
  const lib = await import(a.dist ? pathToFileURL(`${a.dist}/index.js`).href : new URL('../dist/index.js', import.meta.url).href);
  const pool = await lib.createPool({ size });
  const target = { type: 'module', url: pathToFileURL(fileURLToPath(new URL('gauss6.mjs', import.meta.url))).href };
  // A shorter run first, with the same warmup (every phase of the measured run): the workers load the
  // target, compile the wasm core, and V8 optimizes the sampler's functions, as in any reused pool.
  // That optimizing compile runs on V8's background threads, per worker isolate (≈ 125 ms of CPU
  // each here, seen with --trace-opt); with 1 worker it lands on the idle core, with 2 it takes
  // from the workers. The first run's wall time is reported apart (first_run_s, and the cold 1/2
  // so the draws/s below are the pool's steady rate.
  const f0 = performance.now();
  await lib.sampleChains(target, { chains: 4, warmup: Number(a.warmup), draws: Math.ceil(Number(a.draws) / 10), seed: 2, pool });
  const firstRun = (performance.now() - f0) / 1000;
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  // The same blocks in the main thread's CPU time between two turns of its event loop: on a loaded
  // machine the wall-clock blocks above include time the OS gave to other processes, this does not.
  const mainCpuMs = mainThreadCpu();
  let lastCpu = mainCpuMs();
  let cpuBlockMs = 0;
  const cpuTicker = setInterval(() => {
    const c = mainCpuMs();
    cpuBlockMs = Math.max(cpuBlockMs, c - lastCpu);
    lastCpu = c;
  }, 5);
  let samplingCpuBlockMs = 0;
  const t0 = performance.now();
  // The sampling phase ends when every chain has reported its last iteration (the results follow at once).
  const total = Number(a.warmup) + Number(a.draws);
  const finished = new Set();
  let samplingMaxNs = 0;
  let samplingEnd = 0;
  const r = await lib.sampleChains(target, {
    chains: 4, warmup: Number(a.warmup), draws: Number(a.draws), seed: 1, pool,
    onProgress: (p) => {
      if (p.iteration < total) return;
      finished.add(p.chain);
      if (finished.size === 4) {
        samplingMaxNs = h.max;
        samplingEnd = performance.now();
        samplingCpuBlockMs = cpuBlockMs;
        cpuBlockMs = 0;
      }
    },
  });
  const wall = (performance.now() - t0) / 1000;
  // One more turn of the loop, so a block that ended just now is recorded.
  await new Promise((r) => setTimeout(r, 20));
  h.disable();
  clearInterval(sampler);
  clearInterval(cpuTicker);
  peak = Math.max(peak, process.memoryUsage().rss);
  await pool.close();
  return {
    size, draws_per_s: (r.chains * r.count) / r.seconds, sampling_s: r.seconds, diagnostics_s: wall - (samplingEnd - t0) / 1000,
    wall_s: wall, first_run_s: firstRun, peak_rss_mb: peak / 2 ** 20, max_block_sampling_ms: samplingMaxNs / 1e6, max_block_ms: h.max / 1e6,
    max_block_cpu_sampling_ms: samplingCpuBlockMs, max_block_cpu_diagnostics_ms: cpuBlockMs, load_avg: (await import('node:os')).loadavg()[0], rhat_max: Math.max(...r.diagnostics.rhat),
  };
}

/**
 * CPU ms of this process's main thread so far: Linux's per-thread schedstat (ns), so the busy
 * workers' threads are not counted; elsewhere the whole process's CPU time (workers included).
 */
function mainThreadCpu() {
  const file = `/proc/self/task/${process.pid}/schedstat`;
  try {
    readFileSync(file, 'utf8');
    return () => Number(readFileSync(file, 'utf8').split(' ')[0]) / 1e6;
  } catch {
    return () => {
      const c = process.cpuUsage();
      return (c.user + c.system) / 1000;
    };
  }
}
