/**
 * Every built-in task kind, as data. The worker bundle (workers/worker.ts) registers this table at
 * start, and the package's `createPool` passes it to each pool, so a pool made by a user runs every
 * kind a method submits, in workers and in-thread alike. A new kind is one more row here.
 */
import { runSwagMemberTask } from '../methods/ensembles/swag-member.js';
import { runTrainMember } from '../methods/ensembles/train-member.js';
import { runSubspaceChainTask } from '../methods/mcmc/subspace-chain.js';
import { DROPOUT_FIT, runDropoutFit } from '../methods/variational/dropout-fit.js';
import type { TaskTable } from '../pool/types.js';
import { runSelftest } from '../pool/selftest.js';
import { runChainTask } from '../samplers/chain-task.js';

export const TASKS: TaskTable = {
  selftest: runSelftest,
  chain: runChainTask,
  'swag-member': runSwagMemberTask,
  'train-member': runTrainMember,
  'subspace-chain': runSubspaceChainTask,
  [DROPOUT_FIT]: runDropoutFit,
};
