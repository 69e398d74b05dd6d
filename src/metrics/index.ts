// Metrics: classification scores and calibration, regression likelihoods and intervals, OOD detection.
export { accuracy, nll, brier, ece, eceOf, mce, reliability, reliabilityOf, topClass, NLL_FLOOR, type BinOptions, type ReliabilityBin } from './classification.js';
export { rmse, gaussianLogLik, mixtureLogLik, picp, intervalWidth } from './regression.js';
export {
  auroc, aupr, predictiveEntropy, mutualInformation, maxProbScore, oodScore,
  type OodScoreKind, type ScoredPredictive,
} from './ood.js';
export type { SampleMatrix } from './validate.js';
export { bootstrapSe, type BootstrapOptions } from './bootstrap.js';
