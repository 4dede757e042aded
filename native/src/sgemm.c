/*
 * mlpkit's own sgemm for processors with AVX-512, made for the shapes of a small network's layers (a few
 * hundred rows and columns), where a general BLAS loses time around its kernel.
 *
 *   C ← α·op(A)·op(B) + β·C, row-major, op(X) = X or Xᵀ
 *
 * The way of it:
 * - A is read where it lies: the kernel broadcasts one value of a row at a time.
 * - B is read where it lies too while it fits the core's L2 and op(B) = B; otherwise it is packed, a block of
 *   up to KC×NC at a time, into panels of 32 columns (zero past its last column).
 * - The kernel keeps a 12×32 block of C in 24 registers and reads two vectors of B a step. The edges run the
 *   same kernel with fewer rows or 16 columns; the columns past n are masked off.
 * - A large product is cut into one part per thread (columns, or rows when C is narrow); see `split`.
 * - A dense layer's bias and ReLU (the `epilogue`) are applied to each block of C as it leaves the
 *   registers, on whichever thread computed it, instead of in a second pass over C.
 *
 * Every product is an explicit fused multiply-add, and each element of C is summed over k in order, in blocks
 * of the same depth whatever the thread count: the result depends on the shape alone, not on the threads,
 * the machine's load or where the operands lie.
 */
#include "sgemm.h"

#include "pool.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#include <pthread.h>

#define KC 1024
#define NC 256
#define MR 12
#define MIN_ROWS 4
#define IN_PLACE_FLOATS (256 * 1024)
#define SPLIT_WORK (1 << 20)
#define TARGET __attribute__((target("avx512f,avx512vl,avx2,fma")))

typedef struct {
  const float *a;
  size_t rs, cs; /* a(i, p) = a[i·rs + p·cs] */
} view;

/* The epilogue at row i, column j of C. */
static inline epilogue shifted(const epilogue *ep, int i, int j) {
  return (epilogue){ep->bias + j, ep->out + (size_t)i * ep->ldo + j, ep->ldo, ep->relu};
}

/* The packed panels of one KC×NC block of op(B): panel j holds columns 32j .. 32j+31, row by row. */
static _Thread_local float *packed = NULL;

static float *pack_buffer(void) {
  if (packed == NULL) packed = aligned_alloc(64, (size_t)NC * KC * sizeof(float));
  return packed;
}

TARGET static void pack_rows(float *dst, const float *B, size_t ldb, int kc, int nc) {
  for (int j = 0; j < nc; j += 32) {
    const int w = nc - j < 32 ? nc - j : 32;
    const __mmask16 lo = (__mmask16)(w >= 16 ? 0xFFFF : (1u << w) - 1);
    const __mmask16 hi = (__mmask16)(w <= 16 ? 0 : w >= 32 ? 0xFFFF : (1u << (w - 16)) - 1);
    float *panel = dst + (size_t)j * kc;
    for (int p = 0; p < kc; p++) {
      const float *row = B + (size_t)p * ldb + j;
      _mm512_store_ps(panel + 32 * p, _mm512_maskz_loadu_ps(lo, row));
      _mm512_store_ps(panel + 32 * p + 16, _mm512_maskz_loadu_ps(hi, row + 16));
    }
  }
}

/* op(B) = Bᵀ: b(p, j) = B[j·ldb + p]; each column of a panel is a row of B, read along it. */
TARGET static void pack_cols(float *dst, const float *B, size_t ldb, int kc, int nc) {
  for (int j = 0; j < nc; j += 16) {
    const int w = nc - j < 16 ? nc - j : 16;
    float *panel = dst + (size_t)(j & ~31) * kc + (j & 16);
    for (int p = 0; p < kc; p++) {
      float *out = panel + 32 * p;
      for (int c = 0; c < w; c++) out[c] = B[(size_t)(j + c) * ldb + p];
      for (int c = w; c < 16; c++) out[c] = 0.0f;
    }
  }
  if (nc % 32 != 0 && nc % 32 <= 16) { /* the last panel's second half is all past n */
    float *panel = dst + (size_t)(nc & ~31) * kc + 16;
    for (int p = 0; p < kc; p++) memset(panel + 32 * p, 0, 16 * sizeof(float));
  }
}

/* C ← α·acc + β·C (first block) or C + α·acc (later ones), the columns at or past `w` left alone. On the
 * last block with an epilogue: C ← C + b, and O ← C (identity) or C < 0 ? 0 : C (ReLU, as the module's
 * f32x4.pmax(C, 0): NaN and −0 pass through), so one pass over each element instead of a second one. */
