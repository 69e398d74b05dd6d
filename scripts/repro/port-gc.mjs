// `node --expose-gc scripts/repro/port-gc.mjs`: does Node collect a listening MessagePort that no
// JavaScript object references? (It does not: while its peer lives, such a port and its listener
// survive gc() — on one thread and across threads — so no message of a job can be lost that way.)
// Prints one line per case; exit 1 if any message went missing.
import { MessageChannel, Worker } from 'node:worker_threads';

if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc');
const settle = async (done) => {
  for (let i = 0; i < 200 && !done(); i++) {
    globalThis.gc();
    await new Promise((r) => setTimeout(r, 20));
  }
};
let missing = 0;
const report = (what, got, n) => {
  console.log(`${what}: ${got} of ${n} messages delivered`);
  if (got !== n) missing++;
};

// One thread: the listening ends are referenced only by their own listeners.
let got = 0;
const senders = Array.from({ length: 20 }, () => {
  const { port1, port2 } = new MessageChannel();
  port1.on('message', () => got++);
  return port2;
});
for (let i = 0; i < 5; i++) {
  globalThis.gc();
  await new Promise((r) => setTimeout(r, 10));
}
for (const p of senders) p.postMessage(1);
await settle(() => got === senders.length);
report('same thread, listener only', got, senders.length);
for (const p of senders) p.close();

// Across threads: the worker answers on a port it keeps no reference to, or answers late after
// collecting its own garbage; the main thread's listening ends are referenced by nothing.
const worker = new Worker(
  `const { parentPort } = require('node:worker_threads');
  parentPort.on('message', ({ port, echo }) => {
    if (echo) port.on('message', function (m) { this.postMessage(m); });
    else setTimeout(() => { globalThis.gc(); port.postMessage('late'); }, 200);
  });
  setInterval(() => globalThis.gc(), 5);`,
  { eval: true },
);
for (const echo of [false, true]) {
  got = 0;
  for (let k = 0; k < 10; k++) {
    const { port1, port2 } = new MessageChannel();
    port1.on('message', () => got++);
    worker.postMessage({ port: port2, echo }, [port2]);
    if (echo) setTimeout(() => port1.postMessage('ping'), 300);
  }
  await settle(() => got === 10);
  report(echo ? 'across threads, the worker echoes on a port it does not reference' : 'across threads, a late answer after gc() on both sides', got, 10);
}
await worker.terminate();
process.exit(missing > 0 ? 1 : 0);
