// WebAssembly SIMD kernels for mlpkit (AssemblyScript). The JS side (src/kernels/wasm.ts) owns the
// memory: every pointer is a byte offset of a float32 array in it. Dimension legend as in
// src/kernels/backend.ts: m rows, n columns, k the inner dimension; all matrices row-major.
//
// Built twice (scripts/build-wasm.mjs): with relaxed SIMD, where f32x4.relaxed_madd is one fused
// multiply-add, and without, where it is a multiply then an add.

// The JS arena starts at `heapBase()`, after all static data (the tables behind Mathf.exp and
// Mathf.tanh live there). Nothing writable lives in static data: with a shared memory, instances on
// other threads see the same static data, so all scratch comes from the caller's `work`.

/** The first byte the JS side may use: everything below belongs to the module's static data. */
export function heapBase(): usize {
  return __heap_base;
}

// @ts-ignore: decorator
@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

// ---------------------------------------------------------------------------------------------
// gemm: C ← α·op(A)·op(B) + β·C, blocked GotoBLAS-style: for each block of KC inner indices, op(B)
// is packed into panels of NR = 8 columns (kc × 8, contiguous), op(A) into panels of MR = 4 rows
// (kc × 4, interleaved), and a 4×8 register tile of C (8 f32x4 accumulators) is computed per pair.

const MR = 4;
const NR = 8;
const KC = 256;

/** Bytes of packing space (and an edge-tile scratch) gemm needs for n columns (passed in as `work`). */
export function gemmWorkBytes(n: i32): i32 {
  const panels = (n + NR - 1) / NR;
  return (KC * NR * panels + KC * MR + MR * NR) * 4;
}

// @ts-ignore: decorator
@inline function transpose4(dst: usize, stride: usize, r0: v128, r1: v128, r2: v128, r3: v128): void {
  // Rows r0..r3 (4 lanes each) stored as columns: dst + q·stride holds (r0[q], r1[q], r2[q], r3[q]).
  const t0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5);
  const t1 = i32x4.shuffle(r2, r3, 0, 4, 1, 5);
  const t2 = i32x4.shuffle(r0, r1, 2, 6, 3, 7);
  const t3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
  v128.store(dst, i32x4.shuffle(t0, t1, 0, 1, 4, 5));
  v128.store(dst + stride, i32x4.shuffle(t0, t1, 2, 3, 6, 7));
  v128.store(dst + 2 * stride, i32x4.shuffle(t2, t3, 0, 1, 4, 5));
  v128.store(dst + 3 * stride, i32x4.shuffle(t2, t3, 2, 3, 6, 7));
}

// @ts-ignore: decorator
@inline function packB(transB: bool, k0: i32, kc: i32, n: i32, B: usize, ldb: i32, Bp: usize): void {
  for (let j0 = 0; j0 < n; j0 += NR) {
    const full = j0 + NR <= n;
    const panel = Bp + <usize>(j0 * kc) * 4;
    if (!transB) {
      let src = B + (<usize>k0 * ldb + j0) * 4;
      const stride = <usize>ldb * 4;
      if (full) {
        for (let p = 0; p < kc; p++) {
          v128.store(panel + <usize>p * 32, v128.load(src));
          v128.store(panel + <usize>p * 32, v128.load(src, 16), 16);
          src += stride;
        }
      } else {
        for (let p = 0; p < kc; p++) {
          for (let c = 0; c < NR; c++) {
            f32.store(panel + <usize>(p * NR + c) * 4, j0 + c < n ? f32.load(src + <usize>c * 4) : 0);
          }
          src += stride;
        }
      }
    } else if (full) {
      // op(B)[p][j] = B[j][p]: B is n × k with row stride ldb; 4×4 blocks transposed in registers.
      const row = <usize>ldb * 4;
      for (let c = 0; c < NR; c += 4) {
        const src = B + (<usize>(j0 + c) * ldb + k0) * 4;
        const dst = panel + <usize>c * 4;
        let p = 0;
        for (; p + 4 <= kc; p += 4) {
          const s = src + <usize>p * 4;
          transpose4(dst + <usize>p * 32, 32, v128.load(s), v128.load(s + row), v128.load(s + 2 * row), v128.load(s + 3 * row));
        }
        for (; p < kc; p++) {
          const s = src + <usize>p * 4;
          const d = dst + <usize>p * 32;
          f32.store(d, f32.load(s)); f32.store(d, f32.load(s + row), 4);
          f32.store(d, f32.load(s + 2 * row), 8); f32.store(d, f32.load(s + 3 * row), 12);
        }
      }
    } else {
      for (let c = 0; c < NR; c++) {
        const j = j0 + c;
        if (j < n) {
          const src = B + (<usize>j * ldb + k0) * 4;
          for (let p = 0; p < kc; p++) f32.store(panel + <usize>(p * NR + c) * 4, f32.load(src + <usize>p * 4));
        } else {
          for (let p = 0; p < kc; p++) f32.store(panel + <usize>(p * NR + c) * 4, 0);
        }
      }
    }
  }
}

