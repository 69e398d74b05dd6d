// bdl-wasm/advanced: the engine's building blocks, for code that builds a method, a training loop
// or a worker of its own. Re-exports only; the curated surface is bdl-wasm.
// The wasm core
export { Arena, compileCore, relaxedSimdSupported, useCompiledCore, type CompiledCore, type Kernels, type WasmFlavor } from '../wasm/index.js';
export { keyOf, philox4x32, Rng } from '../random/index.js';
export {
  checkSize, cholesky, DEFAULT_MEMORY_BUDGET, eigh, eigvalsh, inverse, linalg, logdet, sampleMvn, sampleMvnPrecision, solve,
  type CholeskyOptions, type CholeskyResult, type EighResult, type Linalg, type SizeOptions,
} from '../linalg/index.js';
// Data and the network
export { parseTable, tableToDataset, type Table } from '../data/parse.js';
export { applyStandardizer, fitStandardizer, standardizeX, unscaleMean, unscaleVariance, type Standardizer } from '../data/standardize.js';
export { checkSpec, layoutOf, taskOf, type Layout, type LayerLayout } from '../model/spec.js';
export { Mlp, type LossOptions, type MaskSource } from '../model/mlp.js';
// Training: the loop, optimizer transforms, schedules
export { fit, mlpObjective, type FitHooks, type FitOptions, type FitResult, type LoopContext, type Objective } from '../train/fit.js';
export { adam, clipByGlobalNorm, compose, momentum, sgd, weightDecay, type StepInfo, type Transform } from '../train/optimizers.js';
export { constant, cosine, cyclical, stepDecay, type Schedule } from '../train/schedules.js';
// Posteriors: building blocks and the saved format
export * from '../posterior/index.js';
// Methods' parts: posterior classes, objectives, the search
export * from '../methods/index.js';
export { bayesianHead, BayesianLinearHead, evidenceFrom, formatAdvice, posthocBranch, type Budget, type EvidenceRow, type HeadOptions } from '../methods/posthoc/index.js';
// Importers, one format at a time
export * from '../import/index.js';
// The pool's extension points: task kinds and their runners
export { TASKS } from '../orchestration/tasks.js';
export { registerTask, registerTasks, taskKinds } from '../pool/registry.js';
export type { SharedArray, TaskContext, TaskData, TaskOutcome, TaskRunner, TaskTable } from '../pool/types.js';
export type { SelftestOptions, SelftestResult } from '../pool/selftest.js';
