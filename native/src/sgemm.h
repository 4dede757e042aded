/* mlpkit's own sgemm (sgemm.c): C ← α·op(A)·op(B) + β·C, row-major, on the threads of pool.c. */
#ifndef MLPKIT_SGEMM_H
#define MLPKIT_SGEMM_H

/* Whether this processor runs it (AVX-512 F and VL); when not, mlpkit_sgemm computes nothing. */
int mlpkit_sgemm_available(void);

/* The product, as cblas_sgemm(CblasRowMajor, …) with these arguments; 0 when it does not take it (no AVX-512,
 * fewer than four rows, or no memory for its packing buffer), and then C is untouched. */
int mlpkit_sgemm(int transA, int transB, int m, int n, int k, float alpha, const float *A, int lda,
                 const float *B, int ldb, float beta, float *C, int ldc);

#endif
