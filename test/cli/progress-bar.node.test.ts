import { expect, it } from 'vitest';
import { formatSeconds, progressReporter } from '../../src/cli/progress.js';

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

it("shows hours beyond 99 and days whole, and an ETA beyond cli-progress's ~115 days as one at the average rate, never \"NFs\" or \"LLs\"", () => {
  // cli-progress kept two digits of each part: 111 h 6 min showed as "11h5m"; 'INF' and 'NULL' as "NFs" and "LLs".
  expect(formatSeconds(400_000, 5)).toBe('4d15h');
  expect(formatSeconds(111 * 3600 + 6 * 60, 5)).toBe('4d15h');
  expect(formatSeconds(3 * 3600 + 5 * 60, 5)).toBe('3h05m');
  expect(formatSeconds(65, 1)).toBe('1m05s');
  expect(formatSeconds(7, 5)).toBe('7s');
  expect(formatSeconds(0, 5)).toBe('0s');
  expect(formatSeconds('INF', 5, () => 200 * 86400)).toBe('200d00h');
  expect(formatSeconds('INF', 5)).toBe('?');
  expect(formatSeconds('NULL', 5, () => NaN)).toBe('?');

  // --epochs 99999999999: one epoch in 30 ms puts the end ~95 years away.
  const { stream, text } = sink();
  const bar = progressReporter('map', stream);
  bar.update(0, 99_999_999_999, 'loss 1.0', 'epochs');
  const t = performance.now();
  while (performance.now() - t < 30);
  bar.update(1, 99_999_999_999, 'loss 0.9', 'epochs');
  bar.end();
  const out = text();
  expect(out).not.toMatch(/NFs|LLs/);
  expect(out).toMatch(/1\/99999999999 epochs \| elapsed 0s \| ETA \d{5,}d\d\dh \| loss 0\.9/);
});
