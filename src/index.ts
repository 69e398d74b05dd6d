// The public surface of bdl-wasm: re-exports only.
export { BdlError, type BdlErrorCode } from './errors.js';
export { Arena, compileCore, relaxedSimdSupported, type CompiledCore, type Kernels, type WasmFlavor } from './wasm/index.js';
export { makeDataset, subset, type Dataset, type MatrixLike } from './data/dataset.js';
export { parseDataset, parseTable, tableToDataset, type ParseOptions, type Table } from './data/parse.js';
export {
  applyStandardizer,
  fitStandardizer,
  standardizeX,
  unscaleMean,
  unscaleVariance,
  type Standardizer,
} from './data/standardize.js';
export { trainTestSplit, type Split } from './data/split.js';
export { checkSpec, layoutOf, taskOf, type Activation, type Layout, type LayerLayout, type Likelihood, type MlpSpec, type TaskKind } from './model/spec.js';
export { Mlp, type LossOptions, type MaskSource } from './model/mlp.js';
export { fit, mlpObjective, type FitHooks, type FitOptions, type FitResult, type LoopContext, type Objective } from './train/fit.js';
export { adam, chain, clipByGlobalNorm, compose, momentum, sgd, weightDecay, type StepInfo, type Transform } from './train/optimizers.js';
export { constant, cosine, cyclical, stepDecay, type Schedule } from './train/schedules.js';
export * from './diagnostics/index.js';
export * from './metrics/index.js';
export {
  hmc, nuts, philoxRng, runChain, rngFactoryFromUniforms, searchStepSize, Warmup, INIT_ATTEMPTS, MAX_STEP_SIZE, MIN_STEP_SIZE,
  type ChainCheckpoint, type ChainOptions, type ChainProgress, type ChainResult, type DrawChunk, type HmcOptions,
  type Info as TransitionInfo, type Kernel as SamplerKernel, type KernelParams, type KernelSpec, type KernelState,
  type NutsOptions, type RngFactory, type SamplerRng, type Target, type Transition, type UniformSource,
  type WarmupOptions, type WarmupState,
} from './samplers/index.js';
export {
  checkSize, cholesky, DEFAULT_MEMORY_BUDGET, eigh, inverse, linalg, logdet, sampleMvn, sampleMvnPrecision, solve,
  type CholeskyOptions, type CholeskyResult, type EighResult, type Linalg, type SizeOptions,
} from './linalg/index.js';
export * from './posterior/index.js';
export * from './methods/index.js';
export { createPool } from './orchestration/pool.js';
export { TASKS } from './orchestration/tasks.js';
export { fanOut, type FanOutOptions, registerTask, registerTasks, taskKinds, type TaskTable, type Pool, type PoolOptions, type ProgressEvent, type RestartEvent, type RunOptions, type SharedArray, type TaskContext, type TaskData, type TaskDescription, type TaskOutcome, type TaskRunner } from './pool/index.js';
export type { SelftestOptions, SelftestResult } from './pool/selftest.js';
export { BnnTarget, bnnTarget, type BnnTargetOptions } from './samplers/bnn-target.js';
export { sampleChains, diagnose, type Diagnostics, type SampleChainsOptions, type SampleChainsResult, type SampleProgress, type SampleTarget } from './samplers/sample-chains.js';
export type { ChainTargetSpec, ChainTaskOptions, ChainTaskResult } from './samplers/chain-task.js';
export { keyOf, philox4x32, Rng } from './random/index.js';
export { psgld, sghmc, sghmcMh, sgld, SGMCMC_TAG, type Energy, type LangevinOptions, type MhOptions, type MhSampler } from './train/sgmcmc.js';
// Networks trained elsewhere: import (TF.js layers, ONNX, safetensors), post-hoc posteriors, Bayesian heads, advise().
export { fetchModel, importModel, importOnnx, importSafetensors, importTfjs, networkOutputs, parseLayers, tfjsShardPaths, type ImportedNetwork, type ImportOptions, type ModelSource, type OutputTransform, type TfjsFiles } from './import/index.js';
export { advise, bayesianHead, BayesianLinearHead, posthoc, posthocBranch, type Advice, type AdviseQuestions, type Budget, type HeadOptions, type PosthocMethod, type PosthocOptions } from './methods/posthoc/index.js';
