/**
 * `bdl compare`: every method (or --methods) side by side on the embedded suites (UCI energy, a 1-D
 * toy with a gap, digits with OOD inputs) or on the user's --train/--test files. Prints the tables and
 * the orderings, writes DIR/results.json and DIR/report.html.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { cpus } from 'node:os';
import { BdlError } from '../errors.js';
import { parseTable, tableToDataset } from '../data/parse.js';
import { METHODS, methodNames, type MethodEntry } from '../methods/registry.js';
import { digitsSuite, toyGapSuite, uciSuite, type Suite } from '../report/suites.js';
import { runSuite, type SuiteResult } from '../report/run.js';
import { FIELD_ORDERINGS, judgeOrdering } from '../report/orderings.js';
import { formatTables } from '../report/table.js';
import { reportHtml, type ReportDoc } from '../report/html.js';
import { helpText, numberFlag, parseArgs, type FlagSpec } from './args.js';
import { progressReporter } from './progress.js';
import { REDIS_FLAG, withRedisPool } from './worker.js';

const UCI_FILES: Record<string, string> = { energy: 'energy', boston: 'bostonHousing', concrete: 'concrete', wine: 'wine-quality-red', yacht: 'yacht' };
const DEFAULT_DATASETS = 'energy,toy-gap,digits';

export const COMPARE_FLAGS: Record<string, FlagSpec> = {
  dataset: { type: 'string', help: `embedded data, comma-separated: ${[...Object.keys(UCI_FILES), 'toy-gap', 'digits'].join(', ')}`, default: DEFAULT_DATASETS },
  train: { type: 'string', help: 'your training file (CSV or whitespace-separated; target last) instead of --dataset' },
  test: { type: 'string', help: 'your test file (same columns)' },
  task: { type: 'string', help: 'with --train: regression | classification', default: 'regression' },
  methods: { type: 'string', help: `comma-separated (default: every method: ${methodNames().join(', ')})` },
  out: { type: 'string', help: 'directory for results.json and report.html', default: 'bdl-report' },
  seed: { type: 'string', help: 'random seed of every method', default: '0' },
  'time-limit': { type: 'string', help: 'seconds after which one method is stopped and reported as skipped', default: '60' },
  data: { type: 'string', help: 'directory of the embedded data (default: the package’s data/)' },
  redis: REDIS_FLAG,
  debug: { type: 'boolean', help: 'print stack traces' },
  help: { type: 'boolean', help: 'this text' },
};

/**
 * Budgets per method for the embedded suites, sized for a 2-core machine (the whole default run well
 * under five minutes). Methods not listed run with their own defaults under the time limit.
 */
export const COMPARE_BUDGETS: Record<string, Record<string, unknown>> = {
  // Full-batch MCMC: 2 chains (one per core) × (150 warmup + 150 draws), 30 kept per chain, shallow trees.
  hmc: { chains: 2, warmup: 150, draws: 150, keep: 30, steps: 16 },
  nuts: { chains: 2, warmup: 150, draws: 150, keep: 30, maxTreeDepth: 5 },
};

export async function compareCommand(argv: string[], signal: AbortSignal): Promise<void> {
  const { flags } = parseArgs(argv, COMPARE_FLAGS, 'compare');
  if (flags.help) {
    process.stdout.write(helpText('compare', 'run methods side by side; print a table; write results.json and report.html', COMPARE_FLAGS));
    return;
  }
  const methods = pickMethods(flags.methods as string | undefined);
  const seed = numberFlag(flags, 'seed', { integer: true, min: 0 }) ?? 0;
  const timeLimit = numberFlag(flags, 'time-limit', { min: 1 }) ?? 60;
  const suites = await loadSuites(flags);
  const outDir = String(flags.out);

  const t0 = performance.now();
  const results: SuiteResult[] = [];
  // With --redis, every method that runs pool tasks (ensemble, multiswag, nuts, hmc) runs them on the queue.
  await withRedisPool(flags.redis, async (pool) => {
    const budgets = pool ? Object.fromEntries(Object.keys(methods).map((m) => [m, { ...COMPARE_BUDGETS[m], pool }])) : COMPARE_BUDGETS;
    for (const suite of suites) {
      let bar: ReturnType<typeof progressReporter> | undefined;
      results.push(
        await runSuite(suite, methods, {
          seed,
          timeLimit,
          signal,
          budgets,
          onMethodStart: (s, m) => (bar = progressReporter(`${s}/${m}`)),
          onProgress: (_s, _m, done, total, note) => bar?.update(done, total, note),
          onMethodEnd: (s, r) => {
            bar?.end();
            process.stderr.write(`${s}/${r.method}: ${r.skipped ? `skipped after ${(r.seconds ?? 0).toFixed(2)} s (${r.skipped})` : `${r.seconds!.toFixed(2)} s`}\n`);
          },
        }),
      );
    }
  });
  const seconds = (performance.now() - t0) / 1000;
  const orderings = FIELD_ORDERINGS.map((o) => judgeOrdering(o, results));
  process.stdout.write(formatTables(results, orderings));
  process.stdout.write(`\ntotal ${seconds.toFixed(1)} s\n`);

  const doc: ReportDoc = {
    title: 'bdl-wasm: Bayesian deep learning methods compared',
    date: new Date().toISOString(),
    environment: { runtime: `Node ${process.versions.node}`, cores: cpus().length, seed, 'total seconds': Number(seconds.toFixed(1)) },
    suites: results,
    orderings,
  };
  await mkdir(outDir, { recursive: true });
  await writeFile(`${outDir}/results.json`, JSON.stringify(doc) + '\n');
  await writeFile(`${outDir}/report.html`, reportHtml(doc, await pageScript()));
  process.stdout.write(`wrote ${outDir}/results.json and ${outDir}/report.html\n`);
}

