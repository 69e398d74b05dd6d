// The public surface of bdl-wasm: what a user calls to fit, predict, sample and save. Re-exports only.
// The rest is in subpaths: bdl-wasm/metrics, bdl-wasm/diagnostics, bdl-wasm/samplers and
// bdl-wasm/advanced (the engine's building blocks). docs/API.md lists every name, generated.

// Errors
export { BdlError, type BdlErrorCode } from './errors.js';
// Data
export { checkDataset, makeDataset, subset, type Dataset, type MatrixLike } from './data/dataset.js';
export { parseDataset, type ParseOptions } from './data/parse.js';
export { trainTestSplit, type Split } from './data/split.js';
export type { Activation, Likelihood, MlpSpec, TaskKind } from './model/spec.js';
// Methods: each returns a Posterior (importing them also registers their saved formats)
export { trainMap, type MapOptions } from './methods/map.js';
export { trainEnsemble, type EnsembleOptions } from './methods/ensembles/ensemble.js';
export { trainMultiSwag, trainSwa, trainSwag, type MultiSwagOptions, type SwagOptions } from './methods/ensembles/swag.js';
export { trainMcDropout, type McDropoutOptions } from './methods/variational/mc-dropout.js';
export { trainConcreteDropout, type ConcreteDropoutOptions } from './methods/variational/concrete-dropout.js';
export { trainVi, type ViOptions } from './methods/variational/vi.js';
export { trainSvgd, type SvgdOptions } from './methods/variational/svgd.js';
export { modelSelection, trainLaplace, type LaplaceOptions } from './methods/laplace/index.js';
export { trainHmc, trainNuts, type McmcOptions } from './methods/mcmc/mcmc.js';
export { trainSubspace, type SubspaceOptions } from './methods/mcmc/subspace.js';
export { trainCsgld, trainSgld, type CsgldOptions, type SgldOptions } from './methods/sgmcmc/sgld.js';
export { trainSghmc, trainSghmcMh, type SghmcMhOptions, type SghmcOptions } from './methods/sgmcmc/sghmc.js';
export type { MethodOptions, MethodProgress } from './methods/common.js';
// The table of methods (what the CLI, the comparison and the eval iterate over), with --tune
export { METHODS, methodNames, trainMethod, type MethodEntry, type Tuned } from './methods/registry.js';
// Posteriors and predictives
export { posteriorFromBytes } from './posterior/restore.js';
export type { ClassificationPredictive, Inputs, Interval, Posterior, Prediction, PredictiveOf, PredictOptions, Predictive, RegressionPrediction, RegressionPredictive, TaskOf } from './posterior/types.js';
// MCMC on any target, chains in the worker pool
export { sampleChains, type DiagnosticsProgress, type SampleChainsOptions, type SampleChainsResult, type SampleProgress, type SampleTarget } from './samplers/sample-chains.js';
// The worker pool, and the compiled core to pin (compileCore('simd') gives the same bits in every runtime)
export { createPool } from './orchestration/pool.js';
export { compileCore, useCompiledCore, type CompiledCore, type WasmFlavor } from './wasm/index.js';
export type { Pool, PoolOptions, ProgressEvent, RestartEvent, RunOptions, TaskDescription } from './pool/types.js';
// Networks trained elsewhere: import, post-hoc posteriors, advice
export { fetchModel, importModel, type FetchOptions, type ImportedNetwork, type ImportOptions, type ModelSource } from './import/index.js';
// By path, in Node (the entry stays loadable in browsers: node:fs is imported only when it runs)
export { importModelFile } from './import/node.js';
export { advise, posthoc, type Advice, type AdviseQuestions, type PosthocMethod, type PosthocOptions } from './methods/posthoc/index.js';
// Low-rank adapters on a frozen network: point fine-tuning and Bayesian adapters (Laplace, SWAG, VI)
export { fitLora, LoraAdapters, LoraLaplacePosterior, loraLaplace, loraSwag, loraVi, type AdapterSpec, type LoraFit, type LoraFitOptions, type LoraLaplaceOptions, type LoraSwagOptions, type LoraViOptions } from './methods/lora/index.js';
