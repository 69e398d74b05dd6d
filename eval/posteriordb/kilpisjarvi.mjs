// posteriordb kilpisjarvi_mod-kilpisjarvi: y ~ normal(α + β·x, σ), α ~ normal(pmualpha, psalpha),
// β ~ normal(pmubeta, psbeta), flat σ. x is uncentred (≈ 4000), so α and β correlate at −0.99999.
import { fixture, linearModel, ones } from './fixture.mjs';

const { data } = fixture('kilpisjarvi');
const m = linearModel([ones(data.N), data.x], data.y, [[data.pmualpha, data.psalpha], [data.pmubeta, data.psbeta]], null);
export const dim = m.dim;
export const names = ['alpha', 'beta', 'log_sigma'];
export const logDensity = m.logDensity;
export const constrain = m.constrain;
