// The queue backend's benchmark: `node bench/queue-run.mjs [--write]` (after `npm run build`), or
// `npm run bench -- --only queue`. Starts a loopback redis-server and `bdl worker` processes, then
// measures (1) a tiny task's cost through the queue against the local pool, (2) 16 NUTS chains on
// 1 and on 2 worker processes (interleaved rounds, median ratio), (3) what Redis and BullMQ sustain
// here without any wasm work (jobs/s), for docs/DISTRIBUTED.md's estimate. Prints {"queue": {...}};
// --write also replaces the queue section of bench/RESULTS.md.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { queueMarkdown } from './queue-md.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const lib = await import(new URL('../dist/index.js', import.meta.url).href);
const { createQueuePool } = await import(new URL('../dist/queue.js', import.meta.url).href);
const children = [];
const log = (s) => console.error(s);

async function freePort() {
  const s = createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

/** Spawns a child that is killed on exit of this script; resolves once `ready` appears in its output. */
function start(cmd, args, ready) {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    const t = setTimeout(() => reject(new Error(`${cmd} did not start in 60 s:\n${out}`)), 60_000);
    const on = (b) => {
      out += b;
      if (out.includes(ready)) (clearTimeout(t), resolve(child));
    };
    child.stdout.on('data', on);
    child.stderr.on('data', on);
    child.once('exit', (code) => (clearTimeout(t), reject(new Error(`${cmd} exited (${code}):\n${out}`))));
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[(xs.length - 1) >> 1];
const round = (x, d) => Number(x.toFixed(d));
async function timed(f) {
  const t0 = performance.now();
  await f();
  return performance.now() - t0;
}

const dir = mkdtempSync(join(tmpdir(), 'bdl-bench-redis-'));
const port = await freePort();
const url = `redis://127.0.0.1:${port}`;
const load = [loadavg()[0]];
try {
  await start('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir], 'Ready to accept connections');
  const worker = (queue, n = 1) => start(process.execPath, [join(root, 'bin/bdl.js'), 'worker', '--redis', url, '--queue', queue, '--concurrency', String(n)], 'thread(s) on queue');
  // q1: one process, one thread; q2: two processes of one thread; q3: one process of two threads.
  await Promise.all([worker('q1'), worker('q2'), worker('q2'), worker('q3', 2)]);
  const q1 = await createQueuePool({ connection: url, queue: 'q1' });
  const q2 = await createQueuePool({ connection: url, queue: 'q2' });
  const q3 = await createQueuePool({ connection: url, queue: 'q3' });
  const local1 = await lib.createPool({ size: 1 });
  const local2 = await lib.createPool({ size: 2 });

  // (1) A tiny task: one at a time (latency), and 200 in one run (throughput).
  const tiny = (n) => Array.from({ length: n }, (_, i) => ({ kind: 'selftest', seed: 1, stream: i, options: { steps: 0, size: 4 } }));
  const perTask = async (pool) => {
    for (let i = 0; i < 5; i++) await pool.run(tiny(1));
    const one = [];
    for (let b = 0; b < 5; b++) one.push((await timed(async () => { for (let i = 0; i < 20; i++) await pool.run(tiny(1)); })) / 20);
    const batch = [];
    for (let b = 0; b < 3; b++) batch.push((await timed(() => pool.run(tiny(200)))) / 200);
    return { roundtrip_ms: round(median(one), 2), per_task_in_batch_ms: round(median(batch), 3) };
  };
  log('== tiny tasks: local pool (1 worker) and queue (1 worker process)');
  const overhead = { local: await perTask(local1), queue: await perTask(q1) };
  log(JSON.stringify(overhead));

  // (2) 16 NUTS chains on a small BNN (1-20-1, 100 points), 300 warmup + 700 draws each: 1 vs 2
  // worker processes, with the local pool of 1 and of 2 workers beside (what this machine allows).
  const x = Float32Array.from({ length: 100 }, (_, i) => i / 25 - 2);
  const y = Float32Array.from(x, (v, i) => Math.sin(2 * v) + 0.1 * Math.cos(11 * i));
  const data = lib.makeDataset({ data: x, cols: 1 }, y);
  const target = { type: 'bnn', spec: { inputs: 1, hidden: [20], outputs: 1, activation: 'tanh', likelihood: 'gaussian' }, data, noiseVar: 0.01 };
  const WARMUP = 300;
  const DRAWS = 700;
  const chains = (pool) => lib.sampleChains(target, { chains: 16, warmup: WARMUP, draws: DRAWS, seed: 2, kernel: { type: 'nuts', maxTreeDepth: 6 }, pool });
  // Where a queue run's time goes, from BullMQ's events as the caller hears them: until the first
  // job starts, the jobs themselves (busy share of the workers), the tail a late long chain leaves
  // (last start to last end), and from the last end until the pool's run resolves (collecting the
  // results). `chains_s` is the pool's part (sampleChains' `seconds`); the rest of `total_s` is the
  // caller's diagnostics (R-hat, ESS), serial and the same on every backend.
  const { QueueEvents } = await import('bullmq');
  const measure = async (pool, queue, workers) => {
    let qe;
    const active = new Map();
    const spans = [];
    if (queue) {
      qe = new QueueEvents(queue, { connection: { host: '127.0.0.1', port } });
      await qe.waitUntilReady();
      qe.on('active', ({ jobId }) => active.set(jobId, performance.now()));
      qe.on('completed', ({ jobId }) => spans.push([active.get(jobId), performance.now()]));
    }
    const t0 = performance.now();
    const r = await chains(pool);
    const t1 = performance.now();
    const out = { total_s: (t1 - t0) / 1000, chains_s: r.seconds, grad_evals_per_chain: Math.round(r.gradEvals.reduce((a, g) => a + g, 0) / r.gradEvals.length) };
    if (!qe) return out;
    await qe.close();
    const first = Math.min(...spans.map((s) => s[0]));
    const last = Math.max(...spans.map((s) => s[1]));
    return {
      ...out,
      to_first_start_ms: Math.round(first - t0),
      worker_busy_share: round(spans.reduce((a, s) => a + s[1] - s[0], 0) / (workers * (last - first)), 2),
      tail_ms: Math.round(last - Math.max(...spans.map((s) => s[0]))),
      collect_ms: Math.round(t0 + r.seconds * 1000 - last),
    };
  };
  // One whole run on every pool first, so each worker has compiled the wasm core and V8 has optimized
  // the sampler before the timed rounds (otherwise the first round of a pool pays for it).
  for (const pool of [q1, q2, q3, local1, local2]) await chains(pool);
  const ROUNDS = 5;
  const rounds = [];
  for (let r = 0; r < ROUNDS; r++) {
    const m = {
      q1: await measure(q1, 'q1', 1),
      q2: await measure(q2, 'q2', 2),
      q3: await measure(q3, 'q3', 2),
      local2: await measure(local2),
      local1: await measure(local1),
    };
    rounds.push(m);
    const f = (k) => `${m[k].chains_s.toFixed(1)} s (${m[k].total_s.toFixed(1)} s with diagnostics)`;
    log(`round ${r}: 1 worker ${f('q1')}, 2 worker processes ${f('q2')}, 1 process × 2 threads ${f('q3')}, local pool of 2 ${f('local2')}, of 1 ${f('local1')}`);
    log(`  1 process: ${JSON.stringify(m.q1)}\n  2 processes: ${JSON.stringify(m.q2)}`);
  }
  const med = (f) => median(rounds.map(f));
  const profile = (k) => Object.fromEntries(Object.keys(rounds[0][k]).map((f) => [f, round(med((r) => r[k][f]), 2)]));
  const nuts = {
    rounds: ROUNDS,
    warmup: WARMUP,
    draws: DRAWS,
    grad_evals_per_chain: rounds[0].q1.grad_evals_per_chain,
    one_worker_s: round(med((r) => r.q1.chains_s), 2),
    two_workers_s: round(med((r) => r.q2.chains_s), 2),
    local_pool_1_s: round(med((r) => r.local1.chains_s), 2),
    local_pool_2_s: round(med((r) => r.local2.chains_s), 2),
    speedup_2: round(med((r) => r.q1.chains_s / r.q2.chains_s), 2),
    speedups_2: rounds.map((r) => round(r.q1.chains_s / r.q2.chains_s, 2)),
    local_speedup_2: round(med((r) => r.local1.chains_s / r.local2.chains_s), 2),
    one_process_2_threads_s: round(med((r) => r.q3.chains_s), 2),
    speedup_2_threads: round(med((r) => r.q1.chains_s / r.q3.chains_s), 2),
    queue_over_local: round(med((r) => r.q2.chains_s / r.local2.chains_s), 2),
    queue_1_over_local_1: round(med((r) => r.q1.chains_s / r.local1.chains_s), 2),
    speedup_2_with_diagnostics: round(med((r) => r.q1.total_s / r.q2.total_s), 2),
    diagnostics_s: round(med((r) => r.q1.total_s - r.q1.chains_s), 2),
    profile_one: profile('q1'),
    profile_two: profile('q2'),
  };
  await Promise.all([q1.close(), q2.close(), q3.close(), local1.close(), local2.close()]);

  // (3) Redis and BullMQ alone: redis-benchmark's SET/GET rates, and empty jobs added in bulk and
  // completed by a 50-way concurrent BullMQ worker (add + take + complete + event per job).
  const rb = spawnSync('redis-benchmark', ['-p', String(port), '-q', '-n', '100000', '-t', 'set,get,lpush,lpop'], { encoding: 'utf8' });
  const rates = Object.fromEntries([...rb.stdout.matchAll(/^(\w+)[^:]*: ([\d.]+) requests per second/gm)].map((m) => [m[1].toLowerCase(), Math.round(Number(m[2]))]));
  const { Queue, Worker } = await import('bullmq');
  const { Redis } = await import('ioredis');
  const conns = [];
  const conn = () => (conns.push(new Redis(url, { maxRetriesPerRequest: null })), conns.at(-1));
  const bq = new Queue('raw', { connection: conn() });
  const n = 5000;
  let done = 0;
  let finished;
  const all = new Promise((r) => (finished = r));
  const bw = new Worker('raw', async () => 1, { connection: conn(), concurrency: 50, removeOnComplete: { count: 0 } });
  bw.on('completed', () => ++done === n && finished());
  await bw.waitUntilReady();
  const t = await timed(async () => {
    for (let i = 0; i < n; i += 500) await bq.addBulk(Array.from({ length: 500 }, (_, j) => ({ name: 'x', data: { i: i + j } })));
    await all;
  });
  await bw.close();
  await bq.close();
  await Promise.all(conns.map((c) => c.quit()));
  const bullmq_jobs_per_s = Math.round(n / (t / 1000));
  load.push(loadavg()[0]);
  const result = { overhead, nuts, redis: { ...rates, bullmq_jobs_per_s }, load1_start_end: load.map((l) => round(l, 1)), cores: cpus().length, date: new Date().toISOString() };
  console.log(JSON.stringify({ queue: result }));
  if (process.argv.includes('--write')) {
    const file = join(root, 'bench/RESULTS.md');
    const text = readFileSync(file, 'utf8');
    const section = queueMarkdown(result);
    const re = /<!-- queue:begin -->[\s\S]*<!-- queue:end -->\n?/;
    writeFileSync(file, re.test(text) ? text.replace(re, section) : `${text.trimEnd()}\n\n${section}`);
    log('wrote the queue section of bench/RESULTS.md');
  }
} finally {
  for (const c of children) c.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 500));
  rmSync(dir, { recursive: true, force: true });
  process.exit(process.exitCode ?? 0);
}
