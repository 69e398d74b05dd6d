/**
 * The `bdl` command. Subcommands: fit, compare, sample (more land with their issues). Errors print one line and exit
 * non-zero (a stack trace only with --debug); Ctrl-C cancels the run cleanly.
 */
import { BdlError } from '../errors.js';
import { METHODS } from '../methods/registry.js';
import { fitCommand } from './fit.js';
import { compareCommand } from './compare.js';
import { sampleCommand } from './sample.js';
import { benchCommand } from './bench.js';
import { posthocCommand } from './posthoc.js';
import { adviseCommand } from './advise.js';

const COMMANDS: Record<string, { summary: string; run(argv: string[], signal: AbortSignal): Promise<void> }> = {
  fit: { summary: 'train one method on --train, write its predictive on --test as JSON', run: fitCommand },
  compare: { summary: 'run methods side by side; print a table; write results.json and report.html', run: compareCommand },
  sample: { summary: 'multi-chain NUTS on a target module (--target), draws and diagnostics as JSON', run: sampleCommand },
  posthoc: { summary: 'add uncertainty to a network trained elsewhere (TF.js, ONNX, safetensors): post-hoc Laplace or MC dropout', run: posthocCommand },
  advise: { summary: 'which method: trained model? dropout? budget? → method, reason, command (with --results: measured ranking)', run: adviseCommand },
  bench: { summary: 'the portable benchmarks (Node, Chromium; TF.js side by side), JSON and bench/RESULTS.md', run: benchCommand },
};

function usage(): string {
  const cmds = Object.entries(COMMANDS).map(([k, c]) => `  ${k.padEnd(10)} ${c.summary}`);
  const methods = Object.entries(METHODS).map(([k, m]) => `  ${k.padEnd(18)} ${m.summary}`);
  return `bdl — Bayesian deep learning on WebAssembly\n\nUsage: bdl <command> [flags]   (bdl <command> --help for its flags)\n\nCommands:\n${cmds.join('\n')}\n\nMethods (--method):\n${methods.join('\n')}\n`;
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    process.stdout.write(usage());
    return 0;
  }
  const command = COMMANDS[cmd];
  const debug = rest.includes('--debug');
  const controller = new AbortController();
  const onSigint = () => {
    process.stderr.write('\ncancelling…\n');
    controller.abort();
  };
  process.once('SIGINT', onSigint);
  try {
    if (!command) throw new BdlError('E_ARG', `unknown command ${JSON.stringify(cmd)}. Commands: ${Object.keys(COMMANDS).join(', ')}. See bdl --help.`, 'command');
    await command.run(rest, controller.signal);
    return 0;
  } catch (e) {
    if (debug) process.stderr.write(`${(e as Error).stack ?? e}\n`);
    else if (e instanceof BdlError && e.code === 'E_ABORTED') process.stderr.write('bdl: cancelled\n');
    else process.stderr.write(`bdl: ${e instanceof Error ? e.message : String(e)}\n`);
    return e instanceof BdlError && e.code === 'E_ABORTED' ? 130 : 1;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

const code = await main(process.argv.slice(2));
process.exitCode = code;
