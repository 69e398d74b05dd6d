/**
 * `bdl advise`: the seed's decision tree on the command line. Answers as flags (--trained yes|no,
 * --dropout yes|no, --budget 1x|1.2-2x|Mx) or read from the model file (--model: dropout found or
 * not); prints the method, why, and the command; with --results (bdl compare's results.json) the
 * measured calibration ranking and cost beside it.
 */
import { MAX_TEXT_BYTES, readUserFile } from './read.js';
import { BdlError, describe } from '../errors.js';
import { importModelFile } from '../import/node.js';
import { advise, formatAdvice, type Budget } from '../methods/posthoc/index.js';
import { bool, enumOf, text } from '../options/schema.js';
import { DEBUG_FIELD, flagsOf, HELP_FIELD, helpLines, parseFlags, UsageError, type Usage } from './args.js';
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
  debug: DEBUG_FIELD,
  help: HELP_FIELD,
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
  const comparison = results ? checkResults(await readJson(results), results) : undefined;
  const a = advise({ trained, dropout, budget: flags.get('budget') as Budget | undefined, model, comparison });
  if (results && !a.evidence?.length) process.stderr.write(`advise: warning: ${results} has no method with a measured calibration (regression: picp; classification: ece) and time: nothing to rank\n`);
  process.stdout.write(flags.get('json') ? JSON.stringify(a, null, 2) + '\n' : formatAdvice(a));
}

/**
 * The fields of a results.json that the ranking reads, checked (E_FORMAT naming the file and the
 * field): a suite of null or a time written "fast" was a TypeError ("r.seconds.toFixed is not a function").
 */
function checkResults(doc: unknown, path: string): unknown {
  const bad = (where: string, expected: string, found: unknown) =>
    new BdlError('E_FORMAT', `${path}: ${where}: expected ${expected}, found ${describe(found)}. Pass the results.json that bdl compare wrote.`, 'results');
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(doc) || !Array.isArray(doc.suites)) throw bad('suites', 'an array of suites ({ suites: [...] })', isObject(doc) ? doc.suites : doc);
  doc.suites.forEach((suite: unknown, i: number) => {
    const at = `suites[${i}]`;
    if (!isObject(suite)) throw bad(at, 'a suite object', suite);
    if (typeof suite.name !== 'string') throw bad(`${at}.name`, 'a string', suite.name);
    if (suite.task !== 'regression' && suite.task !== 'classification') throw bad(`${at}.task`, "'regression' or 'classification'", suite.task);
    if (suite.methods === undefined) return;
    if (!Array.isArray(suite.methods)) throw bad(`${at}.methods`, 'an array', suite.methods);
    suite.methods.forEach((m: unknown, j: number) => {
      const mat = `${at}.methods[${j}]`;
      if (!isObject(m)) throw bad(mat, 'a method object', m);
      if (typeof m.method !== 'string') throw bad(`${mat}.method`, 'a method name', m.method);
      if (m.seconds !== undefined && !(typeof m.seconds === 'number' && Number.isFinite(m.seconds) && m.seconds >= 0)) throw bad(`${mat}.seconds`, 'a number of seconds', m.seconds);
      if (m.metrics !== undefined && m.metrics !== null) {
        if (!isObject(m.metrics)) throw bad(`${mat}.metrics`, 'an object of numbers', m.metrics);
        for (const [k, v] of Object.entries(m.metrics)) if (v !== null && typeof v !== 'number') throw bad(`${mat}.metrics.${k}`, 'a number', v);
      }
    });
  });
  return doc;
}

function yesNo(v: unknown): boolean | undefined {
  return v === undefined ? undefined : v === 'yes';
}
async function readJson(path: string): Promise<unknown> {
  // Read no further than a NUL byte in its first MiB (a device, a binary file): JSON.parse refuses it.
  const bytes = await readUserFile(path, MAX_TEXT_BYTES, path, (head) => head.includes(0));
  if (bytes === undefined) throw new BdlError('E_MEMORY', `--results: expected the results.json bdl compare wrote (at most ${MAX_TEXT_BYTES} bytes), found ${path} with more. Pass that file.`, 'results');
  const text = bytes.toString('utf8');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new BdlError('E_PARSE', `${path}: not valid JSON (${(e as Error).message}). Pass the results.json bdl compare wrote.`, path);
  }
}
