// Every method. Importing this module registers each method's posterior format.
export { engineFor, fitOptionsOf, specFor, type MethodOptions } from './common.js';
export { MapPosterior, residualVariance, trainMap, type MapOptions } from './map.js';
export * from './laplace/index.js';
export { McmcPosterior, trainHmc, trainNuts, type McmcOptions } from './mcmc.js';
