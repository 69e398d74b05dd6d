// Metrics: classification scores and calibration, regression likelihoods and intervals, OOD detection.
export { accuracy, nll, brier, ece, mce, reliability, NLL_FLOOR, type BinOptions, type ReliabilityBin } from './classification.js';
export { rmse, gaussianLogLik, mixtureLogLik, picp, intervalWidth } from './regression.js';
export {
  auroc, aupr, predictiveEntropy, mutualInformation, maxProbScore, oodScore,
  type OodScoreKind, type ScoredPredictive,
} from './ood.js';
export type { SampleMatrix } from './validate.js';
