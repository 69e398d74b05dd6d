/**
 * A run's lease: a key its caller holds in Redis while it waits for the run's results. A worker runs
 * a job only while its run's lease exists, and stops a running one when it lapses. So a caller that
 * dies, or is cancelled while Redis is unreachable (it cannot withdraw the jobs then), leaves no job
 * that workers compute for nobody past the lease's expiry, whatever became of the caller.
 *
 * Safety (a live run's jobs are never dropped): the caller gives a run up — fails it with E_WORKER,
 * as it always did after `unreachableMs` without Redis — once no renewal has landed for `lapseMs`,
 * and its lease lives `lapseMs + 3·renewMs` from the last renewal Redis executed (timed from when
 * that renewal was *sent*, so never later than Redis's own count). A lease can thus only lapse under
 * a run its caller has already given up, with two renewal periods to spare for a late timer. A
 * renewal only extends a lease that exists (SET … XX): one Redis lost (a restart without its data)
 * fails the run at once rather than be re-created under jobs a worker may already have dropped.
 */
import type { Redis } from 'ioredis';
import type { queueKeys } from './connection.js';
import { withTimeout } from './deadline.js';

export interface LeaseOptions {
  /** How often the caller renews its leases (ms). */
  readonly renewMs: number;
  /** A lease not renewed for this long is given up: its run is abandoned by the caller (ms). */
  readonly lapseMs: number;
}

/** Why a lease was given up. */
export type LeaseLoss =
  /** No renewal landed for `silentMs`; `refused`: Redis's last error reply to one (OOM, READONLY, NOPERM…), if it answered with one. */
  | { readonly kind: 'unreachable'; readonly silentMs: number; readonly refused?: string }
  | { readonly kind: 'gone' };

/** How long a lease lives after a renewal: `lapseMs` plus three renewal periods (see the module's comment). */
export function leaseTtlMs(o: LeaseOptions): number {
  return o.lapseMs + 3 * o.renewMs;
}

interface Held {
  /** When the last renewal that Redis acknowledged was sent (performance.now()), or the take was started. */
  at: number;
  /** The lease key exists (the take was acknowledged): only then is it renewed. */
  taken: boolean;
  /** Redis's error reply to the last renewal, if it refused it (cleared by a renewal that lands). */
  refused?: string;
}

/** The caller's leases, one per run in flight, renewed every `renewMs` in one pipeline. */
export class RunLeases {
  private readonly held = new Map<string, Held>();
  private readonly timer: ReturnType<typeof setInterval>;
  private renewing = false;

  constructor(
    private readonly redis: Redis,
    private readonly keyOf: (runId: string) => string,
    private readonly o: LeaseOptions,
    /** A run whose lease was given up: the caller abandons it (its jobs will be, or were, dropped). */
    private readonly onLost: (runId: string, why: LeaseLoss) => void,
  ) {
    this.timer = setInterval(() => void this.renew(), o.renewMs);
    this.timer.unref?.();
  }

  get ttlMs(): number {
    return leaseTtlMs(this.o);
  }

  /**
   * Creates the run's lease; its jobs may be added once this resolves (a worker drops a job whose
   * lease does not exist). The run is under the lapse deadline from now on, so a Redis that never
   * answers the take fails the run after `lapseMs`, as it fails one whose renewals go unanswered.
   */
  async take(runId: string): Promise<void> {
    const h: Held = { at: performance.now(), taken: false };
    this.held.set(runId, h);
    await this.redis.set(this.keyOf(runId), '1', 'PX', this.ttlMs);
    h.taken = true;
  }

  /** Stops renewing the run's lease (at once, even with Redis away: it then lapses on its own). */
  drop(runId: string): void {
    this.held.delete(runId);
  }

  /** Stops renewing the lease and deletes it; workers drop the run's jobs that remain. */
  async release(runId: string): Promise<void> {
    this.held.delete(runId);
    await this.redis.del(this.keyOf(runId));
  }

  close(): void {
    clearInterval(this.timer);
    this.held.clear();
  }

  private async renew(): Promise<void> {
    const sent = performance.now();
    // Given up first, before anything is sent: past lapseMs the lease may run out before a renewal lands.
    for (const [runId, h] of this.held) {
      if (sent - h.at <= this.o.lapseMs) continue;
      this.held.delete(runId);
      this.onLost(runId, { kind: 'unreachable', silentMs: sent - h.at, ...(h.refused === undefined ? {} : { refused: h.refused }) });
    }
    // Not queued on a lost connection: ioredis would send it whenever Redis returns, however late.
    if (this.renewing || this.redis.status !== 'ready') return;
    const ids = [...this.held].filter(([, h]) => h.taken).map(([id]) => id);
    if (ids.length === 0) return;
    this.renewing = true;
    try {
      const p = this.redis.pipeline();
      for (const id of ids) p.set(this.keyOf(id), '1', 'PX', this.ttlMs, 'XX');
      const replies = (await withTimeout(p.exec(), this.o.renewMs, 'no answer')) ?? [];
      ids.forEach((id, i) => {
        const [err, reply] = replies[i] ?? [new Error('no reply')];
        const h = this.held.get(id);
        if (h === undefined) return;
        if (err) {
          // Answered, but refused (out of memory, a read-only replica after a failover, an ACL):
          // timed as silence, and named when the run is given up.
          h.refused = err.message;
          return;
        }
        if (reply === 'OK') {
          h.at = sent;
          h.refused = undefined;
          return;
        }
        this.held.delete(id);
        this.onLost(id, { kind: 'gone' });
      });
    } catch {
      // Unanswered: the deadline above decides.
    } finally {
      this.renewing = false;
    }
  }
}

/** Why a worker must not run (or go on running) a run's jobs. */
export type Withdrawn = 'cancelled' | 'lapsed';

/**
 * Of these runs, those whose jobs are not to be run, and why: cancelled (its cancel mark is set) or
 * lapsed (its lease is gone: its caller died, or was cancelled while Redis was unreachable to it).
 * One MGET. An unanswered read says nothing (it rejects): a run is withdrawn only on Redis's word.
 */
export async function withdrawnRuns(redis: Redis, keys: Pick<ReturnType<typeof queueKeys>, 'cancelled' | 'lease'>, runIds: readonly string[]): Promise<Map<string, Withdrawn>> {
  const out = new Map<string, Withdrawn>();
  if (runIds.length === 0) return out;
  const values = await redis.mget(...runIds.flatMap((id) => [keys.cancelled(id), keys.lease(id)]));
  runIds.forEach((id, i) => {
    if (values[2 * i] !== null) out.set(id, 'cancelled');
    else if (values[2 * i + 1] === null) out.set(id, 'lapsed');
  });
  return out;
}
