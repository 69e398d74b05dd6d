/**
 * `bdl predict`: the predictive of a posterior saved by `bdl fit --save` on a test file, as the same
 * JSON as `bdl fit` (the same numbers for the same seed and samples). The test file has the inputs of
 * the training file, with or without its target: read by name when both files have headers, else in
 * the training file's order (the file keeps which column was the target).
 */
import { readUserFile } from './read.js';
import { posteriorFromBytes } from '../posterior/restore.js';
import { BdlError } from '../errors.js';
import { int, schema, text } from '../options/schema.js';
import { DEBUG_FIELD, flagsOf, HELP_FIELD, helpLines, JSON_OUT_FIELD, optionsOf, parseFlags, UsageError, type Usage } from './args.js';
import { checkNotInput, checkWritable, emitDocument } from './output.js';
import { checkPosteriorPrediction, effectiveSamples, MAX_SAMPLES, predictiveWidth } from './limits.js';
import { metricsOf, predictiveJson, since, VERSION } from './json.js';
import { labelsOf, readTable } from './tables.js';
import { taskOf } from '../model/spec.js';
import { columnsOf, testRows } from './columns.js';
import { decodePosterior } from '../posterior/serialize.js';
import { outOfRangeWarnings } from '../data/warnings.js';
import { LaplacePosterior } from '../methods/laplace/posterior.js';
import { progressReporter, type Progress } from './progress.js';
import { CORE_FIELD, useCore } from './core.js';
import type { WasmFlavor } from '../wasm/core.js';

/** The most bytes a posterior file is read to (what readFile reads of a plain file): a device or a pipe stops there. */
const MAX_POSTERIOR_BYTES = 2 ** 31 - 1;
/** "BDLP", the first bytes of every posterior file (posterior/serialize.ts). */
const POSTERIOR_MAGIC = [0x42, 0x44, 0x4c, 0x50];

const USAGE: Usage = { command: 'predict', line: 'usage: bdl predict --posterior FILE --test FILE [--out FILE] [--seed N] [--samples N]   (bdl predict --help)' };

/** The prediction's options (the JSON's `options` lists them as run). */
export const PREDICT_OPTIONS = schema('bdl predict', {
  seed: int({ min: 0, default: 0, help: 'seed of test-time randomness (weight draws, dropout masks): as given to bdl fit for the same numbers' }),
  samples: int({ min: 1, max: MAX_SAMPLES, defaultText: "the method's", help: 'test-time posterior samples: as given to bdl fit for the same numbers (rows × samples × outputs must fit in memory and the JSON)' }),
});

const COMMAND_FIELDS = {
  posterior: text({ help: 'a posterior file written by bdl fit --save' }),
  test: text({ help: "test file: the training file's inputs, with or without its target (matched by header name, else by position)" }),
  out: JSON_OUT_FIELD,
  core: CORE_FIELD,
  debug: DEBUG_FIELD,
  help: HELP_FIELD,
};

const TABLE = { ...flagsOf(COMMAND_FIELDS, 'command'), ...flagsOf(PREDICT_OPTIONS.fields, 'prediction') };

