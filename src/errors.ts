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

/**
 * A file that could not be opened or read, said by its cause (Node's `code`): the system's limit on
 * open files (EMFILE, ENFILE) is no fault of the path, and "check the path" sent the user astray;
 * permissions are the file's; a missing or malformed path is the path's. `held`: a sentence on what
 * the caller itself holds open, said with the limit. E_ARG naming `argument`.
 */
export function fileReadError(path: string, e: unknown, argument: string, held = ''): BdlError {
  const code = (e as { code?: unknown } | null)?.code;
  if (code === 'EMFILE' || code === 'ENFILE') {
    return new BdlError('E_ARG', `${path}: the system refused to open another file (${code}: too many open files ${code === 'EMFILE' ? 'in this process' : 'on the system'}).${held && ` ${held}`} Raise the limit on open files (ulimit -n) or close files the process holds, then try again.`, argument);
  }
  if (code === 'EACCES' || code === 'EPERM') return new BdlError('E_ARG', `${path}: cannot read the file (${code}: permission denied). Check the file's permissions.`, argument);
  if (typeof code !== 'string' || ['ENOENT', 'ENOTDIR', 'ENAMETOOLONG', 'ELOOP', 'EISDIR'].includes(code)) return new BdlError('E_ARG', `${path}: cannot read the file (${typeof code === 'string' ? code : 'error'}). Check the path.`, argument);
  return new BdlError('E_ARG', `${path}: cannot read the file (${code}: ${(e as Error).message}).`, argument);
}

/** The longest description `describe` gives (a string's or a key list's excess is cut with "…"). */
const MAX_DESCRIPTION = 80;

/**
 * Describes a value briefly for an error message: never dumps a whole array, never runs more of the
 * value than a property read or two (a hostile getter or Proxy trap that throws gives 'object'), and
 * names what the caller most likely passed by mistake — a Promise (a forgotten `await`), a function,
 * an instance of a class, a plain object by its keys.
 */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value);
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'bigint') return cut(`${value}n`);
  if (typeof value === 'symbol') return cut(value.toString());
  try {
    return describeObject(value as object);
  } catch {
    return typeof value;
  }
}

/** A Promise, or anything with a `then` method (what `await` would wait for). */
export function isThenable(v: unknown): boolean {
  if (v === null || (typeof v !== 'object' && typeof v !== 'function')) return false;
  try {
    return v instanceof Promise || typeof (v as { then?: unknown }).then === 'function';
  } catch {
    return false;
  }
}

function describeObject(value: object): string {
  if (ArrayBuffer.isView(value)) {
    const ctor = ctorName(value) ?? 'ArrayBufferView';
    return value instanceof DataView ? `${ctor}(${value.byteLength} bytes)` : `${ctor}(${(value as unknown as { length: number }).length})`;
  }
  if (Array.isArray(value)) return `Array(${value.length})`;
  if (isThenable(value)) return 'a Promise (did you forget await?)';
  if (typeof value === 'function') {
    const name = (value as { name?: unknown }).name;
    return typeof name === 'string' && name !== '' ? cut(`a function ${name}`) : 'a function';
  }
  if (value instanceof ArrayBuffer) return `an ArrayBuffer of ${value.byteLength} bytes`;
  if (value instanceof Map) return `a Map of ${value.size} entries`;
  if (value instanceof Set) return `a Set of ${value.size} values`;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'an invalid Date' : `a Date (${value.toISOString()})`;
  if (value instanceof RegExp) return cut(`a RegExp ${String(value)}`);
  if (value instanceof Error) return cut(`${article(value.name)} ${value.name}: ${value.message}`);
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === null || proto === Object.prototype) {
    const keys = Object.keys(value);
    return keys.length === 0 ? 'an empty object {}' : keyList(keys);
  }
  const ctor = ctorName(value);
  return ctor ? `an instance of ${ctor}` : 'an object with a prototype of its own';
}

/** '{ a, b, c }', cut to MAX_DESCRIPTION characters. */
function keyList(keys: string[]): string {
  let out = '{ ';
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i].length > 24 ? keys[i].slice(0, 24) + '…' : keys[i];
    const next = `${i > 0 ? ', ' : ''}${k}`;
    if (out.length + next.length + 2 > MAX_DESCRIPTION) return `${out}, … (${keys.length} keys) }`;
    out += next;
  }
  return `${out} }`;
}

/** The name of the constructor on the value's prototype, read without running a getter. */
function ctorName(value: object): string | undefined {
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === null || typeof proto !== 'object') return undefined;
  const name: unknown = Object.getOwnPropertyDescriptor(proto, 'constructor')?.value?.name;
  return typeof name === 'string' && name !== '' ? name : undefined;
}

const article = (word: string): string => (/^[aeiou]/i.test(word) ? 'an' : 'a');
const cut = (s: string): string => (s.length > MAX_DESCRIPTION ? s.slice(0, MAX_DESCRIPTION - 1) + '…' : s);