// @ts-ignore: decorator
@inline function packA(transA: bool, i0: i32, m: i32, k0: i32, kc: i32, A: usize, lda: i32, Ap: usize): void {
  if (i0 + MR <= m) {
    if (transA) {
      // op(A)[i][p] = A[p][i]: A is k × m, so the 4 rows of a panel are contiguous in each A[p].
      let src = A + (<usize>k0 * lda + i0) * 4;
      const stride = <usize>lda * 4;
      for (let p = 0; p < kc; p++) { v128.store(Ap + <usize>p * 16, v128.load(src)); src += stride; }
    } else {
      const row = <usize>lda * 4;
      const src = A + (<usize>i0 * lda + k0) * 4;
      let p = 0;
      for (; p + 4 <= kc; p += 4) {
        const s = src + <usize>p * 4;
        transpose4(Ap + <usize>p * 16, 16, v128.load(s), v128.load(s + row), v128.load(s + 2 * row), v128.load(s + 3 * row));
      }
      for (; p < kc; p++) {
        const s = src + <usize>p * 4;
        const d = Ap + <usize>p * 16;
        f32.store(d, f32.load(s)); f32.store(d, f32.load(s + row), 4);
        f32.store(d, f32.load(s + 2 * row), 8); f32.store(d, f32.load(s + 3 * row), 12);
      }
    }
    return;
  }
  for (let r = 0; r < MR; r++) {
    const i = i0 + r;
    if (i >= m) {
      for (let p = 0; p < kc; p++) f32.store(Ap + <usize>(p * MR + r) * 4, 0);
    } else if (!transA) {
      const src = A + (<usize>i * lda + k0) * 4;
      for (let p = 0; p < kc; p++) f32.store(Ap + <usize>(p * MR + r) * 4, f32.load(src + <usize>p * 4));
    } else {
      const src = A + (<usize>k0 * lda + i) * 4;
      const stride = <usize>lda * 4;
      for (let p = 0; p < kc; p++) f32.store(Ap + <usize>(p * MR + r) * 4, f32.load(src + <usize>p * stride));
    }
  }
}

