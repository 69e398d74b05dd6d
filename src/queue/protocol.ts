/** What a queue job carries and reports: shared by the queue pool (the caller) and `bdl worker`. */
export { PROGRESS_INTERVAL_MS } from '../pool/execute.js';

/** A job's data (BullMQ stores it as JSON). */
export interface JobData {
  /** Protocol version. */
  readonly v: 1;
  /** The run's id (its jobs are `<run>-<taskId>`). */
  readonly run: string;
  readonly taskId: number;
  /** The TaskDescription, as `encodeTask` JSON. */
  readonly task: string;
  /** SHA-256 (hex) of the run's data bytes, stored once under the queue's data key. */
  readonly data: string;
}

/** A job's progress report: a task's step, or (with no step) news of a restart. */
export interface JobProgressData {
  readonly step?: number;
  readonly total?: number;
  readonly payload?: unknown;
  /** 0 on the first try, then 1, 2, … (retries after a crash, re-queues after a stopped worker). */
  readonly attempt: number;
  /** Why this attempt is a restart (set on its first report). */
  readonly reason?: string;
  /** The checkpoint a restart resumes from, as `encodeValue` bytes in base64 (set on its first report). */
  readonly checkpoint?: string;
}

/** The reason of a failed job: `<code>: <message>`, read back into a BdlError by the pool. */
export function failedReason(code: string, message: string): string {
  return `${code}: ${message}`;
}
