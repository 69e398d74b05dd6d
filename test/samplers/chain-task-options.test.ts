import { expect, test } from 'vitest';
import { BdlError } from '../../src/errors.js';
import { CHAIN_RUN_FIELDS } from '../../src/options/mcmc.js';
import { CHAIN_TASK_OPTIONS } from '../../src/samplers/chain-task.js';

const target = { type: 'module' as const, url: 'file:///x.mjs' };

function code(f: () => unknown): string | undefined {
  try { f(); } catch (e) { return e instanceof BdlError ? `${e.code} ${e.message}` : String(e); }
  return undefined;
}

test("the 'chain' task's options are the MCMC schema's fields, checked before any work", () => {
  expect(CHAIN_TASK_OPTIONS.fields.thin).toBe(CHAIN_RUN_FIELDS.thin);
  expect(CHAIN_TASK_OPTIONS.fields.checkpointEvery).toBe(CHAIN_RUN_FIELDS.checkpointEvery);
  expect(CHAIN_TASK_OPTIONS.value({}, 'checkpointEvery')).toBe(100);
  expect(CHAIN_TASK_OPTIONS.value({}, 'keep')).toBe('draws');
  expect(code(() => CHAIN_TASK_OPTIONS.check({ target, warmup: 10, draws: 5, keep: 'both', kernel: { type: 'nuts' }, adapt: { metric: 'dense' } }))).toBeUndefined();
  expect(code(() => CHAIN_TASK_OPTIONS.check({ target, wramup: 10 }))).toMatch(/^E_ARG .*wramup.*warmup/);
  expect(code(() => CHAIN_TASK_OPTIONS.check({ target, keep: 'all' }))).toMatch(/^E_ARG .*keep/);
  expect(code(() => CHAIN_TASK_OPTIONS.check({ target, thin: 0 }))).toMatch(/^E_ARG .*thin/);
  expect(code(() => CHAIN_TASK_OPTIONS.check({ target, kernel: 'nuts' }))).toMatch(/^E_ARG .*kernel/);
});
