/**
 * The arena: TypeScript owns the layout of wasm memory. A run reserves what it needs up front
 * (parameters, gradients, optimizer state, a batch, activations); kernels only ever see pointers.
 *
 * Growing memory detaches every view. Views handed out by `f32()`/`f64()` are therefore fresh and
 * short-lived: never keep one across a call that may allocate.
 */
import { BdlError } from '../errors.js';
import { checkCore, defaultCore, instantiateCore, type CompiledCore, type Kernels, type WasmFlavor } from './core.js';

const PAGE = 65536;
/** wasm32 addresses stop at 4 GiB; leave headroom below it. */
const MAX_BYTES = 4 * 1024 * 1024 * 1024 - 16 * PAGE;

/**
 * One wasm instance and its memory: `k` holds the kernels; alloc/mark/reset manage a bump allocator;
 * put/get copy typed arrays in and out. Create with `Arena.create()`.
 */
export class Arena {
  readonly k: Kernels;
  readonly flavor: WasmFlavor;
  private top: number;
  private readonly base: number;
  /**
   * Every byte at or above this address is still zero: memory.grow hands out zeroed pages and
   * nothing has been reserved there yet. Only reservations below it need clearing, so a run that
   * reserves its data once does not pay for zero-filling it.
   */
  private clean: number;

  /** Scratch for GEMM packing (fixed size, reserved once per instance). */
  readonly gemmWork: number;

  private constructor(kernels: Kernels, flavor: WasmFlavor) {
    this.k = kernels;
    this.flavor = flavor;
    this.top = align(kernels.heap_base(), 64);
    this.clean = this.top;
    this.gemmWork = this.alloc(kernels.gemm_workspace_bytes());
    this.base = this.top;
  }

  /**
   * A fresh instance of `core` with its own memory; without one, of this thread's default: the best
   * embedded binary this runtime accepts, or in a pool's worker the core the pool sent.
   */
  static async create(core?: CompiledCore): Promise<Arena> {
    if (core !== undefined) checkCore(core, 'core', 'Arena.create');
    const c = core ?? (await defaultCore());
    return new Arena(await instantiateCore(c), c.flavor);
  }

  get memory(): WebAssembly.Memory {
    return this.k.memory;
  }

  /** Bytes reserved so far. */
  get used(): number {
    return this.top - this.base;
  }

  /** Reserves `bytes` (64-byte aligned, zero-filled) and returns its address. */
  alloc(bytes: number): number {
    return this.reserve(bytes, true);
  }

  /** Reserves `bytes` like `alloc`, but leaves stale contents: for regions the caller overwrites whole. */
  private reserve(bytes: number, zero: boolean): number {
    const ptr = align(this.top, 64);
    const end = ptr + Math.max(0, bytes);
    if (end > MAX_BYTES) {
      throw new BdlError(
        'E_MEMORY',
        `wasm memory: expected at most ${fmtBytes(MAX_BYTES)}, found a request reaching ${fmtBytes(end)}. Use smaller batches, a smaller network, or a cheaper method.`,
      );
    }
    const have = this.k.memory.buffer.byteLength;
    if (end > have) {
      const pages = Math.ceil((end - have) / PAGE);
      try {
        this.k.memory.grow(pages);
      } catch {
        throw new BdlError('E_MEMORY', `wasm memory: could not grow by ${fmtBytes(pages * PAGE)} (have ${fmtBytes(have)}). Free other arenas, or use a cheaper method.`);
      }
    }
    if (zero && ptr < this.clean) new Uint8Array(this.k.memory.buffer, ptr, Math.min(end, this.clean) - ptr).fill(0);
    if (end > this.clean) this.clean = end;
    this.top = end;
    return ptr;
  }

  /** Reserves n f32 values; returns the address. */
  allocF32(n: number): number {
    return this.alloc(n * 4);
  }

  /** Reserves n f64 values; returns the address. */
  allocF64(n: number): number {
    return this.alloc(n * 8);
  }

  /** A mark to roll back to: everything allocated after it is released by `reset(mark)`. */
  mark(): number {
    return this.top;
  }

  reset(mark: number = this.base): void {
    this.top = mark;
  }

  /** A view of n f32 values at ptr. Short-lived: do not keep across allocations. */
  f32(ptr: number, n: number): Float32Array {
    return new Float32Array(this.k.memory.buffer, ptr, n);
  }

  f64(ptr: number, n: number): Float64Array {
    return new Float64Array(this.k.memory.buffer, ptr, n);
  }

  u32(ptr: number, n: number): Uint32Array {
    return new Uint32Array(this.k.memory.buffer, ptr, n);
  }

  u8(ptr: number, n: number): Uint8Array {
    return new Uint8Array(this.k.memory.buffer, ptr, n);
  }

  /** Copies values into the arena: a new f32 region, or `dst` when given. */
  putF32(src: ArrayLike<number>, dst?: number): number {
    const ptr = dst ?? this.reserve(src.length * 4, false);
    this.f32(ptr, src.length).set(src);
    return ptr;
  }

  putF64(src: ArrayLike<number>, dst?: number): number {
    const ptr = dst ?? this.reserve(src.length * 8, false);
    this.f64(ptr, src.length).set(src);
    return ptr;
  }

  /** Copies n f32 values out of the arena into a new array (safe to keep). */
  getF32(ptr: number, n: number): Float32Array {
    return this.f32(ptr, n).slice();
  }

  getF64(ptr: number, n: number): Float64Array {
    return this.f64(ptr, n).slice();
  }
}

function align(x: number, a: number): number {
  return Math.ceil(x / a) * a;
}

function fmtBytes(n: number): string {
  return n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MiB` : `${n} bytes`;
}
