// The WebAssembly backend against the TypeScript reference: same inputs, float32 relative
// difference ≤ 1e-5 on every kernel it implements, every transpose form and odd sizes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { ACTIVATIONS } from '../../src/activations.js';
import { tsBackend, tsKernels } from '../../src/kernels/ts.js';
import { createWasmBackend, WasmArena } from '../../src/kernels/wasm.js';
import type { Slot, Vec } from '../../src/kernels/backend.js';
import { Model } from '../../src/graph/model.js';
import { mlp } from '../../src/graph/builders.js';
import { Rng } from '../../src/rng.js';

const backend = createWasmBackend();
const rng = new Rng(11);

function close(a: Vec, b: Vec, len: number, what: string, tol = 1e-5): void {
  let scale = 0;
  for (let i = 0; i < len; i++) scale = Math.max(scale, Math.abs(b[i]!));
  for (let i = 0; i < len; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    assert.ok(d <= tol * Math.max(1, scale), `${what}: index ${i}: wasm ${a[i]}, ts ${b[i]}`);
  }
}

/** A slot of random numbers. Hold the slot, not its view: a later allocation may move the memory. */
function filled(arena: WasmArena, len: number): Slot {
  const s = arena.alloc(len);
  for (let i = 0; i < len; i++) s.a[i] = rng.normal();
  return s;
}

const sizes: [number, number, number][] = [[1, 1, 1], [3, 5, 7], [4, 8, 16], [17, 9, 33], [5, 129, 3], [128, 10, 128], [33, 300, 257], [130, 17, 600]];

for (const tA of [false, true]) {
  for (const tB of [false, true]) {
    test(`gemm ${tA ? 'Aᵀ' : 'A'}·${tB ? 'Bᵀ' : 'B'} matches the reference for odd shapes and every β`, () => {
      for (const [m, n, k] of sizes) {
        for (const [alpha, beta] of [[1, 0], [1, 1], [0.5, -2], [2, 0.25]] as const) {
          const arena = backend.createArena('float32') as WasmArena;
          arena.reserveWorkspace(n);
          const A = filled(arena, m * k);
          const B = filled(arena, k * n);
          const C = filled(arena, m * n);
          const ref = Float32Array.from(C.a);
          tsKernels.gemm(tA, tB, m, n, k, alpha, Float32Array.from(A.a), Float32Array.from(B.a), beta, ref);
          arena.kernels.gemm(tA, tB, m, n, k, alpha, A.a, B.a, beta, C.a);
          assert.equal(arena.fallbacks, 0, 'gemm fell back to TypeScript');
          close(C.a, ref, m * n, `gemm ${m}×${n}×${k} α=${alpha} β=${beta}`, 1e-5 * Math.sqrt(k));
        }
      }
    });
  }
}

test('gemm with β = 0 overwrites NaNs already in C', () => {
  const arena = backend.createArena('float32') as WasmArena;
  arena.reserveWorkspace(8);
  const A = filled(arena, 4 * 3);
  const B = filled(arena, 3 * 8);
  const C = arena.alloc(32);
  C.a.fill(NaN);
  arena.kernels.gemm(false, false, 4, 8, 3, 1, A.a, B.a, 0, C.a);
  assert.ok(Array.from(C.a).every(Number.isFinite));
});

