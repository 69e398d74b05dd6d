// `node eval/swag-default.mjs eval/final-a.json eval/final-b.json`: SWAG's default collection rate
// chosen from VALIDATION scores only. A tuned UCI run (`--tune`) records, per data set and split,
// every candidate's log-likelihood on the validation part of the training split; this ranks the
// candidates within each split (1 = best) and reports each candidate's mean rank over all splits
// of all data sets. The test splits are not read.
import { readFileSync } from 'node:fs';

const ranks = {};
let splits = 0;
for (const file of process.argv.slice(2)) {
  const run = JSON.parse(readFileSync(file, 'utf8'));
  for (const [dataset, byMethod] of Object.entries(run.results)) {
    for (const scores of byMethod.swag?.validation ?? []) {
      // The held-out-noise candidate is a refinement of the winner, not a default: leave it out.
      const grid = scores.filter((c) => !('noise' in c.overrides));
      const order = [...grid].sort((a, b) => b.score - a.score);
      for (const c of grid) {
        const key = JSON.stringify({ swaLearningRate: c.overrides.swaLearningRate, burnIn: 'swaStart' in c.overrides ? 'step budget' : '40 epochs' });
        (ranks[key] ??= { sum: 0, n: 0, byDataset: {} }).sum += order.indexOf(c) + 1;
        ranks[key].n++;
        const d = (ranks[key].byDataset[dataset] ??= { sum: 0, n: 0 });
        d.sum += order.indexOf(c) + 1;
        d.n++;
      }
      splits++;
    }
  }
}
console.log(`SWAG candidates by mean validation rank over ${splits} training splits (1 = best):`);
for (const [k, r] of Object.entries(ranks).sort((a, b) => a[1].sum / a[1].n - b[1].sum / b[1].n)) {
  const per = Object.entries(r.byDataset).map(([d, x]) => `${d} ${(x.sum / x.n).toFixed(2)}`).join(', ');
  console.log(`${(r.sum / r.n).toFixed(2)}  ${k}  (${per})`);
}
