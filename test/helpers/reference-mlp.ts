// A plain float64 MLP, written for clarity: the reference the wasm engine is tested against.
import { layoutOf, type MlpSpec } from '../../src/model/spec.js';

export function erf(x: number): number {
  // Abramowitz & Stegun 7.1.26 refined by one Newton step on erf' = 2/√π·e^{-x²}: ~1e-9, plenty for f32 checks.
  const s = Math.sign(x);
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  let y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a);
  // Series for small |x| is more accurate; use it where it converges fast.
  if (a < 2) {
    let term = a;
    let sum = a;
    for (let n = 1; n < 60; n++) {
      term *= (-a * a) / n;
      sum += term / (2 * n + 1);
    }
    y = (2 / Math.sqrt(Math.PI)) * sum;
  }
  return s * y;
}

export function act(name: string, z: number): number {
  switch (name) {
    case 'relu': return Math.max(0, z);
    case 'tanh': return Math.tanh(z);
    case 'sigmoid': return 1 / (1 + Math.exp(-z));
    case 'gelu': return 0.5 * z * (1 + erf(z / Math.SQRT2));
    case 'elu': return z > 0 ? z : Math.expm1(z);
    case 'selu': return 1.0507009873554805 * (z > 0 ? z : 1.6732632423543772 * Math.expm1(z));
    case 'swish': return z / (1 + Math.exp(-z));
    case 'relu6': return Math.min(Math.max(z, 0), 6);
    case 'softsign': return z / (1 + Math.abs(z));
    case 'hard-sigmoid': return Math.min(Math.max(0.2 * z + 0.5, 0), 1);
    default: return z;
  }
}

const softplus = (x: number) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));

/** Outputs (n × outputWidth) in float64. */
export function refForward(spec: MlpSpec, theta: ArrayLike<number>, x: ArrayLike<number>, n: number): Float64Array {
  const layout = layoutOf(spec);
  let h = Float64Array.from(x);
  for (const L of layout.layers) {
    const out = new Float64Array(n * L.fanOut);
    for (let r = 0; r < n; r++) {
      for (let j = 0; j < L.fanOut; j++) {
        let z = theta[L.b + j];
        for (let i = 0; i < L.fanIn; i++) z += h[r * L.fanIn + i] * theta[L.w + i * L.fanOut + j];
        out[r * L.fanOut + j] = act(L.activation, z);
      }
    }
    h = out;
  }
  return h;
}

/** Sum over rows of the full negative log-likelihood. */
export function refLoss(spec: MlpSpec, theta: ArrayLike<number>, x: ArrayLike<number>, y: ArrayLike<number>, n: number, noiseVar = 1, minVar = 1e-6): number {
  const f = refForward(spec, theta, x, n);
  const K = spec.outputs;
  let loss = 0;
  for (let r = 0; r < n; r++) {
    switch (spec.likelihood) {
      case 'gaussian':
        for (let j = 0; j < K; j++) loss += 0.5 * Math.log(2 * Math.PI * noiseVar) + (0.5 * (y[r * K + j] - f[r * K + j]) ** 2) / noiseVar;
        break;
      case 'heteroscedastic':
        for (let j = 0; j < K; j++) {
          const v = softplus(f[r * 2 * K + K + j]) + minVar;
          loss += 0.5 * Math.log(2 * Math.PI * v) + (0.5 * (y[r * K + j] - f[r * 2 * K + j]) ** 2) / v;
        }
        break;
      case 'categorical': {
        let m = -Infinity;
        for (let j = 0; j < K; j++) m = Math.max(m, f[r * K + j]);
        let s = 0;
        for (let j = 0; j < K; j++) s += Math.exp(f[r * K + j] - m);
        loss += m + Math.log(s) - f[r * K + y[r]];
        break;
      }
      case 'bernoulli':
        for (let j = 0; j < K; j++) loss += softplus(f[r * K + j]) - y[r * K + j] * f[r * K + j];
        break;
    }
  }
  return loss;
}

/** Central finite-difference gradient of refLoss in float64. */
export function refGrad(spec: MlpSpec, theta: ArrayLike<number>, x: ArrayLike<number>, y: ArrayLike<number>, n: number, noiseVar = 1): Float64Array {
  const t = Float64Array.from(theta);
  const g = new Float64Array(t.length);
  const h = 1e-6;
  for (let i = 0; i < t.length; i++) {
    const v = t[i];
    t[i] = v + h;
    const a = refLoss(spec, t, x, y, n, noiseVar);
    t[i] = v - h;
    const b = refLoss(spec, t, x, y, n, noiseVar);
    t[i] = v;
    g[i] = (a - b) / (2 * h);
  }
  return g;
}
