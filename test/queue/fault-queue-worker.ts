/**
 * A queue worker whose threads run the test-only entry (test/pool/fault-worker.ts): the faults test
 * starts it in place of `bdl worker` to make a worker thread die mid-task. Built by
 * test/setup/fault-worker.ts into test-output/fault-queue-worker.js.
 *
 *   node fault-queue-worker.js <redis-url> <thread-entry.js>
 *
 * The thread entry reads BDL_TEST_CRASH_AT from this process's environment (threads inherit it).
 * Logs as `bdl worker` does (stderr, one line per event); SIGTERM re-queues the running job and exits 0.
 */
import { startQueueWorker } from '../../src/queue/worker.js';

const [url, threadUrl] = process.argv.slice(2);
if (url === undefined || threadUrl === undefined) throw new Error('usage: fault-queue-worker.js <redis-url> <thread-entry.js>');
const worker = await startQueueWorker(
  { connection: url, concurrency: 1, lockDuration: 2000, stalledInterval: 1000, log: (line) => process.stderr.write(`bdl worker: ${line}\n`) },
  threadUrl,
);
process.once('SIGTERM', () => {
  void worker.close().then(() => process.exit(0));
});
