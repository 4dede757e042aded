// The optional native backend: where it cannot load, mlpkit runs the WebAssembly kernels and says why;
// where it loads, training on it gives the WebAssembly backend's results within float32 round-off.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { mlp } from '../../src/graph/builders.js';
import { Model } from '../../src/graph/model.js';
import type { Backend } from '../../src/kernels/backend.js';
import { allFinite } from '../../src/kernels/finite.js';
import { createNativeBackend, measureThreads, type NativeBlas } from '../../src/kernels/native.js';
import { TypedArena, tsKernels } from '../../src/kernels/ts.js';
import { createWasmBackend, relaxedSimdSupported, type WasmArena } from '../../src/kernels/wasm.js';
import { apply as applyOptimizer, init as initOptimizer } from '../../src/optim/rules.js';
import { chooseBackend, describeBackend, enableRelaxedSimd, nativeBlas, probeNative } from '../../src/node/native.js';
import { Rng } from '../../src/rng.js';
import { ACTIVATIONS } from '../../src/activations.js';
import { gemmRef } from '../helpers/gemm-ref.js';

const root = resolve(import.meta.dirname, '../..');
const fail = (message: string, code: string) => (): never => { throw Object.assign(new Error(message), { code }); };
const notInstalled = fail("Cannot find module '@mlpkit/native'", 'MODULE_NOT_FOUND');

test('without the addon the default backend is the WebAssembly one, with the reason and how to get the native one', () => {
  const probe = probeNative(notInstalled);
  const backend = chooseBackend(probe);
  assert.match(backend.name, /^wasm/);
  const info = describeBackend(backend, probe);
  assert.equal(info.name, 'wasm');
  assert.match(info.reason ?? '', /@mlpkit\/native is not installed/);
  assert.match(info.hint ?? '', /apt-get install libopenblas-dev.*npm rebuild @mlpkit\/native/);
});

test('an addon that was not built, or does not load, is reported with its own reason', () => {
  const unbuilt = describeBackend(createWasmBackend(), probeNative(fail('@mlpkit/native is not built: no C compiler (cc)', 'MLPKIT_NATIVE_NOT_BUILT')));
  assert.equal(unbuilt.reason, 'the addon was not built: no C compiler (cc)');
  const broken = describeBackend(createWasmBackend(), probeNative(fail('libopenblas.so.0: cannot open shared object file', 'ERR_DLOPEN_FAILED')));
  assert.match(broken.reason ?? '', /did not load: libopenblas\.so\.0/);
  const wrong = describeBackend(createWasmBackend(), probeNative(() => ({ sgemm: 1 })));
  assert.match(wrong.reason ?? '', /does not export sgemm, .*adamStep, sumSq, sumAbs, allFinite, gatherRows, copyFinite/);
});

test('where pkg-config knows OpenBLAS and a compiler exists, the addon was built and loads', (t) => {
  const ok = (cmd: string, ...args: string[]): boolean => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
  if (process.platform !== 'linux' || !ok('pkg-config', '--exists', 'openblas') || !ok('cc', '--version')) {
    t.skip('no OpenBLAS development files or no compiler here');
    return;
  }
  const probe = probeNative();
  assert.ok('blas' in probe, `the addon did not load: ${'reason' in probe ? probe.reason : ''} (rebuild: cd ${root}/native && node install.mjs)`);
  assert.equal(describeBackend(chooseBackend(probe), probe).name, 'native');
  assert.match(probe.blas.config(), /OpenBLAS/);
});

/** Ten Adam steps of a 12-32-16-3 softmax network on fixed data; the parameters and the last loss. */
function train(backend: Backend): { params: Float32Array; loss: number } {
  const model = new Model(mlp({ inputSize: 12, outputSize: 3, task: 'multiclass', hidden: [32, 16], activation: 'tanh' }), { seed: 3, maxBatch: 40, backend });
  const rng = new Rng(9);
  const x = Float32Array.from({ length: 40 * 12 }, () => rng.normal());
  const y = new Float32Array(40 * 3);
  for (let i = 0; i < 40; i++) y[i * 3 + rng.int(3)] = 1;
  const rule = { kind: 'adam', learningRate: 0.01 } as const;
  const state = initOptimizer(rule, model.paramBuffer.length, model.arena);
  const idx = Int32Array.from({ length: 40 }, (_, i) => i);
  let loss = 0;
  for (let t = 1; t <= 10; t++) {
    model.gatherInputRows(x, idx, 0, 40);
    model.gatherTargetRows(y, idx, 0, 40);
    model.forwardRows(40, { mode: 'train', rng });
    loss = model.lossOnTargets(40);
    model.zeroGrad();
    model.backward();
    applyOptimizer(rule, state, model.paramBuffer.a, model.gradBuffer.a, 0.01, t, model.arena.kernels);
  }
  return { params: Float32Array.from(model.paramBuffer.a), loss };
}

