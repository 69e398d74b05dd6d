// The sampling benchmark's peer in the same run: `node bench/stan-run.mjs [--warmup 1000 --draws 1000
// --chains 4 --cores 2 --seed 1234]` runs Stan's NUTS (rstan, bench/peers/stan_bnn.R) on the benchmark's BNN
// (bench/peers/bnn.stan, data/peers/*.csv) and prints {"stan": {...}} with the fields of bench/sampling.ts.
// About 15–20 minutes on 2 cores. Needs Debian's r-base-core, r-cran-rstan and libboost-dev; nothing is
// installed or downloaded here. Debian's r-cran-bh ships no include/ folder, so rstan stops with "Boost not
// found": this script gives R a private library in a temporary folder whose BH points at the system Boost
// headers (no system file is touched).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values: o } = parseArgs({
  options: {
    warmup: { type: 'string', default: '1000' },
    draws: { type: 'string', default: '1000' },
    chains: { type: 'string', default: '4' },
    cores: { type: 'string', default: '2' },
    seed: { type: 'string', default: '1234' },
  },
  strict: true,
});
const file = (p) => fileURLToPath(new URL(p, import.meta.url));

const rscript = spawnSync('Rscript', ['-e', 'suppressMessages(library(rstan)); cat("ok")'], { encoding: 'utf8' });
if (rscript.error !== undefined || rscript.status !== 0) {
  console.error('stan-run: Rscript with rstan not found. Install Debian\'s r-base-core, r-cran-rstan and libboost-dev (apt-get install -y r-base-core r-cran-rstan libboost-dev).');
  process.exit(3);
}
const lib = mkdtempSync(join(tmpdir(), 'bdl-rlib-'));
try {
  const bh = '/usr/lib/R/site-library/BH';
  if (existsSync(bh) && !existsSync(join(bh, 'include'))) {
    cpSync(bh, join(lib, 'BH'), { recursive: true });
    mkdirSync(join(lib, 'BH/include'));
    symlinkSync('/usr/include/boost', join(lib, 'BH/include/boost'));
  }
  const r = spawnSync(
    'Rscript',
    [file('peers/stan_bnn.R'), file('../data/peers/bnn_train.csv'), file('../data/peers/bnn_test.csv'), file('peers/bnn.stan'),
      o.warmup, o.draws, o.chains, o.cores, o.seed],
    { cwd: lib, encoding: 'utf8', env: { ...process.env, R_LIBS_USER: lib }, stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24 },
  );
  if (r.status !== 0) throw new Error(`stan-run: Rscript exited with ${r.status}`);
  const line = r.stdout.trim().split('\n').findLast((l) => l.startsWith('{"stan"'));
  if (line === undefined) throw new Error(`stan-run: no result line in Rscript's output:\n${r.stdout}`);
  const { stan } = JSON.parse(line);
  console.log(JSON.stringify({ stan: { ...stan, cpu: cpus()[0]?.model ?? 'unknown' } }));
} finally {
  rmSync(lib, { recursive: true, force: true });
}
