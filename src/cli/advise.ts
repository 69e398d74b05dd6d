/**
 * `bdl advise`: the seed's decision tree on the command line. Answers as flags (--trained yes|no,
 * --dropout yes|no, --budget 1x|1.2-2x|Mx) or read from the model file (--model: dropout found or
 * not); prints the method, why, and the command; with --results (bdl compare's results.json) the
 * measured calibration ranking and cost beside it.
 */
import { MAX_TEXT_BYTES, readCapped } from './read.js';
import { BdlError } from '../errors.js';
import { importModelFile } from '../import/node.js';
import { advise, formatAdvice, type Budget } from '../methods/posthoc/index.js';
import { bool, enumOf, text } from '../options/schema.js';
import { flagsOf, helpLines, parseFlags, UsageError, type Usage } from './args.js';
import { checkAdviseFlags } from './conflicts.js';

const USAGE: Usage = { command: 'advise', line: 'usage: bdl advise (--trained yes|no [--dropout yes|no] [--budget B] | --model FILE) [--results results.json] [--json]   (bdl advise --help)' };

export const ADVISE_FIELDS = {
  trained: enumOf(['yes', 'no'], { help: 'do you already have a trained model? (yes when --model is given)' }),
  dropout: enumOf(['yes', 'no'], { help: 'does it use dropout? (read from --model when given)' }),
  budget: enumOf(['1x', '1.2-2x', 'Mx'], { help: 'untrained: training budget relative to one network' }),
  model: text({ help: 'the trained model file (model.json, .onnx, .safetensors): answers --trained and --dropout' }),
  layers: text({ help: 'with a .safetensors --model: its layer description' }),
  results: text({ help: 'a bdl compare results.json: show the measured calibration ranking and cost' }),
  json: bool({ default: false, help: 'print the advice as JSON' }),
  debug: bool({ default: false, help: 'print stack traces' }),
  help: bool({ default: false, help: 'this text' }),
};
const TABLE = flagsOf(ADVISE_FIELDS, 'flags');

export async function adviseCommand(argv: string[]): Promise<void> {
  const flags = parseFlags(argv, TABLE, USAGE);
  if (flags.get('help')) {
    process.stdout.write(`bdl advise — which method to use: trained model? dropout? budget? → method, reason, command\n\n${USAGE.line}\n${helpLines(TABLE, ['flags'])}\n`);
    return;
  }
  try {
    checkAdviseFlags(flags);
  } catch (e) {
    throw e instanceof BdlError && e.code === 'E_ARG' ? new UsageError(`bdl advise: ${e.message}`, USAGE, e.argument) : e;
  }
  let trained = yesNo(flags.get('trained'));
  let dropout = yesNo(flags.get('dropout'));
  const model = flags.get('model') as string | undefined;
  if (model) {
    const net = await importModelFile(model, { layers: flags.get('layers') as string | undefined });
    const d = net.spec.dropout;
    const found = Array.isArray(d) ? d.some((r) => r > 0) : (d ?? 0) > 0;
    if (dropout !== undefined && dropout !== found) process.stderr.write(`advise: --dropout ${flags.get('dropout')} but ${model} has ${found ? '' : 'no '}dropout layers; using the file\n`);
    trained = true;
    dropout = found;
  }
  if (trained === undefined) throw new UsageError('bdl advise: --trained: expected yes or no (do you already have a trained model?), or --model <file>. See bdl advise --help.', USAGE, 'trained');
  const results = flags.get('results') as string | undefined;
  const comparison = results ? await readJson(results) : undefined;
  const a = advise({ trained, dropout, budget: flags.get('budget') as Budget | undefined, model, comparison });
  process.stdout.write(flags.get('json') ? JSON.stringify(a, null, 2) + '\n' : formatAdvice(a));
}

function yesNo(v: unknown): boolean | undefined {
  return v === undefined ? undefined : v === 'yes';
}
async function readJson(path: string): Promise<unknown> {
  let text: string;
  try {
    // Read no further than a NUL byte in its first MiB (a device, a binary file): JSON.parse refuses it.
    const bytes = await readCapped(path, MAX_TEXT_BYTES, (head) => head.includes(0));
    if (bytes === undefined) throw new BdlError('E_MEMORY', `--results: expected the results.json bdl compare wrote (at most ${MAX_TEXT_BYTES} bytes), found ${path} with more. Pass that file.`, 'results');
    text = bytes.toString('utf8');
  } catch (e) {
    if (e instanceof BdlError) throw e;
    throw new BdlError('E_ARG', `${path}: cannot read the file (${(e as NodeJS.ErrnoException).code ?? 'error'}). Check the path.`, path);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new BdlError('E_PARSE', `${path}: not valid JSON (${(e as Error).message}). Pass the results.json bdl compare wrote.`, path);
  }
}
