// The worker of comlink-gc.mjs: plain comlink over Node's parentPort, as the pool's workers use it.
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { parentPort } from 'node:worker_threads';

const turn = () => new Promise((r) => setImmediate(r));

Comlink.expose(
  {
    /** Answers after `ms` milliseconds. */
    slow: (ms) => new Promise((r) => setTimeout(() => r(ms), ms)),
    /**
     * The pool's job protocol before 7d599b5: progress through a Comlink-proxied sink, the result
     * only after the last progress round trip, and the sink's proxy released when the job ends.
     */
    async run(job, sink) {
      let delivered = Promise.resolve();
      try {
        for (let i = 1; i <= job.steps; i++) {
          await turn();
          delivered = sink.progress(job.id, i).catch(() => {});
          if (i % 3 === 0) void sink.checkpoint(job.id, { i }).catch(() => {});
        }
        await delivered;
        return job.id;
      } finally {
        sink[Comlink.releaseProxy]();
      }
    },
  },
  nodeEndpoint(parentPort),
);
