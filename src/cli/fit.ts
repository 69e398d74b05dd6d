/**
 * `bdl fit`: train one method on a training file and write its predictive on a test file as JSON,
 * in original target units (the contract other tools script against).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { BdlError } from '../errors.js';
import { parseTable, tableToDataset, type Table } from '../data/parse.js';
import { METHODS, methodNames, trainMethod } from '../methods/registry.js';
import type { Predictive } from '../posterior/types.js';
import { accuracy, gaussianLogLik, mixtureLogLik, nll, rmse } from '../metrics/index.js';
import { helpText, numberFlag, parseArgs, type FlagSpec } from './args.js';
import { progressReporter } from './progress.js';

export const FIT_FLAGS: Record<string, FlagSpec> = {
  method: { type: 'string', help: `one of ${methodNames().join(', ')}` },
  train: { type: 'string', help: 'training file: CSV or whitespace-separated numbers' },
  test: { type: 'string', help: 'test file: the same columns (target optional)' },
  task: { type: 'string', help: 'regression | classification', default: 'regression' },
  target: { type: 'string', help: 'target column: index (negative from the end) or header name', default: '-1' },
  hidden: { type: 'string', help: 'hidden widths, comma-separated', default: '50' },
  activation: { type: 'string', help: 'relu | tanh | sigmoid | gelu', default: 'relu' },
  likelihood: { type: 'string', help: 'regression: gaussian | heteroscedastic' },
  epochs: { type: 'string', help: 'training epochs (method default when omitted)' },
  'batch-size': { type: 'string', help: 'minibatch size' },
  lr: { type: 'string', help: 'learning rate' },
  'prior-precision': { type: 'string', help: 'Gaussian prior precision (Laplace: marglik | grid | a number)' },
  seed: { type: 'string', help: 'random seed', default: '0' },
  tune: { type: 'boolean', help: "choose the method's hyperparameters (dropout, epochs, prior precision, learning rate) on a seeded 80/20 validation split of --train, then retrain on all of it; flags you set are kept" },
  'tune-folds': { type: 'string', help: 'with --tune: choose by k-fold cross-validation of --train instead of one split (k× the search cost)' },
  samples: { type: 'string', help: 'test-time posterior samples' },
  members: { type: 'string', help: 'ensemble / MultiSWAG members' },
  adversarial: { type: 'string', help: "ensemble: adversarial training, ε as a fraction of each input's range (the paper's 0.01)" },
  'beta-nll': { type: 'string', help: 'with --likelihood heteroscedastic (ensemble, mc-dropout): β of the β-NLL in [0, 1], e.g. 0.5; 0 = plain NLL' },
  dropout: { type: 'string', help: 'dropout rate' },
  'input-dropout': { type: 'boolean', help: "mc-dropout: drop the inputs too, at the same rate (Gal's UCI networks)" },
  subset: { type: 'string', help: 'Laplace: last-layer | all | subnetwork' },
  hessian: { type: 'string', help: 'Laplace: kron | full | diag' },
  chains: { type: 'string', help: 'MCMC chains' },
  warmup: { type: 'string', help: 'MCMC warmup iterations' },
  draws: { type: 'string', help: 'MCMC draws per chain' },
  out: { type: 'string', help: 'write the JSON here (default: standard output)' },
  debug: { type: 'boolean', help: 'print stack traces' },
  help: { type: 'boolean', help: 'this text' },
};

export async function fitCommand(argv: string[], signal: AbortSignal): Promise<void> {
  const { flags } = parseArgs(argv, FIT_FLAGS, 'fit');
  if (flags.help) {
    process.stdout.write(helpText('fit', 'train a method and write its predictive on the test file as JSON', FIT_FLAGS));
    return;
  }
  const method = required(flags.method, 'method');
  const entry = METHODS[method];
  if (!entry) throw new BdlError('E_ARG', `--method: expected one of ${methodNames().join(', ')}, found ${JSON.stringify(method)}.`, 'method');
  const task = flags.task === 'classification' ? 'classification' : flags.task === 'regression' ? 'regression' : badTask(flags.task);
  const target = /^-?\d+$/.test(String(flags.target)) ? Number(flags.target) : String(flags.target);
  const trainTable = await readTable(required(flags.train, 'train'));
  const testTable = await readTable(required(flags.test, 'test'));
  const train = tableToDataset(trainTable, target, flags.train as string);
  const testHasTarget = testTable.cols === trainTable.cols;
  if (!testHasTarget && testTable.cols !== trainTable.cols - 1) {
    throw new BdlError('E_SHAPE', `--test: expected ${trainTable.cols} columns (with the target) or ${trainTable.cols - 1} (inputs only), as in --train; found ${testTable.cols}.`, 'test');
  }
  const test = testHasTarget ? tableToDataset(testTable, target, flags.test as string) : { x: Float32Array.from(testTable.data), y: undefined };

  const hidden = String(flags.hidden).split(',').filter((s) => s !== '').map(Number);
  if (hidden.some((h) => !Number.isInteger(h) || h < 1)) throw new BdlError('E_ARG', `--hidden: expected positive integers separated by commas, found ${JSON.stringify(flags.hidden)}.`, 'hidden');
  const bar = progressReporter(method);
  const t0 = performance.now();
  const { posterior, tuned } = await trainMethod(method, train, {
    task,
    hidden,
    activation: flags.activation as 'relu',
    likelihood: flags.likelihood as 'gaussian' | undefined,
    epochs: numberFlag(flags, 'epochs', { integer: true, min: 1 }),
    batchSize: numberFlag(flags, 'batch-size', { integer: true, min: 1 }),
    learningRate: numberFlag(flags, 'lr'),
    priorPrecision: flags['prior-precision'] === undefined || isNaN(Number(flags['prior-precision'])) ? undefined : numberFlag(flags, 'prior-precision', { min: 0 }),
    priorPrecisionMode: flags['prior-precision'],
    seed: numberFlag(flags, 'seed', { integer: true, min: 0 }),
    samples: numberFlag(flags, 'samples', { integer: true, min: 1 }),
    members: numberFlag(flags, 'members', { integer: true, min: 1 }),
    adversarial: numberFlag(flags, 'adversarial', { min: 0 }),
    betaNll: numberFlag(flags, 'beta-nll', { min: 0 }),
    dropout: numberFlag(flags, 'dropout', { min: 0 }),
    inputDropout: inputDropoutFlag(method, flags['input-dropout']),
    subset: flags.subset,
    hessian: flags.hessian,
    chains: numberFlag(flags, 'chains', { integer: true, min: 1 }),
    warmup: numberFlag(flags, 'warmup', { integer: true, min: 0 }),
    draws: numberFlag(flags, 'draws', { integer: true, min: 1 }),
    onProgress: (p) => bar.update(p.epoch, p.epochs, `loss ${p.loss.toFixed(4)}`),
    signal,
  }, flags.tune === true, (p) => p.stage === 'search' && bar.update(p.candidate + 1, p.candidates, `tuning: validation LL ${p.score!.toFixed(4)}`), { folds: numberFlag(flags, 'tune-folds', { integer: true, min: 2 }) });
  const pred = await posterior.predict(test.x, { seed: numberFlag(flags, 'seed', { integer: true, min: 0 }) ?? 0, samples: numberFlag(flags, 'samples', { integer: true, min: 1 }), signal });
  const seconds = (performance.now() - t0) / 1000;
  bar.end();
  if (tuned) process.stderr.write(`${method}: tuned on ${flags['tune-folds'] ? `${flags['tune-folds']}-fold cross-validation` : 'a validation split'} of --train: ${JSON.stringify(tuned.chosen)}\n`);
  else if (flags.tune === true) process.stderr.write(`${method}: --tune had nothing left to choose (the flags you set cover everything its search varies); trained as given\n`);
  // A sampler's own warnings (e.g. swag-subspace's R̂ and divergences) reach the user, not just the JSON.
  const warnings = (posterior.info as { warnings?: unknown } | undefined)?.warnings;
  if (Array.isArray(warnings)) for (const w of warnings) process.stderr.write(`${method}: warning: ${String(w)}\n`);
  const json = JSON.stringify(toJson(method, pred, seconds));
  if (flags.out) await writeFile(String(flags.out), json + '\n');
  else process.stdout.write(json + '\n');
  if (test.y) process.stderr.write(`${method}: ${summaryLine(pred, test.y)}, ${seconds.toFixed(2)} s\n`);
}

/** The output contract (see the compare issue): plain arrays, original units. */
export function toJson(method: string, p: Predictive, seconds: number): Record<string, unknown> {
  if (p.kind === 'regression') {
    const m = p.members;
    return {
      method,
      task: 'regression',
      mean: Array.from(p.mean),
      variance: Array.from(p.variance),
      aleatoric: Array.from(p.aleatoric),
      epistemic: Array.from(p.epistemic),
      samples: m ? { mean: rows(m.mean, m.count), variance: rows(m.variance, m.count) } : null,
      seconds,
    };
  }
  return {
    method,
    task: 'classification',
    probs: rows(p.probs, p.probs.length / p.classes),
    entropy: Array.from(p.entropy),
    expectedEntropy: Array.from(p.expectedEntropy),
    mutualInformation: Array.from(p.mutualInformation),
    seconds,
  };
}

