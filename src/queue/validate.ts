/**
 * The gate of a queue worker: a job is run only if it is one of the project's registered task kinds
 * whose options pass that kind's schema — the very schema its runner checks in a local pool, so the
 * queue refuses exactly what the pool would, only earlier — and, for a chain whose target is a user
 * module, only if that module is on the worker's allow-list. Nothing runs before this check.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { argError } from '../errors.js';
import { checkSpec, type MlpSpec } from '../model/spec.js';
import { checkArgument, custom, enumOf, int, nested, required, schema, variants, type OptionSchema } from '../options/schema.js';
import { taskKinds } from '../pool/registry.js';
import type { TaskDescription } from '../pool/types.js';
import { SELFTEST_OPTIONS } from '../pool/selftest.js';
import { MEMBER_OPTIONS } from '../methods/ensembles/train-member.js';
import { SWAG_RUN_OPTIONS } from '../methods/ensembles/swag-moments.js';
import { CHAIN_TASK_OPTIONS } from '../samplers/chain-task.js';
import { SUBSPACE_CHAIN_OPTIONS } from '../methods/mcmc/subspace-chain.js';
import { DROPOUT_FIT, DROPOUT_FIT_OPTIONS } from '../methods/variational/dropout-fit.js';

const key = (help: string) => required(int({ min: 0, max: 0xffffffff, help }));
const SPEC = required(custom<MlpSpec>({ expected: 'an MlpSpec object', valid: (v) => v !== null && typeof v === 'object', inner: (v, _where, path) => void checkSpec(v as MlpSpec, path), help: 'the network' }));

/** A job's task of one kind: its options checked by the kind's schema, a spec only where the kind takes one. */
function envelope(kind: string, options: OptionSchema, withSpec: boolean): OptionSchema {
  const opts = nested(options, { help: `the options of ${options.name}` });
  return schema(`'${kind}' job`, {
    kind: required(enumOf([kind], { help: 'the task kind' })),
    ...(withSpec ? { spec: SPEC } : {}),
    options: Object.values(options.fields).some((f) => f.required) ? required(opts) : opts,
    seed: key('key of the counter-based generator'),
    stream: key("the task's stream"),
  });
}

/**
 * Refusals about this worker rather than the job: its allow-list, its copy of a module, its version.
 * Another worker of the fleet may run such a job, so the worker hands it back instead of failing it.
 */
const local = new WeakSet<object>();

/** Marks a refusal as being about this worker (see {@link isAboutThisWorker}). */
export function aboutThisWorker<E extends Error>(e: E): E {
  local.add(e);
  return e;
}

/** Whether a refusal is about this worker (another may run the job), not about the job itself. */
export function isAboutThisWorker(e: unknown): boolean {
  return typeof e === 'object' && e !== null && local.has(e);
}

/** The kinds a queue worker runs, each with its schema. A kind without one is refused. */
const JOBS: Record<string, OptionSchema> = {
  selftest: envelope('selftest', SELFTEST_OPTIONS, false),
  'train-member': envelope('train-member', MEMBER_OPTIONS, true),
  'swag-member': envelope('swag-member', SWAG_RUN_OPTIONS, true),
  chain: envelope('chain', CHAIN_TASK_OPTIONS, false),
  'subspace-chain': envelope('subspace-chain', SUBSPACE_CHAIN_OPTIONS, false),
  [DROPOUT_FIT]: envelope(DROPOUT_FIT, DROPOUT_FIT_OPTIONS, true),
};

/** The kinds a queue worker accepts: registered here and given a schema above. */
export function queueKinds(): string[] {
  const registered = new Set(taskKinds());
  return Object.keys(JOBS).filter((k) => registered.has(k));
}

/**
 * Checks a decoded job task (throws BdlError E_ARG naming the field: 'job: task.options.reps: …').
 * `allowTargets`: the file: URLs of user target modules this worker may import (empty: none).
 */
export function validateTask(task: unknown, allowTargets: ReadonlySet<string>): TaskDescription {
  const table = Object.fromEntries(queueKinds().map((k) => [k, JOBS[k]]));
  checkArgument(required(variants('kind', table, { help: 'the task to run' })), task, 'job', 'task');
  const t = task as TaskDescription<unknown, { target?: { type?: string; url?: string } }>;
  const target = t.options?.target;
  if (t.kind === 'chain' && target?.type === 'module' && !allowTargets.has(moduleFile(target.url!))) {
    throw aboutThisWorker(argError(
      'E_ARG', 'job.task.options.target.url', 'a module on this worker\'s allow-list', `${JSON.stringify(target.url)} (allowed: ${allowTargets.size ? [...allowTargets].join(', ') : 'none'})`,
      'User log-densities run only on workers started with --allow-target <path> naming that module.',
    ));
  }
  return t;
}

/** A target module's URL without its query and fragment (the caller's `?sha256=` pin): what an allow-list names. */
function moduleFile(url: string): string {
  return url.replace(/[?#].*$/, '');
}

/**
 * A chain task whose target is a user module in a file, pinned to this worker's copy of it: the
 * file's bytes are hashed; a job naming another hash (`?sha256=` in its URL, set by `bdl sample`)
 * is refused (E_ARG: the worker's copy differs from the caller's), and the task is returned with
 * its URL carrying this copy's hash, so a module changed since an earlier job is imported afresh
 * by a URL of its own rather than served from the thread's module cache. Other tasks pass as they are.
 */
export async function pinTarget(task: TaskDescription): Promise<TaskDescription> {
  const t = task as TaskDescription<unknown, { target?: { type?: string; url?: string } }>;
  const target = t.options?.target;
  if (t.kind !== 'chain' || target?.type !== 'module' || !target.url!.startsWith('file:')) return task;
  const u = new URL(target.url!);
  const file = fileURLToPath(u);
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (e) {
    throw aboutThisWorker(argError('E_ARG', 'job.task.options.target.url', `a module file on this worker at ${file}`, `none (${(e as Error).message})`, 'Copy the module to that path on every worker machine.'));
  }
  const mine = createHash('sha256').update(bytes).digest('hex');
  const theirs = u.searchParams.get('sha256');
  if (theirs !== null && theirs !== mine) {
    throw aboutThisWorker(argError(
      'E_ARG', 'job.task.options.target.url', `the module ${file} with SHA-256 ${theirs} (the caller's copy)`, `SHA-256 ${mine} (this worker's copy)`,
      "Refused because the worker's copy differs from the caller's: copy the caller's module to every worker machine, then run again.",
    ));
  }
  u.searchParams.set('sha256', mine);
  return { ...t, options: { ...t.options, target: { ...target, url: u.href } } } as TaskDescription;
}
