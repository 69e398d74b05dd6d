/**
 * ─── PLUGGABLE SLOT: the bdl-wasm side of the MLP benchmarks ───────────────────────────────────
 * The lead wires the MLP engine in here. Contract: run `c` (a train step = forward + backward +
 * Adam over one batch of `data`, or a forward pass for 'predict') on the given compute core and
 * return examples per second (median over ≥ 5 timed batches after warm-up, see timing.ts), or null
 * when not implemented. The suite reports null as "–".
 */
import type { CompiledCore } from '../src/wasm/index.js';
import type { MlpCase, MlpData } from './mlp-cases.js';

export async function bdlMlp(c: MlpCase, data: MlpData, core: CompiledCore): Promise<number | null> {
  void c;
  void data;
  void core;
  return null;
}
