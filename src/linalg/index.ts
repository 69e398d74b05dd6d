// f64 dense linear algebra over the compute core: Cholesky (with reported jitter), solves,
// inverse, log-determinant, symmetric eigendecomposition, size checks, MVN draws.
export { cholesky, inverse, logdet, solve, type CholeskyOptions, type CholeskyResult } from './cholesky.js';
export { eigh, eigvalsh, type EighResult } from './eigh.js';
export { checkSize, DEFAULT_MEMORY_BUDGET, WASM32_LIMIT_BYTES, type SizeOptions } from './memory.js';
export { sampleMvn, sampleMvnPrecision } from './mvn.js';
export { linalg, type Linalg } from './bound.js';
