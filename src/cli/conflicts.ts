/**
 * Flags that another flag makes meaningless. Each flag is checked on its own by its option's field;
 * these are the combinations where a flag would be silently ignored (an HMC setting given to NUTS, a
 * class count for a regression, a σ for a softmax) or refused only after the training it follows
 * (a predictive σ for a classification). They are refused before any file is read (what `bdl posthoc
 * --method auto` chose: once the model is read, before the posterior is fitted), naming the flag,
 * what it needs, what the command line gives instead, and what to do. Where the precedence is the
 * documented behaviour, the combination stays accepted: `--tune` keeps every flag you set out of its
 * search; `--epochs` turns early stopping off, so `--validation-fraction` then only sizes calibrate's
 * hold-out; `--stopping-score` says that regression scores the squared error either way;
 * `bdl advise --model` answers `--dropout` from the file and says so.
 */
import { BdlError } from '../errors.js';
import { METHODS, type MethodEntry } from '../methods/registry.js';

type Flags = ReadonlyMap<string, unknown>;

function refuse(flag: string, expected: string, found: string, hint: string): never {
  throw new BdlError('E_ARG', `--${flag}: expected ${expected}, found ${found}. ${hint}`, flag);
}

/** How a flag appears on the command line, or that it is absent (with its default). */
function shown(f: Flags, flag: string, absent: string): string {
  return f.has(flag) ? `--${flag} ${String(f.get(flag))}` : `no --${flag} (${absent})`;
}

/** `--queue` names a queue on the `--redis` server, `--withdraw-ms` a wait for it: alone, either would be ignored (the run stays local). */
function checkQueueFlag(f: Flags): void {
  if (f.has('queue') && !f.has('redis')) refuse('queue', "--redis: it names the queue on that server (the workers' --queue)", `--queue ${String(f.get('queue'))} without --redis (the tasks run in local workers)`, 'Add --redis URL, or drop --queue.');
  if (f.has('withdraw-ms') && !f.has('redis')) refuse('withdraw-ms', "--redis: it is how long a cancel waits for that server", `--withdraw-ms ${String(f.get('withdraw-ms'))} without --redis (the tasks run in local workers)`, 'Add --redis URL, or drop --withdraw-ms.');
}

