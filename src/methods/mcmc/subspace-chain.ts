/**
 * 'subspace-chain': one NUTS chain of subspace inference as a pool task. The runner rebuilds, in its
 * own thread, the density the method sampled in-thread: the network's posterior over the run's data
 * `x`, `y` (the task's BNN target), restricted to θ = θ̄ + Uᵀz (data `mean`, `basis`: dim × P rows)
 * and whitened by z = center + W w (data `center`, `whitening`: dim × dim); then the chain runs as
 * every chain task does (keyed by (seed, stream), checkpointed, cancellable), returning w's draws.
 */
import { argError, describe } from '../../errors.js';
import type { TaskContext } from '../../pool/types.js';
import { bnnTargetOf, CHAIN_TASK_OPTIONS, runChainOn, type ChainTargetSpec, type ChainTaskOptions, type ChainTaskResult, type ChainTaskState } from '../../samplers/chain-task.js';
import { linearTarget, subspaceTarget } from './subspace-target.js';

/** Options of a 'subspace-chain' task: a chain task's, with the network's BNN target. */
export type SubspaceChainOptions = ChainTaskOptions & { target: Extract<ChainTargetSpec, { type: 'bnn' }> };

/** Runs one chain of a 'subspace-chain' task (see the module comment). */
export async function runSubspaceChainTask(ctx: TaskContext<unknown, SubspaceChainOptions, ChainTaskState>): Promise<ChainTaskResult> {
  const o = ctx.task.options;
  if (o?.target?.type !== 'bnn') throw argError('E_ARG', 'task.options.target', "{ type: 'bnn', spec, ... }", describe(o?.target), 'Describe the network the subspace lives in.');
  CHAIN_TASK_OPTIONS.check(o);
  const { mean, basis, center, whitening } = ctx.data;
  const k = center?.length ?? 0;
  if (!(mean instanceof Float32Array) || !(basis instanceof Float64Array) || !(center instanceof Float64Array) || !(whitening instanceof Float64Array)
    || k < 1 || basis.length !== k * mean.length || whitening.length !== k * k) {
    throw argError('E_SHAPE', 'data', 'Float32Array mean (P), Float64Arrays basis (k × P), center (k) and whitening (k × k)', describe(basis), 'Pass the subspace the method computed.');
  }
  const net = await bnnTargetOf(ctx, o.target);
  const target = linearTarget(subspaceTarget(net, mean, { dim: k, u: basis, explained: 0 }), { center, w: whitening });
  return runChainOn(ctx, target);
}
