/**
 * The kernel interface: the only place that loops over numbers in bulk.
 *
 * Layers never allocate typed arrays in the training path and never know which
 * backend runs. Every bulk buffer (parameters, gradients, optimizer state,
 * activations, deltas, workspace) is a `Slot` carved from an `Arena`, and every
 * bulk operation is a call on the arena's `Kernels`.
 *
 * Why arenas own the memory: a WebAssembly backend keeps its arena inside its
 * `WebAssembly.Memory`, so a kernel reads and writes the very views the layers
 * hold, with no copy per call. When an arena grows (only while a model is being
 * compiled for a batch size, never in the hot loop) the backing buffer may be
 * replaced; the arena then re-derives `slot.a` for every slot it handed out.
 * So: hold the `Slot`, read `slot.a` at the start of each call, never keep the
 * typed array across calls.
 *
 * Dimension legend used throughout the kernels:
 *   m  rows (the batch), n  columns (units), k  the inner dimension of a product.
 *   All matrices are dense, row-major and contiguous.
 */

import type { Activation } from '../activations.js';

/** The most a WebAssembly (float32) arena can address: 65,536 pages of 64 KiB. */
export const ARENA_MAX_BYTES = 4 * 1024 ** 3;

/** Storage precision of a model: float32 (training) or float64 (gradient checks). */
export type DType = 'float32' | 'float64';
/** A flat typed array of either precision. */
export type Vec = Float32Array | Float64Array;

/** A region of an arena. `a` is re-derived by the arena whenever its memory moves. */
export interface Slot {
  /** Offset in elements from the start of the arena. */
  readonly offset: number;
  /** Number of elements. */
  readonly length: number;
  /** The live view; re-read it at the start of every call. */
  a: Vec;
}