/** `bdl fit --method name`'s flags (`f`: as parsed) against one another. */
export function checkFitFlags(name: string, entry: MethodEntry, f: Flags): void {
  const classification = f.get('task') === 'classification';
  const task = shown(f, 'task', 'regression');
  const likelihood = f.get('likelihood') as string | undefined;

  if (f.get('tune') === true && !entry.tuneGrid) {
    refuse('tune', `a method with a tuning grid (${Object.keys(METHODS).filter((m) => METHODS[m].tuneGrid).join(', ')})`, `--method ${name}`, 'Drop --tune, and set the options yourself.');
  }
  if (f.has('redis') && !Object.hasOwn(entry.options.fields, 'pool')) {
    refuse('redis', `a method that runs pool tasks (${Object.keys(METHODS).filter((m) => Object.hasOwn(METHODS[m].options.fields, 'pool')).join(', ')})`, `--method ${name}, which trains in this process`, 'Drop --redis.');
  }
  if (f.has('redis') && f.has('workers')) refuse('workers', 'no --redis: it sizes the local pool', "--redis (the tasks run on the queue's bdl worker processes)", 'Drop --workers, or --redis.');
  checkQueueFlag(f);

  // Regression only.
  if (f.has('classes') && !classification) refuse('classes', 'a classification (--task classification): it is the number of classes', task, 'Add --task classification, or drop --classes.');
  if (f.has('likelihood') && classification) refuse('likelihood', 'a regression: a classification always trains a softmax', task, 'Drop --likelihood.');
  if (f.has('noise') && classification) refuse('noise', "a regression: it is the σ of the gaussian likelihood's noise", task, 'Drop --noise.');
  if (f.has('noise') && likelihood === 'heteroscedastic') refuse('noise', 'the gaussian likelihood: a heteroscedastic head predicts its own noise', '--likelihood heteroscedastic', 'Drop --noise, or --likelihood.');
  if (f.has('predictive-noise') && classification) refuse('predictive-noise', 'a regression: it is the σ the predictive adds', task, 'Drop --predictive-noise.');
  if (f.has('predictive-noise') && likelihood === 'heteroscedastic' && name !== 'ensemble') {
    refuse('predictive-noise', `the gaussian likelihood with --method ${name} (only an ensemble's heteroscedastic members take it, as a variance floor)`, '--likelihood heteroscedastic', 'Drop --predictive-noise, or --likelihood.');
  }

  if (name === 'nuts') for (const k of ['steps', 'jitter']) if (f.has(k)) refuse(k, '--method hmc: it is a static HMC setting (NUTS sizes each trajectory itself)', '--method nuts', `Drop --${k}, or use --method hmc.`);
  if (name === 'hmc' && f.has('max-treedepth')) refuse('max-treedepth', '--method nuts: it bounds the NUTS tree (static HMC takes --steps)', '--method hmc', 'Drop --max-treedepth, or use --method nuts.');
  if (f.has('keep') && Object.hasOwn(entry.options.fields, 'draws')) {
    const keep = f.get('keep') as number;
    const draws = (f.get('draws') as number | undefined) ?? (entry.options.fields.draws.default as number);
    if (keep > draws) refuse('keep', `at most the draws per chain (${draws}${f.has('draws') ? '' : ', the default'}): the kept draws are thinned from them`, `--keep ${keep}`, `Lower --keep to ${draws} or fewer, or raise --draws to ${keep}.`);
  }
  if (name === 'nuts' || name === 'hmc') {
    // The chains start from the network's initialization; a MAP is trained only to estimate σ.
    const noMap = f.has('noise') ? '--noise (σ is given: no MAP is trained to estimate it)' : classification ? task : likelihood === 'heteroscedastic' ? '--likelihood heteroscedastic' : undefined;
    for (const k of ['epochs', 'lr', 'batch-size']) {
      if (noMap && f.has(k)) refuse(k, `a gaussian regression without --noise: --method ${name} trains a network (its MAP pretrain, which --${k} sets) only to estimate σ`, noMap, `Drop --${k}: the chains start from the network's initialization and would not use it.`);
    }
  }
  if (f.get('diagonal') === true && f.has('rank')) refuse('rank', 'no --diagonal: it is the number of deviations the low-rank part keeps', '--diagonal (SWAG-diag keeps none)', 'Drop --rank, or --diagonal.');
  if (name === 'laplace') {
    const mode = f.get('prior-precision');
    if (f.get('per-layer') === true && mode !== undefined && mode !== 'marglik') refuse('per-layer', '--prior-precision marglik: one precision per layer is what the evidence maximization chooses', `--prior-precision ${String(mode)}`, 'Drop --per-layer, or use --prior-precision marglik.');
    if (f.has('link') && !classification) refuse('link', "a classification: it turns the GLM predictive's logits into probabilities", task, 'Drop --link.');
    if (f.has('link') && f.get('predictive') === 'mc') refuse('link', '--predictive glm (the default): the link is the GLM predictive\'s', '--predictive mc (which samples the network itself)', 'Drop --link, or --predictive mc.');
  }
  if (name === 'svgd' && f.has('pretrain-epochs') && f.has('noise')) {
    refuse('pretrain-epochs', 'no --noise: SVGD pretrains only to estimate σ', '--noise (σ is given: the particles start from their initialization)', 'Drop --pretrain-epochs, or --noise.');
  }
  if (name === 'ensemble' && f.has('revert-off-data')) {
    // The members are heteroscedastic when asked, or by the default recipe (a regression that stops early, no σ given); --tune may choose them.
    const gaussian = classification
      ? task
      : likelihood === 'gaussian'
        ? '--likelihood gaussian'
        : likelihood === undefined && f.get('tune') !== true
          ? f.has('noise')
            ? '--noise without --likelihood (the members are then gaussian)'
            : f.has('epochs')
              ? '--epochs without --likelihood (no early stopping: the members are then gaussian)'
              : f.get('validation-fraction') === 0
                ? '--validation-fraction 0 without --likelihood (no early stopping: the members are then gaussian)'
                : undefined
          : undefined;
    if (gaussian) refuse(f.get('revert-off-data') ? 'revert-off-data' : 'no-revert-off-data', "heteroscedastic members (--likelihood heteroscedastic): it is about their variance head", gaussian, 'Drop it, or add --likelihood heteroscedastic.');
  }
}