test('training on the native backend gives the WebAssembly fallback\'s parameters within float32 round-off', (t) => {
  if (nativeBlas() === null) { t.skip('the native addon is not available here'); return; }
  const fallback = train(chooseBackend(probeNative(notInstalled)));
  const native = train(chooseBackend(probeNative()));
  assert.ok(Math.abs(native.loss - fallback.loss) <= 1e-5 * Math.abs(fallback.loss), `loss ${native.loss} vs ${fallback.loss}`);
  let worst = 0;
  for (let i = 0; i < fallback.params.length; i++) worst = Math.max(worst, Math.abs(native.params[i]! - fallback.params[i]!));
  assert.ok(worst <= 1e-5, `largest parameter difference ${worst}`);
  assert.ok(native.params.some((v, i) => v !== fallback.params[i]), 'the two runs used the same kernels');
});

/** Adam steps and the two sums on `backend`'s arena over fixed data of `len` values: what each gave. */
function elementRun(backend: Backend, len: number): { params: Float32Array; m: Float32Array; v: Float32Array; kept: Float32Array; sums: number[] } {
  const arena = backend.createArena('float32');
  const rng = new Rng(5);
  const [p, g, m, v, keep] = [0, 1, 2, 3, 4].map(() => arena.alloc(len));
  for (let i = 0; i < len; i++) { p!.a[i] = rng.normal(); g!.a[i] = rng.normal() * 10 ** rng.int(4); }
  const k = arena.kernels;
  const sums: number[] = [];
  for (let t = 1; t <= 5; t++) {
    const top = k.adamStep(len, p!.a, g!.a, m!.a, v!.a, 0.01 / (1 - 0.9 ** t), 0.9, 0.999, 1e-8, Math.sqrt(1 - 0.999 ** t), t % 2 === 0 ? keep!.a : null);
    sums.push(top, k.sumSq(g!.a, len), k.sumAbs(p!.a, len), k.sumSq(p!.a, len - 7));
  }
  return { params: Float32Array.from(p!.a), m: Float32Array.from(m!.a), v: Float32Array.from(v!.a), kept: Float32Array.from(keep!.a), sums };
}

test('the addon\'s Adam step and sums are the WebAssembly module\'s, bit for bit, for both of its builds and at one or two threads', (t) => {
  const blas = nativeBlas();
  if (blas === null) { t.skip('the native addon is not available here'); return; }
  const builds = [false, ...(enableRelaxedSimd() && relaxedSimdSupported() ? [true] : [])];
  for (const relaxed of builds) {
    // 200,003 values: the addon cuts the step over two threads (one value less than a multiple of four).
    for (const [len, threads] of [[1, 1], [6, 1], [35, 1], [4099, 1], [200_003, 1], [200_003, 2]] as const) {
      const wasm = elementRun(createWasmBackend({ relaxed }), len);
      const before = blas.threads();
      blas.setThreads(threads);
      let native: ReturnType<typeof elementRun>;
      try { native = elementRun(createNativeBackend(blas, { relaxed }), len); } finally { blas.setThreads(before); }
      const where = `${relaxed ? 'relaxed' : 'plain'} SIMD, ${len} values, ${threads} thread(s)`;
      assert.deepEqual(native.params, wasm.params, `parameters, ${where}`);
      assert.deepEqual(native.m, wasm.m, `first moments, ${where}`);
      assert.deepEqual(native.v, wasm.v, `second moments, ${where}`);
      assert.deepEqual(native.kept, wasm.kept, `θ kept before step 4, ${where}`);
      assert.ok(native.kept.some((x) => x !== 0), `something was kept, ${where}`);
      assert.deepEqual(native.sums, wasm.sums, `largest |θ| and sums, ${where}`);
    }
  }
  t.diagnostic(`builds compared: ${builds.map((r) => (r ? 'relaxed' : 'plain')).join(', ')}`);
});