test('elementwise kernels and reductions match the reference', () => {
  const arena = backend.createArena('float32', 1 << 20) as WasmArena;
  const k = arena.kernels;
  for (const len of [1, 3, 4, 5, 31, 1000]) {
    const [x, y, out, o, dI] = [filled(arena, len), filled(arena, len), filled(arena, len), filled(arena, len), filled(arena, len)].map((s) => s.a) as [Vec, Vec, Vec, Vec, Vec];
    const refY = Float32Array.from(y);
    k.axpy(len, 0.7, x, y); tsKernels.axpy(len, 0.7, Float32Array.from(x), refY);
    close(y, refY, len, `axpy ${len}`);
    const refOut = Float32Array.from(out);
    k.mulAcc(x, y, out, len); tsKernels.mulAcc(Float32Array.from(x), Float32Array.from(y), refOut, len);
    close(out, refOut, len, `mulAcc ${len}`);
    k.mul(x, y, out, len); tsKernels.mul(Float32Array.from(x), Float32Array.from(y), refOut, len);
    close(out, refOut, len, `mul ${len}`);
    k.scale(len, -1.5, out); tsKernels.scale(len, -1.5, refOut);
    close(out, refOut, len, `scale ${len}`);
    assert.ok(Math.abs(k.sumSq(x, len) - tsKernels.sumSq(Float32Array.from(x), len)) <= 1e-9 * len);
    for (const name of ['identity', 'relu', 'sigmoid', 'tanh'] as const) {
      const f = ACTIVATIONS[name];
      const ref = new Float32Array(len);
      k.map(f, x, o, len); tsKernels.map(f, Float32Array.from(x), ref, len);
      close(o, ref, len, `${name} ${len}`);
      for (const beta of [0, 1]) {
        const refDI = Float32Array.from(dI);
        k.mapGrad(f, x, o, y, dI, len, beta); tsKernels.mapGrad(f, Float32Array.from(x), ref, Float32Array.from(y), refDI, len, beta);
        close(dI, refDI, len, `${name}′ β=${beta} ${len}`);
      }
    }
  }
  for (const [m, n] of [[1, 1], [3, 5], [16, 9], [7, 33]] as const) {
    const Y = filled(arena, m * n).a;
    const b = filled(arena, n).a;
    const db = filled(arena, n).a;
    const refY = Float32Array.from(Y);
    k.addRowVector(Y, b, m, n); tsKernels.addRowVector(refY, Float32Array.from(b), m, n);
    close(Y, refY, m * n, `addRowVector ${m}×${n}`);
    const refDb = Float32Array.from(db);
    k.sumRows(Y, m, n, db, 1); tsKernels.sumRows(refY, m, n, refDb, 1);
    close(db, refDb, n, `sumRows ${m}×${n}`);
  }
  assert.equal(arena.memory.buffer, arena.alloc(1).a.buffer, 'the arena grew during the test, so views were stale');
});

