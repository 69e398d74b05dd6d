/**
 * `bdl sample`: multi-chain NUTS (or HMC) on a user target module, one chain per pool worker, writing
 * `{ names, draws: [chain][draw][dim], diagnostics: { rhat, essBulk, essTail, divergences, stepSize, seconds } }`.
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BdlError } from '../errors.js';
import type { KernelSpec } from '../samplers/chain.js';
import { sampleChains, type SampleChainsResult } from '../samplers/sample-chains.js';
import { helpText, numberFlag, parseArgs, type FlagSpec } from './args.js';
import { progressReporter } from './progress.js';
import { REDIS_FLAG, withRedisPool } from './worker.js';

export const SAMPLE_FLAGS: Record<string, FlagSpec> = {
  target: { type: 'string', help: 'ES module (path or URL) exporting dim, logDensity(theta, grad), optional init(rng), names' },
  chains: { type: 'string', help: 'chains, one per pool task', default: '4' },
  warmup: { type: 'string', help: 'warmup (adaptation) iterations per chain', default: '1000' },
  draws: { type: 'string', help: 'sampling iterations per chain', default: '1000' },
  thin: { type: 'string', help: 'keep every k-th draw', default: '1' },
  seed: { type: 'string', help: 'random seed', default: '0' },
  kernel: { type: 'string', help: 'nuts | hmc', default: 'nuts' },
  steps: { type: 'string', help: 'hmc: leapfrog steps per transition', default: '32' },
  'max-treedepth': { type: 'string', help: 'nuts: maximum tree depth', default: '10' },
  workers: { type: 'string', help: 'pool size (default: one per core; 0 = in-thread)' },
  redis: REDIS_FLAG,
  out: { type: 'string', help: 'write the JSON here (default: standard output)' },
  debug: { type: 'boolean', help: 'print stack traces' },
  help: { type: 'boolean', help: 'this text' },
};

export async function sampleCommand(argv: string[], signal: AbortSignal): Promise<void> {
  const { flags } = parseArgs(argv, SAMPLE_FLAGS, 'sample');
  if (flags.help) {
    process.stdout.write(helpText('sample', 'sample a user target module with multi-chain NUTS and write draws and diagnostics as JSON', SAMPLE_FLAGS));
    return;
  }
  const target = flags.target;
  if (typeof target !== 'string' || target === '') throw new BdlError('E_ARG', '--target is required. See bdl sample --help.', 'target');
  const url = /^[a-z][a-z0-9+.-]+:/i.test(target) ? target : pathToFileURL(resolve(target)).href;
  const kernel: KernelSpec =
    flags.kernel === 'nuts' ? { type: 'nuts', maxTreeDepth: numberFlag(flags, 'max-treedepth', { integer: true, min: 1 }) }
      : flags.kernel === 'hmc' ? { type: 'hmc', steps: numberFlag(flags, 'steps', { integer: true, min: 1 })!, jitter: 0.1 }
        : badKernel(flags.kernel);
  const chains = numberFlag(flags, 'chains', { integer: true, min: 1 })!;
  const warmup = numberFlag(flags, 'warmup', { integer: true, min: 0 })!;
  const draws = numberFlag(flags, 'draws', { integer: true, min: 1 })!;
  const bar = progressReporter('sample');
  const done = new Array<number>(chains).fill(0);
  const r = await withRedisPool(flags.redis, (pool) => sampleChains({ type: 'module', url }, {
    chains, warmup, draws, kernel, signal, pool,
    thin: numberFlag(flags, 'thin', { integer: true, min: 1 }),
    seed: numberFlag(flags, 'seed', { integer: true, min: 0 }),
    poolSize: numberFlag(flags, 'workers', { integer: true, min: 0 }),
    onProgress: (p) => {
      done[p.chain] = p.iteration;
      bar.update(done.reduce((a, b) => a + b, 0), chains * p.total, `chain ${p.chain} ${p.phase} ε ${p.stepSize.toPrecision(3)} accept ${p.acceptance.toFixed(2)}`);
    },
  }));
  bar.end();
  const json = JSON.stringify(sampleJson(r));
  if (flags.out) await writeFile(String(flags.out), json + '\n');
  else process.stdout.write(json + '\n');
  const d = r.diagnostics;
  if (d) for (const w of d.warnings) process.stderr.write(`warning: ${w.message}\n`);
}

/** The output contract of `bdl sample`. */
export function sampleJson(r: SampleChainsResult): Record<string, unknown> {
  const d = r.diagnostics;
  return {
    names: r.names ?? Array.from({ length: r.dim }, (_, i) => `theta[${i}]`),
    draws: r.draws!.map((a) => Array.from({ length: r.count }, (_, i) => Array.from(a.subarray(i * r.dim, (i + 1) * r.dim)))),
    diagnostics: {
      rhat: d ? d.rhat : null,
      essBulk: d ? d.essBulk : null,
      essTail: d ? d.essTail : null,
      divergences: r.divergences.reduce((a, b) => a + b, 0),
      stepSize: r.stepSize,
      seconds: r.seconds,
    },
  };
}

function badKernel(v: unknown): never {
  throw new BdlError('E_ARG', `--kernel: expected nuts or hmc, found ${JSON.stringify(v)}.`, 'kernel');
}