/** C[i0.., j0..] += α·(Ap · Bpanel), a 4 × 8 tile; rows/cols < 4/8 at the edges. */
// @ts-ignore: decorator
@inline function tile(kc: i32, Ap: usize, Bp: usize, C: usize, ldc: i32, alpha: f32, rows: i32, cols: i32, tmp: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let a = Ap;
  let b = Bp;
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(b);
    const b1 = v128.load(b, 16);
    let x = v128.load32_splat(a);
    c00 = madd(x, b0, c00); c01 = madd(x, b1, c01);
    x = v128.load32_splat(a, 4);
    c10 = madd(x, b0, c10); c11 = madd(x, b1, c11);
    x = v128.load32_splat(a, 8);
    c20 = madd(x, b0, c20); c21 = madd(x, b1, c21);
    x = v128.load32_splat(a, 12);
    c30 = madd(x, b0, c30); c31 = madd(x, b1, c31);
    a += 16;
    b += 32;
  }
  const al = f32x4.splat(alpha);
  const row = <usize>ldc * 4;
  if (rows == MR && cols == NR) {
    let c = C;
    v128.store(c, madd(c00, al, v128.load(c))); v128.store(c, madd(c01, al, v128.load(c, 16)), 16); c += row;
    v128.store(c, madd(c10, al, v128.load(c))); v128.store(c, madd(c11, al, v128.load(c, 16)), 16); c += row;
    v128.store(c, madd(c20, al, v128.load(c))); v128.store(c, madd(c21, al, v128.load(c, 16)), 16); c += row;
    v128.store(c, madd(c30, al, v128.load(c))); v128.store(c, madd(c31, al, v128.load(c, 16)), 16);
    return;
  }
  v128.store(tmp, c00); v128.store(tmp, c01, 16);
  v128.store(tmp, c10, 32); v128.store(tmp, c11, 48);
  v128.store(tmp, c20, 64); v128.store(tmp, c21, 80);
  v128.store(tmp, c30, 96); v128.store(tmp, c31, 112);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const dst = C + <usize>r * row + <usize>c * 4;
      f32.store(dst, f32.load(dst) + alpha * f32.load(tmp + <usize>(r * NR + c) * 4));
    }
  }
}

/**
 * C ← α·op(A)·op(B) + β·C for C of m contiguous rows of n. `lda` is A's row stride, so that a caller
 * can hand a block of A's rows (or, with transA, columns) to each of several threads.
 */
export function gemm(transA: bool, transB: bool, m: i32, n: i32, k: i32, alpha: f32,
                     A: usize, lda: i32, B: usize, beta: f32, C: usize, work: usize): void {
  const mn = m * n;
  if (beta == 0) memory.fill(C, 0, <usize>mn * 4);
  else if (beta != 1) scale(mn, beta, C);
  if (alpha == 0 || k == 0 || m == 0 || n == 0) return;
  if (m < MR && !transA && !transB) { smallRows(m, n, k, alpha, A, lda, B, C); return; }
  const ldb = transB ? k : n;
  const panels = (n + NR - 1) / NR;
  const Bp = work;
  const Ap = work + <usize>(KC * NR * panels) * 4;
  const tmp = Ap + <usize>(KC * MR) * 4;
  for (let k0 = 0; k0 < k; k0 += KC) {
    const kc = min(KC, k - k0);
    packB(transB, k0, kc, n, B, ldb, Bp);
    for (let i0 = 0; i0 < m; i0 += MR) {
      packA(transA, i0, m, k0, kc, A, lda, Ap);
      const rows = min(MR, m - i0);
      for (let j0 = 0; j0 < n; j0 += NR) {
        tile(kc, Ap, Bp + <usize>(j0 * kc) * 4, C + (<usize>i0 * n + j0) * 4, n, alpha, rows, min(NR, n - j0), tmp);
      }
    }
  }
}

/**
 * C += α·A·B for fewer rows than a micro-kernel tile (inference on one sample): packing B would cost
 * more than the product, so each row of C is built 16 columns at a time straight from B's rows.
 */