test('the addon refuses an operand outside the arena instead of reading past it', (t) => {
  const blas = nativeBlas();
  if (blas === null) { t.skip('the native addon is not available here'); return; }
  const buffer = new ArrayBuffer(64);
  assert.throws(() => blas.sumSq(buffer, 32, 9), /outside its buffer/);
  assert.throws(() => blas.sumAbs(buffer, 2, 1), /not 4-byte aligned/);
  assert.throws(() => blas.adamStep(buffer, false, 16, 0, 0, 0, 4, 0.1, 0.9, 0.999, 1e-8, 1, 0), /outside its buffer/);
  assert.throws(() => blas.adamStep(buffer, false, 4, 0, 16, 32, 48, 0.1, 0.9, 0.999, 1e-8, 1, 52), /outside its buffer/, 'keep past the end');
  assert.throws(() => blas.adamStep(buffer, false, 4, 0, 16, 32, 48, 0.1, 0.9, 0.999, 1e-8, 1, 8), /keep overlaps/);
  assert.equal(blas.sumSq(buffer, 0, 16), 0);
});

/** The addon with one of its calls counted (its exports are not enumerable: a spread would copy none of them). */
function counting(blas: NativeBlas, name: keyof NativeBlas, onCall: () => void): NativeBlas {
  const call = blas[name] as (...a: unknown[]) => unknown;
  const wrapped = Object.create(blas) as NativeBlas;
  Object.defineProperty(wrapped, name, { value: (...a: unknown[]) => { onCall(); return call(...a); } });
  return wrapped;
}

test('a native backend gives the process the addon\'s finiteness scan, which answers as the portable one', (t) => {
  const blas = nativeBlas();
  if (blas === null) { t.skip('the native addon is not available here'); return; }
  let calls = 0;
  createNativeBackend(counting(blas, 'allFinite', () => calls++));
  for (const make of [(n: number) => new Float32Array(n), (n: number) => new Float64Array(n)]) {
    for (const n of [0, 1, 7, 64, 1001]) {
      const a = make(n).map((_, i) => Math.sin(i) * 1e30);
      assert.equal(allFinite(a), true, `${n} finite values`);
      for (const bad of [NaN, Infinity, -Infinity]) {
        for (const at of n === 0 ? [] : [0, n >> 1, n - 1]) {
          const b = a.slice();
          b[at] = bad;
          assert.equal(allFinite(b), false, `${bad} at ${at} of ${n}`);
        }
      }
    }
  }
  assert.ok(calls > 0, 'the scan went through the addon');
  assert.equal(allFinite(Float32Array.of(3.4e38, -3.4e38)), true, 'the largest floats are finite');
  createNativeBackend(blas);
});

test('the addon gathers batches from a caller\'s table as the TypeScript kernel does, and refuses rows outside it', (t) => {
  const blas = nativeBlas();
  if (blas === null) { t.skip('the native addon is not available here'); return; }
  let calls = 0;
  const arena = createNativeBackend(counting(blas, 'gatherRows', () => calls++)).createArena('float32');
  const rng = new Rng(2);
  for (const w of [1, 20, 784]) {
    const rows = 300;
    const table = Float32Array.from({ length: rows * w }, () => rng.normal());
    const idx = Int32Array.from({ length: rows }, () => rng.int(rows));
    const dst = arena.alloc(128 * w);
    const ref = new Float32Array(128 * w);
    arena.kernels.gatherRows(table, idx, 17, 128, w, dst.a);
    tsKernels.gatherRows(table, idx, 17, 128, w, ref);
    assert.deepEqual(dst.a, ref, `${w} wide`);
  }
  assert.equal(calls, 2, 'the 20- and 784-wide batches went through the addon (the 1-wide one is too small)');
  const buffer = new ArrayBuffer(4 * 64);
  const table = new Float32Array(8 * 4);
  assert.throws(() => blas.gatherRows(table, Int32Array.of(0, 8), 0, 2, 4, buffer, 0), /row index outside the table/);
  assert.throws(() => blas.gatherRows(table, Int32Array.of(0, -1), 0, 2, 4, buffer, 0), /row index outside the table/);
  assert.throws(() => blas.gatherRows(table, Int32Array.of(0, 1), 1, 2, 4, buffer, 0), /outside the index/);
  assert.throws(() => blas.gatherRows(table, Int32Array.of(0, 1), 0, 2, 4, buffer, 4 * 60), /outside its buffer/);
  assert.throws(() => blas.gatherRows(new Float64Array(4) as unknown as Float32Array, Int32Array.of(0), 0, 1, 4, buffer, 0), /reads a Float32Array/);
});

