// posteriordb arK-arK: an AR(K) series, y[t] ~ normal(α + Σₖ βₖ·y[t−k], σ) for t > K, α, β ~ normal(0, 10),
// σ ~ cauchy(0, 2.5): a linear model whose columns are the lags.
import { fixture, linearModel, ones } from './fixture.mjs';

const { data } = fixture('arK');
const { K, T, y } = data;
const n = T - K;
const X = [ones(n), ...Array.from({ length: K }, (_, k) => Float64Array.from({ length: n }, (_, i) => y[K + i - (k + 1)]))];
const m = linearModel(X, y.slice(K), X.map(() => [0, 10]), { cauchy: 2.5 });
export const dim = m.dim;
export const names = ['alpha', ...Array.from({ length: K }, (_, k) => `beta[${k + 1}]`), 'log_sigma'];
export const logDensity = m.logDensity;
export const constrain = m.constrain;
