import { expect, test } from 'vitest';
import { BdlError } from '../../src/errors.js';
import { CHAIN_RUN_FIELDS } from '../../src/options/mcmc.js';
import { CHAIN_TASK_OPTIONS } from '../../src/samplers/chain-task.js';
import { SAMPLE_CHAINS_OPTIONS } from '../../src/samplers/sample-chains.js';

const target = { type: 'module' as const, url: 'file:///x.mjs' };

function code(f: () => unknown): string | undefined {
  try { f(); } catch (e) { return e instanceof BdlError ? `${e.code} ${e.message}` : String(e); }
  return undefined;
}

test("the 'chain' task's options are the MCMC schema's fields, checked before any work", () => {
  expect(CHAIN_TASK_OPTIONS.fields.thin).toBe(CHAIN_RUN_FIELDS.thin);
  expect(CHAIN_TASK_OPTIONS.fields.checkpointEvery).toBe(CHAIN_RUN_FIELDS.checkpointEvery);
  expect(CHAIN_TASK_OPTIONS.value({}, 'checkpointEvery')).toBe(100);
  expect(CHAIN_TASK_OPTIONS.value({}, 'returns')).toBe('draws');
  expect(code(() => CHAIN_TASK_OPTIONS.check({ target, warmup: 10, draws: 5, returns: 'draws', kernel: { type: 'nuts' }, adapt: { metric: 'dense' } }))).toBeUndefined();
  // f(x*) is the built-in BNN's: a module target returns its draws only.
  const bnn = { type: 'bnn' as const, spec: { inputs: 1, hidden: [], outputs: 1, activation: 'relu' as const, likelihood: 'gaussian' as const } };
  expect(code(() => CHAIN_TASK_OPTIONS.check({ target: bnn, warmup: 10, draws: 5, returns: 'both' }))).toBeUndefined();
  // sampleChains takes its target as an argument (its options have no target to hold the rule against).
  expect(code(() => SAMPLE_CHAINS_OPTIONS.check({ returns: 'both' }))).toBeUndefined();
  expect(code(() => CHAIN_TASK_OPTIONS.check({ target, returns: 'both' }))).toMatch(/^E_ARG 'chain' task: returns: expected 'draws' for a 'module' target .*found "both"\. /);
  expect(code(() => CHAIN_TASK_OPTIONS.check({ target, wramup: 10 }))).toMatch(/^E_ARG .*wramup.*warmup/);
  expect(code(() => CHAIN_TASK_OPTIONS.check({ target, returns: 'all' }))).toMatch(/^E_ARG .*returns/);
  expect(code(() => CHAIN_TASK_OPTIONS.check({ target, thin: 0 }))).toMatch(/^E_ARG .*thin/);
  expect(code(() => CHAIN_TASK_OPTIONS.check({ target, kernel: 'nuts' }))).toMatch(/^E_ARG .*kernel/);
});
