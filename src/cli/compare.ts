/**
 * `bdl compare`: every method (or --methods) side by side on the embedded suites (UCI energy, a 1-D
 * toy with a gap, digits with OOD inputs) or on the user's --train/--test files. Prints the tables and
 * the orderings, writes DIR/results.json and DIR/report.html.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BdlError, fileReadError } from '../errors.js';
import { tableToDataset } from '../data/parse.js';
import { fileWarnings, labelsOf, readTable, readTestTable, readText } from './tables.js';
import { trainColumns } from './columns.js';
import { inputBounds } from '../data/warnings.js';
import { METHODS, methodEntry, methodNames, type MethodEntry } from '../methods/registry.js';
import { digitsSuite, toyGapSuite, uciSuite, type Suite } from '../report/suites.js';
import { fashionSuite } from '../report/fashion.js';
import { runSuite, type SuiteResult } from '../report/run.js';
import { FIELD_ORDERINGS, judgeOrdering } from '../report/orderings.js';
import { formatTables } from '../report/table.js';
import { reportHtml, type ReportDoc } from '../report/html.js';
import { markdownTable } from '../report/lora.js';
import { DEBUG_FIELD, flagsOf, HELP_FIELD, helpLines, optionsOf, parseFlags, UsageError, type Usage } from './args.js';
import { checkNotInput, checkOutputDir, writeOutputs } from './output.js';
import { checkCompareFlags } from './conflicts.js';
import { enumOf, int, num, schema, text } from '../options/schema.js';
import { chainSummary, runWarnings } from '../diagnostics/chain-summary.js';
import { progressLabel, progressReporter } from './progress.js';
import { QUEUE_FIELDS, withRedisPool } from './worker.js';
import { CORE_FIELD, useCore } from './core.js';
import type { WasmFlavor } from '../wasm/core.js';

const UCI_FILES: Record<string, string> = { energy: 'energy', boston: 'bostonHousing', concrete: 'concrete', wine: 'wine-quality-red', yacht: 'yacht' };
/** Debian's dataset-fashion-mnist (not embedded: 30 MB); `--dataset fashion` reads it from here. */
const FASHION_DIR = '/usr/share/datasets/fashion-mnist';
const OTHER_DATASETS = ['toy-gap', 'digits', 'fashion'];
const DEFAULT_DATASETS = 'energy,toy-gap,digits';

/** The longest time limit a timer can hold, in seconds (setTimeout's 2^31 − 1 ms). */
const MAX_TIME_LIMIT = Math.floor((2 ** 31 - 1) / 1000);
/** What compare writes into --out. */
const OUTPUT_FILES = ['results.json', 'report.html'];

const USAGE: Usage = { command: 'compare', line: 'usage: bdl compare [--dataset LIST | --train FILE --test FILE] [--methods LIST] [--out DIR] [flags]   (bdl compare --help)' };

