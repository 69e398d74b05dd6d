// `npm run stress [-- --repeats 50 --runs 200 --timeout 120]` (after `npm run build`): the pool's
// long-haul check. Each repeat is a child process (`node --expose-gc`) that makes one pool of 2
// workers and runs `--runs` NUTS fits on it one after another, collecting garbage between runs (so
// anything the pool forgets to hold strongly is collected while still needed). A repeat that makes no
// progress for `--stall` seconds dumps the pool's state (runs, queue, slots, active handles) and is
// killed; the script exits 1 if any repeat hung or failed. `--gc MS` also collects every MS ms during
// the runs; `--dist DIR` tests another build of the package.
import { spawn } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    repeats: { type: 'string', default: '50' },
    runs: { type: 'string', default: '200' },
    stall: { type: 'string', default: '20' },
    gc: { type: 'string', default: '0' },
    dist: { type: 'string' },
    child: { type: 'boolean', default: false },
  },
  strict: true,
});
const runs = Number(args.runs);
const stallMs = Number(args.stall) * 1000;

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
    const out = killed ? raw : raw.replace(/^run \d+ \(alive\)\n/gm, '');
    const last = out.trim().split('\n').at(-1) ?? '';
    console.log(`repeat ${r + 1}/${repeats}: ${killed ? 'HUNG' : code === 0 ? 'ok' : `exit ${code}`} ${last}`);
    if (killed || code !== 0) console.log(out);
  }
  console.log(`${repeats} repeats × ${runs} NUTS runs: ${hung} hung, ${failed} failed, ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  process.exit(hung + failed > 0 ? 1 : 0);
}

function runChild(r) {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), '--child', '--runs', String(runs), '--stall', String(args.stall), '--gc', args.gc, ...(args.dist ? ['--dist', args.dist] : [])], {
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
  const pool = await lib.createPool({ size: 2 });
  let lastProgress = Date.now();
  let at = 0;
  let beat = Date.now();
  const watchdog = setInterval(() => {
    if (Date.now() - beat > 5000) {
      beat = Date.now();
      console.log(`run ${at + 1} (alive)`);
    }
    if (Date.now() - lastProgress < stallMs) return;
    console.log(`STALL at run ${at}: no progress for ${((Date.now() - lastProgress) / 1000).toFixed(1)} s`);
    console.log(JSON.stringify(poolState(pool), null, 1));
    console.log('active handles:', process._getActiveHandles().map((h) => h.constructor.name).join(', '));
    process.exit(124);
  }, 1000);
  // --gc MS: also collect garbage every MS milliseconds while runs are in flight.
  const gcTimer = Number(args.gc) > 0 ? setInterval(() => globalThis.gc(), Number(args.gc)) : undefined;
  for (at = 0; at < runs; at++) {
    await lib.trainNuts(data, {
      // Twice as many chains as workers (tasks queue), and one checkpoint per chain.
      pool, hidden: [4], epochs: 3, chains: 4, warmup: 60, draws: 60, keep: 10, seed: at,
      onProgress: () => (lastProgress = Date.now()),
    });
    lastProgress = Date.now();
    globalThis.gc();
  }
  clearInterval(watchdog);
  clearInterval(gcTimer);
  await pool.close();
  console.log(`done: ${runs} runs`);
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
