// `npm test`: the node project, and the browser project where a Chromium is found; ends with the
// plain line "N passed, N failed" that CI reads. Extra arguments go to vitest.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const projects = ['--project', 'node'];
if (existsSync(chromium)) projects.push('--project', 'browser', '--project', 'browser-coi');
else console.log(`No Chromium at ${chromium}: skipping the browser project (install Debian's chromium or set CHROMIUM_PATH).`);

const out = '.vitest-results.json';
rmSync(out, { force: true });
const r = spawnSync(
  'node_modules/.bin/vitest',
  ['run', ...projects, '--reporter=default', '--reporter=json', `--outputFile.json=${out}`, ...process.argv.slice(2)],
  { stdio: 'inherit' },
);
let passed = 0;
let failed = 0;
let skipped = 0;
if (existsSync(out)) {
  const j = JSON.parse(readFileSync(out, 'utf8'));
  passed = j.numPassedTests;
  failed = j.numFailedTests;
  skipped = (j.numPendingTests ?? 0) + (j.numTodoTests ?? 0);
}
// A file that failed to load holds no counted test: still a failure.
if (r.status !== 0 && failed === 0) failed = 1;
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(r.status === 0 && failed === 0 ? 0 : 1);
