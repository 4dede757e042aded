/*
 * mlpkit's native products: cblas_sgemm from the platform's BLAS (OpenBLAS on Linux, Accelerate on
 * macOS) run directly on the memory of a WebAssembly arena. Every call names the arena's ArrayBuffer
 * and byte offsets into it, so nothing is copied: the product reads and writes the very Float32Arrays
 * the layers hold.
 *
 *   sgemm(buffer, transA, transB, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc)
 *     C ← α·op(A)·op(B) + β·C, row-major; A, B, C byte offsets into buffer (4-byte aligned). On a
 *     processor with AVX-512 the product is mlpkit's own (sgemm.c: faster than OpenBLAS's at a small
 *     network's shapes, and the same bit for bit at any thread count); MLPKIT_NATIVE_PRODUCTS=blas in the
 *     environment keeps the BLAS's.
 *   setThreads(n), threads()   the products' threads: sgemm.c's, else the BLAS's (OpenBLAS; Accelerate
 *                              decides alone: 1)
 *   config()                   the BLAS's build description (OpenBLAS: config and the core it picked),
 *                              and whether the products are mlpkit's own
 *   adamStep(buffer, fused, len, params, grads, m, v, stepSize, beta1, beta2, epsilon, sqrtC2, keep)
 *     the WebAssembly module's Adam step on the same memory, rounded as it rounds (fused: its relaxed-SIMD
 *     build, one fused multiply-add where that build has one; else a product then a sum), bit for bit;
 *     θ before the step into keep (a byte offset; 0: none); returns the largest |θ| after it
 *   sumSq(buffer, x, len), sumAbs(buffer, x, len)
 *     Σx², Σ|x| in float64, summed in the WebAssembly module's order (eight lanes), so bit for bit its sums
 *   gatherRows(src, idx, start, m, w, buffer, dst)
 *     a batch gather from a caller's table into the arena: row r of the m×w block at byte offset dst of
 *     buffer ← row idx[start + r] of the row-major Float32Array src, the next row's lines fetched ahead
 *   allFinite(array)           whether every value of a Float32Array or Float64Array (anywhere, not only
 *                              in an arena) is finite: the input check of a table before training
 *   copyFinite(src, start, len, buffer, dst)
 *     src[start .. start+len) of a caller's Float32Array into the arena at byte offset dst, returning
 *     whether every value copied is finite: a batch to predict is checked in the pass that copies it
 *   gemmFinite(src, start, m, n, k, buffer, B, C)
 *     C ← A·B with A the m×k rows of a caller's Float32Array from `start`, read in place: the first product
 *     of a batch to predict; false (C then unspecified) when a value of A is not finite (finite_product)
 *
 * The element kernels are compiled three times (AVX-512, AVX2 with FMA, and the baseline) and the addon
 * picks, when it loads, the one the processor runs. Floating-point contraction is off (binding.gyp): every fused
 * multiply-add is an explicit fmaf, so each clone rounds exactly as the others and as the wasm kernels.
 */
#include <math.h>
#include <node_api.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pool.h"
#include "sgemm.h"

#ifdef MLPKIT_ACCELERATE
#include <Accelerate/Accelerate.h>
#else
#include <cblas.h>
#endif

#define CHECK(env, call)                                                     \
  do {                                                                       \
    if ((call) != napi_ok) {                                                 \
      napi_throw_error((env), NULL, "mlpkit native: bad argument to " #call); \
      return NULL;                                                           \
    }                                                                        \
  } while (0)

/* The call's arguments into argv: exactly `count` of them, else false (a TypeError thrown naming `name`). */
static bool call_args(napi_env env, napi_callback_info info, napi_value *argv, size_t count, const char *name) {
  size_t argc = count;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != count) {
    char message[96];
    snprintf(message, sizeof message, "mlpkit native: %s takes %zu arguments", name, count);
    napi_throw_type_error(env, NULL, message);
    return false;
  }
  return true;
}

/* Whether products run mlpkit's own sgemm (sgemm.c): where the processor has AVX-512, unless
 * MLPKIT_NATIVE_PRODUCTS=blas asks for the BLAS's. The BLAS then keeps one thread (the products it still
 * takes are a few rows: its threads would only spin beside sgemm.c's helpers), and `threads` is the pool's. */
static int own_products = 0;

/* C ← C + b, O ← f(C) for the m×n C (ldc floats a row), O (ldo): the epilogue where sgemm.c did not take the
 * product, as sgemm.c and the module's biasAct compute it. */
static void epilogue_rows(int m, int n, float *C, int ldc, const epilogue *ep) {
  for (int i = 0; i < m; i++) {
    float *c = C + (size_t)i * ldc, *o = ep->out + (size_t)i * ep->ldo;
    for (int j = 0; j < n; j++) {
      const float v = c[j] + ep->bias[j];
      c[j] = v;
      o[j] = ep->relu && v < 0.0f ? 0.0f : v;
    }
  }
}

