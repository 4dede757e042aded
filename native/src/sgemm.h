/* mlpkit's own sgemm (sgemm.c): C ← α·op(A)·op(B) + β·C, row-major, on the threads of pool.c. */
#ifndef MLPKIT_SGEMM_H
#define MLPKIT_SGEMM_H

#include <stddef.h>

/* Whether this processor runs it (AVX-512 F and VL); when not, mlpkit_sgemm computes nothing. */
int mlpkit_sgemm_available(void);

/* A dense layer's bias and activation on a product's result: C ← C + b (b one value per column), then
 * O ← C, or with `relu` C < 0 ? 0 : C (O is ldo floats a row; it may be C itself). */
typedef struct {
  const float *bias;
  float *out;
  size_t ldo;
  int relu;
} epilogue;

/* The product, as cblas_sgemm(CblasRowMajor, …) with these arguments, then the epilogue on each block of C as
 * it is stored (ep NULL: none); 0 when it does not take the product (no AVX-512, fewer than four rows, or no
 * memory for its packing buffer), and then neither C nor O is touched. */
int mlpkit_sgemm(int transA, int transB, int m, int n, int k, float alpha, const float *A, int lda,
                 const float *B, int ldb, float beta, float *C, int ldc, const epilogue *ep);

#endif
