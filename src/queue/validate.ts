/**
 * The gate of a queue worker: a job is run only if it is one of the project's registered task kinds
 * with options of the expected shape, and — for a chain whose target is a user module — only if
 * that module is on the worker's allow-list. Everything here is checked before any work starts;
 * the runners' own checks still apply after it.
 */
import { argError, describe } from '../errors.js';
import { checkSpec } from '../model/spec.js';
import { taskKinds } from '../pool/registry.js';
import type { TaskDescription } from '../pool/types.js';
import type { SelftestOptions } from '../pool/selftest.js';
import type { MemberOptions } from '../methods/ensembles/train-member.js';
import type { SwagRunOptions } from '../methods/ensembles/swag-moments.js';
import type { ChainTaskOptions } from '../samplers/chain-task.js';
import type { SubspaceChainOptions } from '../methods/mcmc/subspace-chain.js';
import type { KernelSpec } from '../samplers/chain.js';
import type { WarmupOptions } from '../samplers/warmup.js';

/** One option's expected shape. */
type Check = (v: unknown, name: string) => void;

const fail = (name: string, expected: string, v: unknown): never => {
  throw argError('E_ARG', name, expected, describe(v), 'The job was refused before running.');
};
const int: Check = (v, n) => void (Number.isInteger(v) && (v as number) >= 0 ? 0 : fail(n, 'an integer >= 0', v));
const num: Check = (v, n) => void (typeof v === 'number' && !Number.isNaN(v) ? 0 : fail(n, 'a number', v));
const bool: Check = (v, n) => void (typeof v === 'boolean' ? 0 : fail(n, 'true or false', v));
const oneOf = (...values: string[]): Check => (v, n) => void (values.includes(v as string) ? 0 : fail(n, values.join(' | '), v));
const numOrNums: Check = (v, n) => (Array.isArray(v) ? v.forEach((x, i) => num(x, `${n}[${i}]`)) : num(v, n));
const f32: Check = (v, n) => void (v instanceof Float32Array ? 0 : fail(n, 'a Float32Array', v));
/** Every key of an options type, each with its check: a field added to the type is a type error here until it is checked. */
type Fields<T> = { [K in keyof Required<T>]: Check };
type KeysOfUnion<T> = T extends unknown ? keyof T : never;

const record = <T>(fields: Fields<T>): Check => (v, n) => {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || ArrayBuffer.isView(v)) fail(n, 'an object', v);
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    const c = (fields as Record<string, Check>)[k];
    if (c === undefined) fail(`${n}.${k}`, `no such option (known: ${Object.keys(fields).join(', ')})`, x);
    if (x !== undefined) c(x, `${n}.${k}`);
  }
};
const spec: Check = (v, n) => void checkSpec(v as never, n);

const KERNEL = record<Record<KeysOfUnion<KernelSpec>, unknown>>({ type: oneOf('nuts', 'hmc'), maxTreeDepth: int, maxDeltaH: num, steps: int, jitter: num });
const ADAPT = record<WarmupOptions>({
  targetAccept: num, gamma: num, kappa: num, t0: num, initBuffer: int, baseWindow: int, termBuffer: int, adaptStepSize: bool, adaptMetric: bool,
  metric: oneOf('diag', 'dense', 'auto'),
});
const BNN_TARGET = record<Extract<ChainTaskOptions['target'], { type: 'bnn' }>>({ type: oneOf('bnn'), spec, priorPrecision: numOrNums, noiseVar: num, temperature: num, init: (v, n) => (v === 'network' ? undefined : record<{ normal: number }>({ normal: num })(v, n)) });

/** Option schemas of the kinds a queue worker runs. A kind without one is refused. */
const OPTIONS: Record<string, { spec: boolean; options: Check }> = {
  selftest: { spec: false, options: record<SelftestOptions>({ steps: int, size: int, reps: int, checkpointEvery: int }) },
  'train-member': {
    spec: true,
    options: record<MemberOptions>({ epochs: int, batchSize: int, learningRate: num, priorPrecision: num, noiseVar: num, betaNll: num, adversarial: f32, earlyStopping: record<{ fraction: number; patience: number }>({ fraction: num, patience: int }) }),
  },
  'swag-member': {
    spec: true,
    options: record<SwagRunOptions>({
      epochs: int, swaStart: int, batchSize: int, learningRate: num, swaLearningRate: num, momentum: num, schedule: oneOf('constant', 'cyclical'),
      collectEvery: int, rank: int, diagonal: bool, priorPrecision: num, noise: num,
    }),
  },
  chain: {
    spec: false,
    options: record<ChainTaskOptions>({
      target: (v, n) => ((v as { type?: unknown })?.type === 'module' ? record<{ type: 'module'; url: string }>({ type: oneOf('module'), url: (u, m) => void (typeof u === 'string' ? 0 : fail(m, 'a module URL', u)) })(v, n) : BNN_TARGET(v, n)),
      warmup: int, draws: int, thin: int, kernel: KERNEL, adapt: ADAPT, initRadius: num, checkpointEvery: int, returns: oneOf('draws', 'predictive', 'both'),
    }),
  },
  'subspace-chain': {
    spec: false,
    options: record<SubspaceChainOptions>({
      target: BNN_TARGET, warmup: int, draws: int, thin: int, kernel: KERNEL, adapt: ADAPT, initRadius: num, checkpointEvery: int, returns: oneOf('draws'),
    }),
  },
};

/** The kinds a queue worker accepts: registered here and given an option schema above. */
export function queueKinds(): string[] {
  const registered = new Set(taskKinds());
  return Object.keys(OPTIONS).filter((k) => registered.has(k));
}

/**
 * Checks a decoded job task (throws BdlError E_ARG naming the field). `allowTargets`: the file:
 * URLs of user target modules this worker may import (empty: none).
 */
export function validateTask(task: unknown, allowTargets: ReadonlySet<string>): TaskDescription {
  if (task === null || typeof task !== 'object' || Array.isArray(task)) fail('job.task', 'a task description object', task);
  const t = task as Record<string, unknown>;
  for (const k of Object.keys(t)) if (!['kind', 'spec', 'options', 'seed', 'stream'].includes(k)) fail(`job.task.${k}`, 'no such field (kind, spec, options, seed, stream)', t[k]);
  const kinds = queueKinds();
  if (typeof t.kind !== 'string' || !kinds.includes(t.kind)) fail('job.task.kind', `one of ${kinds.join(', ')}`, t.kind);
  for (const k of ['seed', 'stream'] as const) {
    if (!Number.isInteger(t[k]) || (t[k] as number) < 0 || (t[k] as number) > 0xffffffff) fail(`job.task.${k}`, 'an integer in [0, 2^32)', t[k]);
  }
  const schema = OPTIONS[t.kind as string];
  if (schema.spec) spec(t.spec, 'job.task.spec');
  else if (t.spec !== undefined) fail('job.task.spec', `no spec for kind ${t.kind as string}`, t.spec);
  if (t.options !== undefined) schema.options(t.options, 'job.task.options');
  const target = (t.options as { target?: { type?: string; url?: string } } | undefined)?.target;
  if (t.kind === 'chain' && target?.type === 'module' && !allowTargets.has(target.url!)) {
    throw argError(
      'E_ARG', 'job.task.options.target.url', 'a module on this worker\'s allow-list', `${JSON.stringify(target.url)} (allowed: ${allowTargets.size ? [...allowTargets].join(', ') : 'none'})`,
      'User log-densities run only on workers started with --allow-target <path> naming that module.',
    );
  }
  return t as unknown as TaskDescription;
}
