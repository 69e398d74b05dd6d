// The public surface of bdl-wasm: re-exports only.
export { BdlError, type BdlErrorCode } from './errors.js';
export { Arena, compileCore, relaxedSimdSupported, type CompiledCore, type Kernels, type WasmFlavor } from './wasm/index.js';
export { createPool, registerTask, taskKinds, type Pool, type PoolOptions, type ProgressEvent, type RestartEvent, type RunOptions, type SharedArray, type TaskContext, type TaskData, type TaskDescription, type TaskOutcome, type TaskRunner } from './pool/index.js';
export type { SelftestOptions, SelftestResult } from './tasks/selftest.js';
