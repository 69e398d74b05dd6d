/**
 * Progress on a terminal through cli-progress: a bar with counts, elapsed time and ETA on a TTY; plain
 * lines (at most one a second) when stderr is a file or a pipe. `unit` names what is counted
 * ('epochs', 'iterations', 'candidates'); the note says what the numbers mean (loss, or a chain's phase).
 */
import { SingleBar } from 'cli-progress';

export interface Progress {
  update(done: number, total: number, note?: string, unit?: string): void;
  end(): void;
}

export function progressReporter(label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  let bar: SingleBar | undefined;
  let total = 0;
  return {
    update(done, n, note = '', unit = 'epochs') {
      if (!bar || n !== total) {
        bar?.stop();
        total = n;
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