function smallRows(m: i32, n: i32, k: i32, alpha: f32, A: usize, lda: i32, B: usize, C: usize): void {
  const rowB = <usize>n * 4;
  const al = f32x4.splat(alpha);
  for (let i = 0; i < m; i++) {
    const a = A + <usize>(i * lda) * 4;
    const c = C + <usize>(i * n) * 4;
    let j0 = 0;
    for (; j0 + 16 <= n; j0 += 16) {
      let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
      let b = B + <usize>j0 * 4;
      for (let p = 0; p < k; p++) {
        const x = v128.load32_splat(a + <usize>p * 4);
        c0 = madd(x, v128.load(b), c0); c1 = madd(x, v128.load(b, 16), c1);
        c2 = madd(x, v128.load(b, 32), c2); c3 = madd(x, v128.load(b, 48), c3);
        b += rowB;
      }
      const o = c + <usize>j0 * 4;
      v128.store(o, madd(c0, al, v128.load(o))); v128.store(o, madd(c1, al, v128.load(o, 16)), 16);
      v128.store(o, madd(c2, al, v128.load(o, 32)), 32); v128.store(o, madd(c3, al, v128.load(o, 48)), 48);
    }
    for (; j0 < n; j0++) {
      let s: f32 = 0;
      for (let p = 0; p < k; p++) s += f32.load(a + <usize>p * 4) * f32.load(B + (<usize>p * n + j0) * 4);
      const o = c + <usize>j0 * 4;
      f32.store(o, f32.load(o) + alpha * s);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Elementwise kernels: a vector body over groups of 4, a scalar tail.

export function scale(len: i32, alpha: f32, x: usize): void {
  const a = f32x4.splat(alpha);
  let i = 0;
  for (; i + 4 <= len; i += 4) { const p = x + <usize>i * 4; v128.store(p, f32x4.mul(v128.load(p), a)); }
  for (; i < len; i++) { const p = x + <usize>i * 4; f32.store(p, f32.load(p) * alpha); }
}

export function axpy(len: i32, alpha: f32, x: usize, y: usize): void {
  const a = f32x4.splat(alpha);
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    const o = <usize>i * 4;
    v128.store(y + o, madd(v128.load(x + o), a, v128.load(y + o)));
  }
  for (; i < len; i++) { const o = <usize>i * 4; f32.store(y + o, f32.load(y + o) + alpha * f32.load(x + o)); }
}

export function copy(src: usize, dst: usize, len: i32): void {
  memory.copy(dst, src, <usize>len * 4);
}

export function mul(a: usize, b: usize, out: usize, len: i32): void {
  let i = 0;
  for (; i + 4 <= len; i += 4) { const o = <usize>i * 4; v128.store(out + o, f32x4.mul(v128.load(a + o), v128.load(b + o))); }
  for (; i < len; i++) { const o = <usize>i * 4; f32.store(out + o, f32.load(a + o) * f32.load(b + o)); }
}

export function mulAcc(a: usize, b: usize, out: usize, len: i32): void {
  let i = 0;
  for (; i + 4 <= len; i += 4) { const o = <usize>i * 4; v128.store(out + o, madd(v128.load(a + o), v128.load(b + o), v128.load(out + o))); }
  for (; i < len; i++) { const o = <usize>i * 4; f32.store(out + o, f32.load(out + o) + f32.load(a + o) * f32.load(b + o)); }
}

/** Y[i,:] += b. */
export function addRowVector(Y: usize, b: usize, m: i32, n: i32): void {
  for (let i = 0; i < m; i++) {
    const r = Y + <usize>(i * n) * 4;
    let j = 0;
    for (; j + 4 <= n; j += 4) { const o = <usize>j * 4; v128.store(r + o, f32x4.add(v128.load(r + o), v128.load(b + o))); }
    for (; j < n; j++) { const o = <usize>j * 4; f32.store(r + o, f32.load(r + o) + f32.load(b + o)); }
  }
}

/** db ← β·db + Σ_i dY[i,:]. */
export function sumRows(dY: usize, m: i32, n: i32, db: usize, beta: f32): void {
  if (beta == 0) memory.fill(db, 0, <usize>n * 4);
  else if (beta != 1) scale(n, beta, db);
  for (let i = 0; i < m; i++) {
    const r = dY + <usize>(i * n) * 4;
    let j = 0;
    for (; j + 4 <= n; j += 4) { const o = <usize>j * 4; v128.store(db + o, f32x4.add(v128.load(db + o), v128.load(r + o))); }
    for (; j < n; j++) { const o = <usize>j * 4; f32.store(db + o, f32.load(db + o) + f32.load(r + o)); }
  }
}

/** O = relu(I). */
export function relu(I: usize, O: usize, len: i32): void {
  const z = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= len; i += 4) { const o = <usize>i * 4; v128.store(O + o, f32x4.pmax(v128.load(I + o), z)); }
  for (; i < len; i++) { const o = <usize>i * 4; const x = f32.load(I + o); f32.store(O + o, x > 0 ? x : 0); }
}

/** dI = β·dI + dO·[I > 0] (ReLU′(0) = 0, as the TypeScript reference). */
export function reluGrad(I: usize, dO: usize, dI: usize, len: i32, beta: f32): void {
  const z = f32x4.splat(0);
  const bt = f32x4.splat(beta);
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    const o = <usize>i * 4;
    const g = v128.and(v128.load(dO + o), f32x4.gt(v128.load(I + o), z));
    v128.store(dI + o, beta == 0 ? g : madd(v128.load(dI + o), bt, g));
  }
  for (; i < len; i++) {
    const o = <usize>i * 4;
    const g: f32 = f32.load(I + o) > 0 ? f32.load(dO + o) : 0;
    f32.store(dI + o, beta == 0 ? g : beta * f32.load(dI + o) + g);
  }
}

