/**
 * The wasm instances of a queue worker: N worker threads (the pool's own executors), so the
 * process's main thread stays free to renew BullMQ's job locks, relay progress and checkpoints, and
 * hear cancellations while tasks compute. A thread that dies is replaced; its job fails with a
 * retryable error and resumes from its checkpoint.
 *
 * A job runs on the core its caller computes with (the two binaries give different bits: the
 * relaxed one fuses multiply-adds). The worker compiles the plain SIMD core, which every runtime
 * here validates, and the relaxed one where its runtime validates it; a thread instantiates one of
 * them, and is replaced by a thread of the other when a job asks for the other.
 */
import type { CompiledCore, WasmFlavor } from '../wasm/core.js';
import { compileCore, relaxedSimdSupported } from '../wasm/load.js';
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
  /** The core its thread instantiated (or is instantiating). */
  flavor: WasmFlavor;
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
    /** The cores this worker can compute with: 'simd' always, 'relaxed' where the runtime validates it. */
    private readonly cores: ReadonlyMap<WasmFlavor, CompiledCore>,
    /** The core new threads start with: the best this runtime accepts, as a local pool's default. */
    readonly flavor: WasmFlavor,
    private readonly threadUrl: string | undefined,
  ) {}

  /** `threadUrl`: the thread entry script (default: the package's own worker.js). */
  static async create(n: number, threadUrl?: string): Promise<Slots> {
    const flavors: WasmFlavor[] = relaxedSimdSupported() ? ['relaxed', 'simd'] : ['simd'];
    const cores = new Map(await Promise.all(flavors.map(async (f) => [f, await compileCore(f)] as const)));
    const s = new Slots(cores, flavors[0], threadUrl);
    await Promise.all(Array.from({ length: n }, () => s.add()));
    return s;
  }

  get size(): number {
    return this.slots.length;
  }

  /** The cores this worker can run a job on. */
  get flavors(): readonly WasmFlavor[] {
    return [...this.cores.keys()];
  }

  private async add(): Promise<void> {
    const slot: Slot = { exec: undefined, flavor: this.flavor };
    this.slots.push(slot);
    await this.fill(slot);
    this.release(slot);
  }

  private async fill(slot: Slot): Promise<void> {
    const exec: Executor = await workerExecutor(this.cores.get(slot.flavor)!, true, this.threadUrl, (reason) => {
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

  /** Replaces the slot's thread by one on `flavor`'s core (its data is sent again, as to any new thread). */
  private async refill(slot: Slot, flavor: WasmFlavor): Promise<void> {
    const old = slot.exec;
    slot.exec = undefined;
    slot.flavor = flavor;
    await old?.terminate();
    try {
      await this.fill(slot);
    } catch (e) {
      // Tried again in the background, as a dead thread's successor is: the slot is not lost.
      void this.fill(slot).catch(() => {});
      throw e;
    }
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
   * Runs a job on a free thread, on `flavor`'s core (one of {@link flavors}). `dataId` names the
   * run data (sent to each thread once). `cancel` is set to a function that stops the job at its next check.
   */
  async run(job: Job, flavor: WasmFlavor, dataId: number, data: TaskData, sink: SlotSink, onStart: (cancel: () => void) => void): Promise<JobOutcome> {
    if (!this.cores.has(flavor)) throw new Error(`no ${flavor} core on this worker`);
    const slot = await this.acquire();
    try {
      while (slot.exec === undefined) await new Promise((r) => setTimeout(r, 20));
      if (slot.flavor !== flavor) await this.refill(slot, flavor);
      const exec = slot.exec;
      // Closed while the thread was replaced: retried elsewhere, as a job whose thread died.
      if (exec === undefined) throw new ThreadDied('its worker thread was stopped (the worker is closing)');
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
