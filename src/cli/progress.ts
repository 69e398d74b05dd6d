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
export function progressLabel(method: string, p: Pick<MethodProgress, 'epoch' | 'epochs' | 'loss' | 'phase' | 'stepSize' | 'acceptance' | 'divergences'>): { note: string; unit: string } {
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
  if (!Number.isFinite(p.loss)) return { note: '', unit: 'epochs' };
  return { note: SGMCMC.has(method) ? `U/n ${p.loss.toFixed(4)}` : `loss ${p.loss.toFixed(4)}`, unit: 'epochs' };
}

export function progressReporter(label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  let bar: SingleBar | undefined;
  let total = 0;
  let counting = '';
  return {
    update(done, n, note = '', unit = 'epochs') {
      // A new count (another total, or another unit: the next phase) starts its own bar, so its
      // elapsed time and ETA are its own (Laplace's prior search and its factorization both count to 1000).
      if (!bar || n !== total || unit !== counting) {
        bar?.stop();
        total = n;
        counting = unit;
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
        });
        bar.start(n, 0, { note, unit });
      }
      bar.update(Math.min(done, n), { note, unit });
    },
    end() {
      bar?.stop();
      bar = undefined;
    },
  };
}
