// The BdlError code a promise rejects with ('other' for any other error, 'none' when it resolves).
import { BdlError } from '../../src/errors.js';

export async function errorCode(f: () => Promise<unknown>): Promise<string> {
  try {
    await f();
  } catch (e) {
    return e instanceof BdlError ? e.code : 'other';
  }
  return 'none';
}

/** The BdlError a synchronous call throws; fails the test on any other outcome. */
export function thrownBdlError(f: () => unknown): BdlError {
  try {
    f();
  } catch (e) {
    if (e instanceof BdlError) return e;
    throw new Error(`expected a BdlError, got ${String(e)}`);
  }
  throw new Error('expected a BdlError, nothing was thrown');
}
