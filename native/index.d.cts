/** C ← α·op(A)·op(B) + β·C, row-major, with A, B, C byte offsets into `buffer`. */
export function sgemm(buffer: ArrayBuffer, transA: boolean, transB: boolean, m: number, n: number, k: number,
                      alpha: number, A: number, lda: number, B: number, ldb: number, beta: number, C: number, ldc: number): void;
/** The BLAS's own thread count. */
export function setThreads(n: number): void;
export function threads(): number;
/** The BLAS's build description (OpenBLAS: its config and the core kernel it picked). */
export function config(): string;
/**
 * The WebAssembly module's Adam step on `buffer` (byte offsets), bit for bit as the module rounds it:
 * `fused` for its relaxed-SIMD build; θ before the step into byte offset `keep` (0: none). Returns the
 * largest |θ| after the step (NaN or ∞ when a new θ is not finite).
 */
export function adamStep(buffer: ArrayBuffer, fused: boolean, len: number, params: number, grads: number, m: number, v: number,
                         stepSize: number, beta1: number, beta2: number, epsilon: number, sqrtC2: number, keep: number): number;
/** Σx² of `len` float32s at byte offset `x`, in float64, summed in the module's order. */
export function sumSq(buffer: ArrayBuffer, x: number, len: number): number;
/** Σ|x|, as sumSq. */
export function sumAbs(buffer: ArrayBuffer, x: number, len: number): number;
/** Whether every value of a Float32Array or Float64Array is finite (no NaN, no ±∞). */
export function allFinite(data: Float32Array | Float64Array): boolean;
/** Row r of the m×w block at byte offset dst of `buffer` ← row idx[start + r] of the row-major table `src`. */
export function gatherRows(src: Float32Array, idx: Int32Array, start: number, m: number, w: number, buffer: ArrayBuffer, dst: number): void;
/** src[start .. start+len) into byte offset dst of `buffer`; whether every value copied is finite. */
export function copyFinite(src: Float32Array, start: number, len: number, buffer: ArrayBuffer, dst: number): boolean;
/**
 * C ← A·B, where A is the m×k rows of the row-major `src` from element `start` (read in place) and B (k×n),
 * C (m×n) are at byte offsets of `buffer`. A is scanned first: false, and nothing computed, when a value of
 * it is not finite.
 */
export function gemmFinite(src: Float32Array, start: number, m: number, n: number, k: number, buffer: ArrayBuffer, B: number, C: number): boolean;