/* C ← α·op(A)·op(B) + β·C, row-major, then the epilogue when there is one (ep NULL: none): mlpkit's own
 * sgemm where it takes the product (then true), else the BLAS's and epilogue_rows. */
static bool product(bool tA, bool tB, int m, int n, int k, float alpha, const float *A, int lda, const float *B,
                    int ldb, float beta, float *C, int ldc, const epilogue *ep) {
  if (own_products && mlpkit_sgemm(tA, tB, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc, ep)) return true;
  cblas_sgemm(CblasRowMajor, tA ? CblasTrans : CblasNoTrans, tB ? CblasTrans : CblasNoTrans, m, n, k, alpha, A, lda,
              B, ldb, beta, C, ldc);
  if (ep != NULL) epilogue_rows(m, n, C, ldc, ep);
  return false;
}

static napi_value Sgemm(napi_env env, napi_callback_info info) {
  napi_value argv[14];
  if (!call_args(env, info, argv, 14, "sgemm")) return NULL;
  void *base = NULL;
  size_t bytes = 0;
  CHECK(env, napi_get_arraybuffer_info(env, argv[0], &base, &bytes));
  bool tA = false, tB = false;
  CHECK(env, napi_get_value_bool(env, argv[1], &tA));
  CHECK(env, napi_get_value_bool(env, argv[2], &tB));
  int32_t m, n, k, lda, ldb, ldc;
  uint32_t pA, pB, pC;
  double alpha, beta;
  CHECK(env, napi_get_value_int32(env, argv[3], &m));
  CHECK(env, napi_get_value_int32(env, argv[4], &n));
  CHECK(env, napi_get_value_int32(env, argv[5], &k));
  CHECK(env, napi_get_value_double(env, argv[6], &alpha));
  CHECK(env, napi_get_value_uint32(env, argv[7], &pA));
  CHECK(env, napi_get_value_int32(env, argv[8], &lda));
  CHECK(env, napi_get_value_uint32(env, argv[9], &pB));
  CHECK(env, napi_get_value_int32(env, argv[10], &ldb));
  CHECK(env, napi_get_value_double(env, argv[11], &beta));
  CHECK(env, napi_get_value_uint32(env, argv[12], &pC));
  CHECK(env, napi_get_value_int32(env, argv[13], &ldc));
  if (m < 0 || n < 0 || k < 0 || ((pA | pB | pC) & 3) != 0) {
    napi_throw_range_error(env, NULL, "mlpkit native: sgemm needs non-negative sizes and 4-byte aligned offsets");
    return NULL;
  }
  /* The last element each operand reaches must lie inside the buffer. */
  uint64_t rowsA = tA ? (uint64_t)k : (uint64_t)m, rowsB = tB ? (uint64_t)n : (uint64_t)k;
  uint64_t colsA = tA ? (uint64_t)m : (uint64_t)k, colsB = tB ? (uint64_t)k : (uint64_t)n;
  if ((m > 0 && k > 0 && pA + 4 * ((rowsA - 1) * (uint64_t)lda + colsA) > bytes) ||
      (n > 0 && k > 0 && pB + 4 * ((rowsB - 1) * (uint64_t)ldb + colsB) > bytes) ||
      (m > 0 && n > 0 && pC + 4 * (((uint64_t)m - 1) * (uint64_t)ldc + (uint64_t)n) > bytes)) {
    napi_throw_range_error(env, NULL, "mlpkit native: sgemm operand outside its buffer");
    return NULL;
  }
  if (m == 0 || n == 0) return NULL;
  char *mem = (char *)base;
  product(tA, tB, m, n, k, (float)alpha, (const float *)(mem + pA), lda, (const float *)(mem + pB), ldb, (float)beta,
          (float *)(mem + pC), ldc, NULL);
  return NULL;
}

static napi_value SetThreads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t t = 1;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  CHECK(env, napi_get_value_int32(env, argv[0], &t));
  /* The pool's helpers spin after a part: beside the BLAS's threads they would take its cores. */
  mlpkit_pool_threads(own_products ? t : 1);
#ifndef MLPKIT_ACCELERATE
  openblas_set_num_threads(own_products ? 1 : t < 1 ? 1 : t);
#endif
  return NULL;
}

static napi_value Threads(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value out;
#ifdef MLPKIT_ACCELERATE
  const int blas = 1;
#else
  const int blas = openblas_get_num_threads();
#endif
  CHECK(env, napi_create_int32(env, own_products ? mlpkit_pool_wanted() : blas, &out));
  return out;
}

