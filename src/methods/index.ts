// Every method. Importing this module registers each method's posterior format.
export { engineFor, fitOptionsOf, specFor, type MethodOptions } from './common.js';
export { MapPosterior, residualVariance, trainMap, type MapOptions } from './map.js';
export * from './laplace/index.js';
export { evenly, SampleBuffer, SamplesPosterior, type SamplerOptions } from './samples.js';
export { trainCsgld, trainSgld, type CsgldOptions, type SgldOptions } from './sgld.js';
export { fullDataEnergy, trainSghmc, trainSghmcMh, type SghmcMhOptions, type SghmcOptions } from './sghmc.js';
export { medianHeuristic, svgdObjective, trainSvgd, type SvgdOptions } from './svgd.js';
