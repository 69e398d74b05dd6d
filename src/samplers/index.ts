// Hamiltonian samplers: kernels over explicit state, Stan's warmup, and the chain driver.
export type { Info, Kernel, KernelParams, KernelState, RngFactory, SamplerRng, Target, Transition } from './types.js';
export { philoxRng, rngFactoryFromUniforms, type UniformSource } from './rng.js';
export { nuts, type NutsOptions } from './nuts.js';
export { hmc, type HmcOptions } from './hmc.js';
export { Warmup, searchStepSize, MIN_STEP_SIZE, MAX_STEP_SIZE, type MetricLinalg, type WarmupOptions, type WarmupState } from './warmup.js';
export { AUTO_DENSE_MAX_DIM, AUTO_MIN_DRAWS_PER_DIM, AUTO_VIF, DenseMetric, type MetricKind } from './metric.js';
export { INIT_ATTEMPTS } from './init.js';
export type { DrawChunk } from './draws.js';
export { runChain, type ChainCheckpoint, type ChainOptions, type ChainProgress, type ChainResult, type KernelSpec } from './chain.js';
