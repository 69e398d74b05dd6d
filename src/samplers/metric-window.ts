/**
 * Stan's windowed metric adaptation as plain state and a pure update: draws between an initial fast
 * buffer (75) and a terminal fast buffer (50) are accumulated in slow windows that start at 25 and
 * double; when a window closes its regularized variances become the diagonal inverse metric, and —
 * when the window accumulates the full covariance — its regularized covariance the dense one.
 */

/** Window sizes of the schedule. */
export interface WindowOptions {
  initBuffer: number;
  baseWindow: number;
  termBuffer: number;
}

/** The schedule's position and the Welford accumulators (mean, Σ squared deviations) of the open window. */
export interface WindowState {
  initBuffer: number;
  termBuffer: number;
  baseWindow: number;
  windowCounter: number;
  windowSize: number;
  nextWindow: number;
  n: number;
  mean: number[];
  /** Σ of (x − mean_new)(x − mean_old): dim values (diagonal), or dim² row-major (full covariance). */
  m2: number[];
}

/** The schedule for `numWarmup` iterations in `dim` dimensions; `full` accumulates the whole covariance. */
export function windowInit(dim: number, numWarmup: number, o: WindowOptions, full = false): WindowState {
  let { initBuffer, termBuffer, baseWindow } = o;
  // Stan shrinks the buffers to 15 % / 75 % / 10 % when the defaults do not fit.
  if (numWarmup >= 20 && initBuffer + baseWindow + termBuffer > numWarmup) {
    initBuffer = Math.floor(0.15 * numWarmup);
    termBuffer = Math.floor(0.1 * numWarmup);
    baseWindow = numWarmup - (initBuffer + termBuffer);
  }
  return {
    initBuffer, termBuffer, baseWindow, windowCounter: 0, windowSize: baseWindow,
    nextWindow: initBuffer + baseWindow - 1, n: 0, mean: new Array<number>(dim).fill(0), m2: new Array<number>(full ? dim * dim : dim).fill(0),
  };
}

/**
 * Feeds one warmup position. Returns the next state and, when a window just closed, the new diagonal
 * inverse metric (else null) and, for a full window, its regularized covariance (row-major dim²; else
 * null) and the number of draws the window held: the caller then searches a new step size and restarts dual averaging.
 */
export function windowStep(s: WindowState, numWarmup: number, position: Float64Array): [WindowState, Float64Array | null, Float64Array | null, number] {
  const c = s.windowCounter;
  const W = numWarmup;
  const dim = position.length;
  const full = dim > 1 && s.m2.length === dim * dim;
  let n = s.n;
  let mean = s.mean;
  let m2 = s.m2;
  if (c >= s.initBuffer && c < W - s.termBuffer && c !== W) {
    n++;
    mean = mean.slice();
    m2 = m2.slice();
    if (full) {
      // Welford's covariance (Stan's welford_covar_estimator): m2 += (x − mean_new)·(x − mean_old)ᵀ;
      // its diagonal is the same arithmetic as the diagonal estimator's, bit for bit.
      const d = new Float64Array(dim);
      for (let i = 0; i < dim; i++) {
        d[i] = position[i] - mean[i];
        mean[i] += d[i] / n;
      }
      for (let i = 0; i < dim; i++) {
        const r = position[i] - mean[i];
        for (let j = 0; j < dim; j++) m2[i * dim + j] += r * d[j];
      }
    } else {
      for (let i = 0; i < position.length; i++) {
        const d = position[i] - mean[i];
        mean[i] += d / n;
        m2[i] += (position[i] - mean[i]) * d;
      }
    }
  }
  if (c === s.nextWindow && c !== W) {
    const inv = new Float64Array(dim);
    const step = full ? dim + 1 : 1;
    // Shrink toward 1e-3 as Stan does: a short window must not produce a degenerate metric.
    for (let i = 0; i < inv.length; i++) inv[i] = (n / (n + 5)) * (m2[i * step] / (n - 1)) + 1e-3 * (5 / (n + 5));
    let cov: Float64Array | null = null;
    if (full) {
      cov = new Float64Array(dim * dim);
      for (let i = 0; i < dim; i++) {
        for (let j = 0; j < i; j++) {
          const v = (n / (n + 5)) * ((0.5 * (m2[i * dim + j] + m2[j * dim + i])) / (n - 1));
          cov[i * dim + j] = v;
          cov[j * dim + i] = v;
        }
        cov[i * dim + i] = inv[i];
      }
    }
    const next = nextWindow(s, numWarmup);
    const zero = new Array<number>(m2.length).fill(0);
    return [{ ...s, ...next, windowCounter: c + 1, n: 0, mean: new Array<number>(dim).fill(0), m2: zero }, inv, cov, n];
  }
  return [{ ...s, windowCounter: c + 1, n, mean, m2 }, null, null, n];
}

function nextWindow(s: WindowState, numWarmup: number): { windowSize: number; nextWindow: number } {
  const last = numWarmup - s.termBuffer - 1;
  if (s.nextWindow === last) return { windowSize: s.windowSize, nextWindow: s.nextWindow };
  const windowSize = s.windowSize * 2;
  let next = s.windowCounter + windowSize;
  // A window that would leave less than a full next window before the terminal buffer absorbs it.
  if (next !== last && next + 2 * windowSize >= numWarmup - s.termBuffer) next = last;
  return { windowSize, nextWindow: next };
}
