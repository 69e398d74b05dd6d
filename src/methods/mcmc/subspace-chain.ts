/**
 * 'subspace-chain': one NUTS chain of subspace inference as a pool task. The runner rebuilds, in its
 * own thread, the density the method sampled in-thread: the network's posterior over the run's data
 * `x`, `y` (the task's BNN target), restricted to θ = θ̄ + Uᵀz (data `mean`, `basis`: dim × P rows)
 * and whitened by z = center + W w (data `center`, `whitening`: dim × dim); then the chain runs as
 * every chain task does (keyed by (seed, stream), checkpointed, cancellable), returning w's draws.
 */
import { argError, describe } from '../../errors.js';
import { enumOf, type Infer } from '../../options/schema.js';
import type { TaskContext } from '../../pool/types.js';
import { BNN_TARGET_SPEC, bnnTargetOf, CHAIN_TASK_OPTIONS, runChainOn, targetField, type ChainTargetSpec, type ChainTaskResult, type ChainTaskState } from '../../samplers/chain-task.js';
import { linearTarget, subspaceTarget } from './subspace-target.js';

/** Options of a 'subspace-chain' task: a chain task's, with the network's BNN target, returning the draws. */
export const SUBSPACE_CHAIN_OPTIONS = CHAIN_TASK_OPTIONS.extend("'subspace-chain' task", {
  target: targetField<Extract<ChainTargetSpec, { type: 'bnn' }>>({ bnn: BNN_TARGET_SPEC }),
  returns: enumOf(['draws'] as const, { default: 'draws', help: "the whitened coordinates' draws (the method predicts from them)" }),
});
export type SubspaceChainOptions = Infer<typeof SUBSPACE_CHAIN_OPTIONS>;

/** Runs one chain of a 'subspace-chain' task (see the module comment). */
export async function runSubspaceChainTask(ctx: TaskContext<unknown, SubspaceChainOptions, ChainTaskState>): Promise<ChainTaskResult> {
  const o = SUBSPACE_CHAIN_OPTIONS.parse(ctx.task.options, undefined, 'options.');
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
