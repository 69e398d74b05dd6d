// NUTS's bookkeeping per leapfrog step, one thread: `node bench/nuts-overhead.mjs [--repeats 5]` (after
// `npm run build`). Prints {"nutsOverhead": [...]}: one result of bench/nuts-overhead.ts per repeat.
// To compare two builds, run it in a worktree of each, alternating, on the same core (taskset -c 1).
import { parseArgs } from 'node:util';
import { importBench } from './bundle.mjs';

const { values: o } = parseArgs({ options: { repeats: { type: 'string', default: '5' } }, strict: true });
const { benchNutsOverhead } = await importBench('nuts-overhead');
const runs = [];
for (let r = 0; r < Number(o.repeats); r++) runs.push(await benchNutsOverhead());
console.log(JSON.stringify({ nutsOverhead: runs }));
