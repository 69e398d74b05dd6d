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
    if (POSTERIORS[name].alsoTargetAccept) settings.push({ label: `targetAccept ${POSTERIORS[name].alsoTargetAccept}`, adapt: { targetAccept: POSTERIORS[name].alsoTargetAccept } });
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

## Divergences at the default target acceptance: eight schools (non-centered), against Stan

Seven of ten seeds of eight_schools_noncentered end with 1–3 divergences at target acceptance 0.8 (of
4,000 draws). This is the posterior, not a deviation of this sampler from Stan's: Stan 2.21 (rstan, Debian's
r-cran-rstan), same model, same data, its defaults, run by \`eval/posteriordb/stan/eight_schools.R\`
(2026-12-05):

| adapt_delta | Stan: seeds with divergences | Stan: divergences | Stan: step sizes | ours: seeds with divergences (table above) |
|---|---|---|---|---|
| 0.8 (default) | 14/20 | 29 (0–6 per seed) | 0.34–0.66 | 7/10: 12 divergences (0–3 per seed), step sizes 0.32–0.60 |
| 0.9 | 0/10 | 0 | 0.23–0.46 | see the row "targetAccept 0.9" |
| 0.95 (the reference's) | 1/10 | 1 | 0.17–0.43 | see the row "targetAccept 0.95" |

Where they happen (ours, traced in seed 1): trajectories that run up the half-Cauchy's tail of τ.
Non-centering removes the funnel at small τ, but at large τ the likelihood pins θⱼ = μ + τ·θ̃ⱼ, so θ̃ⱼ's
conditional width shrinks like σⱼ/τ — the same funnel turned the other way — and a step size adapted to
the bulk (≈ 0.4) overshoots there (one traced divergent trajectory reached log τ = 10.3 with
log p = −3.9·10⁹). Stan's warmup was checked line by line against this one: windows 75/25…/50 with the
window that would leave less than a full next window absorbed, the metric (n/(n+5))·var + 1e-3·5/(n+5)
(and its dense analogue), the step-size search after every metric update with dual averaging restarted
around log(10ε), the final ε = exp(x̄), NUTS's acceptance statistic over the whole trajectory including
rejected subtrees. One deviation was found and fixed: Stan keeps μ = log(10·ε₀) of the given ε₀ = 1
through the initial buffer (its services set μ before the initial search); this sampler had centred it
on the searched ε. It changed nothing measurable here (7/10 seeds with divergences before and after, 13 and 12 in all). The test
(test/samplers/posteriordb.node.test.ts) therefore runs eight schools at the reference's own 0.95.

The metric: \`auto\` picks dense when a window's largest variance inflation factor reaches 10 (R² ≥ 0.9 of one
parameter on the others; src/samplers/metric.ts). At the defaults it picks diagonal for eight_schools, blr,
kilpisjarvi and garch and dense for kidiq, mesquite and arK, and every one of those seven passes 10/10
except eight schools (divergences, above). The rule does not decide the marginal cases: blr's σ has a bulk
ESS of only ≈ 600–800 of 4,000 draws under either metric, so its R̂ lands near 1.01 by chance — before the
μ fix diagonal passed 9/10 and dense 10/10, after it diagonal 10/10 and dense 8/10 (R̂ 1.0119, 1.0180);
garch forced dense has one divergence in one seed. kilpisjarvi's |ρ(α, β)| = 1.000 is judged diagonal
because the window's regularization adds 1e-3·5/(n+5) to β's variance (≈ 5.6·10⁻⁵), which lowers the
estimated correlation below the threshold — the same shrinkage Stan applies to its dense metric; it passes
10/10 either way.

## Per quantity

${details.join('\n')}
`;
writeFileSync(new URL(`${out}.md`, import.meta.url), md);
console.error(`wrote eval/${out}.md`);
