/**
 * The `bdl` command. Subcommands: fit, compare, sample (more land with their issues). Errors print one line and exit
 * non-zero (a stack trace only with --debug); Ctrl-C cancels the run cleanly.
 */
import { constants } from 'node:os';
import { BdlError } from '../errors.js';
import { METHODS } from '../methods/registry.js';
import { fitCommand } from './fit.js';
import { compareCommand } from './compare.js';
import { sampleCommand } from './sample.js';
import { benchCommand } from './bench.js';
import { predictCommand } from './predict.js';
import { UsageError } from './args.js';
import { VERSION } from './json.js';
import { noSpaceError, removeTemporaries } from './output.js';
import { releaseWaits } from './fifo.js';
import { posthocCommand } from './posthoc.js';
import { adviseCommand } from './advise.js';
import { workerCommand } from './worker.js';

const COMMANDS: Record<string, { summary: string; run(argv: string[], signal: AbortSignal): Promise<void> }> = {
  fit: { summary: 'train one method on --train, write its predictive on --test as JSON (--save keeps the posterior)', run: fitCommand },
  predict: { summary: 'predict with a saved posterior (--posterior) on --test, the same JSON as fit', run: predictCommand },
  compare: { summary: 'run methods side by side; print a table; write results.json and report.html', run: compareCommand },
  sample: { summary: 'multi-chain NUTS on a target module (--target), draws and diagnostics as JSON', run: sampleCommand },
  posthoc: { summary: 'add uncertainty to a network trained elsewhere (TF.js, ONNX, safetensors): post-hoc Laplace or MC dropout', run: posthocCommand },
  advise: { summary: 'which method: trained model? dropout? budget? → method, reason, command (with --results: measured ranking)', run: adviseCommand },
  worker: { summary: 'serve queued tasks from Redis (--redis URL) until stopped: the other commands\' --redis backend', run: workerCommand },
  bench: { summary: 'the portable benchmarks (Node, Chromium; TF.js side by side), JSON and bench/RESULTS.md', run: benchCommand },
};

function usage(): string {
  const cmds = Object.entries(COMMANDS).map(([k, c]) => `  ${k.padEnd(10)} ${c.summary}`);
  const methods = Object.entries(METHODS).map(([k, m]) => `  ${k.padEnd(18)} ${m.summary}`);
  return `bdl — Bayesian deep learning on WebAssembly\n\nUsage: bdl <command> [flags]   (bdl <command> --help for its flags; bdl --version)\n\nCommands:\n${cmds.join('\n')}\n\nMethods (--method):\n${methods.join('\n')}\n`;
}

/** The exit code of a program that SIGPIPE ended (128 + 13), as `yes | head` leaves `yes`. */
const BROKEN_PIPE = 141;

/**
 * A reader that leaves early (`bdl fit … | head`) makes the next write to standard output fail with
 * EPIPE, emitted as an 'error' event: unhandled, it printed Node's stack trace. Leave as a program that
 * SIGPIPE ended does, saying so on standard error when that is still open; nothing is left to tell when
 * standard error is the closed pipe.
 */
function onOutputError(e: NodeJS.ErrnoException): void {
  removeTemporaries();
  const broken = e.code === 'EPIPE';
  // A full disk is said as --out says it (the one flag that writes elsewhere).
  const full = noSpaceError(e, { name: 'standard output', flag: 'out', disk: 'the disk it is written to', result: 'the output sent to it is incomplete' });
  if (!process.stderr.destroyed) process.stderr.write(broken ? 'bdl: standard output was closed before everything was written to it (its reader left: EPIPE).\n' : `bdl: ${full ? full.message : `standard output: ${e.message}`}\n`);
  process.exit(broken ? BROKEN_PIPE : 1);
}

export async function main(argv: string[]): Promise<number> {
  process.stdout.on('error', onOutputError);
  process.stderr.on('error', () => undefined);
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    process.stdout.write(usage());
    return 0;
  }
  if (cmd === '--version' || cmd === '-v') {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const command = COMMANDS[cmd];
  const debug = rest.includes('--debug');
  const controller = new AbortController();
  // The first Ctrl-C cancels (the run stops at its next check and writes nothing); a second one leaves at once.
  // SIGTERM and SIGHUP (timeout, a CI cancel, docker stop, a closed terminal) cancel the same way — a
  // run on a queue withdraws its jobs instead of leaving them to workers for nobody — and exit 128 + the
  // signal's number. `bdl worker` handles SIGTERM itself (its jobs go back to the queue).
  let exitCode = 130;
  const onSignal = (signal: NodeJS.Signals) => {
    const code = 128 + (constants.signals[signal] ?? 2);
    if (controller.signal.aborted) {
      removeTemporaries();
      process.exit(code);
    }
    exitCode = code;
    process.stderr.write(signal === 'SIGINT' ? '\ncancelling… (Ctrl-C again to quit now)\n' : `\ncancelling (${signal})…\n`);
    controller.abort();
    // An open of a FIFO waiting for its other end hears no signal: end it.
    releaseWaits();
  };
  const signals: NodeJS.Signals[] = cmd === 'worker' ? ['SIGINT'] : ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, onSignal);
  try {
    if (!command) throw new UsageError(`unknown command ${JSON.stringify(cmd)}. Commands: ${Object.keys(COMMANDS).join(', ')}. See bdl --help.`, { command: cmd, line: 'usage: bdl <command> [flags]   (bdl --help)' }, 'command');
    await command.run(rest, controller.signal);
    if (controller.signal.aborted) throw new BdlError('E_ABORTED', 'cancelled.');
    return 0;
  } catch (e) {
    if (debug) process.stderr.write(`${(e as Error).stack ?? e}\n`);
    if (controller.signal.aborted || (e instanceof BdlError && e.code === 'E_ABORTED')) {
      process.stderr.write('bdl: cancelled\n');
      return exitCode;
    }
    if (!debug) process.stderr.write(e instanceof UsageError ? `${e.message}\n` : `bdl: ${e instanceof Error ? e.message : String(e)}\n`);
    if (e instanceof UsageError) {
      process.stderr.write(`${e.usage.line}\n`);
      return 2;
    }
    return 1;
  } finally {
    for (const s of signals) process.off(s, onSignal);
  }
}

const code = await main(process.argv.slice(2));
process.exitCode = code;
