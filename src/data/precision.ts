/**
 * The networks compute in float32, whose 24-bit significand cannot tell apart large values that vary
 * little: Unix timestamps over one hour (near 1.7e9 float32 steps by 128 s), a reading of 1e8 ± 1
 * (steps of 8). Stored as float32 such a column becomes rounding noise or a constant, and a network
 * trained on it answers as if it had seen the data. Every reader feeds each value here as the double
 * it parsed; `lossyColumn` finds a column whose rounding error is more than `PRECISION_LIMIT` of its
 * spread, so that the reader refuses it before any work with a way out (an offset, other units).
 */
import { BdlError, type BdlErrorCode } from '../errors.js';

/** Largest root-mean-square float32 rounding error accepted, as a fraction of the column's standard deviation. */
export const PRECISION_LIMIT = 0.01;

/**
 * A column whose spread is below this fraction of its magnitude is a constant with float64 arithmetic
 * noise (0.3 and 0.30000000000000004), not data float32 fails to keep: float32 resolves 6e-8.
 */
const CONSTANT = 1e-12;

/**
 * Per-column sums in float64: the spread about the column's first value (shifted sums stay exact
 * enough where Σx² of values near 1e9 would cancel) and the squared rounding errors.
 */
export class Float32Rounding {
  private readonly shift: Float64Array;
  private readonly sum: Float64Array;
  private readonly squares: Float64Array;
  private readonly errors: Float64Array;
  private count = 0;

  constructor(readonly cols: number) {
    this.shift = new Float64Array(cols).fill(NaN);
    this.sum = new Float64Array(cols);
    this.squares = new Float64Array(cols);
    this.errors = new Float64Array(cols);
  }

  /** Records value `x` of column `c` and returns it as float32. */
  add(c: number, x: number): number {
    let s = this.shift[c];
    if (s !== s) this.shift[c] = s = x;
    const d = x - s;
    this.sum[c] += d;
    this.squares[c] += d * d;
    const f = Math.fround(x);
    const e = x - f;
    this.errors[c] += e * e;
    return f;
  }

  /** Marks the end of a row (the counts are per row). */
  row(): void {
    this.count++;
  }

  /** The first column whose float32 rounding exceeds the limit, with its numbers; undefined when none does. */
  lossyColumn(): LossyColumn | undefined {
    const n = this.count;
    for (let c = 0; c < this.cols; c++) {
      if (this.errors[c] === 0) continue;
      const m = this.sum[c] / n;
      const std = Math.sqrt(Math.max(0, this.squares[c] / n - m * m));
      if (!(std > CONSTANT * Math.abs(this.shift[c] + m))) continue;
      const rms = Math.sqrt(this.errors[c] / n);
      if (rms > PRECISION_LIMIT * std) return { col: c, mean: this.shift[c] + m, std, rms };
    }
    return undefined;
  }
}

export interface LossyColumn {
  /** 0-based column. */
  col: number;
  mean: number;
  std: number;
  /** Root-mean-square float32 rounding error. */
  rms: number;
}

/** The error for a lossy column, `where` naming it (a file's column, an argument's). */
export function precisionError(code: BdlErrorCode, where: string, argument: string, c: LossyColumn): BdlError {
  const g = (v: number) => Number(v.toPrecision(3));
  return new BdlError(
    code,
    `${where}: expected values that float32 (the precision the networks compute in) keeps apart, found values near ${g(c.mean)} ` +
      `with a standard deviation of ${g(c.std)} that float32 rounds by ${g(c.rms)} (root mean square, ${g((100 * c.rms) / c.std)} % of it): ` +
      `the variation the network should learn from would be lost. Subtract an offset (e.g. ${g(c.mean)}) or change the column's units before training.`,
    argument,
  );
}