// ---------------------------------------------------------------------------------------------
// exp, σ and tanh on four lanes (Cephes' single-precision approximations: relative error ~2e-7).

// @ts-ignore: decorator
@inline function exp4(x0: v128): v128 {
  // pmin/pmax are one instruction each (min/max's NaN and −0 rules cost several); a NaN still passes through.
  const x = f32x4.pmin(f32x4.pmax(x0, f32x4.splat(-87.3)), f32x4.splat(88.7));
  // n = round(x·log2 e) by the 1.5·2²³ shift: t's low mantissa bits then hold n as an integer.
  const t = madd(x, f32x4.splat(1.44269504088896341), f32x4.splat(12582912));
  const n = f32x4.sub(t, f32x4.splat(12582912));
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(-2.12194440e-4)));
  let p = f32x4.splat(1.9875691500e-4);
  p = madd(p, r, f32x4.splat(1.3981999507e-3));
  p = madd(p, r, f32x4.splat(8.3334519073e-3));
  p = madd(p, r, f32x4.splat(4.1665795894e-2));
  p = madd(p, r, f32x4.splat(1.6666665459e-1));
  p = madd(p, r, f32x4.splat(5.0000001201e-1));
  p = madd(p, f32x4.mul(r, r), f32x4.add(r, f32x4.splat(1)));
  // 2ⁿ built from its exponent bits.
  const pow2 = i32x4.shl(i32x4.add(i32x4.sub(t, i32x4.splat(0x4B400000)), i32x4.splat(127)), 23);
  return f32x4.mul(p, pow2);
}

// @ts-ignore: decorator
@inline function sigmoid4(x: v128): v128 {
  const one = f32x4.splat(1);
  return f32x4.div(one, f32x4.add(one, exp4(f32x4.neg(x))));
}

// @ts-ignore: decorator
@inline function tanh4(x: v128): v128 {
  const ax = f32x4.abs(x);
  // |x| < 0.625: x + x·z·P(z), z = x² (no cancellation near 0); else 1 − 2/(e^{2|x|} + 1) with x's sign.
  const z = f32x4.mul(x, x);
  let p = f32x4.splat(-5.70498872745e-3);
  p = madd(p, z, f32x4.splat(2.06390887954e-2));
  p = madd(p, z, f32x4.splat(-5.37397155531e-2));
  p = madd(p, z, f32x4.splat(1.33314422036e-1));
  p = madd(p, z, f32x4.splat(-3.33332819422e-1));
  const small = madd(f32x4.mul(p, z), x, x);
  const e = exp4(f32x4.add(ax, ax));
  const big = f32x4.sub(f32x4.splat(1), f32x4.div(f32x4.splat(2), f32x4.add(e, f32x4.splat(1))));
  const signed = v128.or(big, v128.and(x, i32x4.splat(0x80000000)));
  return v128.bitselect(small, signed, f32x4.lt(ax, f32x4.splat(0.625)));
}

/** O = σ(I). */
export function sigmoid(I: usize, O: usize, len: i32): void {
  let i = 0;
  for (; i + 4 <= len; i += 4) { const o = <usize>i * 4; v128.store(O + o, sigmoid4(v128.load(I + o))); }
  for (; i < len; i++) {
    const o = <usize>i * 4;
    const x = f32.load(I + o);
    let y: f32;
    if (x >= 0) y = 1 / (1 + Mathf.exp(-x));
    else { const e = Mathf.exp(x); y = e / (1 + e); }
    f32.store(O + o, y);
  }
}

