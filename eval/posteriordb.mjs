// `node eval/posteriordb.mjs [--seeds 10] [--posteriors kidiq,garch] [--metric auto,diag,dense] [--out POSTERIORDB]`
// (after `npm run build`): NUTS with default settings (4 chains, 1000 warmup + 1000 draws, target
// acceptance 0.8, max tree depth 10, metric 'auto'; 'diag' and 'dense' beside it for comparison) on the posteriordb posteriors of eval/posteriordb/posteriors.mjs,
// each a user target module, against the reference summaries in eval/posteriordb/<name>.json
// (eval/posteriordb/check.mjs: |z| of means, sds and correlations ≤ 4, R̂ ≤ 1.01, no divergences).
// Every posterior runs with seeds 1..N; the table shows seed 1 and how many seeds pass. Writes
// eval/POSTERIORDB.md. Where the reference itself was run with a higher target acceptance, a second
// row runs with that setting too.
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { createPool, sampleChains } from '../dist/index.js';
import { compare, LIMITS } from './posteriordb/check.mjs';
import { fixture } from './posteriordb/fixture.mjs';
import { POSTERIORS } from './posteriordb/posteriors.mjs';

const args = process.argv.slice(2);
const opt = (k, d) => (args.includes(k) ? args[args.indexOf(k) + 1] : d);
const seeds = Number(opt('--seeds', '10'));
const names = opt('--posteriors', Object.keys(POSTERIORS).join(',')).split(',');
const metrics = opt('--metric', 'auto,diag,dense').split(',');
const out = opt('--out', 'POSTERIORDB');

const pool = await createPool({ size: Math.min(4, cpus().length) });
const f2 = (x, d = 2) => x.toFixed(d);
const table = [];
const details = [];
try {
  for (const name of names) {
    const fx = fixture(name);
    const url = pathToFileURL(new URL(`posteriordb/${name}.mjs`, import.meta.url).pathname).href;
    const target = await import(url);
    const settings = [{ label: 'default', adapt: undefined }];
    if (POSTERIORS[name].targetAccept) settings.push({ label: `targetAccept ${POSTERIORS[name].targetAccept} (the reference's)`, adapt: { targetAccept: POSTERIORS[name].targetAccept } });
    for (const metric of metrics) {
      for (const s of settings) {
        let first = null;
        let passed = 0;
        let divergent = 0;
        const failed = [];
        for (let seed = 1; seed <= seeds; seed++) {
          const r = await sampleChains({ type: 'module', url }, { seed, pool, adapt: s.adapt, metric });
          const c = compare(r, target, fx);
          c.seconds = r.seconds;
          c.gradEvals = r.gradEvals.reduce((a, b) => a + b, 0);
          c.picked = metric === 'auto' ? `auto → ${[...new Set(r.metric)].map((m) => `${m} ×${r.metric.filter((x) => x === m).length}`).join(', ')}` : metric;
          if (seed === 1) first = c;
          if (c.failures.length === 0) passed++;
          else failed.push(`seed ${seed}: ${c.failures.join(', ')}`);
          divergent += c.divergences > 0 ? 1 : 0;
        }
        const c = first;
        const maxCor = Math.max(...fx.reference.correlations.map(([, , r]) => Math.abs(r)));
        table.push(`| ${name} | ${fx.posterior} | ${target.dim} | ${f2(maxCor, 3)} | ${c.picked} | ${s.label} | ${f2(c.rhatMax, 4)} | ${Math.round(c.essMin)} | ${c.divergences} | ${f2(c.zMean)} | ${f2(c.zSd)} | ${f2(c.zCor)} | ${f2(c.seconds, 1)} | ${(c.gradEvals / 1e6).toFixed(2)} | ${passed}/${seeds} | ${divergent}/${seeds} |`);
        if (failed.length) table.push(`|  | ↳ failing seeds: ${failed.join('; ')} | | | | | | | | | | | | | | |`);
        if (metric === metrics[0] && s === settings[0]) {
          details.push(`### ${name} (${fx.posterior}), seed 1\n\n| quantity | reference mean | ours | z | reference sd | ours | z | R̂ | bulk ESS |\n|---|---|---|---|---|---|---|---|---|`);
          for (const r of c.rows) details.push(`| ${r.name} | ${r.refMean.toPrecision(4)} | ${r.mean.toPrecision(4)} | ${f2(r.zMean)} | ${r.refSd.toPrecision(4)} | ${r.sd.toPrecision(4)} | ${f2(r.zSd)} | ${f2(r.rhat, 4)} | ${Math.round(r.ess)} |`);
          details.push(`\nCorrelations: ${c.correlations.map((k) => `${k.pair}: ${f2(k.ours, 4)} (reference ${f2(k.ref, 4)}, z ${f2(k.z)})`).join('; ')}.\n`);
        }
        console.error(`${name} ${metric} ${s.label}: ${passed}/${seeds} seeds pass`);
      }
    }
  }
} finally {
  await pool.close();
}

const md = `# NUTS against posteriordb reference posteriors

Regenerate: \`npm run build && node eval/posteriordb.mjs${args.length ? ' ' + args.join(' ') : ''}\` (fixtures: \`node eval/posteriordb/make-fixtures.mjs <posteriordb checkout>\`).
Measured ${new Date().toISOString().slice(0, 10)}, load average ${loadavg().map((x) => x.toFixed(2)).join(' ')} at the end, ${Math.min(4, cpus().length)} workers.

Each posterior is a hand-written user target module (\`eval/posteriordb/<name>.mjs\`, unconstrained as Stan
does it: log for σ, τ, α₀; logit for (0, 1) bounds, with the log-Jacobian; gradients checked against
finite differences in \`test/samplers/posteriordb.node.test.ts\`). Draws are mapped back to the constrained
quantities of the reference draws and compared with the reference's summaries (10 chains × 1000 draws,
stan-dev/posteriordb): z = (ours − reference) / √(MCSE_ours² + MCSE_ref²), each MCSE from its own ESS, for the
mean and the sd of every quantity and for the three strongest correlations (SE (1 − r²)/√ESS). A run passes
when every |z| ≤ ${LIMITS.z}, R̂ ≤ ${LIMITS.rhat} (rank-normalized, max over the sampled coordinates and the
compared quantities) and there are no divergences. Settings: \`sampleChains\` defaults — 4 chains, 1000 warmup
+ 1000 draws, NUTS (max tree depth 10), target acceptance 0.8, metric \`auto\` (which one it picked per chain in
seed 1 is shown) — and \`diag\` / \`dense\` forced, for comparison; seeds 1..${seeds}; the columns from R̂ to
gradients are seed 1's. "max |ρ|" is the strongest correlation of the reference posterior.

| name | posterior | dim | max \\|ρ\\| | metric | settings | R̂ max | min ESS | div. | max \\|z\\| mean | sd | ρ | s | grads (M) | seeds passing | seeds with divergences |
|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
${table.join('\n')}

## Per quantity

${details.join('\n')}
`;
writeFileSync(new URL(`${out}.md`, import.meta.url), md);
console.error(`wrote eval/${out}.md`);
