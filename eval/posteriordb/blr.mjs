// posteriordb sblrc-blr: y ~ normal(X·β, σ) with correlated columns of X, β ~ normal(0, 10),
// σ ~ normal(0, 10) on σ > 0.
import { fixture, linearModel } from './fixture.mjs';

const { data } = fixture('blr');
const X = Array.from({ length: data.D }, (_, k) => Float64Array.from(data.X, (row) => row[k]));
const m = linearModel(X, data.y, X.map(() => [0, 10]), { normal: 10 });
export const dim = m.dim;
export const names = [...X.map((_, k) => `beta[${k + 1}]`), 'log_sigma'];
export const logDensity = m.logDensity;
export const constrain = m.constrain;
