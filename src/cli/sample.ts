/**
 * `bdl sample`: multi-chain NUTS (or HMC) on a user target module, one chain per pool worker, writing
 * `{ names, draws: [chain][draw][dim], diagnostics: { rhat, essBulk, essTail, divergences, stepSize, seconds }, … }`
 * and printing R̂, ESS and the divergences at the end.
 */
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BdlError, fileReadError } from '../errors.js';
import type { KernelSpec } from '../samplers/chain.js';
import { sampleChains, type SampleChainsResult } from '../samplers/sample-chains.js';
import { CHAIN_RUN_FIELDS, chainFields, KERNEL_FIELDS } from '../options/mcmc.js';
import { enumOf, int, schema, text } from '../options/schema.js';
import { DEBUG_FIELD, flagsOf, HELP_FIELD, helpLines, JSON_OUT_FIELD, optionsOf, parseFlags, UsageError, type Usage } from './args.js';
import { checkNotInput, checkWritable, writeOutputs, writeStdout } from './output.js';
import { checkSampleFlags } from './conflicts.js';
import { MAX_TEXT_BYTES, readCapped } from './read.js';
import { DIAGNOSTICS_LABEL, progressReporter } from './progress.js';
import { QUEUE_FIELDS, withRedisPool } from './worker.js';
import { CORE_FIELD, useCore } from './core.js';
import type { WasmFlavor } from '../wasm/core.js';
import { since, VERSION } from './json.js';
import { macrotask } from '../signal.js';
import { MAX_WORKERS } from '../pool/pool.js';

const USAGE: Usage = { command: 'sample', line: 'usage: bdl sample --target MODULE [--chains N --warmup N --draws N] [--out FILE] [flags]   (bdl sample --help)' };

/** The sampler's options (the JSON's `options` lists them as run). */
export const SAMPLE_OPTIONS = schema('bdl sample', {
  ...chainFields({ chains: 4, warmup: 1000, draws: 1000 }),
  thin: CHAIN_RUN_FIELDS.thin,
  seed: int({ min: 0, default: 0, help: 'random seed' }),
  kernel: enumOf(['nuts', 'hmc'], { default: 'nuts', help: 'sampler' }),
  ...KERNEL_FIELDS,
  workers: int({ min: 0, max: MAX_WORKERS, defaultText: 'one per core', help: 'pool size (0 = in-thread)' }),
});

const COMMAND_FIELDS = {
  target: text({ help: 'ES module (path or URL) exporting dim, logDensity(theta, grad), optional init(rng), names' }),
  out: JSON_OUT_FIELD,
  ...QUEUE_FIELDS,
  core: CORE_FIELD,
  debug: DEBUG_FIELD,
  help: HELP_FIELD,
};

const TABLE = { ...flagsOf(COMMAND_FIELDS, 'command'), ...flagsOf(SAMPLE_OPTIONS.fields, 'sampler') };