static napi_value Config(napi_env env, napi_callback_info info) {
  (void)info;
  char text[512];
#ifdef MLPKIT_ACCELERATE
  snprintf(text, sizeof text, "Accelerate");
#else
  snprintf(text, sizeof text, "%s; core %s", openblas_get_config(), openblas_get_corename());
#endif
  if (own_products) strncat(text, "; products: mlpkit avx512 (sgemm.c)", sizeof text - strlen(text) - 1);
  napi_value out;
  CHECK(env, napi_create_string_utf8(env, text, strlen(text), &out));
  return out;
}

/* ---- element kernels on the arena ------------------------------------------------------------- */

/*
 * Each element kernel is compiled for AVX-512, for AVX2 with FMA, and for the baseline; `pick` chooses
 * by the processor's own feature bits (not by a named architecture: virtual machines often hide a feature
 * such as RDRAND that a named architecture implies, which would drop them to the baseline).
 */
#if defined(__x86_64__) && defined(__GNUC__)
#define VARIANTS(DEFINE) \
  DEFINE(avx512, __attribute__((target("avx512f,avx512vl,avx2,fma")))) \
  DEFINE(avx2, __attribute__((target("avx2,fma")))) \
  DEFINE(base, )
#define PICK(NAME) (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") ? NAME##_avx512 \
    : __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? NAME##_avx2 : NAME##_base)
#else
#define VARIANTS(DEFINE) DEFINE(base, )
#define PICK(NAME) NAME##_base
#endif

/* |x| as its bits: an unsigned maximum of these is the largest |x| (NaN above ∞ above every finite value). */
static inline __attribute__((always_inline)) uint32_t magnitude_bits(float x) {
  uint32_t b;
  memcpy(&b, &x, sizeof b);
  return b & 0x7fffffffu;
}

/*
 * The four-lane body of the wasm adamStep; `fused` is a constant at each call site. θ before the step into
 * keep (NULL: none); returns the largest magnitude_bits of θ after it.
 */
static inline __attribute__((always_inline)) uint32_t adam_lanes(int fused, size_t n4, float *restrict p,
    const float *restrict g, float *restrict m, float *restrict v, float *restrict keep, float step, float b1,
    float b2, float eps, float inv) {
  const float c1 = 1.0f - b1, c2 = 1.0f - b2;
  uint32_t top = 0;
  for (size_t i = 0; i < n4; i++) {
    const float gi = g[i];
    const float mi = fused ? fmaf(b1, m[i], c1 * gi) : b1 * m[i] + c1 * gi;
    const float vi = fused ? fmaf(b2, v[i], c2 * (gi * gi)) : b2 * v[i] + c2 * (gi * gi);
    m[i] = mi;
    v[i] = vi;
    const float den = fused ? fmaf(sqrtf(vi), inv, eps) : sqrtf(vi) * inv + eps;
    const float pi = p[i];
    if (keep != NULL) keep[i] = pi;
    const float q = pi - (step * mi) / den;
    p[i] = q;
    const uint32_t b = magnitude_bits(q);
    top = b > top ? b : top;
  }
  return top;
}

typedef uint32_t adam_fn(size_t, float *restrict, const float *restrict, float *restrict, float *restrict,
                         float *restrict, float, float, float, float, float);
#define ADAM(SUFFIX, TARGET)                                                                                  \
  TARGET static uint32_t adam_fused_##SUFFIX(size_t n4, float *restrict p, const float *restrict g,          \
      float *restrict m, float *restrict v, float *restrict keep, float step, float b1, float b2, float eps, \
      float inv) {                                                                                          \
    return adam_lanes(1, n4, p, g, m, v, keep, step, b1, b2, eps, inv);                                     \
  }                                                                                                         \
  TARGET static uint32_t adam_plain_##SUFFIX(size_t n4, float *restrict p, const float *restrict g,          \
      float *restrict m, float *restrict v, float *restrict keep, float step, float b1, float b2, float eps, \
      float inv) {                                                                                          \
    return adam_lanes(0, n4, p, g, m, v, keep, step, b1, b2, eps, inv);                                    \
  }
VARIANTS(ADAM)
static adam_fn *adam_fused = NULL, *adam_plain = NULL;

/*
 * The lanes of an Adam step over the pool's threads (pool.c) when there are enough of them: each part is a
 * run of whole vectors, every value computed as on one thread, and the largest |θ| the maximum of the parts'
 * (exact in any order): the result is the same bit for bit at any thread count.
 */
#define ADAM_SPLIT 65536
typedef struct {
  adam_fn *fn;
  size_t chunk, n4;
  float *p, *m, *v, *keep;
  const float *g;
  float step, b1, b2, eps, inv;
  uint32_t top[POOL_MAX_PARTS];
} adam_job;

