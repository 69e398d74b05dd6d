// Every method. Importing this module registers each method's posterior format.
export { engineFor, fitOptionsOf, specFor, type MethodOptions } from './common.js';
export { MapPosterior, residualVariance, trainMap, type MapOptions } from './map.js';
export { EnsemblePosterior, trainEnsemble, type EnsembleOptions } from './ensemble.js';
export { McDropoutPosterior, trainMcDropout, type McDropoutOptions } from './mc-dropout.js';
export { concreteObjective, trainConcreteDropout, type ConcreteDropoutOptions } from './concrete-dropout.js';
export { trainVi, ViPosterior, viObjective, type ViOptions } from './vi.js';