/** `bdl sample`'s kernel flags against `--kernel`, and `--workers` and `--queue` against `--redis`. */
export function checkSampleFlags(f: Flags): void {
  const kernel = shown(f, 'kernel', 'nuts');
  if (f.get('kernel') !== 'hmc') for (const k of ['steps', 'jitter']) if (f.has(k)) refuse(k, '--kernel hmc: it is a static HMC setting (NUTS sizes each trajectory itself)', kernel, `Drop --${k}, or add --kernel hmc.`);
  if (f.get('kernel') === 'hmc' && f.has('max-treedepth')) refuse('max-treedepth', '--kernel nuts: it bounds the NUTS tree (static HMC takes --steps)', kernel, 'Drop --max-treedepth, or use --kernel nuts.');
  if (f.has('redis') && f.has('workers')) refuse('workers', 'no --redis: it sizes the local pool', "--redis (the chains run on the queue's bdl worker processes)", 'Drop --workers, or --redis.');
  checkQueueFlag(f);
}

/** `bdl compare`: the embedded data sets or the user's files, not both; `--queue` only with `--redis`. */
export function checkCompareFlags(f: Flags): void {
  checkQueueFlag(f);
  if (!f.has('train')) {
    if (f.has('task')) refuse('task', 'your own files (--train and --test): each embedded data set has its own task', 'no --train', 'Drop --task, or give --train and --test.');
    return;
  }
  for (const k of ['dataset', 'data']) {
    if (f.has(k)) refuse(k, 'no --train: compare runs on the embedded data sets or on your files, not both', `--train ${String(f.get('train'))}`, `Drop --${k}, or --train and --test.`);
  }
}

/** Laplace's flags in `bdl posthoc` (the MC dropout branch takes none of them). */
export const POSTHOC_LAPLACE_FLAGS = ['hessian', 'subset', 'per-layer', 'predictive', 'prior-precision'];

/** Whether a model path names a safetensors file (the one format `--layers` describes). */
export function isSafetensors(path: string): boolean {
  return path.toLowerCase().split(/[?#]/)[0].endsWith('.safetensors');
}

/**
 * `bdl posthoc`'s flags against one another and, once the network is read, against the branch
 * `--method auto` took (`branch`).
 */
export function checkPosthocFlags(f: Flags, branch?: 'laplace' | 'mc-dropout'): void {
  const model = f.get('model') as string | undefined;
  if (f.has('layers') && model !== undefined && !isSafetensors(model)) refuse('layers', 'a .safetensors --model: TF.js and ONNX files describe their own layers', `--model ${model}`, 'Drop --layers.');
  const mode = f.get('prior-precision');
  if (f.get('per-layer') === true && mode !== undefined && mode !== 'marglik') refuse('per-layer', '--prior-precision marglik: one precision per layer is what the evidence maximization chooses', `--prior-precision ${String(mode)}`, 'Drop --per-layer, or use --prior-precision marglik.');
  const method = (f.get('method') as string | undefined) ?? 'auto';
  if ((branch ?? method) === 'mc-dropout') {
    const why = method === 'mc-dropout' ? '--method mc-dropout' : `--method ${method}, which chose mc-dropout (the network has dropout layers)`;
    for (const k of POSTHOC_LAPLACE_FLAGS) if (f.has(k)) refuse(k, 'a Laplace posterior (--method laplace): it is a Laplace setting, which MC dropout does not use', why, `Drop --${k}, or add --method laplace.`);
  }
}

/** `bdl advise`: answers that contradict each other or that the decision tree would not read. */
export function checkAdviseFlags(f: Flags): void {
  const model = f.get('model') as string | undefined;
  const trained = model !== undefined ? '--model' : f.get('trained') === 'yes' ? '--trained yes' : undefined;
  if (model !== undefined && f.get('trained') === 'no') refuse('trained', 'yes, or nothing, with --model: a model file is a trained model', '--trained no', 'Drop --trained, or --model.');
  if (f.has('budget') && trained) refuse('budget', 'an untrained model (--trained no): the budget chooses among training methods', trained, 'Drop --budget.');
  if (f.has('dropout') && f.get('trained') === 'no') refuse('dropout', 'a trained model (--trained yes or --model): it asks about that model', '--trained no', 'Drop --dropout.');
  if (f.has('layers') && (model === undefined || !isSafetensors(model))) {
    refuse('layers', 'a .safetensors --model: TF.js and ONNX files describe their own layers', model === undefined ? 'no --model' : `--model ${model}`, 'Drop --layers.');
  }
}
