export { Arena } from './arena.js';
export { compileCore, instantiateCore, relaxedSimdSupported, type CompiledCore, type Kernels, type WasmFlavor } from './load.js';
