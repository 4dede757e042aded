// One kernel suite for every backend: each kernel runs on the TypeScript reference, the WebAssembly
// SIMD backend (and its relaxed-SIMD build where the runtime has it) and the native BLAS backend (where
// its addon loads; every product handed to the BLAS, however small) with the same inputs, held in
// slots at odd element offsets of an arena that grows while they are allocated. Each backend is
// checked against float64 arithmetic written here, and the WebAssembly results against the
// TypeScript ones: float32 relative difference ≤ 1e-5 (relative to the largest magnitude of the
// result; gemm's bound grows with √k, the float32 rounding of a length-k sum).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ACTIVATIONS, type Activation } from '../../src/activations.js';
import type { Backend, Kernels, Vec } from '../../src/kernels/backend.js';
import { tsBackend } from '../../src/kernels/ts.js';
import { createWasmBackend, hasBiasMap, relaxedSimdSupported, WasmArena } from '../../src/kernels/wasm.js';
import { createNativeBackend } from '../../src/kernels/native.js';
import { enableRelaxedSimd, nativeBlas } from '../../src/node/native.js';
import { Rng } from '../../src/rng.js';
import { gemmRef } from '../helpers/gemm-ref.js';

// The command turns relaxed SIMD on where the runtime can validate it (Node 20: a V8 flag), so the suite does too.
enableRelaxedSimd();

const wasmBackends: Backend[] = [createWasmBackend({ relaxed: false })];
if (relaxedSimdSupported()) wasmBackends.push(createWasmBackend({ relaxed: true }));
const blas = nativeBlas();
if (blas !== null) wasmBackends.push(createNativeBackend(blas, { minMultiplyAdds: 0 }));
const backends: Backend[] = [tsBackend, ...wasmBackends];

const rng = new Rng(2024);

function randoms(len: number, spread = 1): Float64Array {
  const a = new Float64Array(len);
  // Rounded to float32 so that the float64 reference sees exactly what the kernels see.
  for (let i = 0; i < len; i++) a[i] = Math.fround(spread * rng.normal());
  return a;
}

interface Run { readonly bufs: Float64Array[]; readonly ret: number | undefined; readonly fallbacks: number }

/**
 * Runs `call` on `backend` with one slot per buffer. A pad slot and a one-element shift put every
 * view at an odd element offset (not 16-byte aligned); the arena starts tiny, so it grows and moves
 * while the slots are allocated, and the views the call receives are the re-derived ones.
 */
function runOn(backend: Backend, init: readonly Float64Array[], maxColumns: number,
               call: (k: Kernels, v: Vec[]) => number | void): Run {
  const arena = backend.createArena('float32', 8);
  arena.alloc(3 + rng.int(5));
  const slots = init.map((b) => arena.sub(arena.alloc(b.length + 1), 1, b.length));
  arena.reserveWorkspace(maxColumns);
  slots.forEach((s, i) => s.a.set(init[i]!));
  const ret = call(arena.kernels, slots.map((s) => s.a));
  for (const s of slots) assert.equal(s.a.buffer, arena.alloc(0).a.buffer, 'a view was not re-derived after the arena grew');
  return {
    bufs: slots.map((s) => Float64Array.from(s.a)),
    ret: ret ?? undefined,
    fallbacks: arena instanceof WasmArena ? arena.fallbacks : 0,
  };
}

function maxAbs(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s = Math.max(s, Math.abs(a[i]!));
  return s;
}

/** |got − want| ≤ tol·max(1, max|want|) elementwise. */
function close(got: ArrayLike<number>, want: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  const bound = tol * Math.max(1, maxAbs(want));
  for (let i = 0; i < want.length; i++) {
    const d = Math.abs(got[i]! - want[i]!);
    assert.ok(d <= bound, `${what}: index ${i}: got ${got[i]}, want ${want[i]} (|diff| ${d.toExponential(2)} > ${bound.toExponential(2)})`);
  }
}

/**
 * Runs a kernel on every backend, checks each against the float64 reference `want` (buffers listed in
 * `outputs`, plus the returned number), and the WebAssembly backends against the TypeScript one.
 */