static void adam_part(void *ctx, int part, int thread) {
  (void)thread;
  adam_job *j = ctx;
  const size_t lo = (size_t)part * j->chunk, hi = lo + j->chunk < j->n4 ? lo + j->chunk : j->n4;
  j->top[part] = lo >= hi ? 0
    : j->fn(hi - lo, j->p + lo, j->g + lo, j->m + lo, j->v + lo, j->keep == NULL ? NULL : j->keep + lo, j->step, j->b1,
            j->b2, j->eps, j->inv);
}

static uint32_t adam_body(adam_fn *fn, size_t n4, float *p, const float *g, float *m, float *v, float *keep,
                          float step, float b1, float b2, float eps, float inv) {
  const int threads = mlpkit_pool_wanted();
  if (threads > 1 && n4 >= ADAM_SPLIT) {
    const size_t parts4 = 4 * (size_t)threads; /* four parts a thread: one kept from running delays a quarter */
    adam_job j = {fn, ((n4 + parts4 - 1) / parts4 + 15) & ~(size_t)15, n4, p, m, v, keep, g,
                  step, b1, b2, eps, inv, {0}};
    const int parts = (int)((n4 + j.chunk - 1) / j.chunk);
    if (mlpkit_pool_run(adam_part, &j, parts)) {
      uint32_t top = 0;
      for (int i = 0; i < parts; i++) top = j.top[i] > top ? j.top[i] : top;
      return top;
    }
  }
  return fn(n4, p, g, m, v, keep, step, b1, b2, eps, inv);
}

/* The wasm module's adamStep: its lanes, then its scalar tail; returns the largest |θ| after the step. */
static float adam(int fused, size_t len, float *p, const float *g, float *m, float *v, float *keep, float step,
                  float b1, float b2, float eps, float sqrtC2) {
  const size_t n4 = len & ~(size_t)3;
  uint32_t top = adam_body(fused ? adam_fused : adam_plain, n4, p, g, m, v, keep, step, b1, b2, eps, 1.0f / sqrtC2);
  /* The wasm module's scalar tail: no fused step there, and a division by √(1 − β₂ᵗ). */
  for (size_t i = n4; i < len; i++) {
    const float mi = b1 * m[i] + (1.0f - b1) * g[i];
    const float vi = b2 * v[i] + (1.0f - b2) * g[i] * g[i];
    m[i] = mi;
    v[i] = vi;
    if (keep != NULL) keep[i] = p[i];
    p[i] = p[i] - step * mi / (sqrtf(vi) / sqrtC2 + eps);
    const uint32_t b = magnitude_bits(p[i]);
    top = b > top ? b : top;
  }
  float out;
  memcpy(&out, &top, sizeof out);
  return out;
}

/*
 * The wasm sumOf's order: eight float64 lanes a[0..7]; a block of sixteen floats x[0..15] adds
 * x[4q + l] ∘ x[4q + l + 2] to lane 2q + l (q < 4, l < 2), a block of four the same into lanes 0 and 1;
 * then ((a0 + a2) + (a4 + a6)) + ((a1 + a3) + (a5 + a7)), then the last floats one by one.
 */
#define SUM_OF(NAME, OP, TARGET)                                                                     \
  TARGET static double NAME(const float *restrict x, size_t len) {                                  \
    double a[8] = {0, 0, 0, 0, 0, 0, 0, 0};                                                         \
    size_t i = 0;                                                                                   \
    for (; i + 16 <= len; i += 16)                                                                  \
      for (int q = 0; q < 4; q++)                                                                   \
        for (int l = 0; l < 2; l++) a[2 * q + l] += OP(x[i + 4 * q + l]) + OP(x[i + 4 * q + l + 2]); \
    for (; i + 4 <= len; i += 4)                                                                    \
      for (int l = 0; l < 2; l++) a[l] += OP(x[i + l]) + OP(x[i + l + 2]);                          \
    double s = ((a[0] + a[2]) + (a[4] + a[6])) + ((a[1] + a[3]) + (a[5] + a[7]));                    \
    for (; i < len; i++) s += OP(x[i]);                                                             \
    return s;                                                                                       \
  }
#define SQ(f) ((double)(f) * (double)(f))
#define ABS(f) fabs((double)(f))
/*
 * A value is not finite exactly when its exponent bits are all ones; adding one to the exponent field then
 * carries into the sign bit. OR-ing those sums over the array leaves the sign bit set iff one is not finite.
 */
#define FINITE(SUFFIX, TARGET)                                                                      \
  TARGET static int finite32_##SUFFIX(const uint32_t *restrict u, size_t len) {                    \
    uint32_t acc = 0;                                                                              \
    for (size_t i = 0; i < len; i++) acc |= (u[i] & 0x7f800000u) + 0x00800000u;                    \
    return (acc & 0x80000000u) == 0;                                                               \
  }                                                                                                \
  TARGET static int finite64_##SUFFIX(const uint64_t *restrict u, size_t len) {                    \
    uint64_t acc = 0;                                                                              \
    for (size_t i = 0; i < len; i++) acc |= (u[i] & 0x7ff0000000000000ull) + 0x0010000000000000ull; \
    return (acc & 0x8000000000000000ull) == 0;                                                     \
  }
