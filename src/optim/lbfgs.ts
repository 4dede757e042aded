/**
 * L-BFGS (Nocedal & Wright, Numerical Optimization, 2nd ed., Algorithm 7.4 and 7.5) for small
 * full-batch problems — scikit-learn's default MLP solver on small data.
 *
 * Each iteration: the two-loop recursion turns the gradient into a quasi-Newton direction
 * d = −H g from the last m pairs (s, y) = (θ_{k+1} − θ_k, g_{k+1} − g_k), with the initial matrix
 * H₀ = (sᵀy / yᵀy) I; then a line search finds a step α satisfying the strong Wolfe conditions
 *
 *   f(θ + α d) ≤ f(θ) + c₁ α gᵀd          (sufficient decrease, c₁ = 1e-4)
 *   |∇f(θ + α d)ᵀ d| ≤ c₂ |gᵀd|           (curvature, c₂ = 0.9)
 *
 * (Algorithms 3.5 and 3.6: bracketing, then zoom with cubic interpolation). The pair is stored only
 * if yᵀs > 0, which keeps H positive definite. The objective must be deterministic: no dropout.
 *
 * The state is plain numbers (JSON-safe), so a checkpoint can resume mid-run.
 */

export interface LbfgsSpec {
  readonly kind: 'lbfgs';
  /** Pairs (s, y) kept (m). Default 10. */
  readonly historySize?: number;
  /** Objective evaluations allowed per line search. Default 25. */
  readonly maxLineSearch?: number;
  /** Stop when max |gᵢ| ≤ this (scipy's pgtol). Default 1e-5. */
  readonly gradientTolerance?: number;
}

/** f(θ), writing ∇f(θ) into g. */
export type Objective = (x: Float64Array, g: Float64Array) => number;

/** L-BFGS state: the current point, its value and gradient, the last curvature pairs (s, y), and the counts. */
export interface LbfgsState {
  /** Current point, its value and gradient (empty before the first iteration). */
  x: Float64Array;
  f: number;
  g: Float64Array;
  s: Float64Array[];
  y: Float64Array[];
  iterations: number;
  evaluations: number;
}

/** What one L-BFGS iteration did: the new value, whether it converged, and why it stopped or goes on. */
export interface LbfgsStepResult {
  readonly f: number;
  readonly converged: boolean;
  /** Why it converged or stopped (for the history). */
  readonly reason: 'continue' | 'gradient' | 'noProgress';
}

const C1 = 1e-4;
const C2 = 0.9;

export function validateLbfgs(spec: LbfgsSpec): void {
  const m = spec.historySize ?? 10;
  if (!Number.isInteger(m) || m < 1) throw new Error(`optimizer 'lbfgs': historySize must be an integer ≥ 1, got ${m}`);
  const ls = spec.maxLineSearch ?? 25;
  if (!Number.isInteger(ls) || ls < 1) throw new Error(`optimizer 'lbfgs': maxLineSearch must be an integer ≥ 1, got ${ls}`);
  const tol = spec.gradientTolerance ?? 1e-5;
  if (!(tol >= 0)) throw new Error(`optimizer 'lbfgs': gradientTolerance must be ≥ 0, got ${tol}`);
}

