// posteriordb mesquite-logmesquite_logvas: log weight ~ normal(β₁ + β₂·log canopy volume + β₃·log
// canopy area + β₄·log canopy shape + β₅·log total height + β₆·log density + β₇·group, σ), flat β and σ.
import { fixture, linearModel, ones } from './fixture.mjs';

const { data: d } = fixture('mesquite');
const col = (f) => Float64Array.from({ length: d.N }, (_, i) => f(i));
const X = [
  ones(d.N),
  col((i) => Math.log(d.diam1[i] * d.diam2[i] * d.canopy_height[i])),
  col((i) => Math.log(d.diam1[i] * d.diam2[i])),
  col((i) => Math.log(d.diam1[i] / d.diam2[i])),
  col((i) => Math.log(d.total_height[i])),
  col((i) => Math.log(d.density[i])),
  Float64Array.from(d.group),
];
const m = linearModel(X, col((i) => Math.log(d.weight[i])), X.map(() => null), null);
export const dim = m.dim;
export const names = [...X.map((_, k) => `beta[${k + 1}]`), 'log_sigma'];
export const logDensity = m.logDensity;
export const constrain = m.constrain;
