/**
 * The statistics of a paired comparison: mean ± sample standard deviation, the paired t-test and the
 * Wilcoxon signed-rank test on per-seed differences, both two-sided with exact p-values (Student's t from the
 * regularized incomplete beta function; Wilcoxon from the exact permutation distribution of W⁺, ties included).
 */

/** Mean and sample standard deviation (n − 1); the deviation of one value is 0. */
export function meanSd(a: readonly number[]): { mean: number; sd: number } {
  const n = a.length;
  if (n === 0) return { mean: NaN, sd: NaN };
  const mean = a.reduce((s, v) => s + v, 0) / n;
  const sd = n > 1 ? Math.sqrt(a.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, sd };
}

/** log Γ(x) for x > 0 (Lanczos, g = 7, nine terms; relative error ~1e-15). */
export function logGamma(x: number): number {
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const z = x - 1;
  let s = c[0]!;
  for (let i = 1; i < 9; i++) s += c[i]! / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(s);
}

/** Continued fraction of the incomplete beta function (modified Lentz), valid for x < (a + 1)/(a + b + 2). */
function betaFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d; if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c; if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d; h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d; if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c; if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return h;
}

/** The regularized incomplete beta function I_x(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2) ? (front * betaFraction(a, b, x)) / a : 1 - (front * betaFraction(b, a, 1 - x)) / b;
}

/** P(|T| ≥ |t|) for Student's t with `df` degrees of freedom. */
export function studentTwoSided(t: number, df: number): number {
  if (!Number.isFinite(t)) return Number.isNaN(t) ? NaN : 0;
  return incompleteBeta(df / (df + t * t), df / 2, 0.5);
}

/** A paired t-test on differences: their count, mean and sd, t, the degrees of freedom and the two-sided p. */
export interface PairedTTest {
  readonly n: number;
  readonly meanDifference: number;
  readonly sdDifference: number;
  readonly t: number;
  readonly df: number;
  /** Two-sided. 1 when every difference is 0; 0 when they are all equal and non-zero. */
  readonly p: number;
}

/** The paired t-test of differences d (b − a per seed): t = mean(d) / (sd(d)/√n), n − 1 degrees of freedom. */
export function pairedTTest(d: readonly number[]): PairedTTest {
  const n = d.length;
  if (n < 2) throw new Error(`paired t-test: needs at least 2 pairs, got ${n}`);
  const { mean, sd } = meanSd(d);
  const se = sd / Math.sqrt(n);
  const t = se === 0 ? (mean === 0 ? 0 : Math.sign(mean) * Infinity) : mean / se;
  return { n, meanDifference: mean, sdDifference: sd, t, df: n - 1, p: se === 0 && mean === 0 ? 1 : studentTwoSided(t, n - 1) };
}

/** The exact Wilcoxon signed-rank test on differences: the non-zero count, the rank sums and the two-sided p. */
export interface WilcoxonTest {
  /** Non-zero differences (zeros are dropped, Wilcoxon's convention). */
  readonly n: number;
  /** Sum of the ranks of |d| over the positive differences. */
  readonly wPlus: number;
  readonly wMinus: number;
  /** Two-sided exact p-value: 2·P(W⁺ ≤ min(W⁺, W⁻)) under random signs, at most 1. */
  readonly p: number;
}

/** Ranks 1…n of |d|, ties sharing their average rank. */
function absRanks(d: readonly number[]): number[] {
  const order = d.map((v, i) => [Math.abs(v), i] as const).sort((p, q) => p[0] - q[0]);
  const ranks = new Array<number>(d.length);
  for (let s = 0; s < order.length;) {
    let e = s;
    while (e + 1 < order.length && order[e + 1]![0] === order[s]![0]) e++;
    for (let k = s; k <= e; k++) ranks[order[k]![1]] = (s + e + 2) / 2;
    s = e + 1;
  }
  return ranks;
}

/**
 * The Wilcoxon signed-rank test on differences d, exact: the null distribution of W⁺ is that of a sum of the
 * ranks with independent random signs, counted by dynamic programming over doubled ranks (integers even with
 * ties), so the p-value is exact for any n this is used with (the table has Σ 2·rank entries).
 */
export function wilcoxonSignedRank(d: readonly number[]): WilcoxonTest {
  const nz = d.filter((v) => v !== 0);
  const n = nz.length;
  if (n === 0) return { n, wPlus: 0, wMinus: 0, p: 1 };
  const ranks = absRanks(nz);
  const wPlus = nz.reduce((s, v, i) => s + (v > 0 ? ranks[i]! : 0), 0);
  const total = ranks.reduce((s, r) => s + r, 0);
  const doubled = ranks.map((r) => Math.round(2 * r));
  const max = doubled.reduce((s, r) => s + r, 0);
  // counts[s]: number of sign patterns whose doubled W⁺ is s (as probabilities, to stay finite for large n).
  let counts = new Float64Array(max + 1);
  counts[0] = 1;
  for (const r of doubled) {
    const next = new Float64Array(max + 1);
    for (let s = 0; s <= max; s++) {
      const c = counts[s]!;
      if (c === 0) continue;
      next[s]! += 0.5 * c;
      next[s + r]! += 0.5 * c;
    }
    counts = next;
  }
  const low = Math.round(2 * Math.min(wPlus, total - wPlus));
  let tail = 0;
  for (let s = 0; s <= low; s++) tail += counts[s]!;
  return { n, wPlus, wMinus: total - wPlus, p: Math.min(1, 2 * tail) };
}
