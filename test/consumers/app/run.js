// The consumer apps' one computation, given the bdl-wasm module and its bdl-wasm/advanced subpath (ES
// imports, CommonJS requires or a bundle of either): a small deep ensemble trained in two workers on the plain SIMD core (so Node
// and Chromium run the same binary), then its predictive at five inputs.
export async function fitAndPredict(bdl, advanced) {
  const x = Array.from({ length: 48 }, (_, i) => [i / 12 - 2]);
  const y = x.map(([v]) => Math.sin(2 * v) + 0.1 * Math.cos(7 * v));
  const pool = await bdl.createPool({ size: 2, core: await advanced.compileCore('simd') });
  try {
    const posterior = await bdl.trainEnsemble(bdl.makeDataset(x, y), { members: 2, hidden: [16], epochs: 60, learningRate: 0.01, seed: 3, pool });
    const pred = await posterior.predict(new Float32Array([-1.5, -0.5, 0, 0.5, 1.5]));
    return { workers: pool.size, mean: Array.from(pred.mean), variance: Array.from(pred.variance) };
  } finally {
    await pool.close();
  }
}