/** The only code that loops over numbers in bulk: products, elementwise maps, reductions; every layer calls these. */
export interface Kernels {
  /**
   * C ← α·op(A)·op(B) + β·C, with op(X) = X or Xᵀ.
   * op(A) is m×k, op(B) is k×n, C is m×n. When transA, A is stored k×m; when transB, B is stored n×k.
   * β = 0 overwrites C (NaNs already in C do not leak through).
   */
  gemm(transA: boolean, transB: boolean, m: number, n: number, k: number,
       alpha: number, A: Vec, B: Vec, beta: number, C: Vec): void;
  /** Y[i,:] += b for i < m (Y is m×n). */
  addRowVector(Y: Vec, b: Vec, m: number, n: number): void;
  /** db ← β·db + Σ_i dY[i,:] (the column sums of an m×n matrix). */
  sumRows(dY: Vec, m: number, n: number, db: Vec, beta: number): void;
  /** O[i] = f(I[i]) for i < len. */
  map(f: Activation, I: Vec, O: Vec, len: number): void;
  /** dI[i] = β·dI[i] + dO[i]·f′(I[i]) for i < len (O = f(I) is passed so f′ can reuse it). */
  mapGrad(f: Activation, I: Vec, O: Vec, dO: Vec, dI: Vec, len: number, beta: number): void;
  /** As `map`, restricted to the listed columns of an m×n matrix (per-unit activations). */
  mapCols(f: Activation, I: Vec, O: Vec, m: number, n: number, cols: Int32Array): void;
  /** As `mapGrad`, restricted to the listed columns of an m×n matrix. */
  mapGradCols(f: Activation, I: Vec, O: Vec, dO: Vec, dI: Vec, m: number, n: number, cols: Int32Array, beta: number): void;
  /** O[i,:] = softmax(I[i,:]) computed as exp(I − max) / Σ exp(I − max). */
  softmaxRows(I: Vec, O: Vec, m: number, n: number): void;
  /** y ← y + α·x over len elements. */
  axpy(len: number, alpha: number, x: Vec, y: Vec): void;
  /** x ← α·x over len elements. */
  scale(len: number, alpha: number, x: Vec): void;
  /** x[i] = v for i < len. */
  fill(x: Vec, v: number, len: number): void;
  /** dst[i] = src[i] for i < len. */
  copy(src: Vec, dst: Vec, len: number): void;
  /**
   * dst[i] = src[start + i] for i < len, returning whether every value copied is finite: a batch is
   * checked in the pass that copies it into the arena (one read of the caller's table, not two).
   */
  copyFinite(src: Vec, start: number, dst: Vec, len: number): boolean;
  /**
   * C ← A·B, where A is the m×k rows of a caller's row-major table `src` from element `start`, and B
   * (k×n), C (m×n) are in the arena; false, and C unspecified, when a value of A is not finite. The
   * first product of a batch to predict: a backend that can read the table in place does (the native
   * one: its product, then a look at C's first column, A scanned only when that is not finite), the others copy A into `via` (m×k, in the arena) with
   * copyFinite and run gemm there.
   */
  gemmFinite(src: Vec, start: number, m: number, n: number, k: number, B: Vec, C: Vec, via: Vec): boolean;
  /** Batch gather: row r of dst (width w) ← row idx[start + r] of src, for r < m. */
  gatherRows(src: Vec, idx: Int32Array, start: number, m: number, w: number, dst: Vec): void;
  /** out[i] = a[i]·b[i] for i < len. */
  mul(a: Vec, b: Vec, out: Vec, len: number): void;
  /** out[i] += a[i]·b[i] for i < len. */
  mulAcc(a: Vec, b: Vec, out: Vec, len: number): void;
  /**
   * Copy an m×w block between matrices of different widths (concatenation of columns):
   * dst[i·dstStride + dstOffset + j] = β·dst[…] + src[i·srcStride + srcOffset + j], i < m, j < w.
   */
  copyBlock(m: number, w: number, src: Vec, srcStride: number, srcOffset: number,
            dst: Vec, dstStride: number, dstOffset: number, beta: number): void;
  /** O[i,j] = β·O[i,j] + X[i,j]·scale[j] + (shift ? shift[j] : 0), an m×n matrix scaled per column. */
  scaleShiftCols(X: Vec, scale: Vec, shift: Vec | null, O: Vec, m: number, n: number, beta: number): void;
  /**
   * One Adam step over len parameters (PyTorch's arrangement), with the moments m, v updated in place:
   * m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g², θ ← θ − stepSize·m/(√v/sqrtC2 + ε),
   * where stepSize = η/(1 − β₁ᵗ) and sqrtC2 = √(1 − β₂ᵗ). `keep` (if not null) receives θ before the step,
   * in the same pass. Returns max |θ| after the step: NaN if a new θ is NaN, ∞ if one is infinite, so finite
   * exactly when every new θ is (the divergence check, without another pass over the weights).
   */
  adamStep(len: number, params: Vec, grads: Vec, m: Vec, v: Vec, stepSize: number,
           beta1: number, beta2: number, epsilon: number, sqrtC2: number, keep: Vec | null): number;
  /**
   * One SGD step over len parameters (PyTorch's arrangement): without a velocity θ ← θ − η·g; with one,
   * v ← μv + g, then θ ← θ − η·(g + μv) (Nesterov) or θ ← θ − η·v.
   */
  sgdStep(len: number, params: Vec, grads: Vec, velocity: Vec | null, learningRate: number, momentum: number, nesterov: boolean): void;
  /** Softmax backward per row: dI[i,j] = β·dI[i,j] + O[i,j]·(dO[i,j] − Σ_k dO[i,k]·O[i,k]). */
  softmaxRowsGrad(O: Vec, dO: Vec, dI: Vec, m: number, n: number, beta: number): void;
  /** Σ x[i]². Accumulates in float64. */
  sumSq(x: Vec, len: number): number;
  /** Σ |x[i]|. Accumulates in float64. */
  sumAbs(x: Vec, len: number): number;
  /**
   * Batch normalization statistics and normalization of an m×n matrix X, per column j:
   * mean[j] = Σ_i X[i,j]/m, variance[j] = Σ_i (X[i,j] − mean[j])²/m (biased, as the batch statistic),
   * invStd[j] = 1/√(variance[j] + ε), xhat[i,j] = (X[i,j] − mean[j])·invStd[j].
   */
  batchNormStats(X: Vec, m: number, n: number, epsilon: number, mean: Vec, variance: Vec, invStd: Vec, xhat: Vec): void;
  /**
   * Backward of y = γ·xhat + β through the batch statistics, per column j:
   * dGamma[j] += Σ_i dY·xhat, dBeta[j] += Σ_i dY,
   * dX[i,j] (+)= γ[j]·invStd[j]/m · (m·dY[i,j] − Σ_i dY[i,j] − xhat[i,j]·Σ_i dY[i,j]·xhat[i,j]).
   * dX is overwritten when betaDX = 0 and accumulated into when betaDX = 1.
   */
  batchNormBackward(dY: Vec, xhat: Vec, gamma: Vec, invStd: Vec, m: number, n: number,
                    dX: Vec, dGamma: Vec, dBeta: Vec, betaDX: number): void;
}

