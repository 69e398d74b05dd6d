// `npm run fuzz`: every property test (every test file that imports fast-check) with a large
// budget: FUZZ_RUNS cases per property (default here 20,000; `npm test` runs each file's default).
// Usage: node scripts/fuzz.mjs [runs] [extra vitest arguments]. FUZZ_SEED=<n> replays a failure.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const runs = /^\d+$/.test(process.argv[2] ?? '') ? process.argv[2] : (process.env.FUZZ_RUNS ?? '20000');
const extra = process.argv.slice(/^\d+$/.test(process.argv[2] ?? '') ? 3 : 2);

function propertyFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return propertyFiles(path);
    return /\.test\.ts$/.test(name) && /from 'fast-check'/.test(readFileSync(path, 'utf8')) ? [path] : [];
  });
}

const files = propertyFiles('test');
console.log(`fuzz: ${files.length} property test files, FUZZ_RUNS=${runs}:\n  ${files.join('\n  ')}`);
const r = spawnSync('node_modules/.bin/vitest', ['run', '--project', 'node', '--testTimeout', '0', ...files, ...extra], {
  stdio: 'inherit',
  env: { ...process.env, FUZZ_RUNS: runs, FUZZ_SEED: process.env.FUZZ_SEED ?? 'random' },
});
process.exit(r.status ?? 1);