function check(what: string, init: readonly Float64Array[], outputs: readonly number[], want: { bufs: readonly ArrayLike<number>[]; ret?: number },
               call: (k: Kernels, v: Vec[]) => number | void, opts: { tol?: number; maxColumns?: number } = {}): void {
  const tol = opts.tol ?? 1e-5;
  const runs = backends.map((b) => ({ name: b.name, run: runOn(b, init, opts.maxColumns ?? 1, call) }));
  for (const { name, run } of runs) {
    assert.equal(run.fallbacks, 0, `${name} ${what}: gemm fell back to TypeScript`);
    outputs.forEach((o, i) => close(run.bufs[o]!, want.bufs[i]!, tol, `${name} ${what} (output ${o}) vs float64`));
    if (want.ret !== undefined) close([run.ret!], [want.ret], tol, `${name} ${what} (result) vs float64`);
  }
  const ts = runs[0]!.run;
  for (const { name, run } of runs.slice(1)) {
    for (const o of outputs) close(run.bufs[o]!, ts.bufs[o]!, tol, `${name} ${what} (output ${o}) vs ${tsBackend.name}`);
    if (want.ret !== undefined) close([run.ret!], [ts.ret!], tol, `${name} ${what} (result) vs ${tsBackend.name}`);
  }
}

// ---------------------------------------------------------------------------------------------
// float64 references

const odd = [1, 3, 4, 5, 8, 17, 33, 129];

for (const tA of [false, true]) {
  for (const tB of [false, true]) {
    test(`gemm ${tA ? 'Aᵀ' : 'A'}·${tB ? 'Bᵀ' : 'B'} agrees with float64 on odd and random shapes for β = 0, 1 and others`, () => {
      // The last two cross the native products' blocks: more than 256 columns, more than 1,024 steps deep.
      const shapes: [number, number, number][] = [[1, 1, 1], [3, 17, 5], [17, 3, 129], [129, 33, 17], [4, 8, 300], [1, 129, 33], [2, 10, 128],
        [13, 300, 1100], [25, 529, 40]];
      for (let r = 0; r < 6; r++) shapes.push([odd[rng.int(odd.length)]!, odd[rng.int(odd.length)]!, 1 + rng.int(300)]);
      for (const [m, n, k] of shapes) {
        for (const [alpha, beta] of [[1, 0], [1, 1], [0.5, -2], [-1.5, 0.25]] as const) {
          const A = randoms(m * k);
          const B = randoms(k * n);
          const C = randoms(m * n);
          check(`gemm ${m}×${n}×${k} α=${alpha} β=${beta}`, [A, B, C], [2], { bufs: [gemmRef(tA, tB, m, n, k, alpha, A, B, beta, C)] },
            (kk, [a, b, c]) => kk.gemm(tA, tB, m, n, k, alpha, a!, b!, beta, c!), { tol: 1e-5 * Math.sqrt(k), maxColumns: n });
        }
      }
    });
  }
}

test('gemm with β = 0 does not let NaNs already in C through', () => {
  const A = randoms(5 * 7);
  const B = randoms(7 * 9);
  const C = new Float64Array(5 * 9).fill(NaN);
  check('gemm β=0 over NaN', [A, B, C], [2], { bufs: [gemmRef(false, false, 5, 9, 7, 1, A, B, 0, C)] },
    (k, [a, b, c]) => k.gemm(false, false, 5, 9, 7, 1, a!, b!, 0, c!), { maxColumns: 9 });
});

test('addRowVector and sumRows agree with float64, sumRows for β = 0, 1 and others', () => {
  for (const [m, n] of [[1, 1], [3, 5], [17, 4], [8, 129], [33, 17]] as const) {
    const Y = randoms(m * n);
    const b = randoms(n);
    const want = Y.map((v, i) => v + b[i % n]!);
    check(`addRowVector ${m}×${n}`, [Y, b], [0], { bufs: [want] }, (k, [y, bb]) => k.addRowVector(y!, bb!, m, n));
    for (const beta of [0, 1, 0.3]) {
      const db = randoms(n);
      const sums = db.map((v, j) => {
        let s = beta === 0 ? 0 : beta * v;
        for (let i = 0; i < m; i++) s += Y[i * n + j]!;
        return s;
      });
      check(`sumRows ${m}×${n} β=${beta}`, [Y, db], [1], { bufs: [sums] }, (k, [y, d]) => k.sumRows(y!, m, n, d!, beta), { tol: 1e-5 * Math.sqrt(m) });
    }
  }
});

const mapped: readonly Activation[] = [ACTIVATIONS.identity, ACTIVATIONS.relu, ACTIVATIONS.sigmoid, ACTIVATIONS.tanh, ACTIVATIONS.elu, ACTIVATIONS.softplus];

