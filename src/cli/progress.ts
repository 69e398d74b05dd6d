/** Progress on a terminal: one redrawn bar on a TTY, plain lines (at most one a second) otherwise. */
export function progressReporter(label: string, stream: NodeJS.WriteStream = process.stderr): { update(done: number, total: number, note?: string): void; end(): void } {
  let last = 0;
  let drawn = false;
  return {
    update(done, total, note = '') {
      const now = Date.now();
      if (now - last < (stream.isTTY ? 100 : 1000) && done < total) return;
      last = now;
      const frac = total > 0 ? Math.min(1, done / total) : 0;
      if (stream.isTTY) {
        const width = 30;
        const bar = '█'.repeat(Math.round(frac * width)).padEnd(width, '░');
        stream.write(`\r${label} ${bar} ${(100 * frac).toFixed(0).padStart(3)}% ${note}`.slice(0, (stream.columns ?? 100) - 1).padEnd(Math.min(99, (stream.columns ?? 100) - 1)));
        drawn = true;
      } else {
        stream.write(`${label} ${(100 * frac).toFixed(0)}% ${note}\n`);
      }
    },
    end() {
      if (drawn) stream.write('\n');
    },
  };
}
