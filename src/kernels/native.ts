/**
 * The native backend: the WebAssembly arena and kernels, with the products handed to the optional
 * `@mlpkit/native` addon: its own AVX-512 sgemm where the processor has it, else the platform's BLAS
 * (cblas_sgemm from OpenBLAS or Accelerate). The BLAS
 * runs on the arena's own memory — the addon gets the memory's ArrayBuffer and byte offsets — so the
 * layers' Float32Arrays are read and written in place, with no copy per call.
 *
 * This file has no Node import: the addon is loaded by src/node/native.ts and passed in as `NativeBlas`.
 * Products too small for the BLAS to win (a few hundred multiply-adds) stay on the WebAssembly kernels,
 * as does everything else the backend does.
 */

import type { Arena, Backend, DType } from './backend.js';
import { offerFiniteScan } from './finite.js';
import { TypedArena } from './ts.js';
import { WasmArena, wasmKernelModule, type ElementHelper, type GemmTeam, type WasmBackendOptions } from './wasm.js';

/** What the addon offers (native/index.d.cts). */
export interface NativeBlas {
  /** C ← α·op(A)·op(B) + β·C, row-major, with A, B, C byte offsets into `buffer`. */
  sgemm(buffer: ArrayBuffer, transA: boolean, transB: boolean, m: number, n: number, k: number,
        alpha: number, A: number, lda: number, B: number, ldb: number, beta: number, C: number, ldc: number): void;
  setThreads(n: number): void;
  threads(): number;
  /** The BLAS's build description (OpenBLAS: its config and the core kernel it picked). */
  config(): string;
  /**
   * The WebAssembly module's Adam step (Kernels.adamStep) on `buffer`, bit for bit as the module rounds
   * it: `fused` for its relaxed-SIMD build (a fused multiply-add where that build has one); θ before the
   * step into the byte offset keep (0: none). Returns the largest |θ| after the step, as the module does.
   */
  adamStep(buffer: ArrayBuffer, fused: boolean, len: number, params: number, grads: number, m: number, v: number,
           stepSize: number, beta1: number, beta2: number, epsilon: number, sqrtC2: number, keep: number): number;
  /** Σx² of the float32s at byte offset x, in float64, summed in the module's order (bit for bit its sumSq). */
  sumSq(buffer: ArrayBuffer, x: number, len: number): number;
  /** Σ|x|, as sumSq. */
  sumAbs(buffer: ArrayBuffer, x: number, len: number): number;
  /** Whether every value is finite, for an array anywhere (a caller's table, not only an arena). */
  allFinite(data: Float32Array | Float64Array): boolean;
  /** Row r of the m×w block at byte offset dst of `buffer` ← row idx[start + r] of the table `src` (w wide). */
  gatherRows(src: Float32Array, idx: Int32Array, start: number, m: number, w: number, buffer: ArrayBuffer, dst: number): void;
  /** src[start .. start+len) into byte offset dst of `buffer`; whether every value copied is finite. */
  copyFinite(src: Float32Array, start: number, len: number, buffer: ArrayBuffer, dst: number): boolean;
  /**
   * C ← A·B with A the m×k rows of `src` from element `start`, read in place, and B, C byte offsets into
   * `buffer`; false, and C unspecified, when a value of A is not finite.
   */
  gemmFinite(src: Float32Array, start: number, m: number, n: number, k: number, buffer: ArrayBuffer, B: number, C: number): boolean;
  /** gemmFinite, then C += b (b: n floats at byte offset b) and O ← C, or ReLU(C) with `relu` (0 where C < 0). */
  gemmFiniteBiasAct(src: Float32Array, start: number, m: number, n: number, k: number, buffer: ArrayBuffer, B: number,
                    C: number, b: number, O: number, relu: boolean): boolean;
  /** C ← A·B (A m×k, B k×n, byte offsets), then C += b and O ← C or ReLU(C), each block of C as it is stored. */
  gemmBiasAct(buffer: ArrayBuffer, m: number, n: number, k: number, A: number, B: number, C: number, b: number, O: number, relu: boolean): void;
}