/** dI = β·dI + dO·O(1 − O). */
export function sigmoidGrad(O: usize, dO: usize, dI: usize, len: i32, beta: f32): void {
  const one = f32x4.splat(1);
  const bt = f32x4.splat(beta);
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    const o = <usize>i * 4;
    const y = v128.load(O + o);
    const g = f32x4.mul(v128.load(dO + o), f32x4.mul(y, f32x4.sub(one, y)));
    v128.store(dI + o, beta == 0 ? g : madd(v128.load(dI + o), bt, g));
  }
  for (; i < len; i++) {
    const o = <usize>i * 4;
    const y = f32.load(O + o);
    const g = f32.load(dO + o) * y * (1 - y);
    f32.store(dI + o, beta == 0 ? g : beta * f32.load(dI + o) + g);
  }
}

/** O = tanh(I). */
export function tanh(I: usize, O: usize, len: i32): void {
  let i = 0;
  for (; i + 4 <= len; i += 4) { const o = <usize>i * 4; v128.store(O + o, tanh4(v128.load(I + o))); }
  for (; i < len; i++) { const o = <usize>i * 4; f32.store(O + o, Mathf.tanh(f32.load(I + o))); }
}

/** dI = β·dI + dO·(1 − O²). */
export function tanhGrad(O: usize, dO: usize, dI: usize, len: i32, beta: f32): void {
  const one = f32x4.splat(1);
  const bt = f32x4.splat(beta);
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    const o = <usize>i * 4;
    const y = v128.load(O + o);
    const g = f32x4.mul(v128.load(dO + o), f32x4.sub(one, f32x4.mul(y, y)));
    v128.store(dI + o, beta == 0 ? g : madd(v128.load(dI + o), bt, g));
  }
  for (; i < len; i++) {
    const o = <usize>i * 4;
    const y = f32.load(O + o);
    const g = f32.load(dO + o) * (1 - y * y);
    f32.store(dI + o, beta == 0 ? g : beta * f32.load(dI + o) + g);
  }
}

/** Lane-wise maximum of the four lanes. */
// @ts-ignore: decorator
@inline function hmax(v: v128): f32 {
  const h = f32x4.pmax(v, i32x4.shuffle(v, v, 2, 3, 0, 1));
  return max(f32x4.extract_lane(h, 0), f32x4.extract_lane(h, 1));
}

// @ts-ignore: decorator
@inline function hsum(v: v128): f32 {
  const h = f32x4.add(v, i32x4.shuffle(v, v, 2, 3, 0, 1));
  return f32x4.extract_lane(h, 0) + f32x4.extract_lane(h, 1);
}

/** The maximum of row r (n > 0 elements). */
// @ts-ignore: decorator
@inline function rowMax(r: usize, n: i32): f32 {
  let j = 0;
  let mx: f32 = -Infinity;
  if (n >= 4) {
    let v = v128.load(r);
    for (j = 4; j + 4 <= n; j += 4) v = f32x4.pmax(v, v128.load(r + <usize>j * 4));
    mx = hmax(v);
  }
  for (; j < n; j++) mx = max(mx, f32.load(r + <usize>j * 4));
  return mx;
}

/** O[i,:] = exp(I[i,:] − max) / Σ exp(I[i,:] − max). */
export function softmaxRows(I: usize, O: usize, m: i32, n: i32): void {
  if (n <= 0) return;
  for (let i = 0; i < m; i++) {
    const r = I + <usize>(i * n) * 4;
    const o = O + <usize>(i * n) * 4;
    const mx = rowMax(r, n);
    const vm = f32x4.splat(mx);
    let acc = f32x4.splat(0);
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const e = exp4(f32x4.sub(v128.load(r + <usize>j * 4), vm));
      v128.store(o + <usize>j * 4, e);
      acc = f32x4.add(acc, e);
    }
    let s = hsum(acc);
    for (; j < n; j++) { const e = Mathf.exp(f32.load(r + <usize>j * 4) - mx); f32.store(o + <usize>j * 4, e); s += e; }
    scale(n, 1 / s, o);
  }
}

