// `npm start`: `bdl compare` on the embedded data (UCI energy, a 1-D toy with a gap, digits with
// held-out classes and pixel noise as OOD) with every method; writes bdl-report/report.html.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../bin/bdl.js', import.meta.url));
const r = spawnSync(process.execPath, [cli, 'compare', '--out', 'bdl-report', ...process.argv.slice(2)], { stdio: 'inherit' });
process.exitCode = r.status ?? 1;
