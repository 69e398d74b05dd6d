/**
 * `bdl posthoc`: uncertainty for a network trained elsewhere. Imports a TF.js model.json, an ONNX file
 * or a safetensors state_dict (with --layers), fits a post-hoc posterior on --train (no retraining),
 * and writes its predictive on --test as the same JSON as `bdl fit`.
 */
import { BdlError } from '../errors.js';
import { importModelFile } from '../import/node.js';
import { POSTHOC_OPTIONS, posthoc, posthocBranch } from '../methods/posthoc/index.js';
import { bool, enumOf, int, text } from '../options/schema.js';
import { DEBUG_FIELD, flagsOf, HELP_FIELD, helpLines, JSON_OUT_FIELD, optionsOf, parseFlags, UsageError, type Usage } from './args.js';
import { checkNotInput, checkWritable, emitDocument } from './output.js';
import { checkPosthocFlags } from './conflicts.js';
import { checkPredictiveSize, MAX_SAMPLES, predictiveWidth } from './limits.js';
import { taskOf } from '../model/spec.js';
import { metricsOf, predictiveJson, since, VERSION } from './json.js';
import { fileWarnings, labelsOf, readTestTable, readTrainTable } from './tables.js';
import { inputBounds } from '../data/warnings.js';
import { TARGET_FIELD } from './columns.js';
import { CORE_FIELD, useCore } from './core.js';
import type { WasmFlavor } from '../wasm/core.js';

const USAGE: Usage = { command: 'posthoc', line: 'usage: bdl posthoc --model FILE --train FILE --test FILE [--method auto|laplace|mc-dropout] [--out FILE] [flags]   (bdl posthoc --help)' };

/**
 * The post-hoc posterior's options as flags (the JSON's `options` lists them as run): posthoc's own
 * schema less its API-only and rarely needed fields, plus what the command adds.
 */
export const POSTHOC_COMMAND_OPTIONS = POSTHOC_OPTIONS.omit('bdl posthoc', 'subnetwork', 'curvature', 'link', 'budget', 'noise').extend('bdl posthoc', {
  task: enumOf(['regression', 'classification'], { defaultText: 'from the network output: softmax/sigmoid → classification', help: 'regression | classification' }),
  samples: int({ min: 1, max: MAX_SAMPLES, defaultText: "the method's", help: 'test-time samples (mc-dropout passes, Laplace MC draws)' }),
  standardize: bool({ default: false, help: "the network was trained on standardized data: standardize with --train's statistics" }),
  seed: int({ min: 0, default: 0, help: 'seed of test-time randomness' }),
});

const COMMAND_FIELDS = {
  model: text({ help: 'the trained network: model.json (TF.js, shards beside it), model.onnx, or weights.safetensors' }),
  layers: text({ help: 'safetensors: the layer description, e.g. "784-256r-256r-10softmax" (docs/IMPORT.md)' }),
  train: text({ help: 'data the posterior is fitted on: CSV, tab- or whitespace-separated, the target column last (or --target)' }),
  test: text({ help: 'test file: the same columns (target optional)' }),
  target: TARGET_FIELD,
  out: JSON_OUT_FIELD,
  core: CORE_FIELD,
  debug: DEBUG_FIELD,
  help: HELP_FIELD,
};

const TABLE = { ...flagsOf(COMMAND_FIELDS, 'command'), ...flagsOf(POSTHOC_COMMAND_OPTIONS.fields, 'posterior') };