/** How a native backend is made: the WebAssembly arena's options, and the BLAS's threads. */
export interface NativeBackendOptions extends WasmBackendOptions {
  /** The BLAS's threads for this backend's products (default 1; fewer when more measure slower: measureThreads). */
  readonly threads?: number;
  /**
   * Products with fewer multiply-adds (m·n·k) than this run on the WebAssembly kernels. The default, 2¹⁰,
   * is where the BLAS started to win on the bench machine: 8×8×8 took 0.32 µs in the BLAS against 0.23 in
   * wasm (a call's fixed cost), 32×1×32 0.46 against 1.30, and every product of W1, W2 and W3 ran 1.5–6×
   * faster in the BLAS (bench/gemm.ts).
   */
  readonly minMultiplyAdds?: number;
}

/**
 * Hands each large enough product to the BLAS, the optimizer step and finiteness sums to the addon's
 * vector loops (AVX-512 or AVX2 where the processor has them), all on the arena's memory, and batch
 * gathers from a caller's table to the addon's row copies (no view per row, the next row fetched ahead).
 */
class BlasProducts implements GemmTeam, ElementHelper {
  private arena: WasmArena | null = null;
  /**
   * A call into the addon costs about 0.25 µs more than one into the module; on the bench machine the
   * addon's Adam step won from about 512 values and its sums from about 2,048 (both 1.2–2× faster from
   * 4,096, memory-bound beyond).
   */
  readonly minLength = 2048;
  /** Gathers, pinned, addon vs the TypeScript loop: 32×20 0.4 vs 1.5 µs, 128×10 1.5 vs 5.3, 128×1 0.75 vs 0.6. */
  readonly minGatherLength = 128;

  constructor(private readonly blas: NativeBlas, private readonly threads: number, private readonly minWork: number,
              private readonly fused: boolean) {}

  attach(arena: WasmArena): void { this.arena = arena; }

  reserve(): void { /* the BLAS packs into its own buffers */ }

  /** The arena's buffer for a product of `work` multiply-adds the BLAS takes (its threads set), else null. */
  private forBlas(work: number): ArrayBuffer | null {
    if (this.arena === null || work < this.minWork) return null;
    // The thread count is the BLAS's (process-wide) setting: set it when another backend changed it.
    const threads = threadsFor(this.blas, this.threads);
    if (this.blas.threads() !== threads) this.blas.setThreads(threads);
    const buffer = this.arena.memory.buffer;
    return buffer instanceof ArrayBuffer ? buffer : null;
  }

  gemm(transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
       A: number, B: number, beta: number, C: number): boolean {
    const buffer = this.forBlas(m * n * k);
    if (buffer === null) return false;
    this.blas.sgemm(buffer, transA, transB, m, n, k, alpha, A, transA ? m : k, B, transB ? k : n, beta, C, n);
    return true;
  }

  gemmFinite(src: Float32Array, start: number, m: number, n: number, k: number, B: number, C: number): boolean | null {
    const buffer = this.forBlas(m * n * k);
    return buffer === null ? null : this.blas.gemmFinite(src, start, m, n, k, buffer, B, C);
  }

  gemmBiasAct(m: number, n: number, k: number, A: number, B: number, C: number, b: number, O: number, relu: boolean): boolean {
    const buffer = this.forBlas(m * n * k);
    if (buffer === null) return false;
    this.blas.gemmBiasAct(buffer, m, n, k, A, B, C, b, O, relu);
    return true;
  }

  gemmFiniteBiasAct(src: Float32Array, start: number, m: number, n: number, k: number, B: number, C: number, b: number,
                    O: number, relu: boolean): boolean | null {
    const buffer = this.forBlas(m * n * k);
    return buffer === null ? null : this.blas.gemmFiniteBiasAct(src, start, m, n, k, buffer, B, C, b, O, relu);
  }

  private buffer(): ArrayBuffer {
    // The arena is attached in its constructor, before any kernel runs, and its memory is never shared.
    return this.arena!.memory.buffer as ArrayBuffer;
  }

  adamStep(len: number, params: number, grads: number, m: number, v: number, stepSize: number,
           beta1: number, beta2: number, epsilon: number, sqrtC2: number, keep: number): number {
    return this.blas.adamStep(this.buffer(), this.fused, len, params, grads, m, v, stepSize, beta1, beta2, epsilon, sqrtC2, keep);
  }

  sumSq(x: number, len: number): number { return this.blas.sumSq(this.buffer(), x, len); }

  sumAbs(x: number, len: number): number { return this.blas.sumAbs(this.buffer(), x, len); }

