// The float64 reference of a row-major product C ← α·op(A)·op(B) + β·C (β = 0 reads no C), for the kernel
// suite and the native addon's tests.
export function gemmRef(tA: boolean, tB: boolean, m: number, n: number, k: number, alpha: number,
                 A: ArrayLike<number>, B: ArrayLike<number>, beta: number, C: ArrayLike<number>): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += (tA ? A[p * m + i]! : A[i * k + p]!) * (tB ? B[j * k + p]! : B[p * n + j]!);
      out[i * n + j] = alpha * s + (beta === 0 ? 0 : beta * C[i * n + j]!);
    }
  }
  return out;
}