#define STORE(acc, c, mask, alpha, beta, first, ep, bias, out)                                   \
  do {                                                                                           \
    __m512 v_ = _mm512_mul_ps(acc, alpha);                                                       \
    if (!(first)) v_ = _mm512_add_ps(v_, _mm512_maskz_loadu_ps(mask, c));                         \
    else if (beta != 0.0f) v_ = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(mask, c), betav, v_);      \
    if (ep) v_ = _mm512_add_ps(v_, _mm512_maskz_loadu_ps(mask, bias));                            \
    _mm512_mask_storeu_ps(c, mask, v_);                                                          \
    if (ep) {                                                                                    \
      const __mmask16 neg_ = relu ? _mm512_cmp_ps_mask(v_, zero, _CMP_LT_OQ) : 0;                 \
      _mm512_mask_storeu_ps(out, mask, _mm512_mask_mov_ps(v_, neg_, zero));                       \
    }                                                                                            \
  } while (0)

/* A ROWS×(16·HALVES) block of C from a kc-deep panel: the register kernel. MASKED reads only the panel's
 * first w columns (B in place, at its last columns); else it reads all 16·HALVES. */
#define KERNEL(ROWS, HALVES, MASKED)                                                                            \
  TARGET static void kernel_##ROWS##_##HALVES##_##MASKED(view A, const float *bp, size_t bs, int kc, float *C,  \
                                                         size_t ldc, int w, float alpha, float beta, int first, \
                                                         const epilogue *ep) {                                 \
    __m512 acc[ROWS][HALVES];                                                                                   \
    _Pragma("GCC unroll 12") for (int r = 0; r < ROWS; r++) _Pragma("GCC unroll 2") for (int h = 0; h < HALVES; h++) \
      acc[r][h] = _mm512_setzero_ps();                                                                          \
    const __mmask16 m0 = (__mmask16)(w >= 16 ? 0xFFFF : (1u << w) - 1);                                         \
    const __mmask16 m1 = (__mmask16)(w <= 16 ? 0 : w >= 32 ? 0xFFFF : (1u << (w - 16)) - 1);                    \
    const float *a = A.a;                                                                                       \
    for (int p = 0; p < kc; p++, a += A.cs, bp += bs) {                                                         \
      const __m512 b0 = MASKED ? _mm512_maskz_loadu_ps(m0, bp) : _mm512_loadu_ps(bp);                           \
      const __m512 b1 = HALVES < 2 ? b0 : MASKED ? _mm512_maskz_loadu_ps(m1, bp + 16) : _mm512_loadu_ps(bp + 16); \
      _Pragma("GCC unroll 12") for (int r = 0; r < ROWS; r++) {                                                 \
        const __m512 x = _mm512_set1_ps(a[r * A.rs]);                                                           \
        acc[r][0] = _mm512_fmadd_ps(x, b0, acc[r][0]);                                                          \
        if (HALVES > 1) acc[r][HALVES - 1] = _mm512_fmadd_ps(x, b1, acc[r][HALVES - 1]);                       \
      }                                                                                                         \
    }                                                                                                           \
    const __m512 alphav = _mm512_set1_ps(alpha), betav = _mm512_set1_ps(beta), zero = _mm512_setzero_ps();       \
    const int relu = ep != NULL && ep->relu;                                                                    \
    _Pragma("GCC unroll 12") for (int r = 0; r < ROWS; r++) {                                                   \
      float *c = C + (size_t)r * ldc;                                                                           \
      float *o = ep == NULL ? NULL : ep->out + (size_t)r * ep->ldo;                                             \
      STORE(acc[r][0], c, m0, alphav, beta, first, ep != NULL, ep->bias, o);                                    \
      if (HALVES > 1) STORE(acc[r][HALVES - 1], c + 16, m1, alphav, beta, first, ep != NULL, ep->bias + 16, o + 16); \
    }                                                                                                           \
  }

#define ROW_KERNELS(H, M)                                                                                 \
  KERNEL(1, H, M) KERNEL(2, H, M) KERNEL(3, H, M) KERNEL(4, H, M) KERNEL(5, H, M) KERNEL(6, H, M) KERNEL(7, H, M) \
  KERNEL(8, H, M) KERNEL(9, H, M) KERNEL(10, H, M) KERNEL(11, H, M) KERNEL(12, H, M)
ROW_KERNELS(1, 0)
ROW_KERNELS(2, 0)
ROW_KERNELS(1, 1)
ROW_KERNELS(2, 1)