/** L-BFGS state at the starting point x0, before any evaluation. */
export function lbfgsInit(x0: ArrayLike<number>): LbfgsState {
  return { x: Float64Array.from(x0), f: NaN, g: new Float64Array(x0.length), s: [], y: [], iterations: 0, evaluations: 0 };
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** d = −H g by the two-loop recursion. */
function direction(st: LbfgsState, d: Float64Array): void {
  const k = st.s.length;
  const alpha = new Float64Array(k);
  for (let i = 0; i < d.length; i++) d[i] = -st.g[i]!;
  for (let j = k - 1; j >= 0; j--) {
    const rho = 1 / dot(st.y[j]!, st.s[j]!);
    alpha[j] = rho * dot(st.s[j]!, d);
    const y = st.y[j]!;
    for (let i = 0; i < d.length; i++) d[i]! -= alpha[j]! * y[i]!;
  }
  if (k > 0) {
    const gamma = dot(st.s[k - 1]!, st.y[k - 1]!) / dot(st.y[k - 1]!, st.y[k - 1]!);
    for (let i = 0; i < d.length; i++) d[i]! *= gamma;
  }
  for (let j = 0; j < k; j++) {
    const rho = 1 / dot(st.y[j]!, st.s[j]!);
    const beta = rho * dot(st.y[j]!, d);
    const s = st.s[j]!;
    for (let i = 0; i < d.length; i++) d[i]! += (alpha[j]! - beta) * s[i]!;
  }
}

/** Minimizer of the cubic through (a, fa, dfa), (b, fb, dfb), kept inside the middle 80% of [a, b]. */
function cubicMin(a: number, fa: number, dfa: number, b: number, fb: number, dfb: number): number {
  const d1 = dfa + dfb - 3 * (fa - fb) / (a - b);
  const disc = d1 * d1 - dfa * dfb;
  const lo = Math.min(a, b);
  const hi = Math.max(a, b);
  let t = (a + b) / 2;
  if (disc >= 0) {
    const d2 = Math.sign(b - a) * Math.sqrt(disc);
    const c = b - (b - a) * ((dfb + d2 - d1) / (dfb - dfa + 2 * d2));
    if (Number.isFinite(c)) t = c;
  }
  const margin = 0.1 * (hi - lo);
  return Math.min(Math.max(t, lo + margin), hi - margin);
}

/**
 * One L-BFGS iteration (the first call also evaluates the starting point). Returns the new value.
 */
export function lbfgsStep(spec: LbfgsSpec, st: LbfgsState, objective: Objective): LbfgsStepResult {
  const n = st.x.length;
  const tol = spec.gradientTolerance ?? 1e-5;
  const eval_ = (x: Float64Array, g: Float64Array): number => { st.evaluations++; return objective(x, g); };
  if (st.iterations === 0 && Number.isNaN(st.f)) st.f = eval_(st.x, st.g);
  if (maxAbs(st.g) <= tol) return { f: st.f, converged: true, reason: 'gradient' };

  const d = new Float64Array(n);
  direction(st, d);
  let gtd = dot(st.g, d);
  if (!(gtd < 0)) {
    // Not a descent direction (numerical trouble): drop the memory and use steepest descent.
    st.s.length = 0;
    st.y.length = 0;
    for (let i = 0; i < n; i++) d[i] = -st.g[i]!;
    gtd = dot(st.g, d);
  }
  const alpha0 = st.s.length === 0 ? Math.min(1, 1 / sumAbs(st.g)) : 1;

  const xt = new Float64Array(n);
  const gt = new Float64Array(n);
  let lastF = NaN;
  const phi = (a: number): { f: number; dg: number } => {
    for (let i = 0; i < n; i++) xt[i] = st.x[i]! + a * d[i]!;
    lastF = eval_(xt, gt);
    return { f: lastF, dg: dot(gt, d) };
  };

  const f0 = st.f;
  const budget = spec.maxLineSearch ?? 25;
  let used = 0;
  let aPrev = 0;
  let fPrev = f0;
  let dPrev = gtd;
  let a = alpha0;
  let accepted = -1;
  let lo = 0, flo = f0, dlo = gtd, hi = 0, fhi = 0, dhi = 0;
  let bracketed = false;
  // Algorithm 3.5: grow α until the Wolfe conditions hold or a bracket [lo, hi] is found.
  while (used < budget) {
    const p = phi(a); used++;
    if (!Number.isFinite(p.f) || p.f > f0 + C1 * a * gtd || (used > 1 && p.f >= fPrev)) {
      lo = aPrev; flo = fPrev; dlo = dPrev; hi = a; fhi = p.f; dhi = p.dg; bracketed = true; break;
    }
    if (Math.abs(p.dg) <= -C2 * gtd) { accepted = a; break; }
    if (p.dg >= 0) { lo = a; flo = p.f; dlo = p.dg; hi = aPrev; fhi = fPrev; dhi = dPrev; bracketed = true; break; }
    aPrev = a; fPrev = p.f; dPrev = p.dg;
    a = Math.min(a * 2, 1e10);
  }
  // Algorithm 3.6: zoom inside the bracket.
  if (accepted < 0 && bracketed) {
    while (used < budget) {
      const aj = Number.isFinite(fhi) ? cubicMin(lo, flo, dlo, hi, fhi, dhi) : (lo + hi) / 2;
      const p = phi(aj); used++;
      if (!Number.isFinite(p.f) || p.f > f0 + C1 * aj * gtd || p.f >= flo) {
        hi = aj; fhi = p.f; dhi = p.dg;
      } else {
        if (Math.abs(p.dg) <= -C2 * gtd) { accepted = aj; break; }
        if (p.dg * (hi - lo) >= 0) { hi = lo; fhi = flo; dhi = dlo; }
        lo = aj; flo = p.f; dlo = p.dg;
      }
      if (Math.abs(hi - lo) < 1e-12 * Math.max(1, lo)) break;
    }
  }
  if (accepted < 0) {
    // No Wolfe point within the budget: take the best decrease seen, if any.
    const best = bracketed ? lo : aPrev;
    if (best === 0) return { f: st.f, converged: true, reason: 'noProgress' };
    phi(best);
    accepted = best;
  }

  // xt, gt hold the accepted point.
  const s = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) { s[i] = xt[i]! - st.x[i]!; y[i] = gt[i]! - st.g[i]!; }
  const fOld = st.f;
  st.x.set(xt);
  st.g.set(gt);
  st.f = lastF;
  const ys = dot(y, s);
  if (ys > 1e-10 * dot(y, y)) {
    st.s.push(s); st.y.push(y);
    if (st.s.length > (spec.historySize ?? 10)) { st.s.shift(); st.y.shift(); }
  }
  st.iterations++;
  // scipy's factr test: relative decrease below 1e7 · machine ε.
  const progress = Math.abs(fOld - st.f) <= 2.220446049250313e-9 * Math.max(Math.abs(fOld), Math.abs(st.f), 1);
  if (maxAbs(st.g) <= tol) return { f: st.f, converged: true, reason: 'gradient' };
  if (progress) return { f: st.f, converged: true, reason: 'noProgress' };
  return { f: st.f, converged: false, reason: 'continue' };
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

function sumAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m += Math.abs(a[i]!);
  return m;
}

