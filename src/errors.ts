/**
 * The one error class of the library. `code` is stable and machine-readable; the message names the
 * argument, what was expected, what was found, and what to do.
 */
/** The stable, machine-readable codes of `BdlError`: branch on these, not on messages. */
export type BdlErrorCode =
  | 'E_SHAPE'
  | 'E_NONFINITE'
  | 'E_EMPTY'
  | 'E_ARG'
  | 'E_PARSE'
  | 'E_NOT_PD'
  | 'E_MEMORY'
  | 'E_WASM'
  | 'E_ABORTED'
  | 'E_WORKER'
  | 'E_CLOSED'
  | 'E_FORMAT';

/** Every error the library throws on purpose: `code` to branch on, `argument` naming the input at fault. */
export class BdlError extends Error {
  readonly code: BdlErrorCode;
  /** The argument (or input) at fault, when there is one. */
  readonly argument?: string;
  constructor(code: BdlErrorCode, message: string, argument?: string) {
    super(message);
    this.name = 'BdlError';
    this.code = code;
    this.argument = argument;
  }
}

/** Builds the standard message: "<arg>: expected <expected>, found <found>. <hint>" */
export function argError(
  code: BdlErrorCode,
  argument: string,
  expected: string,
  found: string,
  hint: string,
): BdlError {
  return new BdlError(code, `${argument}: expected ${expected}, found ${found}. ${hint}`, argument);
}

/** Describes a value briefly for an error message (never dumps a whole array). */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (ArrayBuffer.isView(value)) {
    const ctor = (value as object).constructor.name;
    return `${ctor}(${(value as unknown as { length: number }).length})`;
  }
  if (Array.isArray(value)) return `Array(${value.length})`;
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value);
  return typeof value;
}