export const COMPARE_FIELDS = {
  dataset: text({ default: DEFAULT_DATASETS, help: `embedded data, comma-separated: ${[...Object.keys(UCI_FILES), ...OTHER_DATASETS].join(', ')} (fashion: Debian's dataset-fashion-mnist, 10,000 / 2,000 images)` }),
  train: text({ help: 'your training file (CSV, tab- or whitespace-separated; target last) instead of --dataset' }),
  test: text({ help: 'your test file (same columns)' }),
  task: enumOf(['regression', 'classification'], { default: 'regression', help: 'with --train: regression | classification' }),
  methods: text({ help: `comma-separated (default: every method: ${methodNames().join(', ')})` }),
  out: text({ default: 'bdl-report', help: 'directory for results.json and report.html' }),
  seed: int({ min: 0, default: 0, help: 'random seed of every method' }),
  // At most 2^31 − 1 ms: a longer timer fires at once (Node's setTimeout), which would skip every method.
  timeLimit: num({ min: 1, max: MAX_TIME_LIMIT, default: 60, flag: 'time-limit', help: 'seconds after which one method is stopped and reported as skipped' }),
  data: text({ help: 'directory of the embedded data (default: the package’s data/)' }),
  lora: text({ help: 'eval/LoRA.md (written by node eval/lora.mjs): shows its table in the report' }),
  ...QUEUE_FIELDS,
  core: CORE_FIELD,
  debug: DEBUG_FIELD,
  help: HELP_FIELD,
};
const TABLE = flagsOf(COMPARE_FIELDS, 'flags');

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
  const given = parseFlags(argv, TABLE, USAGE);
  if (given.get('help')) {
    process.stdout.write(`bdl compare — run methods side by side; print a table; write results.json and report.html\n\n${USAGE.line}\n${helpLines(TABLE, ['flags'])}\n`);
    return;
  }
  const flags = { ...schema('bdl compare', COMPARE_FIELDS).defaults(), ...optionsOf(given, TABLE, ['flags']) } as CompareFlags;
  let methods: Record<string, MethodEntry>;
  let core: WasmFlavor;
  try {
    methods = pickMethods(flags.methods);
    if ((flags.train === undefined) !== (flags.test === undefined)) throw new BdlError('E_ARG', '--train and --test go together: give both files.', 'train');
    for (const name of flags.dataset.split(',').filter((n) => n !== '')) if (!Object.hasOwn(UCI_FILES, name) && !OTHER_DATASETS.includes(name)) badDataset(name);
    checkCompareFlags(given);
    // The output directory before any work: a comparison takes minutes, and its results must land.
    checkNotInput(OUTPUT_FILES.map((f) => ['out', join(flags.out, f)] as const), [['train', flags.train], ['test', flags.test], ['lora', flags.lora]]);
    await checkOutputDir(flags.out, 'out', OUTPUT_FILES);
    core = await useCore(flags.core);
  } catch (e) {
    throw e instanceof BdlError && e.code === 'E_ARG' ? new UsageError(`bdl compare: ${e.message}`, USAGE, e.argument) : e;
  }
  const { seed, timeLimit } = flags;
  const suites = await loadSuites(flags, given.get('task') !== undefined);
  // Read before the run: a wrong --lora file fails in a second, not after the comparison.
  const lora = flags.lora === undefined ? undefined : markdownTable(await readText(flags.lora, 'lora'), flags.lora);
  const outDir = flags.out;

  const t0 = performance.now();
  const results: SuiteResult[] = [];
  // With --redis, every method that runs pool tasks (ensemble, multiswag, nuts, hmc) runs them on the queue.
  await withRedisPool(flags, async (pool) => {
    // Only the methods that take a pool get the queue's (the others train in this process, as without --redis).
    const budgets = pool ? Object.fromEntries(Object.keys(methods).map((m) => [m, { ...COMPARE_BUDGETS[m], ...(Object.hasOwn(methods[m].options.fields, 'pool') && { pool }) }])) : COMPARE_BUDGETS;
    for (const suite of suites) {
      let bar: ReturnType<typeof progressReporter> | undefined;
      // A running bar keeps a timer: stop it on every path, or a cancelled run would never exit.
      const run = runSuite(suite, methods, {
          seed,
          timeLimit,
          signal,
          budgets,
          onMethodStart: (s, m) => (bar = progressReporter(`${s}/${m}`)),
          onProgress: (_s, m, p) => {
            const { note, unit } = progressLabel(m, p);
            bar?.update(p.epoch, p.epochs, note, unit);
          },
          onMethodEnd: (s, r) => {
            bar?.end();
            process.stderr.write(`${s}/${r.method}: ${r.skipped ? `skipped after ${(r.seconds ?? 0).toFixed(2)} s (${r.skipped})` : `${r.seconds!.toFixed(2)} s`}\n`);
            process.stderr.write(chainLines(`${s}/${r.method}`, r.method, r.info));
          },
        });
      results.push(await run.finally(() => bar?.end()));
    }
  });
  const seconds = (performance.now() - t0) / 1000;
  const orderings = FIELD_ORDERINGS.map((o) => judgeOrdering(o, results));
  process.stdout.write(formatTables(results, orderings));
  process.stdout.write(`\ntotal ${seconds.toFixed(1)} s\n`);

  const doc: ReportDoc = {
    title: 'bdl-wasm: Bayesian deep learning methods compared',
    date: new Date().toISOString(),
    environment: { runtime: `Node ${process.versions.node}`, cores: cpus().length, seed, core, 'total seconds': Number(seconds.toFixed(1)) },
    suites: results,
    orderings,
    ...(lora && { lora }),
  };
  const page = reportHtml(doc, await pageScript());
  if (signal.aborted) throw new BdlError('E_ABORTED', 'compare: cancelled before the report was written.');
  await mkdir(outDir, { recursive: true });
  await writeOutputs([{ flag: 'out', path: join(outDir, OUTPUT_FILES[0]), data: JSON.stringify(doc) + '\n' }, { flag: 'out', path: join(outDir, OUTPUT_FILES[1]), data: page }], signal);
  process.stdout.write(`wrote ${outDir}/results.json and ${outDir}/report.html\n`);
  const ran = results.reduce((k, r) => k + r.methods.filter((m) => !m.skipped).length, 0);
  if (ran === 0) throw new BdlError('E_EMPTY', `compare: every method was skipped (the reasons are above and in ${outDir}/report.html); nothing was compared.`);
}

/**
 * A Markov chain method's convergence after its row (as `bdl fit` prints it), and its warnings; where
 * compare ran the method on its short budget, the warning says so and where the defaults run.
 */
export function chainLines(label: string, method: string, info: Record<string, unknown> | undefined): string {
  const chains = chainSummary(info);
  const lines = [...(chains ? [`${label}: ${chains.line}`] : []), ...runWarnings(info).map((w) => `${label}: warning: ${w}`)];
  const b = COMPARE_BUDGETS[method];
  if (chains?.warnings.length && b) {
    lines.push(`${label}: compare runs it on a short budget (${b.chains} chains × (${b.warmup} warmup + ${b.draws} draws)) so that every method fits in minutes; \`bdl fit --method ${method}\` runs its defaults.`);
  }
  return lines.map((l) => l + '\n').join('');
}

