// Every method. Importing this module registers each method's posterior format.
export { engineFor, fitOptionsOf, specFor, type MethodOptions } from './common.js';
export { type MapPosterior, residualVariance, trainMap, type MapOptions } from './map.js';
export { SAMPLE_TAG as SWAG_SAMPLE_TAG, type SwagPosterior, trainMultiSwag, trainSwa, trainSwag, type MultiSwagOptions, type SwagMember, type SwagOptions } from './swag.js';
export { runSwagMember, swagCollector, type SwagMoments, type SwagRunOptions } from './swag-moments.js';
export { principalBasis, trainSubspace, type SubspaceBasis, type SubspaceOptions } from './subspace.js';
export * from './laplace/index.js';
export { trainHmc, trainNuts, type McmcOptions } from './mcmc.js';
export { METHODS, methodNames, trainMethod, type MethodEntry, type Tuned } from './registry.js';
export { type EnsemblePosterior, trainEnsemble, type EnsembleOptions } from './ensemble.js';
export { type McDropoutPosterior, trainMcDropout, type McDropoutOptions } from './mc-dropout.js';
export { concreteObjective, trainConcreteDropout, type ConcreteDropoutOptions } from './concrete-dropout.js';
export { trainVi, type ViPosterior, viObjective, type ViOptions } from './vi.js';
export { evenly, SampleBuffer, samplesPosterior, type SamplesPosterior, type SamplerOptions } from './samples.js';
export { trainCsgld, trainSgld, type CsgldOptions, type SgldOptions } from './sgld.js';
export { fullDataEnergy, trainSghmc, trainSghmcMh, type SghmcMhOptions, type SghmcOptions } from './sghmc.js';
export { medianHeuristic, svgdObjective, trainSvgd, type SvgdOptions } from './svgd.js';
export { gridPoints, tune, TUNE_STREAM, validationScore, type TuneGrid, type TuneOptions, type TuneProgress, type TuneResult } from './tune.js';
