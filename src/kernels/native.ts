/**
 * The native backend: the WebAssembly arena and kernels, with the products handed to the platform's
 * BLAS (cblas_sgemm from OpenBLAS or Accelerate, through the optional `@mlpkit/native` addon). The BLAS
 * runs on the arena's own memory — the addon gets the memory's ArrayBuffer and byte offsets — so the
 * layers' Float32Arrays are read and written in place, with no copy per call.
 *
 * This file has no Node import: the addon is loaded by src/node/native.ts and passed in as `NativeBlas`.
 * Products too small for the BLAS to win (a few hundred multiply-adds) stay on the WebAssembly kernels,
 * as does everything else the backend does.
 */

import type { Arena, Backend, DType } from './backend.js';
import { TypedArena } from './ts.js';
import { WasmArena, wasmKernelModule, type GemmTeam, type WasmBackendOptions } from './wasm.js';

/** What the addon offers (native/index.d.cts). */
export interface NativeBlas {
  /** C ← α·op(A)·op(B) + β·C, row-major, with A, B, C byte offsets into `buffer`. */
  sgemm(buffer: ArrayBuffer, transA: boolean, transB: boolean, m: number, n: number, k: number,
        alpha: number, A: number, lda: number, B: number, ldb: number, beta: number, C: number, ldc: number): void;
  setThreads(n: number): void;
  threads(): number;
  /** The BLAS's build description (OpenBLAS: its config and the core kernel it picked). */
  config(): string;
}

/** How a native backend is made: the WebAssembly arena's options, and the BLAS's threads. */
export interface NativeBackendOptions extends WasmBackendOptions {
  /** The BLAS's threads for this backend's products (default 1). */
  readonly threads?: number;
  /**
   * Products with fewer multiply-adds (m·n·k) than this run on the WebAssembly kernels. The default, 2¹⁰,
   * is where the BLAS started to win on the bench machine: 8×8×8 took 0.32 µs in the BLAS against 0.23 in
   * wasm (a call's fixed cost), 32×1×32 0.46 against 1.30, and every product of W1, W2 and W3 ran 1.5–6×
   * faster in the BLAS (bench/gemm.ts).
   */
  readonly minMultiplyAdds?: number;
}

/** Hands each large enough product to the BLAS, on the arena's memory. */
class BlasProducts implements GemmTeam {
  private arena: WasmArena | null = null;

  constructor(private readonly blas: NativeBlas, private readonly threads: number, private readonly minWork: number) {}

  attach(arena: WasmArena): void { this.arena = arena; }

  reserve(): void { /* the BLAS packs into its own buffers */ }

  gemm(transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
       A: number, B: number, beta: number, C: number): boolean {
    if (this.arena === null || m * n * k < this.minWork) return false;
    // The thread count is the BLAS's (process-wide) setting: set it when another backend changed it.
    if (this.blas.threads() !== this.threads) this.blas.setThreads(this.threads);
    const buffer = this.arena.memory.buffer;
    if (!(buffer instanceof ArrayBuffer)) return false;
    this.blas.sgemm(buffer, transA, transB, m, n, k, alpha, A, transA ? m : k, B, transB ? k : n, beta, C, n);
    return true;
  }
}

/** The native backend over `blas`. float64 arenas (gradient checks) are the TypeScript backend's. */
export function createNativeBackend(blas: NativeBlas, options: NativeBackendOptions = {}): Backend {
  const threads = Math.max(1, Math.floor(options.threads ?? 1));
  const minWork = options.minMultiplyAdds ?? 1 << 10;
  const { module } = wasmKernelModule(options);
  return {
    name: threads > 1 ? `native(${threads})` : 'native',
    supports: () => true,
    createArena: (dtype: DType, initialCapacity?: number): Arena => (dtype === 'float64'
      ? new TypedArena('float64', initialCapacity)
      : new WasmArena(module, initialCapacity ?? 1024, { team: new BlasProducts(blas, threads, minWork) })),
  };
}
