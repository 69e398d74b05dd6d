// posteriordb kidiq-kidscore_momhsiq: kid_score ~ normal(β₁ + β₂·mom_hs + β₃·mom_iq, σ), flat β,
// σ ~ cauchy(0, 2.5). Unconstrained: (β, log σ). β₁ and β₃ correlate at −0.95 (mom_iq ≈ 100).
import { fixture, linearModel, ones } from './fixture.mjs';

const { data } = fixture('kidiq');
const m = linearModel([ones(data.N), data.mom_hs, data.mom_iq], data.kid_score, [null, null, null], { cauchy: 2.5 });
export const dim = m.dim;
export const names = ['beta[1]', 'beta[2]', 'beta[3]', 'log_sigma'];
export const logDensity = m.logDensity;
export const constrain = m.constrain;
