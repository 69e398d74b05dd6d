// The public surface of bdl-wasm: re-exports only.
export { BdlError, type BdlErrorCode } from './errors.js';
export { Arena, compileCore, relaxedSimdSupported, type CompiledCore, type Kernels, type WasmFlavor } from './wasm/index.js';
export {
  checkSize, cholesky, DEFAULT_MEMORY_BUDGET, eigh, inverse, linalg, logdet, sampleMvn, sampleMvnPrecision, solve,
  type CholeskyOptions, type CholeskyResult, type EighResult, type Linalg, type SizeOptions,
} from './linalg/index.js';