test('a batch copied into the arena is checked in the same pass: the addon for long ones, the same answer as the TypeScript kernels', (t) => {
  const blas = nativeBlas();
  if (blas === null) { t.skip('the native addon is not available here'); return; }
  let calls = 0;
  const arena = createNativeBackend(counting(blas, 'copyFinite', () => calls++)).createArena('float32');
  const rng = new Rng(4);
  const n = 5000;
  const table = Float32Array.from({ length: n + 7 }, () => rng.normal());
  const dst = arena.alloc(n);
  assert.equal(arena.kernels.copyFinite(table, 7, dst.a, n), true);
  assert.deepEqual(dst.a, table.subarray(7), 'the values, bit for bit');
  // A bad value in the vector body, in the tail, and one just outside the copied range.
  for (const [at, bad, want] of [[100, NaN, false], [n + 6, Infinity, false], [n + 5, -Infinity, false], [3, NaN, true]] as const) {
    const src = Float32Array.from(table);
    src[at] = bad;
    const ref = new Float32Array(n);
    assert.equal(arena.kernels.copyFinite(src, 7, dst.a, n), want, `${bad} at ${at}`);
    assert.equal(tsKernels.copyFinite(src, 7, ref, n), want, `the TypeScript kernel: ${bad} at ${at}`);
    assert.deepEqual(dst.a, ref);
  }
  assert.equal(calls, 5, 'every 5,000-value copy went through the addon');
  assert.equal(arena.kernels.copyFinite(table, 0, dst.a, 16), true);
  assert.equal(calls, 5, 'a short copy stays in TypeScript');
  const buffer = new ArrayBuffer(4 * 64);
  assert.throws(() => blas.copyFinite(new Float32Array(8), 4, 8, buffer, 0), /values outside the source/);
  assert.throws(() => blas.copyFinite(new Float32Array(8), 0, 8, buffer, 4 * 60), /outside its buffer/);
  assert.throws(() => blas.copyFinite(new Float32Array(buffer, 0, 16), 0, 16, buffer, 4 * 8), /overlap/);
  assert.throws(() => blas.copyFinite(new Float64Array(8) as unknown as Float32Array, 0, 8, buffer, 0), /reads a Float32Array/);
});

test('gemmFinite: the product of a caller\'s rows read in place (native) or through a copy (wasm, TypeScript), refused when a row is not finite', (t) => {
  const blas = nativeBlas();
  const backends: [string, Backend][] = [['ts', { name: 'ts', supports: () => true, createArena: (d) => new TypedArena(d) }], ['wasm', createWasmBackend()]];
  let inPlace = 0;
  if (blas !== null) backends.push(['native', createNativeBackend(counting(blas, 'gemmFinite', () => inPlace++))]);
  else t.diagnostic('the native addon is not available here: its in-place product is not tested');
  const rng = new Rng(8);
  const [m, n, k, start] = [37, 19, 53, 3 * 53];
  const table = Float32Array.from({ length: start + m * k + 11 }, () => rng.normal());
  const w = Float32Array.from({ length: k * n }, () => rng.normal());
  for (const [name, backend] of backends) {
    const arena = backend.createArena('float32');
    const B = arena.alloc(k * n);
    const C = arena.alloc(m * n);
    const via = arena.alloc(m * k);
    B.a.set(w);
    assert.equal(arena.kernels.gemmFinite(table, start, m, n, k, B.a, C.a, via.a), true, name);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let want = 0;
        for (let q = 0; q < k; q++) want += table[start + i * k + q]! * w[q * n + j]!;
        assert.ok(Math.abs(C.a[i * n + j]! - want) <= 1e-5 * (1 + Math.abs(want)), `${name}: C[${i},${j}] ${C.a[i * n + j]} vs ${want}`);
      }
    }
    // A bad value at the first and the last value read, and one just outside on either side (which is not read).
    for (const [at, bad, want] of [[start, NaN, false], [start + m * k - 1, -Infinity, false], [start - 1, NaN, true], [start + m * k, Infinity, true]] as const) {
      const src = Float32Array.from(table);
      src[at] = bad;
      C.a.fill(7);
      assert.equal(arena.kernels.gemmFinite(src, start, m, n, k, B.a, C.a, via.a), want, `${name}: ${bad} at ${at}`);
    }
  }
  if (blas === null) return;
  assert.equal(inPlace, 5, 'every native product read the table in place (the wasm and TypeScript ones copied it)');
  const buffer = new ArrayBuffer(4 * 64);
  assert.throws(() => blas.gemmFinite(new Float32Array(8), 4, 2, 2, 4, buffer, 0, 4 * 16), /rows outside the source/);
  assert.throws(() => blas.gemmFinite(new Float32Array(8), 0, 2, 2, 4, buffer, 0, 4 * 62), /outside its buffer/);
  assert.throws(() => blas.gemmFinite(new Float32Array(buffer, 0, 8), 0, 2, 2, 4, buffer, 4 * 16, 4 * 4), /overlap/);
  assert.throws(() => blas.gemmFinite(new Float64Array(8) as unknown as Float32Array, 0, 2, 2, 4, buffer, 0, 4 * 16), /reads a Float32Array/);
});

