/**
 * The wasm instances of a queue worker: N worker threads (the pool's own executors), so the
 * process's main thread stays free to renew BullMQ's job locks, relay progress and checkpoints, and
 * hear cancellations while tasks compute. A thread that dies is replaced; its job fails with a
 * retryable error and resumes from its checkpoint.
 */
import { compileCore, type CompiledCore } from '../wasm/load.js';
import type { Job, JobOutcome } from '../pool/execute.js';
import { workerExecutor, type Executor } from '../pool/executors.js';
import type { ProgressEvent, TaskData } from '../pool/types.js';

/** A job's link to its thread: progress and checkpoints come back through it. */
export interface SlotSink {
  progress(event: ProgressEvent): void;
  checkpoint(state: unknown, append: readonly unknown[] | undefined): void;
}

/** Thrown when the thread running a job died (retryable: the job resumes from its checkpoint). */
export class ThreadDied extends Error {}

interface Slot {
  exec: Executor | undefined;
  /** Fails the job in flight when the thread dies. */
  onDeath?: (reason: string) => void;
}

export class Slots {
  private readonly slots: Slot[] = [];
  private readonly idle: Slot[] = [];
  private readonly waiting: Array<(s: Slot) => void> = [];
  private keys = 0;
  private closed = false;

  private constructor(
    private readonly core: CompiledCore,
    private readonly threadUrl: string | undefined,
  ) {}

  /** `threadUrl`: the thread entry script (default: the package's own worker.js). */
  static async create(n: number, threadUrl?: string): Promise<Slots> {
    const s = new Slots(await compileCore(), threadUrl);
    await Promise.all(Array.from({ length: n }, () => s.add()));
    return s;
  }

  get size(): number {
    return this.slots.length;
  }

  private async add(): Promise<void> {
    const slot: Slot = { exec: undefined };
    this.slots.push(slot);
    await this.fill(slot);
    this.release(slot);
  }

  private async fill(slot: Slot): Promise<void> {
    const exec: Executor = await workerExecutor(this.core, true, this.threadUrl, (reason) => {
      if (slot.exec !== exec || this.closed) return;
      slot.exec = undefined;
      void exec.terminate();
      slot.onDeath?.(reason);
      // The job's own finally returns the slot; its successor is spawned here.
      void this.fill(slot).catch(() => {});
    });
    if (this.closed) await exec.terminate();
    else slot.exec = exec;
  }

  private release(slot: Slot): void {
    const next = this.waiting.shift();
    if (next) next(slot);
    else this.idle.push(slot);
  }

  private acquire(): Promise<Slot> {
    const s = this.idle.shift();
    return s ? Promise.resolve(s) : new Promise((r) => this.waiting.push(r));
  }

  /**
   * Runs a job on a free thread. `dataId` names the run data (sent to each thread once).
   * `cancel` is set to a function that stops the job at its next check.
   */
  async run(job: Job, dataId: number, data: TaskData, sink: SlotSink, onStart: (cancel: () => void) => void): Promise<JobOutcome> {
    const slot = await this.acquire();
    try {
      while (slot.exec === undefined) await new Promise((r) => setTimeout(r, 20));
      const exec = slot.exec;
      const key = ++this.keys;
      onStart(() => exec.cancel(key));
      // The executor ends the job (an E_WORKER outcome) in the same turn as it reports the death, so
      // the death is noted here and wins whichever settles first.
      let death: string | undefined;
      const died = new Promise<never>((_, reject) => (slot.onDeath = (reason) => reject(new ThreadDied(`its worker thread died (${(death = reason)})`))));
      died.catch(() => {});
      const runSink = { progress: (e: ProgressEvent) => sink.progress(e), checkpoint: (_id: number, s: unknown, append: readonly unknown[] | undefined) => sink.checkpoint(s, append) };
      const link = { id: dataId, data, sink: runSink };
      const out = await Promise.race([exec.run(job, key, link), died]);
      if (death !== undefined) throw new ThreadDied(`its worker thread died (${death})`);
      return out;
    } finally {
      slot.onDeath = undefined;
      this.release(slot);
    }
  }

  /** Frees data a thread was sent (evicted from the worker's cache). */
  forget(dataId: number): void {
    for (const s of this.slots) s.exec?.release(dataId);
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((s) => s.exec?.terminate()));
  }
}
