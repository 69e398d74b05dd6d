// `npm run stress [-- --repeats 50 --runs 200 --timeout 120]` (after `npm run build`): the pool's
// long-haul check. Each repeat is a child process (`node --expose-gc`) that makes one pool of 2
// workers and runs `--runs` NUTS fits on it one after another, collecting garbage between runs (so
// anything the pool forgets to hold strongly is collected while still needed). A repeat that makes no
// progress for `--stall` seconds dumps the pool's state (runs, queue, slots, active handles) and is
// killed; the script exits 1 if any repeat hung or failed. `--gc MS` also collects every MS ms during
// the runs; `--dist DIR` tests another build of the package.
//
// Timing variations (the same 200 runs, scheduled differently):
//   --size N          pool size (default 2; 4–8 oversubscribe a 2-core machine).
//   --v8-flags="..."  extra node/V8 flags for the child, e.g. "--gc-interval=500" (a collection every
//                     N allocations, so finalizers and weak handles run at points no timer reaches),
//                     "--stress-compaction", "--stress-scavenge=100", "--single-threaded-gc". V8
//                     flags are per process, so they reach the worker threads too. They slow runs a
//                     lot: raise --stall with them.
//   --target module   sampleChains on a user module (bench/gauss6.mjs: 4 chains × (200 + 2000), every draw
//                     kept and checkpointed) instead of trainNuts's BNN: larger messages, a dynamic import
//                     in each worker, the draws transferred back.
//   --progress MODE   what onProgress does on the main thread: stamp (default: notes the time), print
//                     (writes the event), alloc (allocates ~4 MB of garbage), gc (calls gc()), slow
//                     (busy for 30 ms).
// A stall reports the CPU time the process (all its threads) used while stalled: near 0 is a true
// deadlock, near the wall time is slowness. `taskset -c 0 npm run stress` pins everything to one core.
import { spawn } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    repeats: { type: 'string', default: '50' },
    runs: { type: 'string', default: '200' },
    stall: { type: 'string', default: '20' },
    gc: { type: 'string', default: '0' },
    size: { type: 'string', default: '2' },
    'v8-flags': { type: 'string', default: '' },
    progress: { type: 'string', default: 'stamp' },
    target: { type: 'string', default: 'bnn' },
    dist: { type: 'string' },
    child: { type: 'boolean', default: false },
  },
  strict: true,
});
const runs = Number(args.runs);
const stallMs = Number(args.stall) * 1000;
const v8Flags = args['v8-flags'].split(/\s+/).filter((f) => f !== '');
const progressModes = ['stamp', 'print', 'alloc', 'gc', 'slow'];
if (!progressModes.includes(args.progress)) throw new Error(`--progress: expected one of ${progressModes.join(', ')}, found ${args.progress}`);
if (!['bnn', 'module'].includes(args.target)) throw new Error(`--target: expected bnn or module, found ${args.target}`);

if (args.child) await child();
else await parent();

