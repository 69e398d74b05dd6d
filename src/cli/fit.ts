/**
 * `bdl fit`: train one method on a training file and write its predictive on a test file as JSON,
 * in original target units (the contract other tools script against); `--save` keeps the trained
 * posterior for `bdl predict`. Every flag is the method's option of the same meaning, checked by the
 * method's schema before any file is read.
 */
import { BdlError } from '../errors.js';
import { checkSeveralClasses, type Dataset } from '../data/dataset.js';
import { inputBounds } from '../data/warnings.js';
import { METHODS, methodEntry, methodNames, trainMethod, type MethodEntry } from '../methods/registry.js';
import { classesOf, METHOD_OPTIONS, type MethodProgress } from '../methods/common.js';
import { bool, int, nearest, text, type Field } from '../options/schema.js';
import { DEBUG_FIELD, flagsOf, helpLines, JSON_OUT_FIELD, optionsOf, parseFlags, UsageError, type FlagTable, type Usage } from './args.js';
import { checkNotInput, checkWritable, emitDocument } from './output.js';
import { checkFitFlags } from './conflicts.js';
import { checkPredictiveSize } from './limits.js';
import { progressLabel, progressReporter } from './progress.js';
import { QUEUE_FIELDS, withRedisPool } from './worker.js';
import { CORE_FIELD, useCore } from './core.js';
import type { WasmFlavor } from '../wasm/core.js';
import type { Predictive } from '../posterior/types.js';
import { chainSummary, runWarnings } from '../diagnostics/chain-summary.js';
import { metricsOf, predictiveJson, since, VERSION } from './json.js';
import { fileWarnings, readTestTable, readTrainTable } from './tables.js';
import { TARGET_FIELD, withColumns } from './columns.js';

const USAGE: Usage = { command: 'fit', line: 'usage: bdl fit --method NAME --train FILE --test FILE [--out FILE] [--save FILE] [flags]   (bdl fit --method NAME --help)' };

/** The command's own flags; the method's options follow from its schema. */
export const FIT_FIELDS = {
  method: text({ help: `one of ${methodNames().join(', ')}` }),
  train: text({ help: 'training file: CSV, tab- or whitespace-separated numbers' }),
  test: text({ help: 'test file: the same columns (target optional)' }),
  target: TARGET_FIELD,
  tune: bool({ default: false, help: "choose the method's hyperparameters (dropout, epochs, prior precision, learning rate) on a seeded 80/20 validation split of --train, then retrain on all of it; flags you set are kept" }),
  tuneFolds: int({ min: 2, flag: 'tune-folds', help: 'with --tune: choose by k-fold cross-validation of --train instead of one split (k× the search cost)' }),
  out: JSON_OUT_FIELD,
  save: text({ help: 'also save the trained posterior here (for bdl predict --posterior)' }),
  ...QUEUE_FIELDS,
  core: CORE_FIELD,
  debug: DEBUG_FIELD,
  help: bool({ default: false, help: 'this text (with --method: that method’s flags)' }),
};

const COMMAND = 'command';
const SHARED = 'network and training';

/**
 * Every flag any method takes, for the first parse: names only, as one name may be several methods'
 * fields (--prior-precision: the MAP's number, Laplace's marglik|grid|number); each method's own
 * parse then checks the values.
 */
function allFlags(): FlagTable {
  let table: FlagTable = { ...flagsOf(FIT_FIELDS, COMMAND), ...flagsOf(METHOD_OPTIONS.fields, SHARED) };
  for (const entry of Object.values(METHODS)) table = { ...flagsOf(entry.options.fields, 'method'), ...table };
  return table;
}

/** The flags of one method: the command's, then the method's options (shared ones listed apart). */
export function methodFlags(entry: MethodEntry): FlagTable {
  const base: Readonly<Record<string, Field<unknown>>> = METHOD_OPTIONS.fields;
  const shared = Object.keys(base).filter((k) => entry.options.fields[k] === base[k]);
  return { ...flagsOf(FIT_FIELDS, COMMAND), ...flagsOf(entry.options.fields, SHARED), ...flagsOf(entry.options.fields, 'method', shared) };
}