export function summaryLine(p: Predictive, y: Float32Array): string {
  if (p.kind === 'regression') {
    const ll = p.members ? mixtureLogLik(p.members.mean, p.members.variance, y) : gaussianLogLik(p.mean, p.variance, y);
    return `test RMSE ${rmse(p.mean, y).toFixed(4)}, test LL ${ll.toFixed(4)}`;
  }
  return `test accuracy ${accuracy(p.probs, y).toFixed(4)}, NLL ${nll(p.probs, y).toFixed(4)}`;
}

function rows(a: ArrayLike<number>, n: number): number[][] {
  const w = a.length / n;
  return Array.from({ length: n }, (_, i) => Array.from({ length: w }, (_, j) => a[i * w + j]));
}

export async function readTable(path: string): Promise<Table> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new BdlError('E_ARG', `${path}: cannot read the file (${(e as NodeJS.ErrnoException).code ?? 'error'}). Check the path.`, path);
  }
  return parseTable(text, { source: path });
}

function required(v: string | boolean | undefined, name: string): string {
  if (typeof v !== 'string' || v === '') throw new BdlError('E_ARG', `--${name} is required. See bdl fit --help.`, name);
  return v;
}

function badTask(v: unknown): never {
  throw new BdlError('E_ARG', `--task: expected regression or classification, found ${JSON.stringify(v)}.`, 'task');
}

/** `--input-dropout`: MC dropout's only (other methods have no input layer to drop). */
function inputDropoutFlag(method: string, flag: unknown): true | undefined {
  if (flag !== true) return undefined;
  if (method !== 'mc-dropout') throw new BdlError('E_ARG', `--input-dropout: only mc-dropout drops its inputs; found --method ${method}.`, 'input-dropout');
  return true;
}