export async function predictCommand(argv: string[], signal: AbortSignal): Promise<void> {
  const t0 = performance.now();
  const flags = parseFlags(argv, TABLE, USAGE);
  if (flags.get('help')) {
    process.stdout.write(`bdl predict — predict with a saved posterior, the same JSON as bdl fit\n\n${USAGE.line}\n${helpLines(TABLE, ['command', 'prediction'])}\n`);
    return;
  }
  const o = PREDICT_OPTIONS.parse(optionsOf(flags, TABLE, ['prediction']));
  const file = flags.get('posterior') as string | undefined;
  const test = flags.get('test') as string | undefined;
  const out = flags.get('out') as string | undefined;
  let core: WasmFlavor;
  try {
    if (file === undefined) throw new BdlError('E_ARG', '--posterior is required.', 'posterior');
    if (test === undefined) throw new BdlError('E_ARG', '--test is required.', 'test');
    checkNotInput([['out', out]], [['posterior', file], ['test', test]]);
    if (out !== undefined) await checkWritable(out, 'out');
    core = await useCore(flags.get('core'));
  } catch (e) {
    throw e instanceof BdlError && e.code === 'E_ARG' ? new UsageError(`bdl predict: ${e.message}`, USAGE, e.argument) : e;
  }
  // A file that does not start as a posterior is read no further (the decoder refuses its first bytes).
  const read = await readUserFile(file, MAX_POSTERIOR_BYTES, 'posterior', (head) => !POSTERIOR_MAGIC.every((b, i) => head[i] === b));
  if (read === undefined) throw new BdlError('E_MEMORY', `--posterior: expected a posterior file of at most ${MAX_POSTERIOR_BYTES} bytes (2 GiB), found ${file} with more. Pass a file written by bdl fit --save.`, 'posterior');
  const bytes = new Uint8Array(read);
  const posterior = await posteriorFromBytes(bytes);
  const inputs = posterior.spec.inputs;
  // The training file's columns as bdl fit --save kept them (other files: the target last, by position).
  const columns = columnsOf(decodePosterior(bytes)) ?? { cols: inputs + 1, target: inputs };
  if (columns.cols !== inputs + 1) throw new BdlError('E_FORMAT', `${file}: its training columns (${columns.cols}) do not match the network's ${inputs} inputs. Save the posterior again with bdl fit --save.`, 'posterior');
  const testTable = await readTable(test, 'test');
  const { x, y, warnings: byPosition } = testRows(testTable, columns, test, 'test');
  // Labels before the prediction (the metrics would refuse them only after it, naming no file).
  if (y && taskOf(posterior.spec) === 'classification') labelsOf({ x, y, n: y.length, inputs, targets: 1 }, test, predictiveWidth(posterior.spec));
  // Said before the prediction, and kept in the JSON (files saved before the training bounds were kept have none).
  const warnings = [
    ...(testTable.warnings ?? []),
    ...(byPosition ?? []),
    ...(columns.bounds ? outOfRangeWarnings(x, columns.bounds, columns.names?.filter((_, i) => i !== columns.target)).map((w) => `${test}: ${w}`) : []),
  ];
  for (const w of warnings) process.stderr.write(`${posterior.method}: warning: ${w}\n`);
  if (o.samples !== undefined) {
    // A point estimate, an ensemble's members or a sampler's kept draws predict with their own count:
    // the JSON's options would say --samples while fewer (or other) samples were used.
    const used = effectiveSamples(posterior, o.samples);
    if (used !== o.samples) {
      const most = effectiveSamples(posterior, MAX_SAMPLES);
      const fixed = effectiveSamples(posterior, 1) === most;
      const networks = most === 1 ? 'its one network' : `${fixed ? 'its' : 'at most its'} ${most} networks`;
      throw new UsageError(`bdl predict: --samples: expected ${fixed ? most : `at most ${most}`}, as the ${posterior.method} posterior predicts with ${networks}, found ${o.samples}. Drop --samples${fixed ? '' : `, or ask for ${most} or fewer`}.`, USAGE, 'samples');
    }
    checkPosteriorPrediction(posterior, x.length / inputs, o.samples);
  }
  const seed = PREDICT_OPTIONS.value(o, 'seed');
  const t1 = performance.now();
  if (posterior instanceof LaplacePosterior) {
    // A full Laplace file keeps H, not its factor: its factorization (seconds over thousands of
    // weights) gets a bar, shown only once it has run for a while (it is instant otherwise).
    let bar: Progress | undefined;
    await posterior.prepare({ signal, onShare: (f) => (bar ??= progressReporter(posterior.method)).update(Math.floor(f * 1000), 1000, 'posterior factorization', '‰') });
    bar?.update(1000, 1000, 'posterior factorization', '‰');
    bar?.end();
  }
  const pred = await posterior.predict(x, { seed, samples: o.samples, signal });
  const metrics = metricsOf(pred, y);
  const doc = {
    command: 'predict',
    method: posterior.method,
    ...predictiveJson(pred),
    metrics,
    options: { ...PREDICT_OPTIONS.resolved(o), posterior: file },
    warnings,
    seed,
    core,
    version: VERSION,
    timings: { predict: since(t1), total: since(t0) },
    seconds: since(t0),
  };
  await emitDocument(doc, out, signal);
}
