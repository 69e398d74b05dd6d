/** What a queue job carries and reports: shared by the queue pool (the caller) and `bdl worker`. */
import { version } from '../../package.json';
import { argError, describe } from '../errors.js';
import { custom, enumOf, int, nested, required, schema, text, type Field } from '../options/schema.js';
import type { WasmFlavor } from '../wasm/core.js';
export { PROGRESS_INTERVAL_MS } from '../pool/execute.js';

/** A job's data (BullMQ stores it as JSON). */
export interface JobData {
  /** Protocol version. */
  readonly v: 1;
  /** The caller's bdl-wasm version: a worker runs only jobs of its own version. */
  readonly version: string;
  /**
   * The compute core the caller's results are defined by (what its local pool computes with): the
   * two binaries give different bits, so a worker runs the job on this core or not at all.
   */
  readonly core: WasmFlavor;
  /** The run's id (its jobs are `<run>-<taskId>`). */
  readonly run: string;
  readonly taskId: number;
  /** The TaskDescription, as `encodeTask` JSON. */
  readonly task: string;
  /** SHA-256 (hex) of the run's data bytes, stored once under the queue's data key. */
  readonly data: string;
}

/** The version of bdl-wasm this caller or worker runs (package.json). */
export const PACKAGE_VERSION: string = version;

const ADD_JOBS = 'Add jobs with the queue pool.';

/** A job's data as a worker checks it before anything else: every field, named 'job: data.taskId: …'. */
export const JOB_DATA = schema('job', {
  v: required(custom<1>({ expected: '1 (the protocol version)', valid: (v) => v === 1, help: 'protocol version' })),
  version: required(text({ hint: 'Run the caller and the workers from one version of bdl-wasm.', help: "the caller's bdl-wasm version" })),
  core: required(enumOf(['simd', 'relaxed'] as const, { hint: ADD_JOBS, help: 'the compute core the run computes with' })),
  run: required(text({ hint: ADD_JOBS, help: "the run's id" })),
  taskId: required(int({ min: 0, hint: ADD_JOBS, help: 'index of the task in its run' })),
  task: required(text({ hint: ADD_JOBS, help: 'the TaskDescription as encodeTask JSON' })),
  data: required(custom<string>({ expected: 'a SHA-256 in hex', valid: (v) => typeof v === 'string' && /^[0-9a-f]{64}$/.test(v), hint: ADD_JOBS, help: "the hash of the run's data bytes" })),
} satisfies { [K in keyof JobData]-?: Field<JobData[K]> });

/** A job's data as one field (checkArgument(JOB, job.data, 'job', 'data')): an object of this version, then each field by JOB_DATA. */
export const JOB = required({
  ...nested<JobData>(JOB_DATA, { expected: '{ v: 1, version, core, run, taskId, task, data }', hint: `${ADD_JOBS} Run it and the workers from one version of bdl-wasm.`, help: "a job's data" }),
  valid: (v: unknown): v is JobData => v !== null && typeof v === 'object' && (v as { v?: unknown }).v === 1,
  // The version mark is what the check refused: an object's keys alone would read like the expected ones.
  show: (v: unknown) => (v !== null && typeof v === 'object' && Object.hasOwn(v, 'v') ? `{ v: ${describe((v as { v: unknown }).v)}, … }` : describe(v)),
});

/**
 * Refuses a job of another bdl-wasm version than this worker's (E_FORMAT naming both): the two
 * sides of one run must agree on task kinds, options and results. Anything not shaped like a job
 * is left to {@link JOB}.
 */
export function checkJobVersion(d: unknown): void {
  if (d === null || typeof d !== 'object' || (d as { v?: unknown }).v !== 1) return;
  const theirs = (d as { version?: unknown }).version;
  if (theirs === PACKAGE_VERSION) return;
  throw argError(
    'E_FORMAT', 'job.version', `a job from bdl-wasm ${PACKAGE_VERSION} (this worker's version)`,
    typeof theirs === 'string' ? `a job from bdl-wasm ${theirs} (the caller's version)` : `${describe(theirs)} (a caller older than the version check)`,
    'Run the caller and the workers from one version of bdl-wasm.',
  );
}

/**
 * Refuses a job whose core this worker cannot compute with (E_FORMAT naming both): a relaxed-SIMD
 * job on a runtime that does not validate relaxed SIMD. Run anywhere else, its results would not be
 * its caller's bits. A job that names no known core is left to {@link JOB}.
 */
export function checkJobCore(d: unknown, flavors: readonly WasmFlavor[]): void {
  const theirs = (d as { core?: unknown } | null)?.core;
  if (d === null || typeof d !== 'object' || (theirs !== 'simd' && theirs !== 'relaxed') || flavors.includes(theirs)) return;
  throw argError(
    'E_FORMAT', 'job.core', `a job computed with the ${flavors.map((f) => `'${f}'`).join(' or ')} core (what this worker's runtime validates)`,
    `'${theirs}' (the caller's core: its results would differ in their bits on another)`,
    "Run this worker on a runtime that validates relaxed SIMD (Node 22 or later, or node --experimental-wasm-relaxed-simd), or the caller with createQueuePool({ core: await compileCore('simd') }) (the command line: --core simd).",
  );
}

/**
 * What a completed job returns to BullMQ: only this mark. The result itself is stored binary under
 * the queue's result key, because BullMQ keeps a return value as JSON in the job and again in its
 * event stream, which would cost a base64 copy and four passes over the bytes per task.
 */
export const RESULT_STORED = 'result stored';

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