test('gemmFinite answers for A, not for C: a product that overflows from finite rows is finite input; ±∞ against zero weights is not', (t) => {
  const blas = nativeBlas();
  if (blas === null) { t.skip('the native addon is not available here'); return; }
  const [m, n, k] = [40, 33, 17];
  const buffer = new ArrayBuffer(4 * (k * n + 2 * m * n + n));
  const f = new Float32Array(buffer);
  const [B, C, b, O] = [0, 4 * k * n, 4 * (k * n + m * n), 4 * (k * n + m * n + n)];
  f.fill(0, 0, k * n); // every weight 0: ±∞ · 0 is NaN, finite · 0 is 0
  for (let p = 0; p < k; p++) f[p * n + 1] = 3e38; // column 1 overflows from large finite inputs
  const rows = new Float32Array(m * k).fill(3e38);
  assert.equal(blas.gemmFinite(rows, 0, m, n, k, buffer, B, C), true, 'C holds ∞, A is finite');
  assert.equal(f[k * n + 1], Infinity);
  for (const [row, v] of [[0, Infinity], [17, -Infinity], [m - 1, NaN]] as const) {
    const bad = new Float32Array(m * k).fill(1);
    bad[row * k + 5] = v;
    assert.equal(blas.gemmFinite(bad, 0, m, n, k, buffer, B, C), false, `${v} in row ${row}`);
    assert.equal(blas.gemmFiniteBiasAct(bad, 0, m, n, k, buffer, B, C, b, O, true), false, `${v} in row ${row}, fused`);
  }
});