export async function fitCommand(argv: string[], signal: AbortSignal): Promise<void> {
  const t0 = performance.now();
  const all = allFlags();
  const given = parseFlags(argv, all, USAGE, { values: false });
  const name = given.get('method') as string | undefined;
  const entry = name === undefined ? undefined : methodEntry(name);
  if (given.get('help')) {
    process.stdout.write(helpText(name, entry));
    return;
  }
  if (name === undefined) throw new UsageError('bdl fit: --method is required.', USAGE, 'method');
  if (!entry) {
    const near = nearest(name, methodNames());
    throw new UsageError(`bdl fit: --method: expected one of ${methodNames().join(', ')}, found ${JSON.stringify(name)}.${near ? ` Did you mean ${near}?` : ''}`, USAGE, 'method');
  }
  // Each flag again through this method's own field (ranges differ: e.g. MC dropout's samples).
  const table = methodFlags(entry);
  for (const flag of given.keys()) {
    if (table[flag]) continue;
    const owners = Object.entries(METHODS).filter(([, e]) => methodFlags(e)[flag]).map(([k]) => k);
    throw new UsageError(`bdl fit: --${flag} is not an option of --method ${name} (it is one of ${owners.join(', ')}). See bdl fit --method ${name} --help.`, USAGE, flag);
  }
  const flags = parseFlags(argv, table, USAGE);
  const options = optionsOf(flags, table, [SHARED, 'method']);
  const train = flags.get('train') as string | undefined;
  const test = flags.get('test') as string | undefined;
  const out = flags.get('out') as string | undefined;
  const save = flags.get('save') as string | undefined;
  const tune = flags.get('tune') === true;
  const folds = flags.get('tune-folds') as number | undefined;
  let core: WasmFlavor;
  try {
    if (train === undefined) throw new BdlError('E_ARG', '--train is required.', 'train');
    if (test === undefined) throw new BdlError('E_ARG', '--test is required.', 'test');
    if (folds !== undefined && !tune) throw new BdlError('E_ARG', '--tune-folds: only with --tune. Add --tune, or drop --tune-folds.', 'tune-folds');
    entry.options.check(options, `--method ${name}`);
    checkFitFlags(name, entry, flags);
    checkNotInput([['out', out], ['save', save]], [['train', train], ['test', test]]);
    if (out !== undefined) await checkWritable(out, 'out');
    if (save !== undefined) await checkWritable(save, 'save');
    core = await useCore(flags.get('core'));
  } catch (e) {
    throw e instanceof BdlError && e.code === 'E_ARG' ? new UsageError(`bdl fit: ${e.message}`, USAGE, e.argument) : e;
  }

  const target = (flags.get('target') as string | undefined) ?? FIT_FIELDS.target.default!;
  const { table: trainTable, data, columns } = await readTrainTable(train, target);
  const testSet = await readTestTable(test, columns);
  const task = (options.task ?? 'regression') as 'regression' | 'classification';
  const classes = task === 'classification' ? checkLabels(data, train, options.classes as number | undefined, testSet.y && { x: testSet.x, y: testSet.y, file: test }) : undefined;
  // Said before the run (the numbers that come out would look normal), and kept in the JSON.
  const bounds = inputBounds(data);
  const dataWarned = [
    ...(classes === undefined ? [] : emptyClassWarnings(data, classes, train)),
    ...fileWarnings({ path: train, table: trainTable, data, columns, task, taskGiven: options.task !== undefined }, { path: test, x: testSet.x, warnings: testSet.warnings }, bounds),
  ];
  for (const w of dataWarned) process.stderr.write(`${name}: warning: ${w}\n`);
  // Asked-for test-time samples: their outputs at the test rows must fit (a multiswag's are per member).
  if (typeof options.samples === 'number') {
    const members = name === 'multiswag' ? ((options.members as number | undefined) ?? (entry.options.fields.members.default as number)) : 1;
    checkPredictiveSize(testSet.x.length / data.inputs, options.samples * members, classes ?? data.targets, task !== 'classification');
  }

  const bar = progressReporter(name);
  const onProgress = (p: MethodProgress) => {
    const { note, unit } = progressLabel(name, p);
    bar.update(p.epoch, p.epochs, note, unit);
  };
  const onTune = (p: { stage: string; candidate: number; candidates: number; score?: number }) =>
    p.stage === 'search' && bar.update(p.candidate + 1, p.candidates, `tuning: validation LL ${p.score!.toFixed(4)}`, 'candidates');
  const t1 = performance.now();
  let trained: Awaited<ReturnType<typeof trainMethod>>;
  let pred: Predictive;
  let trainSeconds: number;
  let predictSeconds: number;
  const seed = (options.seed as number | undefined) ?? 0;
  try {
    trained = await withRedisPool({ redis: flags.get('redis'), queue: flags.get('queue'), withdrawMs: flags.get('withdraw-ms') }, (pool) => trainMethod(name, data, { ...options, ...(pool && { pool }), onProgress, signal }, tune, onTune, { folds }));
    trainSeconds = since(t1);
    const t2 = performance.now();
    pred = await trained.posterior.predict(testSet.x, { seed, samples: options.samples as number | undefined, signal });
    predictSeconds = since(t2);
  } finally {
    // A running bar keeps a timer: stop it on every path, or a cancelled run would never exit.
    bar.end();
  }
  const { posterior, tuned } = trained;

  if (tuned) process.stderr.write(`${name}: tuned on ${folds ? `${folds}-fold cross-validation` : 'a validation split'} of --train: ${JSON.stringify(tuned.chosen)}\n`);
  else if (tune) process.stderr.write(`${name}: --tune had nothing left to choose (the flags you set cover everything its search varies); trained as given\n`);
  const info = posterior.info as Record<string, unknown> | undefined;
  const chains = chainSummary(info);
  if (chains) process.stderr.write(`${name}: ${chains.line}\n`);
  // A sampler's own warnings (e.g. swag-subspace's R̂ and divergences) reach the user, not just the JSON.
  const runWarned = [...(trained.warnings ?? []), ...runWarnings(info)];
  for (const w of runWarned) process.stderr.write(`${name}: warning: ${w}\n`);
  const warnings = [...dataWarned, ...runWarned];
  const metrics = metricsOf(pred, testSet.y);
  const doc = {
    command: 'fit',
    method: name,
    ...predictiveJson(pred),
    metrics,
    options: { ...entry.options.resolved({ ...options, ...tuned?.chosen }), target, tune, ...(folds !== undefined && { tuneFolds: folds }) },
    ...(tuned && { tuned: tuned.chosen }),
    warnings,
    seed,
    core,
    version: VERSION,
    timings: { train: trainSeconds, predict: predictSeconds, total: since(t0) },
    seconds: since(t0),
  };
  await emitDocument(doc, out, signal, save !== undefined ? [{ flag: 'save', path: save, data: withColumns(posterior.toBytes(), { ...columns, bounds }) }] : []);
}

