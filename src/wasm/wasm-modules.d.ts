// esbuild's `binary` loader (and the test config's plugin) turn a .wasm import into its bytes.
declare module '*.wasm' {
  const bytes: Uint8Array<ArrayBuffer>;
  export default bytes;
}
