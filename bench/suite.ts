/**
 * One benchmark run in one runtime: the same code in Node and in a Chromium page. Returns the JSON
 * object for that runtime.
 */
import { Arena, compileCore, type WasmFlavor } from '../src/wasm/index.js';
import { bdlMlp } from './bdl-mlp.js';
import { benchGemm, benchPeak, GEMM_SHAPES, type GemmResult } from './gemm.js';
import { MLP_CASES, mlpData } from './mlp-cases.js';
import { initTfjs } from './tfjs.js';
import { tfjsMlp } from './tfjs-mlp.js';
import { median } from './timing.js';

export interface MlpResult {
  name: string;
  /** Layer widths joined by '-', e.g. "8-50-1". */
  shape: string;
  layers: number[];
  batch: number;
  bdl_examples_per_s: number | null;
  tfjs_wasm_examples_per_s: number;
}

export interface RuntimeResult {
  env: { runtime: 'node' | 'chromium'; wasm: WasmFlavor; cpu: string; date: string };
  wasm_peak_gflops: number;
  gemm: GemmResult[];
  mlp_train: MlpResult[];
  mlp_predict: MlpResult[];
}

export interface SuiteOptions {
  runtime: 'node' | 'chromium';
  flavor: WasmFlavor;
  cpu: string;
  /** Where TF.js finds its .wasm files: a directory path (Node) or URL prefix (page), ending in '/'. */
  tfjsWasmDir: string;
  log?: (line: string) => void;
}

export async function runSuite(o: SuiteOptions): Promise<RuntimeResult> {
  const log = o.log ?? (() => {});
  const core = await compileCore(o.flavor);
  const arena = await Arena.create(core);
  const tf = await initTfjs(o.tfjsWasmDir);
  // The machine is shared: sample the ceiling before and after the GEMMs and keep the median.
  const peaks = [benchPeak(arena)];
  const gemm: GemmResult[] = [];
  for (const s of GEMM_SHAPES) {
    const r = benchGemm(arena, tf, s);
    gemm.push(r);
    log(
      `${o.runtime}/${o.flavor}: ${s.m}×${s.k}·${s.k}×${s.n}  bdl nn ${r.bdl_nn_gflops.toFixed(1)} tn ${r.bdl_tn_gflops.toFixed(1)} nt ${r.bdl_nt_gflops.toFixed(1)}` +
        `  tfjs ${r.tfjs_wasm_gflops.toFixed(1)} (tn ${r.tfjs_wasm_tn_gflops?.toFixed(1) ?? '–'}, nt ${r.tfjs_wasm_nt_gflops?.toFixed(1) ?? '–'})  ×${r.ratio.toFixed(2)} vs TF.js, ${(100 * r.bdl_of_peak).toFixed(0)} % of peak`,
    );
  }
  peaks.push(benchPeak(arena), benchPeak(arena));
  const peak = median(peaks);
  log(`${o.runtime}/${o.flavor}: f32x4 peak ${peak.toFixed(1)} GFLOP/s`);
  const mlp_train: MlpResult[] = [];
  const mlp_predict: MlpResult[] = [];
  for (const c of MLP_CASES) {
    const data = mlpData(c);
    const r: MlpResult = {
      name: c.name,
      shape: c.layers.join('-'),
      layers: c.layers,
      batch: c.batch,
      bdl_examples_per_s: await bdlMlp(c, data, core),
      tfjs_wasm_examples_per_s: tfjsMlp(tf, c, data),
    };
    (c.kind === 'train' ? mlp_train : mlp_predict).push(r);
    log(`${o.runtime}/${o.flavor}: ${c.name}  bdl ${r.bdl_examples_per_s?.toFixed(0) ?? '–'}  tfjs ${r.tfjs_wasm_examples_per_s.toFixed(0)} examples/s`);
  }
  return {
    env: { runtime: o.runtime, wasm: o.flavor, cpu: o.cpu, date: new Date().toISOString() },
    wasm_peak_gflops: peak,
    gemm,
    mlp_train,
    mlp_predict,
  };
}
