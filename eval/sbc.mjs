// `node eval/sbc.mjs [--replicates 200] [--models hierarchical,logistic] [--kernels nuts,hmc] [--broken 60] [--out SBC]`
// (after `npm run build`): simulation-based calibration (Talts et al. 2018) of NUTS and static HMC with
// default settings (4 chains, 1000 warmup + 1000 draws; HMC 32 steps, jitter 0.1) on the two models of
// eval/sbc/models.mjs; each replicate's 4000 draws thinned evenly to L = 99, ranks 0..99 in 20 bins,
// Pearson's χ² test of uniformity per quantity. `--broken N` adds N replicates of a deliberately broken
// simulator (its prior scales doubled) to show the test sees it. Writes eval/SBC.md.
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { createPool } from '../dist/index.js';
import { chiSquare, histogram, runSbc } from './sbc/core.mjs';
import { MODELS } from './sbc/models.mjs';

const args = process.argv.slice(2);
const opt = (k, d) => (args.includes(k) ? args[args.indexOf(k) + 1] : d);
const replicates = Number(opt('--replicates', '200'));
const models = opt('--models', 'hierarchical,logistic').split(',');
const kernels = opt('--kernels', 'nuts,hmc').split(',');
const broken = Number(opt('--broken', '60'));
const out = opt('--out', 'SBC');
const L = 99;
const BINS = 20;

const BARS = ' ▁▂▃▄▅▆▇█';
/** One text line per histogram: a bar per bin, scaled to the largest expected-count multiple. */
const sparkline = (h, n) => {
  const top = Math.max(...h, (2 * n) / h.length);
  return h.map((c) => BARS[Math.round((c / top) * (BARS.length - 1))]).join('');
};

const pool = await createPool({ size: 2 });
const rows = [];
const hists = [];
const t0 = performance.now();
try {
  const runs = [];
  for (const m of models) for (const k of kernels) runs.push({ m, k, scale: 1, n: replicates });
  if (broken > 0) for (const m of models) runs.push({ m, k: 'nuts', scale: 2, n: broken });
  for (const { m, k, scale, n } of runs) {
    const t = performance.now();
    const r = await runSbc(MODELS[m], { kernel: k, replicates: n, L, priorScale: scale, pool, onReplicate: (i) => { if ((i + 1) % 20 === 0) console.error(`${m} ${k} ×${scale}: ${i + 1}/${n}`); } });
    const secs = (performance.now() - t) / 1000;
    const label = scale === 1 ? `${m} | ${k.toUpperCase()}` : `${m}, simulator prior ×${scale} (broken) | ${k.toUpperCase()}`;
    const minEss = Math.min(...r.replicates.map((x) => x.ess));
    const div = r.replicates.reduce((a, x) => a + x.divergences, 0);
    const withDiv = r.replicates.filter((x) => x.divergences > 0).length;
    r.quantities.forEach((q, i) => {
      const h = histogram(r.ranks[i], L, BINS);
      const c = chiSquare(h);
      rows.push(`| ${label} | ${q} | ${n} | ${c.x2.toFixed(1)} | ${c.p < 1e-4 ? c.p.toExponential(1) : c.p.toFixed(4)} | \`${sparkline(h, n)}\` | ${Math.round(minEss)} | ${div} (${withDiv} replicates) | ${secs.toFixed(0)} |`);
      hists.push(`${(label.replace(' | ', ', ') + ', ' + q).padEnd(58)} ${h.map((x) => String(x).padStart(3)).join('')}`);
    });
    console.error(`${label}: ${secs.toFixed(0)} s`);
  }
} finally {
  await pool.close();
}

const md = `# Simulation-based calibration of NUTS and HMC

Regenerate: \`npm run build && node eval/sbc.mjs${args.length ? ' ' + args.join(' ') : ''}\` (${((performance.now() - t0) / 60000).toFixed(0)} min here on a pool of 2 workers;
load average ${loadavg().map((x) => x.toFixed(2)).join(' ')} at the end, the machine shared with other jobs).

Talts et al. (2018): per replicate, θ ~ prior, data ~ p(· | θ), then \`sampleChains\` with default settings (4 chains,
1000 warmup + 1000 draws, metric \`auto\`; NUTS, or static HMC with the methods' 32 leapfrog steps and 10 % step
jitter); the 4000 draws are thinned evenly to L = ${L} (every ≈ 40th draw; the smallest bulk ESS of any replicate
is in the table, so the kept draws are roughly independent) and the rank of θ among them (0..${L}) is recorded.
If the sampler draws from the posterior, the ranks are uniform. Histograms: ${BINS} bins of 5 ranks; Pearson's χ²
with ${BINS - 1} degrees of freedom. Models (eval/sbc/models.mjs): **hierarchical** — eight-schools-like, J = 8,
μ ~ N(0, 5), τ ~ N⁺(0, 5), θⱼ = μ + τηⱼ, yⱼ ~ N(θⱼ, σⱼ) with the eight schools' σⱼ, sampled non-centred on
(η, μ, log τ); **logistic** — 50 rows, intercept and two predictors correlated 0.6, β ~ N(0, 1).

The **broken** rows are the check's own check: the simulator draws θ from a prior twice as wide as the model's,
so the true θ falls in the posterior's tails too often (a ∪-shaped histogram); the test must reject uniformity
there. The same checks at a smaller budget are a unit test (test/samplers/sbc.node.test.ts).

| model | sampler | quantity | replicates | χ² | p | rank histogram (20 bins) | min bulk ESS | divergences | s |
|---|---|---|---|---|---|---|---|---|---|
${rows.join('\n')}

Counts per bin (expected ${replicates / BINS} per bin for ${replicates} replicates):

\`\`\`
${hists.join('\n')}
\`\`\`
`;
writeFileSync(new URL(`${out}.md`, import.meta.url), md);
console.error(`wrote eval/${out}.md`);