VARIANTS(FINITE)
static int (*finite32)(const uint32_t *, size_t) = NULL;
/* The copy and finite32's test in one pass. */
#define COPY_FINITE(SUFFIX, TARGET)                                                                 \
  TARGET static int copy_finite32_##SUFFIX(const uint32_t *restrict src, uint32_t *restrict dst, size_t len) { \
    uint32_t acc = 0;                                                                              \
    for (size_t i = 0; i < len; i++) {                                                             \
      const uint32_t v = src[i];                                                                   \
      dst[i] = v;                                                                                  \
      acc |= (v & 0x7f800000u) + 0x00800000u;                                                      \
    }                                                                                              \
    return (acc & 0x80000000u) == 0;                                                               \
  }
VARIANTS(COPY_FINITE)
static int (*copy_finite32)(const uint32_t *, uint32_t *, size_t) = NULL;
static int (*finite64)(const uint64_t *, size_t) = NULL;

#define SUMS(SUFFIX, TARGET) SUM_OF(sum_sq_##SUFFIX, SQ, TARGET) SUM_OF(sum_abs_##SUFFIX, ABS, TARGET)
VARIANTS(SUMS)
typedef double sum_fn(const float *, size_t);
static sum_fn *sum_sq = NULL, *sum_abs = NULL;

/* The variants this processor runs (once, when the addon loads). */
static void pick_variants(void) {
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init();
#endif
  adam_fused = PICK(adam_fused);
  adam_plain = PICK(adam_plain);
  sum_sq = PICK(sum_sq);
  sum_abs = PICK(sum_abs);
  finite32 = PICK(finite32);
  finite64 = PICK(finite64);
  copy_finite32 = PICK(copy_finite32);
}

/* The float32 array of `len` elements at byte offset argv[at] of the ArrayBuffer argv[0], or NULL (thrown). */
static float *arena_floats(napi_env env, napi_value *argv, int at, size_t len) {
  void *base = NULL;
  size_t bytes = 0;
  uint32_t offset = 0;
  if (napi_get_arraybuffer_info(env, argv[0], &base, &bytes) != napi_ok ||
      napi_get_value_uint32(env, argv[at], &offset) != napi_ok) {
    napi_throw_type_error(env, NULL, "mlpkit native: expected an ArrayBuffer and byte offsets");
    return NULL;
  }
  if ((offset & 3) != 0) {
    napi_throw_range_error(env, NULL, "mlpkit native: operand not 4-byte aligned");
    return NULL;
  }
  if ((uint64_t)offset + 4 * (uint64_t)len > bytes) {
    napi_throw_range_error(env, NULL, "mlpkit native: operand outside its buffer");
    return NULL;
  }
  return (float *)((char *)base + offset);
}

/* Whether the len floats at a and at b share memory. */
static bool overlaps(const float *a, const float *b, int32_t len) { return a < b + len && b < a + len; }

static napi_value AdamStep(napi_env env, napi_callback_info info) {
  napi_value argv[13];
  if (!call_args(env, info, argv, 13, "adamStep")) return NULL;
  bool fused = false;
  int32_t len = 0;
  double h[5];
  CHECK(env, napi_get_value_bool(env, argv[1], &fused));
  CHECK(env, napi_get_value_int32(env, argv[2], &len));
  for (int i = 0; i < 5; i++) CHECK(env, napi_get_value_double(env, argv[7 + i], &h[i]));
  uint32_t keepAt = 0;
  CHECK(env, napi_get_value_uint32(env, argv[12], &keepAt));
  napi_value out;
  if (len <= 0) {
    CHECK(env, napi_create_double(env, 0, &out));
    return out;
  }
  float *p = arena_floats(env, argv, 3, (size_t)len);
  float *g = p == NULL ? NULL : arena_floats(env, argv, 4, (size_t)len);
  float *m = g == NULL ? NULL : arena_floats(env, argv, 5, (size_t)len);
  float *v = m == NULL ? NULL : arena_floats(env, argv, 6, (size_t)len);
  if (v == NULL) return NULL;
  /* The copy of θ before the step, at byte offset keepAt of the same buffer (0: none). */
  float *keep = keepAt == 0 ? NULL : arena_floats(env, argv, 12, (size_t)len);
  if (keepAt != 0 && keep == NULL) return NULL;
  if (keep != NULL && (overlaps(keep, p, len) || overlaps(keep, g, len) || overlaps(keep, m, len) || overlaps(keep, v, len))) {
    napi_throw_range_error(env, NULL, "mlpkit native: adamStep: keep overlaps another operand");
    return NULL;
  }
  const float top = adam(fused, (size_t)len, p, g, m, v, keep, (float)h[0], (float)h[1], (float)h[2], (float)h[3], (float)h[4]);
  CHECK(env, napi_create_double(env, (double)top, &out));
  return out;
}

