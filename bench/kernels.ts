// The elementwise and row kernels of a W1 / W2 training step, TypeScript reference against the
// WebAssembly SIMD backend: median µs per call over repeats, and the fused bias + activation
// (`biasMap`) against the two kernels it replaces (addRowVector, then map).
// Usage: npx tsx bench/kernels.ts [--repeats 9] [--ms 20]
import { ACTIVATIONS } from '../src/activations.js';
import type { Backend, Kernels, Slot } from '../src/kernels/backend.js';
import { tsBackend } from '../src/kernels/ts.js';
import { createWasmBackend, hasBiasMap } from '../src/kernels/wasm.js';
import { Rng } from '../src/rng.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1]! : fallback;
}
const repeats = Number(arg('repeats', '9'));
const minMs = Number(arg('ms', '20'));

/** Median µs per call. */
function time(fn: () => void): number {
  fn();
  const r: number[] = [];
  for (let rep = 0; rep < repeats; rep++) {
    let calls = 0;
    const t0 = performance.now();
    let t = t0;
    while (t - t0 < minMs) { fn(); calls++; t = performance.now(); }
    r.push(((t - t0) * 1000) / calls);
  }
  r.sort((a, b) => a - b);
  return r[r.length >> 1]!;
}

const rng = new Rng(5);
interface Bufs { k: Kernels; I: Slot; O: Slot; dO: Slot; dI: Slot; b: Slot; out: Slot }
function bufs(backend: Backend, m: number, n: number): Bufs {
  const arena = backend.createArena('float32');
  const slot = (len: number): Slot => {
    const s = arena.alloc(len);
    for (let i = 0; i < len; i++) s.a[i] = rng.normal();
    return s;
  };
  return { k: arena.kernels, I: slot(m * n), O: slot(m * n), dO: slot(m * n), dI: slot(m * n), b: slot(n), out: slot(m) };
}

const wasm = createWasmBackend();
const rows: [string, number, number][] = [];
for (const [m, n] of [[128, 256], [128, 10], [32, 32]] as const) {
  const t = bufs(tsBackend, m, n);
  const w = bufs(wasm, m, n);
  const both = (what: string, fn: (x: Bufs) => void): void => { rows.push([`${what} ${m}×${n}`, time(() => fn(t)), time(() => fn(w))]); };
  both('addRowVector', (x) => x.k.addRowVector(x.I.a, x.b.a, m, n));
  both('sumRows', (x) => x.k.sumRows(x.dO.a, m, n, x.b.a, 1));
  for (const f of [ACTIVATIONS.relu, ACTIVATIONS.tanh, ACTIVATIONS.sigmoid]) {
    both(`map ${f.name}`, (x) => x.k.map(f, x.I.a, x.O.a, m * n));
    both(`mapGrad ${f.name}`, (x) => x.k.mapGrad(f, x.I.a, x.O.a, x.dO.a, x.dI.a, m * n, 0));
  }
  both('softmaxRows', (x) => x.k.softmaxRows(x.I.a, x.O.a, m, n));
  both('sumSq', (x) => { x.k.sumSq(x.I.a, m * n); });
}

console.log(`µs per call, median of ${repeats} repeats of ≥ ${minMs} ms (wasm backend: ${wasm.name})`);
console.log(`${'kernel'.padEnd(28)} ${'ts'.padStart(9)} ${'wasm'.padStart(9)} ${'ts÷wasm'.padStart(8)}`);
for (const [what, t, w] of rows) console.log(`${what.padEnd(28)} ${t.toFixed(2).padStart(9)} ${w.toFixed(2).padStart(9)} ${(t / w).toFixed(1).padStart(8)}`);

console.log('\nbias + activation on wasm: addRowVector then map, against the fused biasMap (µs per call)');
for (const [m, n] of [[128, 256], [128, 128], [32, 32]] as const) {
  const w = bufs(wasm, m, n);
  if (!hasBiasMap(w.k)) throw new Error('the wasm backend lost its fused bias + activation');
  const fused = w.k;
  for (const f of [ACTIVATIONS.relu, ACTIVATIONS.tanh, ACTIVATIONS.sigmoid]) {
    const two = time(() => { w.k.addRowVector(w.I.a, w.b.a, m, n); w.k.map(f, w.I.a, w.O.a, m * n); });
    const one = time(() => fused.biasMap(f, w.I.a, w.b.a, w.O.a, m, n));
    console.log(`${`${f.name} ${m}×${n}`.padEnd(28)} ${two.toFixed(2).padStart(9)} ${one.toFixed(2).padStart(9)} ${(two / one).toFixed(2).padStart(8)}×`);
  }
}