export async function sampleCommand(argv: string[], signal: AbortSignal): Promise<void> {
  const t0 = performance.now();
  const flags = parseFlags(argv, TABLE, USAGE);
  if (flags.get('help')) {
    process.stdout.write(`bdl sample — sample a user target module with multi-chain NUTS and write draws and diagnostics as JSON\n\n${USAGE.line}\n${helpLines(TABLE, ['command', 'sampler'])}\n`);
    return;
  }
  const o = SAMPLE_OPTIONS.parse(optionsOf(flags, TABLE, ['sampler']));
  const target = flags.get('target') as string | undefined;
  const out = flags.get('out') as string | undefined;
  let core: WasmFlavor;
  try {
    if (target === undefined) throw new BdlError('E_ARG', '--target is required.', 'target');
    checkSampleFlags(flags);
    checkNotInput([['out', out]], [['target', isUrl(target) ? undefined : target]]);
    if (out !== undefined) await checkWritable(out, 'out');
    core = await useCore(flags.get('core'));
  } catch (e) {
    throw e instanceof BdlError && e.code === 'E_ARG' ? new UsageError(`bdl sample: ${e.message}`, USAGE, e.argument) : e;
  }
  const url = await pinnedUrl(isUrl(target) ? target : pathToFileURL(resolve(target)).href, flags.get('redis') === undefined);
  const s = SAMPLE_OPTIONS;
  const kernel: KernelSpec = s.value(o, 'kernel') === 'nuts' ? { type: 'nuts', maxTreeDepth: s.value(o, 'maxTreeDepth') } : { type: 'hmc', steps: s.value(o, 'steps'), jitter: s.value(o, 'jitter') };
  const chains = s.value(o, 'chains');
  const bar = progressReporter('sample');
  const done = new Array<number>(chains).fill(0);
  let r: SampleChainsResult;
  try {
    r = await withRedisPool({ redis: flags.get('redis'), queue: flags.get('queue'), withdrawMs: flags.get('withdraw-ms') }, (pool) => sampleChains({ type: 'module', url }, {
    chains, warmup: s.value(o, 'warmup'), draws: s.value(o, 'draws'), kernel, signal, pool,
    metric: s.value(o, 'metric'),
    thin: s.value(o, 'thin'),
    seed: s.value(o, 'seed'),
    poolSize: o.workers,
    onProgress: (p) => {
      done[p.chain] = p.iteration;
      const sum = done.reduce((a, b) => a + b, 0);
      bar.update(sum, chains * p.total, `chain ${p.chain}: ${p.phase === 'warmup' ? 'warmup' : 'draws'}, step size ${p.stepSize.toPrecision(3)}, acceptance ${p.acceptance.toFixed(2)}`, 'iterations');
      if (sum === chains * p.total) {
        // The diagnostics of long runs take a while: say what is going on after the bar's 100 %.
        bar.end();
        process.stderr.write(`sample: computing R̂ and ESS over ${chains} chains × ${s.value(o, 'draws')} draws\n`);
      }
    },
    onDiagnostics: (p) => bar.update(p.done, p.total, DIAGNOSTICS_LABEL.note, DIAGNOSTICS_LABEL.unit),
  }));
  } finally {
    // A running bar keeps a timer: stop it on every path, or a cancelled run would never exit.
    bar.end();
  }
  const json = sampleJsonPieces(r, { options: s.resolved(o), seed: s.value(o, 'seed'), core, version: VERSION, timings: { sampling: r.seconds, total: since(t0) } }, signal);
  if (out !== undefined) await writeOutputs([{ flag: 'out', path: out, data: json }], signal);
  else await writeStdout(json);
  const d = r.diagnostics;
  const divergences = r.divergences.reduce((a, b) => a + b, 0);
  // Folded, not spread: a target of 130k+ dimensions would overflow the stack with that many arguments.
  const most = (a: ArrayLike<number>, pick: (x: number, y: number) => number, start: number) => {
    let m = start;
    for (let i = 0; i < a.length; i++) m = pick(m, a[i]);
    return m;
  };
  if (d) process.stderr.write(`sample: R̂ max ${most(d.rhat, Math.max, -Infinity).toFixed(3)}, bulk ESS min ${most(d.essBulk, Math.min, Infinity).toFixed(0)}, tail ESS min ${most(d.essTail, Math.min, Infinity).toFixed(0)}, ${divergences} divergences, ${r.seconds.toFixed(2)} s\n`);
  if (d) for (const w of d.warnings) process.stderr.write(`warning: ${w.message}\n`);
  if (!d?.warnings.some((w) => /diverg/i.test(w.message)) && divergences > 0) process.stderr.write(`warning: ${divergences} divergent transitions: the draws may miss part of the posterior.\n`);
}

/**
 * A file: URL with the SHA-256 of the file's bytes added (`?sha256=<hex>`): a queue worker refuses
 * the job when its copy of the module differs, and a changed module is a new URL, imported afresh
 * rather than served from the cache of a worker that imported the old one. Other URLs are left as
 * they are, and so are files that cannot be read here when `local` is false (--redis: the workers'
 * import reports those); run locally, an unreadable file is E_ARG before any thread starts.
 */
