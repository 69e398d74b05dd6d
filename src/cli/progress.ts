/**
 * Progress on a terminal through cli-progress: a bar with counts, elapsed time and ETA on a TTY; plain
 * lines (at most one a second) when stderr is a file or a pipe. `unit` names what is counted
 * ('epochs', 'iterations', 'candidates'); the note says what the numbers mean (loss, or a chain's phase).
 */
import { SingleBar } from 'cli-progress';
import type { MethodProgress } from '../methods/common.js';

export interface Progress {
  update(done: number, total: number, note?: string, unit?: string): void;
  end(): void;
}

/** The bar of the convergence diagnostics after Markov chains (bdl sample, fit --method nuts/hmc). */
export const DIAGNOSTICS_LABEL = { note: 'R̂ and ESS', unit: 'quantities' };

/** SG-MCMC methods: their epoch value is the mean minibatch potential U/n (−log posterior per example), not a loss being minimized. */
const SGMCMC = new Set(['sgld', 'csgld', 'sghmc', 'sghmc-mh']);

/**
 * What a method's progress means, in the bar's words: Markov chains (NUTS, HMC, subspace) count
 * iterations and report phase, acceptance, divergences and step size; SG-MCMC counts epochs of its
 * potential; Laplace's curvature pass counts rows, its prior precision steps; the chains' diagnostics count quantities; a
 * sampler's MAP pretrain and everything else epochs of the training loss.
 */
export function progressLabel(method: string, p: Pick<MethodProgress, 'epoch' | 'epochs' | 'loss' | 'phase' | 'stage' | 'stepSize' | 'acceptance' | 'divergences'>): { note: string; unit: string } {
  if (p.phase === 'curvature') return { note: 'curvature', unit: 'rows' };
  if (p.phase === 'prior') return { note: 'prior precision', unit: 'steps' };
  if (p.phase === 'posterior') return { note: 'posterior factorization', unit: '‰' };
  if (p.phase === 'diagnostics') return DIAGNOSTICS_LABEL;
  if (p.phase === 'pretrain') return { note: Number.isFinite(p.loss) ? `MAP pretrain: loss ${p.loss.toFixed(4)}` : 'MAP pretrain', unit: 'epochs' };
  if (p.phase) {
    const parts = [p.phase === 'warmup' ? 'warmup' : 'draws'];
    if (p.acceptance !== undefined) parts.push(`acceptance ${p.acceptance.toFixed(2)}`);
    if (p.divergences !== undefined) parts.push(`${p.divergences} divergent`);
    parts.push(`step size ${(p.stepSize ?? p.loss).toPrecision(3)}`);
    return { note: parts.join(', '), unit: 'iterations' };
  }
  if (p.stage) return { note: Number.isFinite(p.loss) ? `${p.stage}: loss ${p.loss.toFixed(4)}` : p.stage, unit: 'epochs' };
  if (!Number.isFinite(p.loss)) return { note: '', unit: 'epochs' };
  return { note: SGMCMC.has(method) ? `U/n ${p.loss.toFixed(4)}` : `loss ${p.loss.toFixed(4)}`, unit: 'epochs' };
}

/**
 * Seconds as the bar shows them (elapsed, ETA): 7s, 1m05s, 2h05m, 4d07h. cli-progress's own format keeps
 * two digits of each part, so 111 hours showed as "11h5m", and its words for an ETA it cannot give
 * ('INF': beyond ~115 days, or no progress within its window; 'NULL') as "NFs" and "LLs". Those take
 * `overall` instead: the ETA at the average rate since the bar started, or "?" before any progress.
 */
export function formatSeconds(t: unknown, roundTo = 1, overall?: () => number): string {
  if (typeof t !== 'number') t = overall?.() ?? NaN;
  if (typeof t !== 'number' || !Number.isFinite(t) || t < 0) return '?';
  const s = roundTo > 1 && t > 10 ? roundTo * Math.round(t / roundTo) : Math.round(t);
  const pad = (v: number) => String(v).padStart(2, '0');
  const [d, h, m, sec] = [Math.floor(s / 86400), Math.floor((s % 86400) / 3600), Math.floor((s % 3600) / 60), s % 60];
  return d > 0 ? `${d}d${pad(h)}h` : h > 0 ? `${h}h${pad(m)}m` : m > 0 ? `${m}m${pad(sec)}s` : `${sec}s`;
}

export function progressReporter(label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  let bar: SingleBar | undefined;
  let total = 0;
  let counting = '';
  let started = 0;
  let last = 0;
  // The ETA at the average rate since the bar started: what the bar shows when its own window has none.
  const overall = () => (last > 0 ? ((performance.now() - started) / 1000) * Math.max(0, total - last) / last : NaN);
  return {
    update(done, n, note = '', unit = 'epochs') {
      // A new count (another total, or another unit: the next phase) starts its own bar, so its
      // elapsed time and ETA are its own (Laplace's prior search and its factorization both count to 1000).
      if (!bar || n !== total || unit !== counting) {
        bar?.stop();
        total = n;
        counting = unit;
        started = performance.now();
        last = 0;
        bar = new SingleBar({
          stream,
          format: `${label} {bar} {percentage}% | {value}/{total} {unit} | elapsed {duration_formatted} | ETA {eta_formatted} | {note}`,
          barCompleteChar: '█',
          barIncompleteChar: '░',
          barsize: 24,
          hideCursor: false,
          clearOnComplete: false,
          noTTYOutput: !stream.isTTY,
          notTTYSchedule: 1000,
          etaBuffer: 50,
          fps: 10,
          formatTime: (t: unknown, _options: unknown, roundTo?: number) => formatSeconds(t, roundTo, overall),
        });
        bar.start(n, 0, { note, unit });
      }
      last = Math.min(done, n);
      bar.update(last, { note, unit });
    },
    end() {
      bar?.stop();
      bar = undefined;
    },
  };
}
