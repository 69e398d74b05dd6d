/**
 * Learning-rate schedules: functions of the 0-based step and the total number of steps.
 */
import { checkArgument, int, num, required } from '../options/schema.js';
import * as exact from '../random/exact-math.js';

export type Schedule = (step: number, totalSteps: number) => number;

/** The same rate throughout. */
export function constant(lr: number): Schedule {
  checkLr(lr);
  return () => lr;
}

/** lr · factor^⌊step / every⌋. */
export function stepDecay(lr: number, every: number, factor = 0.1): Schedule {
  checkLr(lr);
  checkArgument(required(num({ min: 1, hint: 'E.g. the steps in 10 epochs.', help: 'steps between decays' })), every, 'stepDecay', 'every');
  checkArgument(num({ gt: 0, max: 1, hint: 'E.g. 0.1: a tenth of the rate after every `every` steps.', help: 'the decay factor' }), factor, 'stepDecay', 'factor');
  return (t) => lr * factor ** Math.floor(t / every);
}

/** Cosine decay from lr to lr·floor over the run (Loshchilov & Hutter 2017, one cycle). */
export function cosine(lr: number, floor = 0): Schedule {
  checkLr(lr);
  checkArgument(num({ min: 0, max: 1, hint: 'E.g. 0.01: the run ends at a hundredth of the rate.', help: 'the final rate as a fraction of lr' }), floor, 'cosine', 'floor');
  return (t, T) => lr * (floor + (1 - floor) * 0.5 * (1 + exact.cos((Math.PI * Math.min(t, T)) / Math.max(1, T))));
}

/**
 * Cyclical cosine: `cycles` restarts over the run, each going from lr down to ~0 (cyclical SGLD,
 * Zhang et al. 2020; SWA's cyclical schedule, Izmailov et al. 2018).
 */
export function cyclical(lr: number, cycles: number): Schedule {
  checkLr(lr);
  checkArgument(required(int({ min: 1, hint: 'E.g. 4.', help: 'restarts over the run' })), cycles, 'cyclical', 'cycles');
  return (t, T) => {
    const len = Math.ceil(T / cycles);
    return (lr / 2) * (1 + exact.cos((Math.PI * (t % len)) / len));
  };
}

const LR = required(num({ gt: 0, hint: 'E.g. 1e-3.', help: 'the learning rate' }));

function checkLr(lr: number): void {
  checkArgument(LR, lr, 'schedule', 'lr');
}