/** Classification labels: integers in range, in both files, named by file and row, and more than one class in training. Returns the number of classes. */
function checkLabels(train: Dataset, trainFile: string, classes: number | undefined, test?: { x: Float32Array; y: Float32Array; file: string }): number {
  const k = withFile(trainFile, () => classesOf(train, classes));
  withFile(trainFile, () => checkSeveralClasses(train, 'train.y'));
  if (test) withFile(test.file, () => classesOf({ x: test.x, y: test.y, n: test.y.length, inputs: train.inputs, targets: 1 }, classes ?? Math.max(k, 2)));
  return Math.max(k, 2);
}

/**
 * Classes 0…K−1 that no training row has: labels 1…K (or {0, 2}) make class 0 (or 1) a class the network
 * can only give a vanishing probability — usually an encoding slip, said before the run rather than hidden
 * in a column of zeros.
 */
function emptyClassWarnings(train: Dataset, classes: number, file: string): string[] {
  const seen = new Uint8Array(classes);
  for (let i = 0; i < train.n; i++) seen[train.y[i]] = 1;
  const empty = [...seen.keys()].filter((c) => !seen[c]);
  if (empty.length === 0) return [];
  const list = empty.length > 5 ? `${empty.slice(0, 5).join(', ')}, … (${empty.length})` : empty.join(', ');
  return [`${file}: class${empty.length > 1 ? 'es' : ''} ${list} of 0…${classes - 1} ha${empty.length > 1 ? 've' : 's'} no training rows: the posterior gives ${empty.length > 1 ? 'them' : 'it'} a vanishing probability. Labels must be 0…K−1${empty[0] === 0 ? ' (labels 1…K: subtract 1)' : ''}.`];
}

function withFile<T>(file: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw e instanceof BdlError ? new BdlError(e.code, `${file}: ${e.message}`, e.argument) : e;
  }
}

function helpText(name: string | undefined, entry: MethodEntry | undefined): string {
  const head = `bdl fit — train a method and write its predictive on the test file as JSON\n\n${USAGE.line}\n`;
  if (entry) return `${head}\n${name}: ${entry.summary}\n${helpLines(methodFlags(entry), [COMMAND, SHARED, 'method'])}\n`;
  const methods = Object.entries(METHODS).map(([k, e]) => `  ${k.padEnd(18)} ${e.summary}`);
  return `${head}${helpLines({ ...flagsOf(FIT_FIELDS, COMMAND), ...flagsOf(METHOD_OPTIONS.fields, SHARED) }, [COMMAND, SHARED])}\n\nmethods (bdl fit --method NAME --help lists its own flags):\n${methods.join('\n')}\n`;
}