async function parent() {
  const repeats = Number(args.repeats);
  let hung = 0;
  let failed = 0;
  const t0 = Date.now();
  for (let r = 0; r < repeats; r++) {
    const { code, out: raw, killed } = await runChild(r);
    if (killed) hung++;
    else if (code !== 0) failed++;
    const out = (killed ? raw : raw.replace(/^run \d+ \(alive\)\n/gm, '')).replace(/^progress .*\n(?=(?:.*\n)*?progress )/gm, '');
    const last = out.trim().split('\n').at(-1) ?? '';
    console.log(`repeat ${r + 1}/${repeats}: ${killed ? 'HUNG' : code === 0 ? 'ok' : `exit ${code}`} ${last}`);
    if (killed || code !== 0) console.log(out);
  }
  const how = `${args.target === 'module' ? 'sampleChains on a module target, ' : ''}size ${args.size}, progress ${args.progress}${args.gc !== '0' ? `, gc every ${args.gc} ms` : ''}${v8Flags.length > 0 ? `, ${v8Flags.join(' ')}` : ''}`;
  console.log(`${repeats} repeats × ${runs} NUTS runs (${how}): ${hung} hung, ${failed} failed, ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  process.exit(hung + failed > 0 ? 1 : 0);
}

function runChild(r) {
  return new Promise((resolve) => {
    const childArgs = ['--child', '--runs', String(runs), '--stall', String(args.stall), '--gc', args.gc, '--size', args.size, '--progress', args.progress, '--target', args.target];
    const p = spawn(process.execPath, ['--expose-gc', ...v8Flags, fileURLToPath(import.meta.url), ...childArgs, ...(args.dist ? ['--dist', args.dist] : [])], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, STRESS_SEED: String(r) },
    });
    let out = '';
    // The child dumps its own state on a stall; this is the backstop if its event loop is stuck too
    // (the child prints a heartbeat every 5 s while its event loop runs).
    let kill = setTimeout(() => p.kill('SIGKILL'), stallMs + 10_000);
    const heard = (d) => {
      out += d;
      clearTimeout(kill);
      kill = setTimeout(() => p.kill('SIGKILL'), stallMs + 10_000);
    };
    p.stdout.on('data', heard);
    p.stderr.on('data', heard);
    p.on('exit', (code, signal) => {
      clearTimeout(kill);
      resolve({ code, out, killed: signal === 'SIGKILL' || code === 124 });
    });
  });
}

async function child() {
  const lib = await import(args.dist ? pathToFileURL(`${args.dist}/index.js`).href : new URL('../dist/index.js', import.meta.url).href);
  const seed = Number(process.env.STRESS_SEED ?? 0);
  let s = 1234 + seed;
  const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
  const x = Array.from({ length: 24 }, () => [u(), u()]);
  const data = lib.makeDataset(x, x.map(([a, b]) => Math.sin(2 * a) + 0.3 * b + 0.1 * u()));
  const pool = await lib.createPool({ size: Number(args.size) });
  let lastProgress = Date.now();
  let cpuAtProgress = process.cpuUsage();
  const progressed = () => {
    lastProgress = Date.now();
    cpuAtProgress = process.cpuUsage();
  };
  let at = 0;
  let beat = Date.now();
  const watchdog = setInterval(() => {
    if (Date.now() - beat > 5000) {
      beat = Date.now();
      console.log(`run ${at + 1} (alive)`);
    }
    if (Date.now() - lastProgress < stallMs) return;
    const cpu = process.cpuUsage(cpuAtProgress);
    console.log(`STALL at run ${at}: no progress for ${((Date.now() - lastProgress) / 1000).toFixed(1)} s, ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU meanwhile (all threads)`);
    console.log(JSON.stringify(poolState(pool), null, 1));
    console.log('active handles:', process._getActiveHandles().map((h) => h.constructor.name).join(', '));
    process.exit(124);
  }, 1000);
  // --gc MS: also collect garbage every MS milliseconds while runs are in flight.
  const gcTimer = Number(args.gc) > 0 ? setInterval(() => globalThis.gc(), Number(args.gc)) : undefined;
  const took = [];
  for (at = 0; at < runs; at++) {
    const started = performance.now();
    const onProgressed = (e) => {
      progressed();
      onProgress(e);
    };
    if (args.target === 'module') {
      await lib.sampleChains({ type: 'module', url: new URL('../bench/gauss6.mjs', import.meta.url).href }, {
        pool, chains: 4, warmup: 200, draws: 2000, seed: at, onProgress: onProgressed,
      });
    } else {
      await lib.trainNuts(data, {
        // Twice as many chains as workers (tasks queue), and one checkpoint per chain.
        pool, hidden: [4], epochs: 3, chains: 4, warmup: 60, draws: 60, keep: 10, seed: at, onProgress: onProgressed,
      });
    }
    took.push(performance.now() - started);
    progressed();
    globalThis.gc();
  }
  clearInterval(watchdog);
  clearInterval(gcTimer);
  await pool.close();
  // Run times, so a stall can be told from a slow run: a hang is many times the longest of these.
  took.sort((a, b) => a - b);
  const q = (f) => took[Math.min(runs - 1, Math.floor(f * runs))].toFixed(0);
  console.log(`done: ${runs} runs; per run median ${q(0.5)} ms, p99 ${q(0.99)} ms, longest ${took[runs - 1].toFixed(0)} ms`);
}

/** The main thread's extra work per progress event (--progress). */
function onProgress(e) {
  if (args.progress === 'print') console.log(`progress ${JSON.stringify(e)}`);
  else if (args.progress === 'alloc') {
    const junk = [];
    for (let i = 0; i < 1000; i++) junk.push(new Float64Array(512), { i, s: String(i) });
    if (junk.length < 0) console.log(junk);
  } else if (args.progress === 'gc') globalThis.gc();
  else if (args.progress === 'slow') {
    const t = Date.now();
    while (Date.now() - t < 30);
  }
}

/** What the pool holds, read through its private fields (a debugging aid, not an API). */
function poolState(pool) {
  const p = pool;
  return {
    runs: [...(p.runs ?? [])].map((r) => ({ id: r.link?.id, remaining: r.remaining, settled: r.settled, active: [...r.active].map((a) => ({ taskId: a.taskId, key: a.key })), outcomes: r.outcomes.map((o) => (o === undefined ? null : o.ok)) })),
    queue: (p.queue ?? []).map((q) => ({ run: q.run.link?.id, taskId: q.taskId })),
    slots: (p.slots ?? []).map((s) => ({ exec: s.exec !== undefined, active: s.active && { taskId: s.active.taskId, key: s.active.key, run: s.active.run.link?.id } })),
  };
}