typedef void kernel_fn(view, const float *, size_t, int, float *, size_t, int, float, float, int, const epilogue *);
#define ROW_TABLE(H, M)                                                                                        \
  {kernel_1_##H##_##M, kernel_2_##H##_##M, kernel_3_##H##_##M, kernel_4_##H##_##M, kernel_5_##H##_##M,       \
   kernel_6_##H##_##M, kernel_7_##H##_##M, kernel_8_##H##_##M, kernel_9_##H##_##M, kernel_10_##H##_##M,      \
   kernel_11_##H##_##M, kernel_12_##H##_##M}
/* [masked][two halves][rows − 1] */
static kernel_fn *const kernels[2][2][MR] = {{ROW_TABLE(1, 0), ROW_TABLE(2, 0)}, {ROW_TABLE(1, 1), ROW_TABLE(2, 1)}};

/* A kc×nc block of op(B) against every row of op(A): packed (panel after panel, 32 floats a row) or where
 * it lies (the columns side by side, bs = ldb floats a row). */
TARGET static void block(view A, const float *bp, int packed, size_t bs, int m, int kc, int nc, float *C,
                         size_t ldc, float alpha, float beta, int first, const epilogue *ep) {
  for (int i = 0; i < m; i += MR) {
    const int rows = m - i < MR ? m - i : MR;
    const view Ai = {A.a + (size_t)i * A.rs, A.rs, A.cs};
    for (int j = 0; j < nc; j += 32) {
      const int w = nc - j < 32 ? nc - j : 32;
      const float *b = bp + (packed ? (size_t)j * kc : (size_t)j);
      const epilogue at = ep == NULL ? (epilogue){0} : shifted(ep, i, j);
      kernels[!packed && w < 32][w > 16][rows - 1](Ai, b, bs, kc, C + (size_t)i * ldc + j, ldc, w, alpha, beta, first,
                                                   ep == NULL ? NULL : &at);
    }
  }
}

/* The depth of a packed block: k split into equal blocks of at most KC (1,040 as 2×520, not 1,024 + 16,
 * whose last block would pay C's reading and writing for 16 steps). A whole 784-deep input layer is one
 * block: its 12×32 blocks of C stay in registers from the first step to the last. */
static int even_depth(int k) {
  const int blocks = (k + KC - 1) / KC;
  return blocks <= 1 ? KC : (k + blocks - 1) / blocks;
}

/* The whole product on the calling thread, packing into `bp` (NC×KC floats) when it packs. */
static void one_thread(int transA, int transB, int m, int n, int k, float alpha, const float *A, int lda,
                       const float *B, int ldb, float beta, float *C, int ldc, float *bp, const epilogue *ep) {
  const view full = {A, transA ? 1 : (size_t)lda, transA ? (size_t)lda : 1};
  /* B read in place while it stays in the core's L2 (a 784×256 layer is 800 KB), or when a few rows use
   * each of its values once or twice: packing it costs more than it saves (W1's first layer: 117 against
   * 111 GFLOP/s at 128 rows). */
  if (!transB && (m <= MR || (size_t)k * (size_t)n <= IN_PLACE_FLOATS)) {
    block(full, B, 0, (size_t)ldb, m, k, n, C, (size_t)ldc, alpha, beta, 1, ep);
    return;
  }
  const int step = even_depth(k);
  for (int j = 0; j < n; j += NC) {
    const int nc = n - j < NC ? n - j : NC;
    const epilogue at = ep == NULL ? (epilogue){0} : shifted(ep, 0, j);
    const epilogue *e = ep == NULL ? NULL : &at;
    if (k == 0) block(full, bp, 1, 32, m, 0, nc, C + j, (size_t)ldc, alpha, beta, 1, e);
    for (int p = 0; p < k; p += step) {
      const int kc = k - p < step ? k - p : step;
      if (transB) pack_cols(bp, B + (size_t)j * ldb + p, (size_t)ldb, kc, nc);
      else pack_rows(bp, B + (size_t)p * ldb + j, (size_t)ldb, kc, nc);
      const view Ap = {A + (size_t)p * full.cs, full.rs, full.cs};
      block(Ap, bp, 1, 32, m, kc, nc, C + j, (size_t)ldc, alpha, beta, p == 0, p + kc >= k ? e : NULL);
    }
  }
}

/* ---- threads ------------------------------------------------------------------------------------ */

/*
 * A product of at least SPLIT_WORK multiply-adds is cut into parts for the pool's threads (pool.c): blocks of
 * 32 columns, or of rows when C is too narrow; several per thread, so that a thread kept from running delays
 * the product by one part. Each element of C is still one thread's sum in the same order, so the result is
 * the same bit for bit at any thread count.
 */
typedef struct {
  int transA, transB, m, n, k, lda, ldb, ldc, byColumns, chunk;
  float alpha, beta;
  const float *A, *B;
  float *C;
  float *callerBuffer; /* the calling thread's own packing buffer, for the parts it runs */
  const epilogue *ep;
} job;

/* A packing buffer for each of the pool's helpers, made before a job runs (and kept): a helper's id is below
 * the most threads ever asked for, and each of those has its buffer. */
static float *thread_buffers[POOL_MAX_THREADS];
static pthread_mutex_t buffers_lock = PTHREAD_MUTEX_INITIALIZER;

static int ensure_thread_buffers(int threads) {
  int ok = 1;
  pthread_mutex_lock(&buffers_lock);
  for (int i = 1; i < threads && ok; i++) {
    if (thread_buffers[i] == NULL) thread_buffers[i] = aligned_alloc(64, (size_t)NC * KC * sizeof(float));
    ok = thread_buffers[i] != NULL;
  }
  pthread_mutex_unlock(&buffers_lock);
  return ok;
}

static void run_part(void *ctx, int part, int thread) {
  const job *jb = ctx;
  const int lo = part * jb->chunk, total = jb->byColumns ? jb->n : jb->m;
  const int len = total - lo < jb->chunk ? total - lo : jb->chunk;
  if (len <= 0) return;
  const float *A = jb->A, *B = jb->B;
  float *C = jb->C;
  int m = jb->m, n = jb->n;
  if (jb->byColumns) {
    B += jb->transB ? (size_t)lo * jb->ldb : (size_t)lo;
    C += lo;
    n = len;
  } else {
    A += jb->transA ? (size_t)lo : (size_t)lo * jb->lda;
    C += (size_t)lo * jb->ldc;
    m = len;
  }
  const epilogue at = jb->ep == NULL ? (epilogue){0} : shifted(jb->ep, jb->byColumns ? 0 : lo, jb->byColumns ? lo : 0);
  one_thread(jb->transA, jb->transB, m, n, jb->k, jb->alpha, A, jb->lda, B, jb->ldb, jb->beta, C, jb->ldc,
             thread == 0 ? jb->callerBuffer : thread_buffers[thread], jb->ep == NULL ? NULL : &at);
}

/* The product cut into parts over the pool's threads; false (nothing done) when it is not cut. Columns in
 * blocks of 32 when there are at least two per thread, else rows in blocks of MR (up to four per thread). */
static int split(job *jb, int threads) {
  const int want = 4 * threads;
  const int colBlocks = (jb->n + 31) / 32, rowBlocks = (jb->m + MR - 1) / MR;
  jb->byColumns = colBlocks >= 2 * threads;
  const int blocks = jb->byColumns ? colBlocks : rowBlocks;
  const int parts = blocks < want ? blocks : want;
  jb->chunk = (blocks + parts - 1) / parts * (jb->byColumns ? 32 : MR);
  return parts >= 2 && ensure_thread_buffers(threads) && mlpkit_pool_run(run_part, jb, parts);
}

int mlpkit_sgemm_available(void) {
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl");
}

int mlpkit_sgemm(int transA, int transB, int m, int n, int k, float alpha, const float *A, int lda,
                 const float *B, int ldb, float beta, float *C, int ldc, const epilogue *ep) {
  if (m <= 0 || n <= 0) return 1;
  /* One to three rows: the BLAS's matrix-vector path is faster than a kernel built for twelve. */
  if (m < MIN_ROWS) return 0;
  float *bp = pack_buffer();
  if (bp == NULL) return 0;
  job jb = {transA, transB, m, n, k, lda, ldb, ldc, 0, 0, alpha, beta, A, B, C, bp, ep};
  const int threads = mlpkit_pool_wanted();
  if (threads > 1 && (double)m * n * k >= SPLIT_WORK && split(&jb, threads)) return 1;
  one_thread(transA, transB, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc, bp, ep);
  return 1;
}

#else
int mlpkit_sgemm_available(void) { return 0; }
int mlpkit_sgemm(int transA, int transB, int m, int n, int k, float alpha, const float *A, int lda,
                 const float *B, int ldb, float beta, float *C, int ldc, const epilogue *ep) {
  (void)transA, (void)transB, (void)m, (void)n, (void)k, (void)alpha, (void)A, (void)lda, (void)B, (void)ldb;
  (void)beta, (void)C, (void)ldc, (void)ep;
  return 0;
}
#endif
