/**
 * `bdl posthoc`: uncertainty for a network trained elsewhere. Imports a TF.js model.json, an ONNX file
 * or a safetensors state_dict (with --layers), fits a post-hoc posterior on --train (no retraining),
 * and writes its predictive on --test as the same JSON as `bdl fit`.
 */
import { writeFile } from 'node:fs/promises';
import { BdlError } from '../errors.js';
import { tableToDataset } from '../data/parse.js';
import { importModelFile } from '../import/node.js';
import { posthoc, posthocBranch, type PosthocMethod } from '../methods/posthoc/index.js';
import type { Hessian, SubsetKind } from '../methods/laplace/index.js';
import { helpText, numberFlag, parseArgs, type FlagSpec } from './args.js';
import { readTable, summaryLine, toJson } from './fit.js';

/** The flags, in one table (name → type, help, default). */
export const POSTHOC_FLAGS: Record<string, FlagSpec> = {
  model: { type: 'string', help: 'the trained network: model.json (TF.js, shards beside it), model.onnx, or weights.safetensors' },
  layers: { type: 'string', help: 'safetensors: the layer description, e.g. "784-256r-256r-10softmax" (docs/IMPORT.md)' },
  train: { type: 'string', help: 'data the posterior is fitted on: CSV or whitespace-separated, the target column last (or --target)' },
  test: { type: 'string', help: 'test file: the same columns (target optional)' },
  task: { type: 'string', help: 'regression | classification (default: from the network output: softmax/sigmoid → classification)' },
  target: { type: 'string', help: 'target column: index (negative from the end) or header name', default: '-1' },
  method: { type: 'string', help: 'auto | laplace | mc-dropout (auto: dropout in the model → mc-dropout, else last-layer Laplace)', default: 'auto' },
  subset: { type: 'string', help: 'laplace: last-layer | all | subnetwork', default: 'last-layer' },
  hessian: { type: 'string', help: 'laplace: kron | full | diag', default: 'kron' },
  'per-layer': { type: 'boolean', help: 'laplace: one prior precision per layer (marginal likelihood)' },
  predictive: { type: 'string', help: 'laplace: glm (linearized) | mc (sampled weights)', default: 'glm' },
  'prior-precision': { type: 'string', help: 'laplace: marglik (default) or a fixed number' },
  samples: { type: 'string', help: 'test-time samples (mc-dropout passes, Laplace MC draws)' },
  standardize: { type: 'boolean', help: "the network was trained on standardized data: standardize with --train's statistics (default: none)" },
  seed: { type: 'string', help: 'seed of test-time randomness', default: '0' },
  out: { type: 'string', help: 'write the JSON here (default: standard output)' },
  debug: { type: 'boolean', help: 'print stack traces' },
  help: { type: 'boolean', help: 'this text' },
};

const SUMMARY = 'add uncertainty to a trained TF.js / ONNX / safetensors network; predictive on --test as JSON';

export async function posthocCommand(argv: string[], signal: AbortSignal): Promise<void> {
  const { flags } = parseArgs(argv, POSTHOC_FLAGS, 'posthoc');
  if (flags.help) {
    process.stdout.write(helpText('posthoc', SUMMARY, POSTHOC_FLAGS));
    return;
  }
  const task = flags.task === undefined ? undefined : flags.task === 'regression' || flags.task === 'classification' ? flags.task : badFlag('task', 'regression or classification', flags.task);
  const t0 = performance.now();
  const net = await importModelFile(required(flags.model, 'model'), { layers: flags.layers as string | undefined, task });
  const target = /^-?\d+$/.test(String(flags.target)) ? Number(flags.target) : String(flags.target);
  const trainTable = await readTable(required(flags.train, 'train'));
  const train = tableToDataset(trainTable, target, flags.train as string);
  const testTable = await readTable(required(flags.test, 'test'));
  const testHasTarget = testTable.cols === trainTable.cols;
  if (!testHasTarget && testTable.cols !== trainTable.cols - 1) {
    throw new BdlError('E_SHAPE', `--test: expected ${trainTable.cols} columns (with the target) or ${trainTable.cols - 1} (inputs only), as in --train; found ${testTable.cols}.`, 'test');
  }
  const test = testHasTarget ? tableToDataset(testTable, target, flags.test as string) : { x: Float32Array.from(testTable.data), y: undefined };

  const method = String(flags.method) as PosthocMethod;
  const branch = posthocBranch(net, method);
  process.stderr.write(`posthoc: ${net.format} network ${[net.spec.inputs, ...net.spec.hidden, net.spec.outputs].join('-')} (${net.spec.activation}, ${net.spec.likelihood}${net.folded.length ? `, ${net.folded.length} batch norm(s) folded` : ''})\n`);
  process.stderr.write(`posthoc: ${method === 'auto' ? 'auto chose' : 'method'} ${branch.method} — ${branch.reason}\n`);
  const pp = flags['prior-precision'];
  const posterior = await posthoc(net, train, {
    method: branch.method,
    subset: flags.subset as SubsetKind,
    hessian: flags.hessian as Hessian,
    perLayer: flags['per-layer'] === true,
    predictive: flags.predictive as 'glm' | 'mc',
    tune: pp === undefined || pp === 'marglik' ? 'marglik' : numberFlag(flags, 'prior-precision', { min: 0 }),
    samples: numberFlag(flags, 'samples', { integer: true, min: 1 }),
    standardize: flags.standardize === true,
  });
  if (signal.aborted) throw new BdlError('E_ABORTED', 'posthoc: cancelled.');
  const pred = await posterior.predict(test.x, { seed: numberFlag(flags, 'seed', { integer: true, min: 0 }) ?? 0, samples: numberFlag(flags, 'samples', { integer: true, min: 1 }), signal });
  const seconds = (performance.now() - t0) / 1000;
  const name = `posthoc-${posterior.method}`;
  const json = JSON.stringify({ ...toJson(name, pred, seconds), info: posterior.info });
  if (flags.out) await writeFile(String(flags.out), json + '\n');
  else process.stdout.write(json + '\n');
  if (test.y) process.stderr.write(`${name}: ${summaryLine(pred, test.y)}, ${seconds.toFixed(2)} s\n`);
}

function required(v: string | boolean | undefined, name: string): string {
  if (typeof v !== 'string' || v === '') throw new BdlError('E_ARG', `--${name} is required. See bdl posthoc --help.`, name);
  return v;
}

function badFlag(name: string, expected: string, v: unknown): never {
  throw new BdlError('E_ARG', `--${name}: expected ${expected}, found ${JSON.stringify(v)}.`, name);
}
