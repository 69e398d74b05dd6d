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
