/*
 * mlpkit's native products: cblas_sgemm from the platform's BLAS (OpenBLAS on Linux, Accelerate on
 * macOS) run directly on the memory of a WebAssembly arena. Every call names the arena's ArrayBuffer
 * and byte offsets into it, so nothing is copied: the product reads and writes the very Float32Arrays
 * the layers hold.
 *
 *   sgemm(buffer, transA, transB, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc)
 *     C ← α·op(A)·op(B) + β·C, row-major; A, B, C byte offsets into buffer (4-byte aligned).
 *   setThreads(n), threads()   the BLAS's own thread count (OpenBLAS; Accelerate decides alone: 1)
 *   config()                   the BLAS's build description (OpenBLAS: config and the core it picked)
 */
#include <node_api.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

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

static napi_value Sgemm(napi_env env, napi_callback_info info) {
  size_t argc = 14;
  napi_value argv[14];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 14) {
    napi_throw_type_error(env, NULL, "mlpkit native: sgemm takes 14 arguments");
    return NULL;
  }
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
  cblas_sgemm(CblasRowMajor, tA ? CblasTrans : CblasNoTrans, tB ? CblasTrans : CblasNoTrans, m, n, k,
              (float)alpha, (const float *)(mem + pA), lda, (const float *)(mem + pB), ldb,
              (float)beta, (float *)(mem + pC), ldc);
  return NULL;
}

static napi_value SetThreads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t t = 1;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  CHECK(env, napi_get_value_int32(env, argv[0], &t));
#ifndef MLPKIT_ACCELERATE
  openblas_set_num_threads(t < 1 ? 1 : t);
#endif
  return NULL;
}

static napi_value Threads(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value out;
#ifdef MLPKIT_ACCELERATE
  CHECK(env, napi_create_int32(env, 1, &out));
#else
  CHECK(env, napi_create_int32(env, openblas_get_num_threads(), &out));
#endif
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
  napi_value out;
  CHECK(env, napi_create_string_utf8(env, text, strlen(text), &out));
  return out;
}

static napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"sgemm", NULL, Sgemm, NULL, NULL, NULL, napi_default, NULL},
    {"setThreads", NULL, SetThreads, NULL, NULL, NULL, napi_default, NULL},
    {"threads", NULL, Threads, NULL, NULL, NULL, napi_default, NULL},
    {"config", NULL, Config, NULL, NULL, NULL, napi_default, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
