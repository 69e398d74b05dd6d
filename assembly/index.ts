// The ABI: every export of the compute core. Nothing else is exported.
export * from './blas/level1';
export * from './blas/level2';
export * from './blas/gemm';
export * from './bench/peak';
export * from './memory';
export * from './optim/optim';
export * from './data/gather';
export * from './rng/philox';
export * from './nn/activation';
export * from './nn/softmax';
export * from './nn/loss';
export * from './nn/dropout';
export * from './linalg/cholesky';
export * from './linalg/triangular';
export * from './linalg/eigh';
export * from './linalg/product';
export * from './linalg/convert';