static napi_value sum_call(napi_env env, napi_callback_info info, double (*sum)(const float *, size_t)) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t len = 0;
  if (argc != 3) {
    napi_throw_type_error(env, NULL, "mlpkit native: a sum takes 3 arguments");
    return NULL;
  }
  CHECK(env, napi_get_value_int32(env, argv[2], &len));
  double s = 0;
  if (len > 0) {
    const float *x = arena_floats(env, argv, 1, (size_t)len);
    if (x == NULL) return NULL;
    s = sum(x, (size_t)len);
  }
  napi_value out;
  CHECK(env, napi_create_double(env, s, &out));
  return out;
}

static napi_value AllFinite(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  bool typed = false;
  if (argc == 1) CHECK(env, napi_is_typedarray(env, argv[0], &typed));
  napi_typedarray_type type = napi_int8_array;
  size_t length = 0;
  void *data = NULL;
  if (typed) CHECK(env, napi_get_typedarray_info(env, argv[0], &type, &length, &data, NULL, NULL));
  if (!typed || (type != napi_float32_array && type != napi_float64_array)) {
    napi_throw_type_error(env, NULL, "mlpkit native: allFinite takes a Float32Array or a Float64Array");
    return NULL;
  }
  const int ok = length == 0 || (type == napi_float32_array ? finite32((const uint32_t *)data, length)
                                                           : finite64((const uint64_t *)data, length));
  napi_value out;
  CHECK(env, napi_get_boolean(env, ok, &out));
  return out;
}

/* A typed array's elements and length; NULL (thrown) when argv is not one of `type`. */
static void *typed_data(napi_env env, napi_value v, napi_typedarray_type type, size_t *length, const char *what) {
  bool typed = false;
  napi_typedarray_type t = napi_int8_array;
  void *data = NULL;
  if (napi_is_typedarray(env, v, &typed) != napi_ok || !typed ||
      napi_get_typedarray_info(env, v, &t, length, &data, NULL, NULL) != napi_ok || t != type) {
    napi_throw_type_error(env, NULL, what);
    return NULL;
  }
  return data == NULL ? (void *)"" : data;
}

static napi_value GatherRows(napi_env env, napi_callback_info info) {
  napi_value argv[7];
  if (!call_args(env, info, argv, 7, "gatherRows")) return NULL;
  size_t srcLen = 0, idxLen = 0;
  const float *src = typed_data(env, argv[0], napi_float32_array, &srcLen, "mlpkit native: gatherRows reads a Float32Array");
  if (src == NULL) return NULL;
  const int32_t *idx = typed_data(env, argv[1], napi_int32_array, &idxLen, "mlpkit native: gatherRows takes an Int32Array of rows");
  if (idx == NULL) return NULL;
  int32_t start = 0, m = 0, w = 0;
  CHECK(env, napi_get_value_int32(env, argv[2], &start));
  CHECK(env, napi_get_value_int32(env, argv[3], &m));
  CHECK(env, napi_get_value_int32(env, argv[4], &w));
  if (start < 0 || m < 0 || w < 0 || (size_t)start + (size_t)m > idxLen) {
    napi_throw_range_error(env, NULL, "mlpkit native: gatherRows: rows outside the index");
    return NULL;
  }
  napi_value arena[2] = {argv[5], argv[6]};
  float *dst = arena_floats(env, arena, 1, (size_t)m * (size_t)w);
  if (dst == NULL) return NULL;
  const size_t rows = w == 0 ? 0 : srcLen / (size_t)w, bytes = (size_t)w * sizeof(float);
  for (int32_t r = 0; r < m; r++) {
    const int32_t i = idx[start + r];
    if (i < 0 || (size_t)i >= rows) {
      napi_throw_range_error(env, NULL, "mlpkit native: gatherRows: a row index outside the table");
      return NULL;
    }
    if (r + 1 < m && idx[start + r + 1] >= 0 && (size_t)idx[start + r + 1] < rows) {
      const char *next = (const char *)(src + (size_t)idx[start + r + 1] * (size_t)w);
      for (size_t b = 0; b < bytes; b += 64) __builtin_prefetch(next + b);
    }
    memcpy(dst + (size_t)r * (size_t)w, src + (size_t)i * (size_t)w, bytes);
  }
  return NULL;
}

/* A caller's Float32Array (argv[0], refused naming `what`) and an element index into it (argv[1]). */
static const float *source_at(napi_env env, napi_value *argv, const char *what, size_t *length, int32_t *start) {
  const float *src = typed_data(env, argv[0], napi_float32_array, length, what);
  if (src == NULL) return NULL;
  CHECK(env, napi_get_value_int32(env, argv[1], start));
  return src;
}