export function fill(x: usize, v: f32, len: i32): void {
  const s = f32x4.splat(v);
  let i = 0;
  for (; i + 4 <= len; i += 4) v128.store(x + <usize>i * 4, s);
  for (; i < len; i++) f32.store(x + <usize>i * 4, v);
}

// @ts-ignore: decorator
@inline function biasActRows(I: usize, b: usize, O: usize, m: i32, n: i32, act: i32): void {
  for (let i = 0; i < m; i++) {
    const r = I + <usize>(i * n) * 4;
    const o = O + <usize>(i * n) * 4;
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const off = <usize>j * 4;
      const x = f32x4.add(v128.load(r + off), v128.load(b + off));
      v128.store(r + off, x);
      let y = x;
      if (act == 1) y = f32x4.pmax(x, f32x4.splat(0));
      else if (act == 2) y = sigmoid4(x);
      else if (act == 3) y = tanh4(x);
      v128.store(o + off, y);
    }
    for (; j < n; j++) {
      const off = <usize>j * 4;
      const x = f32.load(r + off) + f32.load(b + off);
      f32.store(r + off, x);
      let y = x;
      if (act == 1) y = x > 0 ? x : 0;
      else if (act == 2) y = x >= 0 ? 1 / (1 + Mathf.exp(-x)) : Mathf.exp(x) / (1 + Mathf.exp(x));
      else if (act == 3) y = Mathf.tanh(x);
      f32.store(o + off, y);
    }
  }
}

/**
 * Bias and activation fused (a dense layer's forward after its product): I[i,:] += b, then
 * O[i,:] = f(I[i,:]), row by row while the row is in cache. `act`: 0 identity, 1 ReLU, 2 σ, 3 tanh.
 * One inlined copy per activation, so that no branch on `act` is left in the loops.
 */
export function biasAct(I: usize, b: usize, O: usize, m: i32, n: i32, act: i32): void {
  if (act == 1) biasActRows(I, b, O, m, n, 1);
  else if (act == 2) biasActRows(I, b, O, m, n, 2);
  else if (act == 3) biasActRows(I, b, O, m, n, 3);
  else biasActRows(I, b, O, m, n, 0);
}

// ---------------------------------------------------------------------------------------------
// Reductions accumulate in float64 (f64x2), as the TypeScript reference does.

// Four independent f64x2 sums (eight floats a step): one chain would wait on each add's latency.

@inline function sq(v: v128): v128 {
  const lo = f64x2.promote_low_f32x4(v);
  const hi = f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1));
  return f64x2.add(f64x2.mul(lo, lo), f64x2.mul(hi, hi));
}

@inline function ab(v: v128): v128 {
  const a = f32x4.abs(v);
  return f64x2.add(f64x2.promote_low_f32x4(a), f64x2.promote_low_f32x4(i32x4.shuffle(a, a, 2, 3, 0, 1)));
}

@inline function sumOf(x: usize, len: i32, square: bool): f64 {
  let a0 = f64x2.splat(0), a1 = f64x2.splat(0), a2 = f64x2.splat(0), a3 = f64x2.splat(0);
  let i = 0;
  for (; i + 16 <= len; i += 16) {
    const p = x + <usize>i * 4;
    if (square) {
      a0 = f64x2.add(a0, sq(v128.load(p))); a1 = f64x2.add(a1, sq(v128.load(p, 16)));
      a2 = f64x2.add(a2, sq(v128.load(p, 32))); a3 = f64x2.add(a3, sq(v128.load(p, 48)));
    } else {
      a0 = f64x2.add(a0, ab(v128.load(p))); a1 = f64x2.add(a1, ab(v128.load(p, 16)));
      a2 = f64x2.add(a2, ab(v128.load(p, 32))); a3 = f64x2.add(a3, ab(v128.load(p, 48)));
    }
  }
  for (; i + 4 <= len; i += 4) a0 = f64x2.add(a0, square ? sq(v128.load(x + <usize>i * 4)) : ab(v128.load(x + <usize>i * 4)));
  const acc = f64x2.add(f64x2.add(a0, a1), f64x2.add(a2, a3));
  let s = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
  for (; i < len; i++) { const v = <f64>f32.load(x + <usize>i * 4); s += square ? v * v : Math.abs(v); }
  return s;
}

