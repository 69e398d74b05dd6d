// Uncertainty for networks trained elsewhere: post-hoc Laplace / MC dropout, Bayesian heads, advise().
export { POSTHOC_OPTIONS, posthoc, posthocBranch, type PosthocMethod, type PosthocOptions } from './posthoc.js';
export { BayesianLinearHead, bayesianHead, type HeadOptions } from './head.js';
export { advise, evidenceFrom, formatAdvice, type Advice, type AdviseQuestions, type Budget, type EvidenceRow } from './advise.js';
