// gemm throughput, TypeScript reference against the WebAssembly SIMD backend, at the products one
// W1 training step runs (batch 128; forward X·W, weight gradients Xᵀ·δ, input gradients δ·Wᵀ), W3's
// one-row inference product, and a square product for scale. Prints the median GFLOP/s over repeats
// (and the best repeat, a steadier figure when other processes share the cores). The relaxed-SIMD
// build is measured too when the runtime has it (Node 20: `node --experimental-wasm-relaxed-simd`), and the
// native BLAS (every product handed to it, whatever its size) when the @mlpkit/native addon loads.
// Usage: npx tsx bench/gemm.ts [--repeats 7] [--ms 60] [--skip-ts] [--json]
import { tsBackend } from '../src/kernels/ts.js';
import { createWasmBackend, relaxedSimdSupported } from '../src/kernels/wasm.js';
import type { Backend, Kernels, Slot } from '../src/kernels/backend.js';
import { Rng } from '../src/rng.js';
import { createNativeBackend } from '../src/kernels/native.js';
import { nativeBlas } from '../src/node/native.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1]! : fallback;
}
const repeats = Number(arg('repeats', '7'));
const minMs = Number(arg('ms', '60'));
const skipTs = process.argv.includes('--skip-ts');
const json = process.argv.includes('--json');

interface Shape { readonly what: string; readonly tA: boolean; readonly tB: boolean; readonly m: number; readonly n: number; readonly k: number }
const shapes: Shape[] = [
  { what: 'W1 fwd L1  X·W', tA: false, tB: false, m: 128, n: 256, k: 784 },
  { what: 'W1 fwd L2  X·W', tA: false, tB: false, m: 128, n: 128, k: 256 },
  { what: 'W1 fwd L3  X·W', tA: false, tB: false, m: 128, n: 10, k: 128 },
  { what: 'W1 dW L1  Xᵀ·δ', tA: true, tB: false, m: 784, n: 256, k: 128 },
  { what: 'W1 dW L2  Xᵀ·δ', tA: true, tB: false, m: 256, n: 128, k: 128 },
  { what: 'W1 dW L3  Xᵀ·δ', tA: true, tB: false, m: 128, n: 10, k: 128 },
  { what: 'W1 dX L2  δ·Wᵀ', tA: false, tB: true, m: 128, n: 256, k: 128 },
  { what: 'W1 dX L3  δ·Wᵀ', tA: false, tB: true, m: 128, n: 128, k: 10 },
  { what: 'W2 fwd L1  X·W', tA: false, tB: false, m: 32, n: 32, k: 20 },
  { what: 'W2 fwd L2  X·W', tA: false, tB: false, m: 32, n: 32, k: 32 },
  { what: 'W2 dW L2  Xᵀ·δ', tA: true, tB: false, m: 32, n: 32, k: 32 },
  { what: 'W3 batch 1 L1', tA: false, tB: false, m: 1, n: 256, k: 784 },
  { what: 'W3 batch 1 L2', tA: false, tB: false, m: 1, n: 128, k: 256 },
  { what: 'W3 batch 4 L1', tA: false, tB: false, m: 4, n: 256, k: 784 },
  { what: 'W3 batch 1024 L1', tA: false, tB: false, m: 1024, n: 256, k: 784 },
  { what: 'square 512³', tA: false, tB: false, m: 512, n: 512, k: 512 },
  { what: 'square 512³ AᵀBᵀ', tA: true, tB: true, m: 512, n: 512, k: 512 },
];

interface Case { kernels: Kernels; A: Slot; B: Slot; C: Slot }

function setUp(backend: Backend, s: Shape, rng: Rng): Case {
  const arena = backend.createArena('float32');
  arena.reserveWorkspace(Math.max(s.n, 1024));
  const fill = (len: number): Slot => {
    const slot = arena.alloc(len);
    for (let i = 0; i < len; i++) slot.a[i] = rng.normal();
    return slot;
  };
  const A = fill(s.m * s.k);
  const B = fill(s.k * s.n);
  const C = fill(s.m * s.n);
  return { kernels: arena.kernels, A, B, C };
}

/** Median and best GFLOP/s: each repeat runs the product until `minMs` have passed. */
function measure(c: Case, s: Shape): { median: number; best: number } {
  const flop = 2 * s.m * s.n * s.k;
  const run = (): void => c.kernels.gemm(s.tA, s.tB, s.m, s.n, s.k, 1, c.A.a, c.B.a, 1, c.C.a);
  run();
  const rates: number[] = [];
  for (let r = 0; r < repeats; r++) {
    let calls = 0;
    const t0 = performance.now();
    let t = t0;
    while (t - t0 < minMs) { run(); calls++; t = performance.now(); }
    rates.push((flop * calls) / ((t - t0) * 1e6));
  }
  rates.sort((a, b) => a - b);
  return { median: rates[rates.length >> 1]!, best: rates[rates.length - 1]! };
}

type Rate = { median: number; best: number } | null;
const rng = new Rng(1);
const simd = createWasmBackend({ relaxed: false });
const relaxed = relaxedSimdSupported() ? createWasmBackend({ relaxed: true }) : null;
const blas = nativeBlas();
const native = blas === null ? null : createNativeBackend(blas, { minMultiplyAdds: 0 });
const rows: { shape: string; ts: Rate; simd: Rate; relaxed: Rate; native: Rate }[] = [];
for (const s of shapes) {
  const w = measure(setUp(simd, s, rng), s);
  const r = relaxed === null ? null : measure(setUp(relaxed, s, rng), s);
  const nat = native === null ? null : measure(setUp(native, s, rng), s);
  const t = skipTs ? null : measure(setUp(tsBackend, s, rng), s);
  rows.push({ shape: `${s.what} (${s.tA ? 'T' : 'N'}${s.tB ? 'T' : 'N'} ${s.m}×${s.n}×${s.k})`, ts: t, simd: w, relaxed: r, native: nat });
}

if (json) {
  for (const r of rows) console.log(JSON.stringify(r));
} else {
  const f = (v: Rate): string => (v === null ? '–' : `${v.median.toFixed(1)} (${v.best.toFixed(1)})`);
  console.log(`gemm GFLOP/s: median (best) of ${repeats} repeats of ≥ ${minMs} ms`);
  console.log(`${'product'.padEnd(40)} ${'ts'.padStart(12)} ${'wasm-simd'.padStart(12)} ${'relaxed'.padStart(12)} ${'native'.padStart(12)} ${'simd÷ts'.padStart(8)}`);
  for (const r of rows) {
    const ratio = r.ts === null || r.simd === null ? '–' : (r.simd.median / r.ts.median).toFixed(0);
    console.log(`${r.shape.padEnd(40)} ${f(r.ts).padStart(12)} ${f(r.simd).padStart(12)} ${f(r.relaxed).padStart(12)} ${f(r.native).padStart(12)} ${ratio.padStart(8)}`);
  }
  if (native === null) console.log('native: the @mlpkit/native addon is not available (mlpkit info --backend says why)');
  if (relaxed === null) console.log('relaxed SIMD: not supported by this runtime (Node 20: node --experimental-wasm-relaxed-simd --import tsx bench/gemm.ts)');
}