/** The L-BFGS state as JSON. */
export interface LbfgsStateJSON {
  readonly x: number[]; readonly f: number | null; readonly g: number[];
  readonly s: number[][]; readonly y: number[][]; readonly iterations: number; readonly evaluations: number;
}

/** The L-BFGS state as plain JSON, for checkpoints. */
export function lbfgsStateToJSON(st: LbfgsState): LbfgsStateJSON {
  return {
    x: Array.from(st.x), f: Number.isNaN(st.f) ? null : st.f, g: Array.from(st.g),
    s: st.s.map((v) => Array.from(v)), y: st.y.map((v) => Array.from(v)), iterations: st.iterations, evaluations: st.evaluations,
  };
}

/** The L-BFGS state of lbfgsStateToJSON. */
export function lbfgsStateFromJSON(j: LbfgsStateJSON): LbfgsState {
  const n = j.x.length;
  const vec = (v: number[], what: string): Float64Array => {
    if (v.length !== n) throw new Error(`lbfgs state: ${what} has ${v.length} values, expected ${n}`);
    return Float64Array.from(v);
  };
  return {
    x: Float64Array.from(j.x), f: j.f ?? NaN, g: vec(j.g, 'g'),
    s: j.s.map((v, i) => vec(v, `s[${i}]`)), y: j.y.map((v, i) => vec(v, `y[${i}]`)), iterations: j.iterations, evaluations: j.evaluations,
  };
}
