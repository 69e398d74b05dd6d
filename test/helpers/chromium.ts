// Node tests that drive a real Chromium (playwright-core) skip, saying why, where none is installed:
// the README's `npm test` must pass on a machine with Node alone.
import { existsSync } from 'node:fs';
import { chromiumPath } from '../../vitest.config.js';

/** True when the Chromium the tests launch (CHROMIUM_PATH, else Debian's /usr/bin/chromium) exists. */
export const hasChromium = existsSync(chromiumPath);

/** Prints why a browser-driving file is skipped; returns true when it must skip. */
export function skipWithoutChromium(file: string): boolean {
  if (!hasChromium) console.log(`${file}: skipped, no Chromium at ${chromiumPath} (install Debian's chromium or set CHROMIUM_PATH).`);
  return !hasChromium;
}
