// The ABI: every export of the compute core. Nothing else is exported.
export * from './blas/level1';
export * from './blas/level2';
export * from './blas/gemm';
export * from './bench/peak';
export * from './memory';
