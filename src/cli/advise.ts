/**
 * `bdl advise`: the seed's decision tree on the command line. Answers as flags (--trained yes|no,
 * --dropout yes|no, --budget 1x|1.2-2x|Mx) or read from the model file (--model: dropout found or
 * not); prints the method, why, and the command; with --results (bdl compare's results.json) the
 * measured calibration ranking and cost beside it.
 */
import { readFile } from 'node:fs/promises';
import { BdlError } from '../errors.js';
import { importModelFile } from '../import/node.js';
import { advise, formatAdvice, type Budget } from '../methods/posthoc/index.js';
import { helpText, parseArgs, type FlagSpec } from './args.js';

export const ADVISE_FLAGS: Record<string, FlagSpec> = {
  trained: { type: 'string', help: 'do you already have a trained model? yes | no (yes when --model is given)' },
  dropout: { type: 'string', help: 'does it use dropout? yes | no (read from --model when given)' },
  budget: { type: 'string', help: 'untrained: training budget relative to one network: 1x | 1.2-2x | Mx' },
  model: { type: 'string', help: 'the trained model file (model.json, .onnx, .safetensors): answers --trained and --dropout' },
  layers: { type: 'string', help: 'with a .safetensors --model: its layer description' },
  results: { type: 'string', help: "a bdl compare results.json: show the measured calibration ranking and cost" },
  json: { type: 'boolean', help: 'print the advice as JSON' },
  debug: { type: 'boolean', help: 'print stack traces' },
  help: { type: 'boolean', help: 'this text' },
};

const SUMMARY = 'which method to use: trained model? dropout? budget? → method, reason, command';

export async function adviseCommand(argv: string[]): Promise<void> {
  const { flags } = parseArgs(argv, ADVISE_FLAGS, 'advise');
  if (flags.help) {
    process.stdout.write(helpText('advise', SUMMARY, ADVISE_FLAGS));
    return;
  }
  let trained = yesNo(flags.trained, 'trained');
  let dropout = yesNo(flags.dropout, 'dropout');
  const model = flags.model as string | undefined;
  if (model) {
    const net = await importModelFile(model, { layers: flags.layers as string | undefined });
    const d = net.spec.dropout;
    const found = Array.isArray(d) ? d.some((r) => r > 0) : (d ?? 0) > 0;
    if (dropout !== undefined && dropout !== found) process.stderr.write(`advise: --dropout ${flags.dropout} but ${model} has ${found ? '' : 'no '}dropout layers; using the file\n`);
    trained = true;
    dropout = found;
  }
  if (trained === undefined) throw new BdlError('E_ARG', '--trained: expected yes or no (do you already have a trained model?), or --model <file>. See bdl advise --help.', 'trained');
  const comparison = flags.results ? await readJson(String(flags.results)) : undefined;
  const a = advise({ trained, dropout, budget: flags.budget as Budget | undefined, model, comparison });
  process.stdout.write(flags.json ? JSON.stringify(a, null, 2) + '\n' : formatAdvice(a));
}

function yesNo(v: string | boolean | undefined, name: string): boolean | undefined {
  if (v === undefined) return undefined;
  if (v === 'yes' || v === 'true') return true;
  if (v === 'no' || v === 'false') return false;
  throw new BdlError('E_ARG', `--${name}: expected yes or no, found ${JSON.stringify(v)}.`, name);
}

async function readJson(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new BdlError('E_ARG', `${path}: cannot read the file (${(e as NodeJS.ErrnoException).code ?? 'error'}). Check the path.`, path);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new BdlError('E_PARSE', `${path}: not valid JSON (${(e as Error).message}). Pass the results.json bdl compare wrote.`, path);
  }
}