test('map and mapGrad agree with the activations\' own f and f′ (fast paths and fallbacks), for β = 0, 1 and others', () => {
  for (const f of mapped) {
    for (const len of [1, 3, 4, 17, 129, 1000]) {
      // Wide inputs reach the saturated tails of σ and tanh; zero is kept away from for ReLU's kink.
      const I = randoms(len, 6).map((x) => (x === 0 ? 0.5 : x));
      const O = new Float64Array(len);
      const want = I.map((x) => Math.fround(f.f(x)));
      check(`${f.name} ${len}`, [I, O], [1], { bufs: [want] }, (k, [i, o]) => k.map(f, i!, o!, len));
      for (const beta of [0, 1, -0.5]) {
        const dO = randoms(len);
        const dI = randoms(len);
        const g = dI.map((v, i) => (beta === 0 ? 0 : beta * v) + dO[i]! * f.df(I[i]!, want[i]!));
        check(`${f.name}′ ${len} β=${beta}`, [I, Float64Array.from(want), dO, dI], [3], { bufs: [g] },
          (k, [i, o, d, di]) => k.mapGrad(f, i!, o!, d!, di!, len, beta));
      }
    }
  }
});

test('map works in place (O the same view as I)', () => {
  for (const f of mapped) {
    const I = randoms(37, 4);
    check(`${f.name} in place`, [I], [0], { bufs: [I.map((x) => Math.fround(f.f(x)))] }, (k, [i]) => k.map(f, i!, i!, 37));
  }
});

test('mapCols and mapGradCols touch only the listed columns', () => {
  const m = 5, n = 7;
  const cols = Int32Array.from([0, 3, 6]);
  const f = ACTIVATIONS.tanh;
  const I = randoms(m * n, 3);
  const O = randoms(m * n);
  const wantO = O.map((v, i) => (cols.includes(i % n) ? Math.fround(f.f(I[i]!)) : v));
  check('mapCols', [I, O], [1], { bufs: [wantO] }, (k, [i, o]) => k.mapCols(f, i!, o!, m, n, cols));
  const dO = randoms(m * n);
  const dI = randoms(m * n);
  const wantDI = dI.map((v, i) => (cols.includes(i % n) ? v + dO[i]! * f.df(I[i]!, wantO[i]!) : v));
  check('mapGradCols', [I, wantO, dO, dI], [3], { bufs: [wantDI] }, (k, [i, o, d, di]) => k.mapGradCols(f, i!, o!, d!, di!, m, n, cols, 1));
});

function softmaxRef(I: Float64Array, m: number, n: number): Float64Array {
  const p = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    let mx = -Infinity;
    for (let j = 0; j < n; j++) mx = Math.max(mx, I[i * n + j]!);
    let s = 0;
    for (let j = 0; j < n; j++) s += Math.exp(I[i * n + j]! - mx);
    for (let j = 0; j < n; j++) p[i * n + j] = Math.exp(I[i * n + j]! - mx) / s;
  }
  return p;
}

test('softmaxRows agrees with float64, without overflow at |I| ≥ 100', () => {
  for (const [m, n, spread] of [[1, 1, 1], [3, 2, 5], [5, 10, 3], [4, 17, 120], [2, 129, 30]] as const) {
    const I = randoms(m * n, spread);
    const p = softmaxRef(I, m, n);
    check(`softmaxRows ${m}×${n}`, [I, new Float64Array(m * n)], [1], { bufs: [p] }, (k, [i, o]) => k.softmaxRows(i!, o!, m, n));
  }
});

test('axpy, scale, fill, copy, mul and mulAcc agree with float64', () => {
  for (const len of [1, 3, 4, 5, 17, 129, 1000]) {
    const x = randoms(len);
    const y = randoms(len);
    const z = randoms(len);
    check(`axpy ${len}`, [x, y], [1], { bufs: [y.map((v, i) => v + 0.7 * x[i]!)] }, (k, [a, b]) => k.axpy(len, 0.7, a!, b!));
    check(`scale ${len}`, [x], [0], { bufs: [x.map((v) => -1.5 * v)] }, (k, [a]) => k.scale(len, -1.5, a!));
    check(`fill ${len}`, [x], [0], { bufs: [new Float64Array(len).fill(Math.fround(0.3))] }, (k, [a]) => k.fill(a!, 0.3, len));
    check(`copy ${len}`, [x, y], [1], { bufs: [x] }, (k, [a, b]) => k.copy(a!, b!, len));
    check(`mul ${len}`, [x, y, z], [2], { bufs: [x.map((v, i) => v * y[i]!)] }, (k, [a, b, c]) => k.mul(a!, b!, c!, len));
    check(`mulAcc ${len}`, [x, y, z], [2], { bufs: [z.map((v, i) => v + x[i]! * y[i]!)] }, (k, [a, b, c]) => k.mulAcc(a!, b!, c!, len));
  }
});