test('predict on the native backend runs the first product on the caller\'s rows in place: forward\'s outputs bit for bit, a bad cell named', (t) => {
  const blas = nativeBlas();
  if (blas === null) { t.skip('the native addon is not available here'); return; }
  let inPlace = 0;
  // In place either way: the product alone (a tanh layer), or with its bias and ReLU (gemmFiniteBiasAct).
  const backend = createNativeBackend(counting(counting(blas, 'gemmFinite', () => inPlace++), 'gemmFiniteBiasAct', () => inPlace++));
  const model = new Model(mlp({ inputSize: 40, outputSize: 3, task: 'multiclass', hidden: [32, 16], activation: 'relu' }), { seed: 2, backend });
  const rng = new Rng(9);
  const rows = 2500;
  const data = Float32Array.from({ length: rows * 40 }, () => rng.normal());
  const got = model.predict({ rows, cols: 40, data }).data;
  assert.equal(inPlace, 3, 'one in-place product per block of 1,024 rows');
  for (const [r0, r1] of [[0, 1024], [1024, 2048], [2048, rows]] as const) {
    const want = model.forward({ rows: r1 - r0, cols: 40, data: data.subarray(r0 * 40, r1 * 40) }).data;
    assert.deepEqual(got.subarray(r0 * 3, r1 * 3), want, `rows ${r0}–${r1}: as forward, which copies the rows in first`);
  }
  for (const [row, col, v, shown] of [[0, 0, NaN, 'NaN'], [1500, 39, -Infinity, '-Infinity'], [rows - 1, 7, Infinity, 'Infinity']] as const) {
    const bad = Float32Array.from(data);
    bad[row * 40 + col] = v;
    assert.throws(() => model.predict({ rows, cols: 40, data: bad }), new RegExp(`x: row ${row}, column ${col} is ${shown}; every value must be a finite number`));
  }
  // The input also read by a second layer (a skip connection): the rows are copied in, as before.
  const skip = new Model({
    inputSize: 40, loss: 'mse',
    layers: [{ kind: 'dense', name: 'h', units: 40, activation: 'tanh' }, { kind: 'add', name: 'sum', inputs: ['h', 'input'] }, { kind: 'dense', name: 'out', units: 2 }],
  }, { seed: 2, backend });
  const before = inPlace;
  const p = skip.predict({ rows: 100, cols: 40, data: data.subarray(0, 4000) }).data;
  assert.equal(inPlace, before, 'no in-place product when two layers read the input');
  assert.deepEqual(p, skip.forward({ rows: 100, cols: 40, data: data.subarray(0, 4000) }).data);
});

test('a backend asked for two BLAS threads uses them only when they measure at least 10% faster than one', () => {
  for (const [oneUs, twoUs, want] of [[100, 60, 2], [100, 95, 1], [100, 300, 1]] as const) {
    let now = 0;
    let threads = 1;
    const calls: number[] = [];
    const fake = {
      setThreads: (n: number) => { threads = n; },
      sgemm: (...a: unknown[]) => { calls.push(threads); now += threads === 1 ? oneUs : twoUs; assert.equal(a.length, 14); },
    } as unknown as NativeBlas;
    const r = measureThreads(fake, 2, () => now);
    assert.equal(r.threads, want, `${oneUs} µs at one thread, ${twoUs} at two`);
    assert.equal(r.oneMs, oneUs, 'the median of one thread\'s rounds, per product');
    assert.equal(r.askedMs, twoUs);
    assert.deepEqual([calls.filter((t) => t === 1).length, calls.filter((t) => t === 2).length], [24, 27], 'a warm-up (one run at one thread, two at two) and seven rounds of three at each count');
  }
  const untouched = { setThreads: () => { throw new Error('not measured'); } } as unknown as NativeBlas;
  assert.equal(measureThreads(untouched, 1).threads, 1, 'one thread asked: nothing to measure');
});

test('a two-thread native backend names the threads its products use, and trains as one thread does (within round-off; bit for bit on mlpkit\'s own products)', (t) => {
  const blas = nativeBlas();
  if (blas === null) { t.skip('the native addon is not available here'); return; }
  const two = createNativeBackend(blas, { threads: 2 });
  assert.equal(two.name, 'native(2)', 'before any product');
  const a = train(two);
  assert.match(two.name, /^native\((2|1 of 2: more measured slower)\)$/);
  const b = train(createNativeBackend(blas));
  assert.ok(Math.abs(a.loss - b.loss) <= 1e-5 * Math.abs(b.loss), `loss ${a.loss} vs ${b.loss}`);
  // mlpkit's own products (and its Adam step) give the same bits at any thread count.
  if (/products: mlpkit avx512/.test(blas.config())) assert.deepEqual(a.params, b.params, 'two threads trained other weights than one');
  const m = measureThreads(blas, 2);
  t.diagnostic(`this machine: ${two.name}; measured again: ${m.oneMs.toFixed(3)} ms at one thread, ${m.askedMs.toFixed(3)} at two`);
});