/**
 * Kernels with a fused bias and activation, an optional extra a backend may offer (the WebAssembly
 * and native ones do): a dense layer's forward after its product in one pass over the rows, instead of
 * `addRowVector` then `map`. Callers test for it with `hasBiasMap`.
 */
export interface BiasMapKernels extends Kernels {
  /** I[i,:] += b for i < m (I is m×n, so I keeps the pre-activation), then O = f(I). */
  biasMap(f: Activation, I: Vec, b: Vec, O: Vec, m: number, n: number): void;
  /**
   * A dense layer's forward: I = X·W (X m×k, W k×n), then biasMap(f, I, b, O) — in one pass over each block
   * of I as the product stores it, where the backend fuses them (the native one, for ReLU and identity).
   */
  gemmBiasMap(f: Activation, m: number, n: number, k: number, X: Vec, W: Vec, b: Vec, I: Vec, O: Vec): void;
  /** gemmFinite into C, then (A finite) biasMap(f, C, b, O), fused where gemmBiasMap is; false as gemmFinite. */
  gemmFiniteBiasMap(f: Activation, src: Vec, start: number, m: number, n: number, k: number, B: Vec, b: Vec, C: Vec,
                    O: Vec, via: Vec): boolean;
}

export function hasBiasMap(k: Kernels): k is BiasMapKernels {
  return typeof (k as Partial<BiasMapKernels>).biasMap === 'function';
}

/** The memory a model's buffers are carved from (an ArrayBuffer, or a WebAssembly memory), with the kernels that run on it. */
export interface Arena {
  readonly dtype: DType;
  readonly kernels: Kernels;
  /** Elements handed out so far. */
  readonly used: number;
  /** Allocate a zeroed slot of `length` elements (may grow, and so move, the arena). */
  alloc(length: number): Slot;
  /** A slot that aliases `length` elements of `parent` starting at element `start` of it. */
  sub(parent: Slot, start: number, length: number): Slot;
  /**
   * Give back a slot from `alloc`, for a later alloc of the same length to reuse (zeroed); its views must
   * not be used after. A training run gives back what it allocated, so refitting a model does not grow it.
   */
  free(slot: Slot): void;
  /**
   * Called when a model is compiled, before any kernel runs, with the widest matrix (columns) its
   * products will see. A backend that needs scratch space (e.g. to pack gemm operands) allocates it
   * now, so that the hot loop never grows, and so never moves, the arena.
   */
  reserveWorkspace(maxColumns: number): void;
}

/** A kernel backend: its name, the dtypes it runs, and a factory of arenas (the memory its kernels work in). */
export interface Backend {
  readonly name: string;
  /** Which dtypes this backend can run. */
  supports(dtype: DType): boolean;
  createArena(dtype: DType, initialCapacity?: number): Arena;
}
