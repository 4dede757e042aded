/** C ← α·op(A)·op(B) + β·C, row-major, with A, B, C byte offsets into `buffer`. */
export function sgemm(buffer: ArrayBuffer, transA: boolean, transB: boolean, m: number, n: number, k: number,
                      alpha: number, A: number, lda: number, B: number, ldb: number, beta: number, C: number, ldc: number): void;
/** The BLAS's own thread count. */
export function setThreads(n: number): void;
export function threads(): number;
/** The BLAS's build description (OpenBLAS: its config and the core kernel it picked). */
export function config(): string;
