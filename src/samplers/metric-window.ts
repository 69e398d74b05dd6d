/**
 * Stan's windowed metric adaptation as plain state and a pure update: draws between an initial fast
 * buffer (75) and a terminal fast buffer (50) are accumulated in slow windows that start at 25 and
 * double; when a window closes its regularized variances become the diagonal inverse metric.
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
  m2: number[];
}

/** The schedule for `numWarmup` iterations in `dim` dimensions. */
export function windowInit(dim: number, numWarmup: number, o: WindowOptions): WindowState {
  let { initBuffer, termBuffer, baseWindow } = o;
  // Stan shrinks the buffers to 15 % / 75 % / 10 % when the defaults do not fit.
  if (numWarmup >= 20 && initBuffer + baseWindow + termBuffer > numWarmup) {
    initBuffer = Math.floor(0.15 * numWarmup);
    termBuffer = Math.floor(0.1 * numWarmup);
    baseWindow = numWarmup - (initBuffer + termBuffer);
  }
  return {
    initBuffer, termBuffer, baseWindow, windowCounter: 0, windowSize: baseWindow,
    nextWindow: initBuffer + baseWindow - 1, n: 0, mean: new Array<number>(dim).fill(0), m2: new Array<number>(dim).fill(0),
  };
}

/**
 * Feeds one warmup position. Returns the next state and, when a window just closed, the new diagonal
 * inverse metric (else null): the caller then searches a new step size and restarts dual averaging.
 */
export function windowStep(s: WindowState, numWarmup: number, position: Float64Array): [WindowState, Float64Array | null] {
  const c = s.windowCounter;
  const W = numWarmup;
  let n = s.n;
  let mean = s.mean;
  let m2 = s.m2;
  if (c >= s.initBuffer && c < W - s.termBuffer && c !== W) {
    n++;
    mean = mean.slice();
    m2 = m2.slice();
    for (let i = 0; i < position.length; i++) {
      const d = position[i] - mean[i];
      mean[i] += d / n;
      m2[i] += (position[i] - mean[i]) * d;
    }
  }
  if (c === s.nextWindow && c !== W) {
    const inv = new Float64Array(m2.length);
    // Shrink toward 1e-3 as Stan does: a short window must not produce a degenerate metric.
    for (let i = 0; i < inv.length; i++) inv[i] = (n / (n + 5)) * (m2[i] / (n - 1)) + 1e-3 * (5 / (n + 5));
    const next = nextWindow(s, numWarmup);
    const zero = new Array<number>(m2.length).fill(0);
    return [{ ...s, ...next, windowCounter: c + 1, n: 0, mean: zero, m2: zero.slice() }, inv];
  }
  return [{ ...s, windowCounter: c + 1, n, mean, m2 }, null];
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
