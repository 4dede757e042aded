import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createThreadedBackend } from '../../src/node/threads.js';
import { createWasmBackend, type WasmArena } from '../../src/kernels/wasm.js';
import { Model } from '../../src/graph/model.js';
import { mlp } from '../../src/graph/builders.js';
import { Rng } from '../../src/rng.js';

test('a product split over two threads equals the single-thread product bit for bit, in every transpose form', () => {
  const threaded = createThreadedBackend({ threads: 2, minMultiplyAdds: 1 });
  const single = createWasmBackend();
  for (const [tA, tB] of [[false, false], [true, false], [false, true], [true, true]] as const) {
    for (const [m, n, k] of [[128, 256, 96], [67, 33, 50], [784, 64, 128]] as const) {
      const out: Float32Array[] = [];
      for (const be of [threaded, single]) {
        const arena = be.createArena('float32', 1 << 20) as WasmArena;
        arena.reserveWorkspace(n);
        const [A, B, C] = [arena.alloc(m * k), arena.alloc(k * n), arena.alloc(m * n)];
        const r = new Rng(m + n + k);
        for (const s of [A, B, C]) for (let i = 0; i < s.length; i++) s.a[i] = r.normal();
        arena.kernels.gemm(tA, tB, m, n, k, 0.5, A.a, B.a, 1, C.a);
        out.push(Float32Array.from(C.a));
      }
      assert.deepEqual(out[0], out[1], `${tA ? 'Aᵀ' : 'A'}·${tB ? 'Bᵀ' : 'B'} ${m}×${n}×${k}`);
    }
  }
});

test('a model trained with two threads reaches exactly the weights of a single-thread run', () => {
  const spec = mlp({ inputSize: 64, outputSize: 4, task: 'multiclass', hidden: [96, 64], activation: 'relu' });
  const runs = [createThreadedBackend({ threads: 2, minMultiplyAdds: 1 }), createWasmBackend()].map((backend) => {
    const model = new Model(spec, { seed: 5, backend, maxBatch: 64 });
    const r = new Rng(2);
    const x = Array.from({ length: 64 }, () => Array.from({ length: 64 }, () => r.normal()));
    const y = x.map((_, i) => [0, 1, 2, 3].map((c) => (c === i % 4 ? 1 : 0)));
    for (let t = 0; t < 5; t++) {
      model.forward(x, { mode: 'train' });
      model.loss(y);
      model.zeroGrad();
      model.backward();
      for (let i = 0; i < model.paramBuffer.length; i++) model.paramBuffer.a[i]! -= 0.1 * model.gradBuffer.a[i]!;
    }
    return model.getWeights();
  });
  assert.deepEqual(runs[0], runs[1]);
});
