// Every method. Importing this module registers each method's posterior format.
export { engineFor, fitOptionsOf, specFor, type MethodOptions } from './common.js';
export { MapPosterior, residualVariance, trainMap, type MapOptions } from './map.js';
export { SAMPLE_TAG as SWAG_SAMPLE_TAG, SwagPosterior, trainMultiSwag, trainSwa, trainSwag, type MultiSwagOptions, type SwagMember, type SwagOptions } from './ensembles/swag.js';
export { runSwagMember, swagCollector, type SwagMoments, type SwagRunOptions } from './ensembles/swag-moments.js';
export { principalBasis, trainSubspace, type SubspaceBasis, type SubspaceOptions } from './mcmc/subspace.js';
export * from './laplace/index.js';
export { trainHmc, trainNuts, type McmcOptions } from './mcmc/mcmc.js';
export { METHODS, methodNames, trainMethod, type MethodEntry, type Tuned } from './registry.js';
export { EnsemblePosterior, trainEnsemble, type EnsembleOptions } from './ensembles/ensemble.js';
export { McDropoutPosterior, trainMcDropout, type McDropoutOptions } from './variational/mc-dropout.js';
export { concreteObjective, trainConcreteDropout, type ConcreteDropoutOptions } from './variational/concrete-dropout.js';
export { trainVi, ViPosterior, viObjective, type ViOptions } from './variational/vi.js';
export { evenly, SampleBuffer, SamplesPosterior, type SamplerOptions } from './samples.js';
export { trainCsgld, trainSgld, type CsgldOptions, type SgldOptions } from './sgmcmc/sgld.js';
export { fullDataEnergy, trainSghmc, trainSghmcMh, type SghmcMhOptions, type SghmcOptions } from './sgmcmc/sghmc.js';
export { medianHeuristic, svgdObjective, trainSvgd, type SvgdOptions } from './variational/svgd.js';
export { gridPoints, tune, TUNE_STREAM, validationScore, type TuneGrid, type TuneOptions, type TuneProgress, type TuneResult } from './tune/tune.js';