function pickMethods(list: string | undefined): Record<string, MethodEntry> {
  if (list === undefined) return METHODS;
  const out: Record<string, MethodEntry> = {};
  for (const name of list.split(',').filter((s) => s !== '')) {
    if (!methodEntry(name)) throw new BdlError('E_ARG', `--methods: unknown method ${JSON.stringify(name)}; expected some of ${methodNames().join(', ')}.`, 'methods');
    out[name] = METHODS[name];
  }
  if (!Object.keys(out).length) throw new BdlError('E_ARG', '--methods: expected at least one method name.', 'methods');
  return out;
}

interface CompareFlags {
  dataset: string;
  train?: string;
  test?: string;
  task: 'regression' | 'classification';
  methods?: string;
  out: string;
  seed: number;
  timeLimit: number;
  data?: string;
  redis?: string;
  queue?: string;
  withdrawMs?: number;
  core?: string;
  lora?: string;
}

async function loadSuites(flags: CompareFlags, taskGiven: boolean): Promise<Suite[]> {
  if (flags.train !== undefined && flags.test !== undefined) {
    const task = flags.task;
    const trainTable = await readTable(flags.train, 'train');
    const train = tableToDataset(trainTable, -1, flags.train);
    // The test file's columns by name when both have headers (columns.ts), and it must hold the target.
    const columns = trainColumns(trainTable, '-1', flags.train);
    const rows = await readTestTable(flags.test, columns);
    if (!rows.y) throw new BdlError('E_SHAPE', `--test: ${flags.test} has no target column; compare scores every method on the test targets (the last column of --train).`, 'test');
    const test = { x: rows.x, y: rows.y, n: rows.y.length, inputs: train.inputs, targets: 1 };
    if (task === 'classification') {
      const k = labelsOf(train, flags.train);
      labelsOf(test, flags.test, Math.max(k, 2));
    }
    // What `bdl fit` says about the same files, said here too (before any method runs).
    const trainFile = { path: flags.train, table: trainTable, data: train, columns, task, taskGiven };
    for (const w of fileWarnings(trainFile, { path: flags.test, x: test.x, warnings: rows.warnings }, inputBounds(train))) process.stderr.write(`compare: warning: ${w}\n`);
    return [{ name: flags.train.replace(/^.*[\\/]/, ''), task, description: `${flags.train} (${train.n} rows) → ${flags.test} (${test.n} rows), target the last column`, train, test }];
  }
  // As every file the user names: bounded (a device or a pipe is not read to its end), gzip undone.
  const data = flags.data;
  const fileOf = (name: string) => (data !== undefined ? join(data, name) : fileURLToPath(new URL(`../data/${name}`, import.meta.url)));
  const read = async (name: string) => {
    try {
      return await readText(fileOf(name), 'data');
    } catch (e) {
      throw data === undefined && e instanceof BdlError && e.code === 'E_ARG' ? new BdlError('E_ARG', `${e.message.replace(/\.$/, '')}, or pass --data DIR.`, e.argument) : e;
    }
  };
  const suites: Suite[] = [];
  for (const name of flags.dataset.split(',').filter((s) => s !== '')) {
    if (Object.hasOwn(UCI_FILES, name)) {
      const file = `uci/${UCI_FILES[name]}.txt`;
      suites.push(uciSuite(name, await read(file), 1, fileOf(file)));
    } else if (name === 'toy-gap') suites.push(toyGapSuite());
    else if (name === 'digits') suites.push(digitsSuite(await read('digits.csv.gz'), { source: fileOf('digits.csv.gz') }));
    else if (name === 'fashion') {
      const idx = async (f: string) => {
        const file = `${FASHION_DIR}/${f}-ubyte.gz`;
        const bytes = await readFile(file).catch((e: unknown) => {
          if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw fileReadError(file, e, 'dataset');
          throw new BdlError('E_ARG', `--dataset fashion: cannot read ${file}. Install Debian's dataset-fashion-mnist (apt-get install dataset-fashion-mnist).`, 'dataset');
        });
        return gunzipSync(bytes);
      };
      const files = { trainImages: await idx('train-images-idx3'), trainLabels: await idx('train-labels-idx1'), testImages: await idx('t10k-images-idx3'), testLabels: await idx('t10k-labels-idx1') };
      suites.push(fashionSuite(files, await read('digits.csv.gz')));
    } else badDataset(name);
  }
  return suites;
}

/** The report page's bundle, built beside the command line (dist/report-page.js). */
async function pageScript(): Promise<string> {
  return readFile(new URL('./report-page.js', import.meta.url), 'utf8');
}


function badDataset(name: string): never {
  throw new BdlError('E_ARG', `--dataset: unknown data set ${JSON.stringify(name)}; expected some of ${[...Object.keys(UCI_FILES), ...OTHER_DATASETS].join(', ')}.`, 'dataset');
}
