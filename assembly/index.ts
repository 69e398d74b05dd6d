// The ABI: every export of the compute core. Nothing else is exported.
export * from './blas/level1';
export * from './memory';
export * from './linalg/cholesky';
export * from './linalg/triangular';
export * from './linalg/eigh';
export * from './linalg/product';
export * from './linalg/convert';