function pickMethods(list: string | undefined): Record<string, MethodEntry> {
  if (list === undefined) return METHODS;
  const out: Record<string, MethodEntry> = {};
  for (const name of list.split(',').filter((s) => s !== '')) {
    if (!METHODS[name]) throw new BdlError('E_ARG', `--methods: unknown method ${JSON.stringify(name)}; expected some of ${methodNames().join(', ')}.`, 'methods');
    out[name] = METHODS[name];
  }
  if (!Object.keys(out).length) throw new BdlError('E_ARG', '--methods: expected at least one method name.', 'methods');
  return out;
}

async function loadSuites(flags: Record<string, string | boolean | undefined>): Promise<Suite[]> {
  if (flags.train !== undefined || flags.test !== undefined) {
    if (typeof flags.train !== 'string' || typeof flags.test !== 'string') throw new BdlError('E_ARG', '--train and --test go together: give both files.', 'train');
    const task = flags.task === 'classification' ? 'classification' : flags.task === 'regression' ? 'regression' : badTask(flags.task);
    const train = tableToDataset(parseTable(await readText(flags.train), { source: flags.train }), -1, flags.train);
    const test = tableToDataset(parseTable(await readText(flags.test), { source: flags.test }), -1, flags.test);
    if (test.inputs !== train.inputs) throw new BdlError('E_SHAPE', `--test: expected ${train.inputs + 1} columns as in --train, found ${test.inputs + 1}.`, 'test');
    return [{ name: flags.train.replace(/^.*[\\/]/, ''), task, description: `${flags.train} (${train.n} rows) → ${flags.test} (${test.n} rows), target the last column`, train, test }];
  }
  const dir = typeof flags.data === 'string' ? flags.data.replace(/\/?$/, '/') : new URL('../data/', import.meta.url);
  const at = (name: string) => (typeof dir === 'string' ? dir + name : new URL(name, dir));
  const suites: Suite[] = [];
  for (const name of String(flags.dataset).split(',').filter((s) => s !== '')) {
    if (UCI_FILES[name]) suites.push(uciSuite(name, await readText(at(`uci/${UCI_FILES[name]}.txt`))));
    else if (name === 'toy-gap') suites.push(toyGapSuite());
    else if (name === 'digits') suites.push(digitsSuite(gunzipSync(await readBytes(at('digits.csv.gz'))).toString('utf8')));
    else throw new BdlError('E_ARG', `--dataset: unknown data set ${JSON.stringify(name)}; expected some of ${[...Object.keys(UCI_FILES), 'toy-gap', 'digits'].join(', ')}.`, 'dataset');
  }
  return suites;
}

/** The report page's bundle, built beside the command line (dist/report-page.js). */
async function pageScript(): Promise<string> {
  return readText(new URL('./report-page.js', import.meta.url));
}

async function readBytes(path: string | URL): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (e) {
    throw new BdlError('E_ARG', `${String(path)}: cannot read the file (${(e as NodeJS.ErrnoException).code ?? 'error'}). Check the path${String(path).includes('data') ? ' or pass --data DIR' : ''}.`, String(path));
  }
}

async function readText(path: string | URL): Promise<string> {
  return (await readBytes(path)).toString('utf8');
}

function badTask(v: unknown): never {
  throw new BdlError('E_ARG', `--task: expected regression or classification, found ${JSON.stringify(v)}.`, 'task');
}