static napi_value CopyFinite(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  if (!call_args(env, info, argv, 5, "copyFinite")) return NULL;
  size_t srcLen = 0;
  int32_t start = 0, len = 0;
  const float *src = source_at(env, argv, "mlpkit native: copyFinite reads a Float32Array", &srcLen, &start);
  if (src == NULL) return NULL;
  CHECK(env, napi_get_value_int32(env, argv[2], &len));
  if (start < 0 || len < 0 || (size_t)start + (size_t)len > srcLen) {
    napi_throw_range_error(env, NULL, "mlpkit native: copyFinite: values outside the source");
    return NULL;
  }
  napi_value arena[2] = {argv[3], argv[4]};
  float *dst = arena_floats(env, arena, 1, (size_t)len);
  if (dst == NULL) return NULL;
  if (overlaps(src + start, dst, len)) {
    napi_throw_range_error(env, NULL, "mlpkit native: copyFinite: source and destination overlap");
    return NULL;
  }
  const int ok = len == 0 || copy_finite32((const uint32_t *)(src + start), (uint32_t *)dst, (size_t)len);
  napi_value out;
  CHECK(env, napi_get_boolean(env, ok, &out));
  return out;
}

/* Whether the first element of each of C's m rows (n floats a row) is finite. */
static int first_column_finite(const float *C, int m, int n) {
  uint32_t bad = 0;
  for (int i = 0; i < m; i++) bad |= (magnitude_bits(C[(size_t)i * n]) >= 0x7f800000u);
  return !bad;
}

/*
 * A·B (and the epilogue) and whether A is finite. The product comes first: where sgemm.c takes it, A is read
 * again only if C's first column is not finite, since sgemm.c adds every term (none is skipped for a zero) and a
 * NaN or ±∞ in row i of A makes every element of row i of C NaN or ±∞, bias or not. A batch of 1,024 input rows
 * (3.2 MB) is then read once instead of twice. The BLAS may skip terms: after its product A is scanned in full.
 */
static int finite_product(int m, int n, int k, const float *A, const float *B, float *C, const epilogue *ep) {
  const size_t len = (size_t)m * (size_t)k;
  const bool own = m > 0 && n > 0 && product(false, false, m, n, k, 1.0f, A, k, B, n, 0.0f, C, n, ep);
  return len == 0 || (own && first_column_finite(C, m, n)) || finite32((const uint32_t *)A, len);
}

/* The epilogue's bias (n floats) at byte offset argv[1], its O (m×n) at argv[2], ReLU or not argv[3]
 * (argv[0] the arena); false (thrown) when an operand is outside the arena. */
static bool epilogue_args(napi_env env, napi_value *argv, int m, int n, epilogue *ep) {
  bool relu = false;
  const float *bias = arena_floats(env, argv, 1, (size_t)n);
  float *out = bias == NULL ? NULL : arena_floats(env, argv, 2, (size_t)m * (size_t)n);
  if (out == NULL) return false;
  if (napi_get_value_bool(env, argv[3], &relu) != napi_ok) {
    napi_throw_type_error(env, NULL, "mlpkit native: relu must be a boolean");
    return false;
  }
  *ep = (epilogue){bias, out, (size_t)n, relu};
  return true;
}

/*
 * C ← A·B with A the m×k rows of a caller's row-major Float32Array from element `start` (read in place,
 * not copied into the arena) and B (k×n), C (m×n) at byte offsets of the arena: the first product of a
 * batch to predict. False when a value of A is not finite, and C is then unspecified (finite_product).
 * With `fused` (gemmFiniteBiasAct) the arguments after C are the epilogue's bias, O and relu.
 */
static napi_value gemm_finite_call(napi_env env, napi_callback_info info, bool fused) {
  napi_value argv[11];
  if (!call_args(env, info, argv, fused ? 11 : 8, fused ? "gemmFiniteBiasAct" : "gemmFinite")) return NULL;
  size_t srcLen = 0;
  int32_t start = 0, m = 0, n = 0, k = 0;
  const float *src = source_at(env, argv, "mlpkit native: gemmFinite reads a Float32Array", &srcLen, &start);
  if (src == NULL) return NULL;
  CHECK(env, napi_get_value_int32(env, argv[2], &m));
  CHECK(env, napi_get_value_int32(env, argv[3], &n));
  CHECK(env, napi_get_value_int32(env, argv[4], &k));
  const size_t len = (size_t)m * (size_t)k;
  if (start < 0 || m < 0 || n < 0 || k < 0 || (size_t)start + len > srcLen) {
    napi_throw_range_error(env, NULL, "mlpkit native: gemmFinite: rows outside the source");
    return NULL;
  }
  napi_value arena[3] = {argv[5], argv[6], argv[7]};
  const float *B = arena_floats(env, arena, 1, (size_t)k * (size_t)n);
  float *C = B == NULL ? NULL : arena_floats(env, arena, 2, (size_t)m * (size_t)n);
  if (C == NULL) return NULL;
  epilogue ep;
  napi_value epi[4] = {argv[5], argv[8], argv[9], argv[10]};
  if (fused && !epilogue_args(env, epi, m, n, &ep)) return NULL;
  const float *A = src + start;
  if ((const float *)C < A + len && A < (const float *)C + (size_t)m * (size_t)n) {
    napi_throw_range_error(env, NULL, "mlpkit native: gemmFinite: source and product overlap");
    return NULL;
  }
  const int ok = finite_product(m, n, k, A, B, C, fused ? &ep : NULL);
  napi_value out;
  CHECK(env, napi_get_boolean(env, ok, &out));
  return out;
}