  gatherRows(src: Float32Array, idx: Int32Array, start: number, m: number, w: number, dst: number): void {
    this.blas.gatherRows(src, idx, start, m, w, this.buffer(), dst);
  }

  copyFinite(src: Float32Array, start: number, len: number, dst: number): boolean {
    return this.blas.copyFinite(src, start, len, this.buffer(), dst);
  }
}

/** What measureThreads found: the threads to use, and the median milliseconds of its products at each count. */
export interface ThreadMeasurement {
  readonly threads: number;
  readonly oneMs: number;
  readonly askedMs: number;
}

/** Products a timed run of measureThreads takes. */
const PER_RUN = 3;

/**
 * How many of `asked` BLAS threads a backend uses, measured once, before its first product: W1's first
 * product (128×256×784) at one thread and at `asked`, taking turns, seven rounds of three after a warm-up;
 * the threads only when their median is at least 10% faster. With another process spinning on the second
 * core, two OpenBLAS threads trained W1 at a third of one thread's speed (15k against 48k samples/s); on
 * the idle machine at 1.1–1.3× it. The count then stays for the process's life (measured once for each
 * count asked), so a run's products round the same way throughout (OpenBLAS's results at one and at two
 * threads differ in the last bits; the addon's own products, where the processor has AVX-512, do not).
 */
export function measureThreads(blas: NativeBlas, asked: number, clock: () => number = () => performance.now()): ThreadMeasurement {
  if (asked <= 1) return { threads: 1, oneMs: NaN, askedMs: NaN };
  const [m, n, k] = [128, 256, 784];
  const buffer = new ArrayBuffer(4 * (m * k + k * n + m * n));
  const f = new Float32Array(buffer);
  for (let i = 0; i < f.length; i++) f[i] = ((i * 7919) % 2003) / 2003 - 0.5;
  const run = (threads: number): number => {
    blas.setThreads(threads);
    const t0 = clock();
    for (let r = 0; r < PER_RUN; r++) blas.sgemm(buffer, false, false, m, n, k, 1, 0, k, 4 * m * k, n, 0, 4 * (m * k + k * n), n);
    return (clock() - t0) / PER_RUN;
  };
  // The warm-up wakes the BLAS's threads (asleep since their last product) and fills the caches.
  run(1); run(asked); run(asked);
  const one: number[] = [];
  const many: number[] = [];
  for (let round = 0; round < 7; round++) { one.push(run(1)); many.push(run(asked)); }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[3]!;
  const oneMs = median(one), askedMs = median(many);
  return { threads: askedMs < 0.9 * oneMs ? asked : 1, oneMs, askedMs };
}

/** measureThreads once per process and thread count (the machine's other load is the process's to see, not a backend's). */
const measured = new Map<number, number>();
function threadsFor(blas: NativeBlas, asked: number): number {
  if (asked <= 1) return 1;
  let t = measured.get(asked);
  if (t === undefined) { t = measureThreads(blas, asked).threads; measured.set(asked, t); }
  return t;
}

/**
 * The native backend over `blas`. float64 arenas (gradient checks) are the TypeScript backend's. Making
 * one also gives the process the addon's finiteness scan for every input check (kernels/finite.ts).
 */
export function createNativeBackend(blas: NativeBlas, options: NativeBackendOptions = {}): Backend {
  offerFiniteScan((data) => blas.allFinite(data));
  const threads = Math.max(1, Math.floor(options.threads ?? 1));
  const minWork = options.minMultiplyAdds ?? 1 << 10;
  const { module, relaxed } = wasmKernelModule(options);
  const newArena = (helper: BlasProducts, initialCapacity = 1024): WasmArena =>
    new WasmArena(module, initialCapacity, { team: helper, elements: helper });
  return {
    // Asked for more threads than measured faster: the name says so once measured (in this process).
    get name(): string {
      if (threads === 1) return 'native';
      const inUse = measured.get(threads) ?? threads;
      return inUse === threads ? `native(${threads})` : `native(${inUse} of ${threads}: more measured slower)`;
    },
    supports: () => true,
    createArena: (dtype: DType, initialCapacity?: number): Arena => (dtype === 'float64'
      ? new TypedArena('float64', initialCapacity)
      : newArena(new BlasProducts(blas, threads, minWork, relaxed), initialCapacity)),
  };
}