test('the addon\'s products split over two threads agree with float64, and with its own products the same bit for bit as one thread', (t) => {
  const blas = nativeBlas();
  if (blas === null) { t.skip('the native addon is not available here'); return; }
  const own = /products: mlpkit avx512/.test(blas.config());
  const rng = new Rng(31);
  // Large enough to be cut into parts: by columns (n ≥ 64), by rows (n = 10), packed (Bᵀ) or read in place; and two
  // rows, which the BLAS takes (on one thread whatever the count).
  const shapes: [number, number, number][] = [[128, 256, 300], [300, 10, 400], [97, 1000, 30], [2, 256, 300]];
  const before = blas.threads();
  try {
    for (const [m, n, k] of shapes) {
      for (const [tA, tB] of [[false, false], [false, true], [true, false], [true, true]] as const) {
        const buffer = new ArrayBuffer(4 * (m * k + k * n + 2 * m * n));
        const f = new Float32Array(buffer);
        for (let i = 0; i < m * k + k * n + m * n; i++) f[i] = Math.fround(rng.normal());
        const [A, B, C] = [f.subarray(0, m * k), f.subarray(m * k, m * k + k * n), f.subarray(m * k + k * n, m * k + k * n + m * n)];
        const want = gemmRef(tA, tB, m, n, k, 0.5, A, B, 0.25, C);
        const results = [1, 2].map((threads) => {
          blas.setThreads(threads);
          f.copyWithin(m * k + k * n + m * n, m * k + k * n, m * k + k * n + m * n); // C's start, each time
          blas.sgemm(buffer, tA, tB, m, n, k, 0.5, 0, tA ? m : k, 4 * m * k, tB ? k : n, 0.25, 4 * (m * k + k * n + m * n), n);
          return Float32Array.from(f.subarray(m * k + k * n + m * n));
        });
        const what = `${tA ? 'Aᵀ' : 'A'}·${tB ? 'Bᵀ' : 'B'} ${m}×${n}×${k}`;
        const bound = 1e-5 * Math.sqrt(k) * Math.max(1, ...want.map(Math.abs));
        for (const [i, got] of results.entries()) {
          for (let e = 0; e < want.length; e++) assert.ok(Math.abs(got[e]! - want[e]!) <= bound, `${what} at ${i + 1} thread(s), element ${e}: ${got[e]} vs ${want[e]}`);
        }
        if (own) assert.deepEqual(results[1], results[0], `${what}: two threads differ from one`);
      }
    }
  } finally {
    blas.setThreads(before);
  }
  t.diagnostic(own ? 'products: mlpkit avx512 (two threads checked bit for bit)' : `products: the BLAS (${blas.config()})`);
});

test('the fused bias and activation after a product are the product and then the module\'s biasMap, bit for bit, on every path and thread count', (t) => {
  const blas = nativeBlas();
  if (blas === null) { t.skip('the native addon is not available here'); return; }
  const rng = new Rng(41);
  // One and three rows (the BLAS, then the addon's loop), in place, cut by columns or rows, packed in two depth blocks (k 1,100).
  const shapes: [number, number, number][] = [[1, 256, 784], [3, 40, 20], [37, 45, 53], [300, 256, 200], [300, 10, 400], [64, 70, 1100]];
  const before = blas.threads();
  try {
    for (const [m, n, k] of shapes) {
      for (const [act, relu] of [['relu', true], ['identity', false]] as const) {
        for (const threads of [1, 2]) {
          blas.setThreads(threads);
          const arena = createWasmBackend().createArena('float32') as WasmArena;
          const [X, W, b, I, O, I2, O2] = [m * k, k * n, n, m * n, m * n, m * n, m * n].map((len) => arena.alloc(len));
          for (const v of [X!, W!, b!]) for (let i = 0; i < v.length; i++) v.a[i] = Math.fround(rng.normal());
          // A column of zero weights: its pre-activations are the bias alone (±0 in the first), ReLU's edge.
          b!.a[0] = -0; for (let p = 0; p < k; p++) W!.a[p * n] = 0;
          const buffer = arena.memory.buffer as ArrayBuffer;
          const off = (v: { offset: number }): number => v.offset * 4;
          blas.gemmBiasAct(buffer, m, n, k, off(X!), off(W!), off(I!), off(b!), off(O!), relu);
          blas.sgemm(buffer, false, false, m, n, k, 1, off(X!), k, off(W!), n, 0, off(I2!), n);
          arena.kernels.biasMap(ACTIVATIONS[act], I2!.a, b!.a, O2!.a, m, n);
          const what = `${m}×${n}×${k} ${act} at ${threads} thread(s)`;
          assert.deepEqual(I!.a, I2!.a, `${what}: the pre-activation`);
          assert.deepEqual(O!.a, O2!.a, `${what}: the output`);
          const table = Float32Array.from(X!.a);
          assert.equal(blas.gemmFiniteBiasAct(table, 0, m, n, k, buffer, off(W!), off(I!), off(b!), off(O!), relu), true, what);
          assert.deepEqual(O!.a, O2!.a, `${what}: from a caller's rows`);
          table[table.length - 1] = NaN;
          assert.equal(blas.gemmFiniteBiasAct(table, 0, m, n, k, buffer, off(W!), off(I!), off(b!), off(O!), relu), false, `${what}: a NaN row`);
        }
      }
    }
  } finally {
    blas.setThreads(before);
  }
  const buffer = new ArrayBuffer(4 * 64);
  assert.throws(() => blas.gemmBiasAct(buffer, 2, 2, 4, 0, 4 * 8, 4 * 16, 4 * 63, 4 * 20, true), /outside its buffer/);
  assert.throws(() => blas.gemmBiasAct(buffer, 2, 2, 4, 0, 4 * 8, 4 * 16, 4 * 24, 4 * 62, true), /outside its buffer/);
});

