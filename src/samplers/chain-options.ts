/**
 * The two options objects a chain carries, as schema fields: the kernel (its `type` picks the NUTS or
 * the static HMC schema) and the warmup. runChain, the 'chain' task and sampleChains check them with
 * the same messages as the kernels and Warmup themselves: 'runChain: kernel.steps: expected …'.
 */
import { nested, variants } from '../options/schema.js';
import type { KernelSpec } from './checkpoint.js';
import { HMC_KERNEL_OPTIONS } from './hmc.js';
import { NUTS_KERNEL_OPTIONS } from './nuts.js';
import { WARMUP_OPTIONS, type WarmupOptions } from './warmup.js';

/** A kernel spec, `{ type: 'nuts' | 'hmc', … }`, checked by its kernel's schema. */
export const kernelField = (defaultText: string) =>
  variants<KernelSpec>('type', { nuts: NUTS_KERNEL_OPTIONS, hmc: HMC_KERNEL_OPTIONS }, { defaultText, help: "the transition kernel: { type: 'nuts', maxTreeDepth?, maxDeltaH? } or { type: 'hmc', steps, jitter?, maxDeltaH? }" });

/** Warmup options, checked by Warmup's schema. */
export const adaptField = (defaultText: string) => nested<WarmupOptions>(WARMUP_OPTIONS, { defaultText, help: 'the warmup adaptation (WARMUP_OPTIONS: targetAccept, metric, windows, …)' });