export function sumSq(x: usize, len: i32): f64 { return sumOf(x, len, true); }

export function sumAbs(x: usize, len: i32): f64 { return sumOf(x, len, false); }

/** One SGD step (see Kernels.sgdStep): v = 0 when there is no velocity (momentum 0). */
export function sgdStep(len: i32, params: usize, grads: usize, v: usize, lr: f32, mu: f32, nesterov: bool): void {
  const eta = f32x4.splat(lr), m = f32x4.splat(mu);
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    const o = <usize>i * 4;
    const g = v128.load(grads + o);
    let u = g;
    if (v != 0) {
      const vi = madd(m, v128.load(v + o), g);
      v128.store(v + o, vi);
      u = nesterov ? madd(m, vi, g) : vi;
    }
    v128.store(params + o, f32x4.sub(v128.load(params + o), f32x4.mul(eta, u)));
  }
  for (; i < len; i++) {
    const o = <usize>i * 4;
    const g = f32.load(grads + o);
    let u = g;
    if (v != 0) {
      const vi = mu * f32.load(v + o) + g;
      f32.store(v + o, vi);
      u = nesterov ? g + mu * vi : vi;
    }
    f32.store(params + o, f32.load(params + o) - lr * u);
  }
}

/**
 * One Adam step (see Kernels.adamStep): f32x4 over the flat parameter buffer, moments in place; θ before
 * the step into keep (0: none). Returns the largest |θ| after it, read as an unsigned maximum of the
 * values' bits without the sign (exact in any order; NaN above every finite value and ∞).
 */
export function adamStep(len: i32, params: usize, grads: usize, m: usize, v: usize, stepSize: f32,
                         beta1: f32, beta2: f32, epsilon: f32, sqrtC2: f32, keep: usize): f32 {
  const b1 = f32x4.splat(beta1), c1 = f32x4.splat(1 - beta1);
  const b2 = f32x4.splat(beta2), c2 = f32x4.splat(1 - beta2);
  const step = f32x4.splat(stepSize), eps = f32x4.splat(epsilon), inv = f32x4.splat(1 / sqrtC2);
  const magnitude = i32x4.splat(0x7fffffff);
  let top = i32x4.splat(0);
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    const o = <usize>i * 4;
    const g = v128.load(grads + o);
    const mi = madd(b1, v128.load(m + o), f32x4.mul(c1, g));
    const vi = madd(b2, v128.load(v + o), f32x4.mul(c2, f32x4.mul(g, g)));
    v128.store(m + o, mi);
    v128.store(v + o, vi);
    const den = madd(f32x4.sqrt(vi), inv, eps);
    const p = v128.load(params + o);
    if (keep != 0) v128.store(keep + o, p);
    const q = f32x4.sub(p, f32x4.div(f32x4.mul(step, mi), den));
    v128.store(params + o, q);
    top = i32x4.max_u(top, v128.and(q, magnitude));
  }
  let last = max<u32>(max<u32>(i32x4.extract_lane(top, 0), i32x4.extract_lane(top, 1)),
                      max<u32>(i32x4.extract_lane(top, 2), i32x4.extract_lane(top, 3)));
  for (; i < len; i++) {
    const o = <usize>i * 4;
    const g = f32.load(grads + o);
    const mi = beta1 * f32.load(m + o) + (1 - beta1) * g;
    const vi = beta2 * f32.load(v + o) + (1 - beta2) * g * g;
    f32.store(m + o, mi);
    f32.store(v + o, vi);
    const p = f32.load(params + o);
    if (keep != 0) f32.store(keep + o, p);
    const q = p - stepSize * mi / (Mathf.sqrt(vi) / sqrtC2 + epsilon);
    f32.store(params + o, q);
    last = max<u32>(last, reinterpret<u32>(q) & 0x7fffffff);
  }
  return reinterpret<f32>(last);
}
