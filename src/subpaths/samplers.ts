// bdl-wasm/samplers: Hamiltonian kernels over explicit state, Stan's warmup, the chain driver, the
// BNN target, the pool's chain task, and the SG-MCMC transforms. Re-exports, and the embedded binaries
// as this entry's default core (runChain makes an arena when given none).
import '../wasm/load.js';
export * from '../samplers/index.js';
export { BnnTarget, bnnTarget, type BnnTargetOptions } from '../samplers/bnn-target.js';
export { diagnose, sampleChains, type Diagnostics, type DiagnosticsProgress, type SampleChainsOptions, type SampleChainsResult, type SampleProgress, type SampleTarget } from '../samplers/sample-chains.js';
export type { ChainTargetSpec, ChainTaskOptions, ChainTaskResult } from '../samplers/chain-task.js';
export { psgld, sghmc, sghmcMh, sgld, SGMCMC_TAG, type Energy, type LangevinOptions, type MhOptions, type MhSampler } from '../train/sgmcmc.js';