test('MLPKIT_NATIVE_PRODUCTS=blas keeps the BLAS\'s products, and they agree with mlpkit\'s own within round-off', (t) => {
  const blas = nativeBlas();
  if (blas === null) { t.skip('the native addon is not available here'); return; }
  // The addon reads the variable when it loads: a second process with it set.
  const script = `
    const a = require(${JSON.stringify(resolve(root, 'native/index.cjs'))});
    const [m, n, k] = [64, 96, 200];
    const buffer = new ArrayBuffer(4 * (m * k + k * n + m * n));
    const f = new Float32Array(buffer);
    for (let i = 0; i < m * k + k * n; i++) f[i] = Math.fround(Math.sin(i * 0.37));
    a.sgemm(buffer, false, false, m, n, k, 1, 0, k, 4 * m * k, n, 0, 4 * (m * k + k * n), n);
    const fused = new ArrayBuffer(4 * (m * k + k * n + 2 * m * n + n));
    const g = new Float32Array(fused);
    g.set(f.subarray(0, m * k + k * n));
    for (let j = 0; j < n; j++) g[m * k + k * n + m * n + j] = Math.cos(j);
    a.gemmBiasAct(fused, m, n, k, 0, 4 * m * k, 4 * (m * k + k * n), 4 * (m * k + k * n + m * n), 4 * (m * k + k * n + m * n + n), true);
    console.log(JSON.stringify({ config: a.config(), c: Array.from(f.subarray(m * k + k * n)), o: Array.from(g.subarray(m * k + k * n + m * n + n)) }));`;
  const run = (products: string | undefined): { config: string; c: number[]; o: number[] } => {
    const env = { ...process.env };
    if (products === undefined) delete env.MLPKIT_NATIVE_PRODUCTS; else env.MLPKIT_NATIVE_PRODUCTS = products;
    const r = spawnSync(process.execPath, ['-e', script], { env, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as { config: string; c: number[]; o: number[] };
  };
  const viaBlas = run('blas');
  const viaDefault = run(undefined);
  assert.doesNotMatch(viaBlas.config, /mlpkit avx512/);
  const scale = Math.max(...viaBlas.c.map(Math.abs));
  viaBlas.c.forEach((v, i) => assert.ok(Math.abs(v - viaDefault.c[i]!) <= 1e-5 * Math.sqrt(200) * scale, `element ${i}: ${v} vs ${viaDefault.c[i]}`));
  // The bias and ReLU after the BLAS's product (the addon's own loop) are those of mlpkit's fused kernel, to round-off.
  const relu = (v: number, j: number): number => Math.max(0, v + Math.fround(Math.cos(j % 96)));
  viaBlas.o.forEach((v, i) => {
    assert.ok(Math.abs(v - relu(viaBlas.c[i]!, i)) <= 1e-6 * (1 + Math.abs(v)), `BLAS path, output ${i}: ${v}`);
    assert.ok(Math.abs(v - viaDefault.o[i]!) <= 1e-5 * Math.sqrt(200) * scale, `output ${i}: ${v} vs ${viaDefault.o[i]}`);
  });
  t.diagnostic(`default products here: ${/mlpkit avx512/.test(viaDefault.config) ? 'mlpkit avx512' : 'the BLAS'}`);
});
