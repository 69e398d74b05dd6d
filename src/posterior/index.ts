export type { ClassificationPredictive, Posterior, PredictOptions, Predictive, RegressionPredictive } from './types.js';
export { classificationPredictive, regressionPredictive } from './aggregate.js';
export { checkInputs, mixturePredictive, type MixtureOptions, type PosteriorSample } from './network.js';
export { decodePosterior, encodePosterior, FORMAT_VERSION, posteriorFromBytes, registerPosteriorFormat, type PosteriorParts } from './serialize.js';