async function pinnedUrl(url: string, local: boolean): Promise<string> {
  if (!url.startsWith('file:')) return url;
  let bytes: Buffer;
  try {
    const path = fileURLToPath(url);
    // A module is a file: a device or a pipe (/dev/zero) was read to its end here, filling the memory.
    const kind = await stat(path).then((st) => (st.isFile() || st.isDirectory() ? undefined : 'a device or a pipe'), () => undefined);
    if (kind) throw new BdlError('E_ARG', `--target: expected a JavaScript module file, found ${path}, ${kind}. Pass the module's file.`, 'target');
    const read = await readCapped(path, MAX_TEXT_BYTES);
    if (read === undefined) throw new BdlError('E_ARG', `--target: expected a JavaScript module of at most ${MAX_TEXT_BYTES} bytes, found ${path} with more. Pass the module's file.`, 'target');
    bytes = read;
  } catch (e) {
    if (e instanceof BdlError) throw e;
    // Run here, the module must be readable here: say so before any thread starts. With --redis the
    // workers import the URL on their own machines, which may hold a file this one lacks.
    if (local) throw fileReadError(`--target: ${fileURLToPath(url)}`, e, 'target');
    return url;
  }
  const u = new URL(url);
  u.searchParams.set('sha256', createHash('sha256').update(bytes).digest('hex'));
  return u.href;
}

/** A --target given as a URL (file:, https:, data:) rather than a path. */
function isUrl(target: string): boolean {
  return /^[a-z][a-z0-9+.-]+:/i.test(target);
}

// Stands for the draws in the JSON of everything else; replaced by their text, made piece by piece.
const DRAWS = '\u0000draws\u0000';
// Numbers per piece: about a millisecond of JSON.stringify, and a few hundred kB of text.
const NUMBERS_PER_PIECE = 1 << 14;

/**
 * `bdl sample`'s output as one line of JSON, in pieces: sampleJson(r) then `extra`, with the draws
 * ([chain][draw][dim]) serialized a few thousand numbers at a time and the thread given back between
 * pieces. Written as they come, the draws never make one string: 4 chains × 1,000 draws of a
 * 10,000-weight network are 40 M numbers, about 800 M characters, past V8's longest string
 * (2^29 − 24), and one JSON.stringify of them blocked SIGINT for seconds. The pieces joined are
 * JSON.stringify's text of the whole document. E_ABORTED once `signal` is aborted.
 */
export async function* sampleJsonPieces(r: SampleChainsResult, extra: Record<string, unknown>, signal: AbortSignal): AsyncGenerator<string> {
  const [before, after] = JSON.stringify({ ...sampleJson(r), ...extra }).split(JSON.stringify(DRAWS));
  yield before + '[';
  const rowsPerPiece = Math.max(1, Math.floor(NUMBERS_PER_PIECE / Math.max(1, r.dim)));
  for (let c = 0; c < r.draws!.length; c++) {
    const a = r.draws![c];
    let piece = c > 0 ? ',[' : '[';
    for (let i0 = 0; i0 < r.count; i0 += rowsPerPiece) {
      const rows: number[][] = [];
      for (let i = i0; i < Math.min(i0 + rowsPerPiece, r.count); i++) rows.push(Array.from(a.subarray(i * r.dim, (i + 1) * r.dim)));
      yield piece + (i0 > 0 ? ',' : '') + JSON.stringify(rows).slice(1, -1);
      piece = '';
      await macrotask();
      if (signal.aborted) throw new BdlError('E_ABORTED', 'sample: cancelled while writing the draws.');
    }
    yield piece + ']';
  }
  yield ']' + after + '\n';
}

/** The draws (a placeholder: see sampleJsonPieces) and diagnostics of `bdl sample`'s output. */
export function sampleJson(r: SampleChainsResult): Record<string, unknown> {
  const d = r.diagnostics;
  return {
    command: 'sample',
    names: r.names ?? Array.from({ length: r.dim }, (_, i) => `theta[${i}]`),
    draws: DRAWS,
    diagnostics: {
      rhat: d ? d.rhat : null,
      essBulk: d ? d.essBulk : null,
      essTail: d ? d.essTail : null,
      divergences: r.divergences.reduce((a, b) => a + b, 0),
      stepSize: r.stepSize,
      targetAccept: r.targetAccept,
      seconds: r.seconds,
    },
    warnings: d ? d.warnings.map((w) => w.message) : [],
  };
}