test('views re-derived after the arena grows still reach the same numbers', () => {
  const arena = backend.createArena('float32', 16) as WasmArena;
  const a = arena.alloc(10);
  a.a.set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  const big = arena.alloc(1_000_000);
  assert.equal(big.a.length, 1_000_000);
  assert.deepEqual(Array.from(a.a), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.equal(a.a.buffer, arena.memory.buffer);
});

test('arrays outside wasm memory still work (through the TypeScript kernels)', () => {
  const arena = backend.createArena('float32') as WasmArena;
  const A = Float32Array.from([1, 2, 3, 4]);
  const C = new Float32Array(4);
  arena.kernels.gemm(false, false, 2, 2, 2, 1, A, A, 0, C);
  assert.deepEqual(Array.from(C), [7, 10, 15, 22]);
  assert.equal(arena.fallbacks, 1);
});

test('a model trains on the wasm backend to the same weights as on the TypeScript backend (to float32 precision)', () => {
  const spec = mlp({ inputSize: 6, outputSize: 3, task: 'multiclass', hidden: [16, 8], activation: 'relu', batchNorm: 'after', dropout: 0.1 });
  const a = new Model(spec, { seed: 3 });
  const b = new Model(spec, { seed: 3, backend });
  const r = new Rng(4);
  const x = Array.from({ length: 20 }, () => Array.from({ length: 6 }, () => r.normal()));
  const y = x.map((_, i) => [0, 1, 2].map((c) => (c === i % 3 ? 1 : 0)));
  const ra = new Rng(9);
  const rb = new Rng(9);
  for (let t = 0; t < 10; t++) {
    for (const [m, rr] of [[a, ra], [b, rb]] as const) {
      m.forward(x, { mode: 'train', rng: rr });
      m.loss(y);
      m.zeroGrad();
      m.backward();
      for (let i = 0; i < m.paramBuffer.length; i++) m.paramBuffer.a[i]! -= 0.05 * m.gradBuffer.a[i]!;
    }
  }
  close(b.getWeights(), a.getWeights(), a.paramBuffer.length, 'weights after 10 steps', 1e-4);
  assert.equal((b.arena as WasmArena).fallbacks, 0);
});

test('the committed wasm binaries are built from the committed AssemblyScript sources', () => {
  // The generated module records a hash of the sources, flags and compiler version it was built from
  // (a full rebuild and comparison: node scripts/build-wasm.mjs --check).
  const out = execFileSync(process.execPath, ['scripts/build-wasm.mjs', '--check-sources'], { encoding: 'utf8' });
  assert.match(out, /up to date/);
});

test('tiny sigmoid and tanh nets (gemm edge tiles, exp tables in static data) agree with the TypeScript backend', () => {
  for (const f of ['sigmoid', 'tanh'] as const) {
    const spec = { inputSize: 2, layers: [{ kind: 'dense' as const, units: 2, activation: f }, { kind: 'dense' as const, units: 1, activation: 'sigmoid' as const }], loss: 'binaryCrossEntropy' as const };
    const a = new Model(spec, { seed: 0, backend: tsBackend });
    const b = new Model(spec, { seed: 0, backend });
    const x = [[0, 0], [0, 1], [1, 0], [1, 1]];
    for (const m of [a, b]) { m.forward(x); m.loss([[0], [1], [1], [0]]); m.zeroGrad(); m.backward(); }
    close(b.output.O.a, a.output.O.a, 4, `${f} outputs`);
    close(b.gradBuffer.a, a.gradBuffer.a, a.gradBuffer.length, `${f} gradients`);
  }
});

test('the Adam kernel matches the reference step, moments included', () => {
  const arena = backend.createArena('float32', 1 << 16) as WasmArena;
  const len = 1031;
  const [p, g, m, v] = [filled(arena, len), filled(arena, len), filled(arena, len), filled(arena, len)];
  for (let i = 0; i < len; i++) v.a[i] = Math.abs(v.a[i]!);
  const ref = [p, g, m, v].map((s) => Float32Array.from(s.a));
  const before = Float32Array.from(p.a);
  const keep = filled(arena, len);
  const keepRef = new Float32Array(len);
  const tops: number[] = [];
  for (const [k, P, G, M, V, K] of [[arena.kernels, p.a, g.a, m.a, v.a, keep.a], [tsKernels, ...ref, keepRef]] as const) {
    tops.push(k.adamStep(len, P, G, M, V, 1e-3 / (1 - 0.9 ** 3), 0.9, 0.999, 1e-8, Math.sqrt(1 - 0.999 ** 3), K));
  }
  close(p.a, ref[0]!, len, 'θ', 1e-6);
  close(m.a, ref[2]!, len, 'm', 1e-6);
  close(v.a, ref[3]!, len, 'v', 1e-6);
  assert.deepEqual(keep.a, before, 'the module kept θ as it was before the step');
  assert.deepEqual(keepRef, before, 'the reference kept θ as it was before the step');
  const maxAbs = (a: ArrayLike<number>): number => Array.from(a).reduce((top, x) => Math.max(top, Math.abs(x)), 0);
  assert.equal(tops[0], maxAbs(p.a), 'the module returns the largest |θ| after the step');
  assert.equal(tops[1], maxAbs(ref[0]!), 'the reference returns the largest |θ| after the step');
});

test('the Adam kernel answers NaN or ∞ when a new θ is not finite, in the vector body and in the tail', () => {
  const len = 1031;
  for (const which of ['module', 'reference'] as const) {
    for (const [at, bad, want] of [[5, 'g', NaN], [len - 1, 'g', NaN], [12, 'p', Infinity], [len - 2, 'p', -Infinity]] as const) {
      const arena = backend.createArena('float32', 1 << 16);
      const [p, g, m, v] = [0, 1, 2, 3].map(() => arena.alloc(len).a);
      p!.fill(0.5); g!.fill(0.25);
      (bad === 'g' ? g! : p!)[at] = want;
      const k = which === 'module' ? arena.kernels : tsKernels;
      const top = k.adamStep(len, p!, g!, m!, v!, 1e-3, 0.9, 0.999, 1e-8, 1, null);
      if (Number.isNaN(want)) assert.ok(Number.isNaN(top), `${which}: a NaN gradient at ${at}: ${top}`);
      else assert.equal(top, Infinity, `${which}: an infinite weight at ${at}`);
    }
  }
});

test('the SGD kernel matches the reference step, without momentum, with it and with Nesterov\'s', () => {
  const len = 1031;
  for (const [momentum, nesterov] of [[0, false], [0.9, false], [0.9, true]] as const) {
    const arena = backend.createArena('float32', 1 << 16) as WasmArena;
    const [p, g, v] = [filled(arena, len), filled(arena, len), filled(arena, len)];
    const ref = [p, g, v].map((s) => Float32Array.from(s.a));
    for (let t = 0; t < 3; t++) {
      arena.kernels.sgdStep(len, p.a, g.a, momentum === 0 ? null : v.a, 0.05, momentum, nesterov);
      tsKernels.sgdStep(len, ref[0]!, ref[1]!, momentum === 0 ? null : ref[2]!, 0.05, momentum, nesterov);
    }
    const what = `momentum ${momentum}${nesterov ? ', Nesterov' : ''}`;
    close(p.a, ref[0]!, len, `θ, ${what}`, 1e-6);
    close(v.a, ref[2]!, len, `velocity, ${what}`, 1e-6);
    if (momentum === 0) assert.deepEqual(Array.from(v.a), Array.from(ref[2]!), 'no velocity: the buffer is left alone');
    else assert.ok(v.a.some((x, i) => x !== g.a[i]), 'the velocity moved');
  }
});

test('batch gathers from a table in wasm memory match the reference', () => {
  const arena = backend.createArena('float32', 1 << 16) as WasmArena;
  const w = 13;
  const table = filled(arena, 40 * w);
  const dst = arena.alloc(7 * w);
  const idx = Int32Array.from([39, 0, 5, 5, 17, 2, 30, 11]);
  const ref = new Float32Array(7 * w);
  arena.kernels.gatherRows(table.a, idx, 1, 7, w, dst.a);
  tsKernels.gatherRows(Float32Array.from(table.a), idx, 1, 7, w, ref);
  assert.deepEqual(Array.from(dst.a), Array.from(ref));
});

test('a freed slot is reused, zeroed, by the next alloc of its length; the arena refuses a sub-slot, a stranger\'s slot and a double free', () => {
  for (const arena of [backend.createArena('float32'), tsBackend.createArena('float32'), tsBackend.createArena('float64')]) {
    const what = arena.constructor.name + ' ' + arena.dtype;
    const a = arena.alloc(1000);
    const b = arena.alloc(50);
    a.a.fill(7);
    const used = arena.used;
    arena.free(a);
    const c = arena.alloc(1000);
    assert.equal(c.offset, a.offset, `${what}: the same place`);
    assert.equal(arena.used, used, `${what}: the arena did not grow`);
    assert.ok(c.a.every((v) => v === 0), `${what}: zeroed`);
    assert.notEqual(arena.alloc(999).offset, a.offset, `${what}: another length is a new slot`);
    assert.throws(() => arena.free(arena.sub(b, 0, 10)), /not a sub-slot/, what);
    assert.throws(() => arena.free(backend.createArena('float32').alloc(4)), /this arena's alloc/, what);
    arena.free(b);
    assert.throws(() => arena.free(b), /freed twice/, what);
  }
});
