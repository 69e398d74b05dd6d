import { existsSync } from 'node:fs';
import { defineConfig } from 'vitest/config';
import { playwright } from '@vitest/browser-playwright';
import { wasmBytes } from './scripts/wasm-plugin.js';
import { LongFirstSequencer } from './test/setup/sequencer.js';

/** Debian's Chromium, or the one CHROMIUM_PATH names. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const chromiumArgs = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export default defineConfig({
  plugins: [wasmBytes()],
  // The browser projects' dependencies, pre-bundled up front: a dependency discovered mid-run makes
  // Vite re-optimize and reload, and a test file being imported at that moment fails to load.
  optimizeDeps: { include: ['comlink', '@assemblyscript/loader', 'protobufjs/minimal.js'], noDiscovery: true },
  test: {
    testTimeout: 60_000,
    // Two files at once in Node (the default on 2 cores is one): most wait on workers, child processes
    // or the browser project, which runs beside them.
    maxWorkers: 2,
    // Builds the test-only worker entry (fault injection) before any project runs.
    globalSetup: ['test/setup/fault-worker.ts'],
    // The default core every entry of the package sets on import (test/setup/core.ts).
    setupFiles: ['test/setup/core.ts'],
    // A clean clone has no timings: the few files known to take longest start first (test/setup/sequencer.ts).
    sequence: { sequencer: LongFirstSequencer },
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          environment: 'node',
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.browser.test.ts'],
        },
      },
      ...(existsSync(chromiumPath)
        ? [
            {
              extends: true as const,
              test: {
                name: 'browser',
                include: ['test/**/*.test.ts'],
                exclude: ['test/**/*.node.test.ts'],
                browser: {
                  enabled: true,
                  headless: true,
                  screenshotFailures: false,
                  provider: playwright({ launchOptions: { executablePath: chromiumPath, args: chromiumArgs } }),
                  instances: [{ browser: 'chromium' as const }],
                },
              },
            },
            {
              // The same browser tests of the worker pool in a cross-origin-isolated page, where
              // SharedArrayBuffer exists (COOP same-origin + COEP require-corp).
              extends: true as const,
              server: { headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } },
              test: {
                name: 'browser-coi',
                include: ['test/pool/**/*.test.ts'],
                exclude: ['test/**/*.node.test.ts'],
                provide: { crossOriginIsolated: true },
                browser: {
                  enabled: true,
                  headless: true,
                  screenshotFailures: false,
                  provider: playwright({ launchOptions: { executablePath: chromiumPath, args: chromiumArgs } }),
                  instances: [{ browser: 'chromium' as const }],
                },
              },
            },
          ]
        : []),
    ],
  },
});