test('fill and copy stop at len, leaving the rest of the buffer as it was', () => {
  const x = randoms(11);
  const y = randoms(11);
  check('fill 6 of 11', [x], [0], { bufs: [x.map((v, i) => (i < 6 ? 2 : v))] }, (k, [a]) => k.fill(a!, 2, 6));
  check('copy 6 of 11', [x, y], [1], { bufs: [y.map((v, i) => (i < 6 ? x[i]! : v))] }, (k, [a, b]) => k.copy(a!, b!, 6));
});

test('sumSq and sumAbs agree with float64 sums', () => {
  for (const len of [1, 3, 4, 5, 17, 129, 10_000]) {
    const x = randoms(len);
    const reduce = (f: (i: number) => number): number => { let s = 0; for (let i = 0; i < len; i++) s += f(i); return s; };
    // The kernels accumulate in float64 too, so the bound is float64 rounding, far below float32's.
    const tol = 1e-12 * len;
    check(`sumSq ${len}`, [x], [], { bufs: [], ret: reduce((i) => x[i]! * x[i]!) }, (k, [a]) => k.sumSq(a!, len), { tol });
    check(`sumAbs ${len}`, [x], [], { bufs: [], ret: reduce((i) => Math.abs(x[i]!)) }, (k, [a]) => k.sumAbs(a!, len), { tol });
  }
});

test('the fused bias and activation of the wasm backend equals addRowVector then map', () => {
  for (const backend of wasmBackends) {
    for (const f of mapped) {
      for (const [m, n] of [[1, 1], [3, 5], [17, 33], [128, 10]] as const) {
        const arena = backend.createArena('float32', 8);
        const k = arena.kernels;
        assert.ok(hasBiasMap(k), `${backend.name} offers biasMap`);
        const I = arena.sub(arena.alloc(m * n + 1), 1, m * n);
        const b = arena.alloc(n);
        const O = arena.alloc(m * n);
        const Iv = randoms(m * n, 3);
        const bv = randoms(n);
        I.a.set(Iv);
        b.a.set(bv);
        k.biasMap(f, I.a, b.a, O.a, m, n);
        const pre = Iv.map((v, i) => Math.fround(v + bv[i % n]!));
        close(I.a, pre, 1e-7, `${backend.name} biasMap ${f.name} ${m}×${n}: I keeps the pre-activation`);
        close(O.a, pre.map((v) => f.f(v)), 1e-6, `${backend.name} biasMap ${f.name} ${m}×${n}: O = f(I + b)`);
      }
    }
  }
});

test('the TypeScript backend offers no fused bias and activation (callers fall back to two kernels)', () => {
  assert.equal(hasBiasMap(tsBackend.createArena('float32').kernels), false);
});

test('every kernel still works on arrays outside the arena\'s memory', () => {
  for (const backend of wasmBackends) {
    const k = backend.createArena('float32').kernels;
    const A = Float32Array.from([1, 2, 3, 4]);
    const C = new Float32Array(4);
    k.gemm(false, false, 2, 2, 2, 1, A, A, 0, C);
    assert.deepEqual(Array.from(C), [7, 10, 15, 22]);
    const O = new Float32Array(4);
    k.map(ACTIVATIONS.relu, Float32Array.from([-1, 2, -3, 4]), O, 4);
    assert.deepEqual(Array.from(O), [0, 2, 0, 4]);
    k.softmaxRows(Float32Array.from([0, 0, 1, 1]), O, 2, 2);
    assert.deepEqual(Array.from(O), [0.5, 0.5, 0.5, 0.5]);
    assert.equal(k.sumAbs(Float32Array.from([-1, 2, -3]), 3), 6);
  }
});

test('views re-derived after growth keep their numbers, and kernels on them write the new memory', () => {
  for (const backend of backends) {
    const arena = backend.createArena('float32', 16);
    const a = arena.alloc(10);
    a.a.set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const half = arena.sub(a, 5, 5);
    const before = a.a.buffer;
    arena.alloc(1 << 20);
    assert.notEqual(a.a.buffer, before, `${backend.name}: the arena moved`);
    assert.deepEqual(Array.from(half.a), [6, 7, 8, 9, 10]);
    arena.kernels.scale(5, 2, half.a);
    assert.deepEqual(Array.from(a.a), [1, 2, 3, 4, 5, 12, 14, 16, 18, 20]);
  }
});
