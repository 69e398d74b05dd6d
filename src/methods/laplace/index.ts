// Laplace family: full / kron / diag structures over all / last-layer / subnetwork subsets.
export { LAPLACE_OPTIONS, laplaceAt, modelSelection, STRUCTURES, trainLaplace, type LaplaceFitOptions, type LaplaceOptions, type ModelChoice } from './laplace.js';
export { LaplacePosterior } from './posterior.js';
export type { Gaussian, Hessian, SubsetKind } from './types.js';
