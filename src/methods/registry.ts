/**
 * Every method by its command-line name: one table that the `bdl` command, the comparison and the
 * report read, so a new method appears everywhere by adding one row.
 */
import type { Dataset } from '../data/dataset.js';
import type { Posterior } from '../posterior/types.js';
import type { MethodOptions } from './common.js';
import { trainMap } from './map.js';

export interface MethodEntry {
  /** One line for `bdl --help`. */
  summary: string;
  train(data: Dataset, opts: MethodOptions & Record<string, unknown>): Promise<Posterior>;
}

export const METHODS: Record<string, MethodEntry> = {
  map: { summary: 'maximum a posteriori network (deterministic baseline; fitted noise)', train: trainMap },
};

export function methodNames(): string[] {
  return Object.keys(METHODS);
}