export async function posthocCommand(argv: string[], signal: AbortSignal): Promise<void> {
  const flags = parseFlags(argv, TABLE, USAGE);
  if (flags.get('help')) {
    process.stdout.write(`bdl posthoc — add uncertainty to a trained TF.js / ONNX / safetensors network; predictive on --test as JSON\n\n${USAGE.line}\n${helpLines(TABLE, ['command', 'posterior'])}\n`);
    return;
  }
  const o = POSTHOC_COMMAND_OPTIONS.parse(optionsOf(flags, TABLE, ['posterior']));
  const [model, train, test, out] = (['model', 'train', 'test', 'out'] as const).map((k) => flags.get(k) as string | undefined);
  const usage = (e: unknown) => (e instanceof BdlError && e.code === 'E_ARG' ? new UsageError(`bdl posthoc: ${e.message}`, USAGE, e.argument) : e);
  let core: WasmFlavor;
  try {
    for (const [v, k] of [[model, 'model'], [train, 'train'], [test, 'test']] as const) if (v === undefined) throw new BdlError('E_ARG', `--${k} is required.`, k);
    checkPosthocFlags(flags);
    checkNotInput([['out', out]], [['model', model], ['train', train], ['test', test]]);
    if (out !== undefined) await checkWritable(out, 'out');
    core = await useCore(flags.get('core'));
  } catch (e) {
    throw usage(e);
  }
  const p = POSTHOC_COMMAND_OPTIONS;
  const t0 = performance.now();
  const net = await importModelFile(model!, { layers: flags.get('layers') as string | undefined, task: o.task });
  const target = (flags.get('target') as string | undefined) ?? COMMAND_FIELDS.target.default!;
  const { table, data, columns } = await readTrainTable(train!, target);
  const testSet = await readTestTable(test!, columns);
  // Labels before the fit (the metrics would refuse them only after it, naming no file).
  if (testSet.y && taskOf(net.spec) === 'classification') labelsOf({ x: testSet.x, y: testSet.y, n: testSet.y.length, inputs: data.inputs, targets: 1 }, test!, predictiveWidth(net.spec));

  const method = p.value(o, 'method');
  const branch = posthocBranch(net, method);
  try {
    // What 'auto' chose against the flags (before the posterior is fitted).
    checkPosthocFlags(flags, branch.method);
  } catch (e) {
    throw usage(e);
  }
  if (o.samples !== undefined) checkPredictiveSize(testSet.x.length / net.spec.inputs, o.samples, predictiveWidth(net.spec), taskOf(net.spec) === 'regression');
  process.stderr.write(`posthoc: ${net.format} network ${[net.spec.inputs, ...net.spec.hidden, net.spec.outputs].join('-')} (${net.spec.activation}, ${net.spec.likelihood}${net.folded.length ? `, ${net.folded.length} batch norm(s) folded` : ''})\n`);
  process.stderr.write(`posthoc: ${method === 'auto' ? 'auto chose' : 'method'} ${branch.method} — ${branch.reason}\n`);
  // Said before the fit (the numbers that come out would look normal), and kept in the JSON.
  const warnings = fileWarnings({ path: train!, table, data, columns, task: taskOf(net.spec) }, { path: test!, x: testSet.x, warnings: testSet.warnings }, inputBounds(data));
  for (const w of warnings) process.stderr.write(`posthoc: warning: ${w}\n`);
  const posterior = await posthoc(net, data, {
    method: branch.method,
    subset: p.value(o, 'subset'),
    hessian: p.value(o, 'hessian'),
    perLayer: p.value(o, 'perLayer'),
    predictive: p.value(o, 'predictive'),
    priorPrecisionMode: p.value(o, 'priorPrecisionMode'),
    samples: o.samples,
    standardize: p.value(o, 'standardize'),
    signal,
  });
  if (signal.aborted) throw new BdlError('E_ABORTED', 'posthoc: cancelled.');
  const t1 = performance.now();
  const seed = p.value(o, 'seed');
  const pred = await posterior.predict(testSet.x, { seed, samples: o.samples, signal });
  const name = `posthoc-${posterior.method}`;
  const metrics = metricsOf(pred, testSet.y);
  const doc = {
    command: 'posthoc',
    method: name,
    ...predictiveJson(pred),
    metrics,
    options: { ...p.resolved(o), target },
    info: posterior.info,
    warnings,
    seed,
    core,
    version: VERSION,
    timings: { predict: since(t1), total: since(t0) },
    seconds: since(t0),
  };
  await emitDocument(doc, out, signal);
}
