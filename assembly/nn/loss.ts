// Negative log-likelihoods of the output layer. Each returns the f64 SUM over the batch of the
// per-example NLL, constants included (so sums are comparable across likelihoods and usable as
// energies), and writes d(NLL)/d(output) × scale as f32 into grad (same shape as the output;
// grad 0 = loss only). Per-element work is in f64: the output layer is small next to the GEMMs.

import { row_logsumexp } from './rows';
import { sigmoid, softplus } from './special';

const LOG_2PI: f64 = 1.8378770664093453;

/**
 * Homoscedastic Gaussian: y ~ N(pred, σ²) elementwise over m×n, log σ² given.
 * NLL = ½(log 2π + log σ² + (y − pred)²/σ²) per element; grad = (pred − y)/σ².
 */
export function loss_gaussian_f32(grad: usize, pred: usize, y: usize, m: i32, n: i32, log_sigma2: f64, scale: f32): f64 {
  const len = m * n;
  const inv = Math.exp(-log_sigma2);
  const g = <f64>scale * inv;
  let rss: f64 = 0;
  for (let i = 0; i < len; i++) {
    const o = <usize>i << 2;
    const d = <f64>load<f32>(pred + o) - <f64>load<f32>(y + o);
    rss += d * d;
    if (grad != 0) store<f32>(grad + o, <f32>(d * g));
  }
  return 0.5 * (<f64>len * (LOG_2PI + log_sigma2) + rss * inv);
}

/**
 * Heteroscedastic Gaussian: out is m×(2n), columns [0,n) means μ, [n,2n) raw variance parameters ρ,
 * variance v = softplus(ρ) + min_var. NLL = ½(log 2π + log v + (y − μ)²/v) per element of y (m×n).
 * grad (m×2n): ∂/∂μ = (μ − y)/v; ∂/∂ρ = ½(1/v − (y − μ)²/v²)·sigmoid(ρ).
 *
 * beta > 0 is the β-NLL of Seitzer et al. (2022): each element's gradient is weighted by v^β, a weight
 * held constant (no gradient flows through it). Plain NLL (β = 0) lets a point's variance grow until
 * it stops pulling on the mean, so hard points are under-fitted; β = 1 gives the mean the squared-error
 * gradient. The returned value stays the plain NLL sum: the surrogate has no loss whose gradient it is.
 */
export function loss_hetero_f32(grad: usize, out: usize, y: usize, m: i32, n: i32, min_var: f32, beta: f32, scale: f32): f64 {
  const floor = <f64>min_var;
  const s = <f64>scale;
  const b = <f64>beta;
  let total: f64 = 0;
  for (let r = 0; r < m; r++) {
    const orow = out + ((<usize>r * <usize>n) << 3);
    const yrow = y + ((<usize>r * <usize>n) << 2);
    const grow = grad + ((<usize>r * <usize>n) << 3);
    for (let j = 0; j < n; j++) {
      const o = <usize>j << 2;
      const mu = <f64>load<f32>(orow + o);
      const rho = <f64>load<f32>(orow + o + (<usize>n << 2));
      const v = softplus(rho) + floor;
      const d = mu - <f64>load<f32>(yrow + o);
      const iv = 1 / v;
      const q = d * d * iv;
      total += Math.log(v) + q;
      if (grad != 0) {
        const w = b == 0 ? s : Math.pow(v, b) * s;
        store<f32>(grow + o, <f32>(d * iv * w));
        store<f32>(grow + o + (<usize>n << 2), <f32>(0.5 * iv * (1 - q) * sigmoid(rho) * w));
      }
    }
  }
  return 0.5 * (total + <f64>m * <f64>n * LOG_2PI);
}

/**
 * Categorical with softmax link: logits m×k, labels m values (f32 holding class indices 0..k−1).
 * NLL = logsumexp(row) − row[label]; grad = softmax(row) − onehot(label).
 * A label that is not an integer in [0, k) makes the result NaN and its gradient row zero.
 */
export function loss_softmax_ce_f32(grad: usize, logits: usize, labels: usize, m: i32, k: i32, scale: f32): f64 {
  const s = <f64>scale;
  let total: f64 = 0;
  for (let r = 0; r < m; r++) {
    const off = (<usize>r * <usize>k) << 2;
    const x = logits + off;
    const lf = load<f32>(labels + (<usize>r << 2));
    const label = <i32>lf;
    const valid = <f32>label == lf && label >= 0 && label < k;
    const lse = row_logsumexp(x, k);
    if (valid) total += lse - <f64>load<f32>(x + (<usize>label << 2));
    else total = NaN;
    if (grad != 0) {
      for (let j = 0; j < k; j++) {
        const o = <usize>j << 2;
        let p = Math.exp(<f64>load<f32>(x + o) - lse);
        if (j == label) p -= 1;
        store<f32>(grad + off + o, valid ? <f32>(p * s) : 0);
      }
    }
  }
  return total;
}

/**
 * Bernoulli with logistic link: y in {0,1} (any value in [0,1] works as a soft target), m×n.
 * NLL = softplus(x) − y·x; grad = sigmoid(x) − y.
 */
export function loss_bernoulli_f32(grad: usize, logits: usize, y: usize, m: i32, n: i32, scale: f32): f64 {
  const len = m * n;
  const s = <f64>scale;
  let total: f64 = 0;
  for (let i = 0; i < len; i++) {
    const o = <usize>i << 2;
    const x = <f64>load<f32>(logits + o);
    const t = <f64>load<f32>(y + o);
    total += softplus(x) - t * x;
    if (grad != 0) store<f32>(grad + o, <f32>((sigmoid(x) - t) * s));
  }
  return total;
}