static napi_value GemmFinite(napi_env env, napi_callback_info info) { return gemm_finite_call(env, info, false); }

static napi_value GemmFiniteBiasAct(napi_env env, napi_callback_info info) { return gemm_finite_call(env, info, true); }

/* gemmBiasAct(buffer, m, n, k, A, B, C, bias, O, relu): C ← A·B + b and O ← C or ReLU(C), all in the arena. */
static napi_value GemmBiasAct(napi_env env, napi_callback_info info) {
  napi_value argv[10];
  if (!call_args(env, info, argv, 10, "gemmBiasAct")) return NULL;
  int32_t m = 0, n = 0, k = 0;
  CHECK(env, napi_get_value_int32(env, argv[1], &m));
  CHECK(env, napi_get_value_int32(env, argv[2], &n));
  CHECK(env, napi_get_value_int32(env, argv[3], &k));
  if (m < 0 || n < 0 || k < 0) {
    napi_throw_range_error(env, NULL, "mlpkit native: gemmBiasAct needs non-negative sizes");
    return NULL;
  }
  napi_value ops[4] = {argv[0], argv[4], argv[5], argv[6]};
  const float *A = arena_floats(env, ops, 1, (size_t)m * (size_t)k);
  const float *B = A == NULL ? NULL : arena_floats(env, ops, 2, (size_t)k * (size_t)n);
  float *C = B == NULL ? NULL : arena_floats(env, ops, 3, (size_t)m * (size_t)n);
  epilogue ep;
  napi_value epi[4] = {argv[0], argv[7], argv[8], argv[9]};
  if (C == NULL || !epilogue_args(env, epi, m, n, &ep)) return NULL;
  if (m > 0 && n > 0) product(false, false, m, n, k, 1.0f, A, k, B, n, 0.0f, C, n, &ep);
  return NULL;
}

static napi_value SumSq(napi_env env, napi_callback_info info) { return sum_call(env, info, sum_sq); }
static napi_value SumAbs(napi_env env, napi_callback_info info) { return sum_call(env, info, sum_abs); }

static napi_value Init(napi_env env, napi_value exports) {
  pick_variants();
  const char *products = getenv("MLPKIT_NATIVE_PRODUCTS");
  own_products = mlpkit_sgemm_available() && !(products != NULL && strcmp(products, "blas") == 0);
#ifndef MLPKIT_ACCELERATE
  if (own_products) openblas_set_num_threads(1);
#endif
  napi_property_descriptor props[] = {
    {"sgemm", NULL, Sgemm, NULL, NULL, NULL, napi_default, NULL},
    {"setThreads", NULL, SetThreads, NULL, NULL, NULL, napi_default, NULL},
    {"threads", NULL, Threads, NULL, NULL, NULL, napi_default, NULL},
    {"config", NULL, Config, NULL, NULL, NULL, napi_default, NULL},
    {"adamStep", NULL, AdamStep, NULL, NULL, NULL, napi_default, NULL},
    {"sumSq", NULL, SumSq, NULL, NULL, NULL, napi_default, NULL},
    {"sumAbs", NULL, SumAbs, NULL, NULL, NULL, napi_default, NULL},
    {"allFinite", NULL, AllFinite, NULL, NULL, NULL, napi_default, NULL},
    {"gatherRows", NULL, GatherRows, NULL, NULL, NULL, napi_default, NULL},
    {"copyFinite", NULL, CopyFinite, NULL, NULL, NULL, napi_default, NULL},
    {"gemmFinite", NULL, GemmFinite, NULL, NULL, NULL, napi_default, NULL},
    {"gemmFiniteBiasAct", NULL, GemmFiniteBiasAct, NULL, NULL, NULL, napi_default, NULL},
    {"gemmBiasAct", NULL, GemmBiasAct, NULL, NULL, NULL, napi_default, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
