/**
 * TF.js with its WebAssembly backend (XNNPACK, SIMD, one thread): the peer measured side by side.
 * Its .wasm files come from node_modules — a file path in Node, the local bench server in a page.
 */
import * as tf from '@tensorflow/tfjs-core';
import { setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
// tfjs-core alone registers no gradients; the training benchmarks need them.
import '@tensorflow/tfjs-core/dist/register_all_gradients';

export type Tf = typeof tf;

/** Starts the wasm backend; `wasmDir` ends with '/' (a directory path or a URL prefix). */
export async function initTfjs(wasmDir: string): Promise<Tf> {
  // One thread, as bdl-wasm runs one kernel per thread (its parallelism is across workers).
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  setThreadsCount(1);
  setWasmPaths(wasmDir);
  if (!(await tf.setBackend('wasm'))) throw new Error('TF.js wasm backend failed to start');
  await tf.ready();
  if (!(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'))) throw new Error('TF.js wasm backend runs without SIMD');
  return tf;
}
