export { Arena } from './arena.js';
export { instantiateCore, type CompiledCore, type Kernels, type WasmFlavor } from './core.js';
export { compileCore, relaxedSimdSupported, useCompiledCore } from './load.js';
