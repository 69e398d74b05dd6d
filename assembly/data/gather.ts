// Minibatch assembly inside wasm: no per-row JavaScript on the training hot path.

/** out[r, :] = src[idx[r], :] for r < count; rows of `width` f32, idx holds u32 row numbers. */
export function gather_rows_f32(out: usize, src: usize, idx: usize, count: i32, width: i32): void {
  const bytes = <usize>width << 2;
  for (let r = 0; r < count; r++) {
    const i = <usize>load<u32>(idx + (<usize>r << 2));
    memory.copy(out + <usize>r * bytes, src + i * bytes, bytes);
  }
}
