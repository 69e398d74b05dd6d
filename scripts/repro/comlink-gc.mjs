// `node --expose-gc scripts/repro/comlink-gc.mjs --mode M [--calls N] [--gc MS]`: what garbage
// collection can do to Comlink 4.4.2 calls between Node threads, without any bdl code.
//
// Comlink counts the proxies of each endpoint and, when a FinalizationRegistry reports the last one
// collected, sends RELEASE: the exposing side then stops listening (and a MessagePort endpoint is
// closed). A call still in flight, or any later call, then never gets its answer and is awaited
// forever (GoogleChromeLabs/comlink#692).
//   --mode transient  each call through a fresh `Comlink.wrap(endpoint)` (nothing holds the proxy):
//                     a gc() during the first call releases the worker's endpoint; that call is
//                     still answered (its reply was on its way) but the worker has stopped
//                     listening, so the second call HANGS.
//   --mode held       the same calls through one wrap held for the whole session: completes.
//   --mode old-pool   the pool's protocol before 7d599b5 (one held wrap of the worker, referenced
//                     only while busy; a per-job Comlink.proxy(sink) whose last progress round trip
//                     the worker awaits before it answers): completes, since every proxy that could
//                     be counted down to zero is strongly held while in use.
//   --mode unclonable the same with a job that cannot be cloned: the call fails at once, but the
//                     sink's port, already listening, is never closed, so the process never exits
//                     after the worker is terminated (reported as NO EXIT after 3 s).
// gc() runs every --gc ms (default 1) and after every call. Exit 0: all calls answered; exit 1:
// a call had no answer for 5 s (printed as HANG).
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';

const { values: args } = parseArgs({ options: { mode: { type: 'string', default: 'transient' }, calls: { type: 'string', default: '200' }, gc: { type: 'string', default: '1' } } });
if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc');
const calls = Number(args.calls);
const worker = new Worker(new URL('./comlink-gc-worker.mjs', import.meta.url));
const gcTimer = setInterval(() => globalThis.gc(), Number(args.gc));
const held = Comlink.wrap(nodeEndpoint(worker));
let progress = 0;
const sinkFor = () => Comlink.proxy({ progress: () => void progress++, checkpoint: () => {} });

const call = {
  transient: () => Comlink.wrap(nodeEndpoint(worker)).slow(20),
  held: () => held.slow(20),
  'old-pool': async (i) => {
    worker.ref();
    try {
      return await held.run({ id: i, steps: 12 }, sinkFor());
    } finally {
      worker.unref();
    }
  },
}[args.mode];
if (args.mode === 'unclonable') {
  const failed = await held.run({ id: 0, steps: 1, f: () => 0 }, sinkFor()).then(() => 'answered', (e) => e.name);
  clearInterval(gcTimer);
  await worker.terminate();
  console.log(`unclonable: the call failed (${failed}); worker terminated`);
  setTimeout(() => {
    console.log('unclonable: NO EXIT after 3 s (open handles: ' + process._getActiveHandles().map((h) => h.constructor.name).join(', ') + ')');
    process.exit(1);
  }, 3000).unref();
} else if (call === undefined) throw new Error(`--mode: transient, held, old-pool or unclonable, not ${args.mode}`);
else await session();

async function session() {
  const t0 = Date.now();
  for (let i = 0; i < calls; i++) {
    let timer;
    const answered = await Promise.race([call(i).then(() => true), new Promise((r) => (timer = setTimeout(() => r(false), 5000)))]);
    clearTimeout(timer);
    if (!answered) {
      console.log(`${args.mode}: HANG at call ${i + 1} of ${calls} (no answer for 5 s; ${progress} progress calls answered before)`);
      process.exit(1);
    }
    globalThis.gc();
  }
  console.log(`${args.mode}: ${calls} calls answered in ${Date.now() - t0} ms${progress ? ` (${progress} progress round trips)` : ''}`);
  clearInterval(gcTimer);
  await worker.terminate();
}
