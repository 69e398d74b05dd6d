import { expect, it } from 'vitest';
import { progressReporter } from '../../src/cli/progress.js';

/** A stream that is not a terminal and keeps what is written to it. */
function sink() {
  const lines: string[] = [];
  const stream = { isTTY: false, columns: 120, write: (s: string) => (lines.push(s), true), on: () => stream, removeListener: () => stream } as unknown as NodeJS.WriteStream;
  return { stream, text: () => lines.join('') };
}

it('a phase with another unit starts its own bar (its elapsed time and ETA its own), even at the same total', () => {
  const { stream, text } = sink();
  const bar = progressReporter('laplace', stream);
  bar.update(0, 1000, 'prior precision', 'steps');
  bar.update(1000, 1000, 'prior precision', 'steps');
  bar.update(0, 1000, 'posterior factorization', '‰');
  bar.update(1000, 1000, 'posterior factorization', '‰');
  bar.end();
  const out = text();
  // Each bar prints its final state when it stops: both phases end at 100 %, each with its own unit.
  expect(out).toMatch(/100% \| 1000\/1000 steps .*prior precision/);
  expect(out).toMatch(/100% \| 1000\/1000 ‰ .*posterior factorization/);
  expect(out.match(/0% \| 0\/1000/g)?.length).toBe(2);
});
