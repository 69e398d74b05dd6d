// Vitest setup file: what every entry of the package but the pool's worker does on import — the
// embedded binaries become the thread's default core (src/wasm/load.ts). Tests import src/ modules
// directly, past the entries, and many make arenas without passing a core.
import '../../src/wasm/load.js';
