// The public surface of bdl-wasm: re-exports only.
export { BdlError, type BdlErrorCode } from './errors.js';
export { Arena, compileCore, relaxedSimdSupported, type CompiledCore, type Kernels, type WasmFlavor } from './wasm/index.js';
