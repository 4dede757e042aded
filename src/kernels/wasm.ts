/**
 * The WebAssembly SIMD backend. Each arena is one `WebAssembly.Memory` with its own instance of the
 * kernel module, so every slot a layer holds is a view of wasm memory and a kernel call passes only
 * byte offsets: no copy per call. Kernels the module does not implement (batch norm, per-unit
 * activations, the rarer activations, …) run the TypeScript reference on the same views,
 * which works because the views are ordinary Float32Arrays over the wasm memory.
 *
 * float32 only: a float64 arena (gradient checks) is the TypeScript backend's.
 *
 * Relaxed SIMD (a fused multiply-add) is used when the runtime validates it, the plain SIMD build
 * otherwise; `wasmBackendInfo()` says which.
 */

import type { Activation, ActivationName } from '../activations.js';
import { ARENA_MAX_BYTES, type Arena, type Backend, type BiasMapKernels, type DType, type Slot, type Vec } from './backend.js';
export { hasBiasMap, type BiasMapKernels } from './backend.js';
import { TypedArena, gemmThroughCopy, tsKernels } from './ts.js';
import { SlotPool } from './slot-pool.js';
import { WASM_RELAXED_SIMD, WASM_RELAXED_SIMD_SHARED, WASM_SIMD, WASM_SIMD_SHARED } from './wasm-binary.js';

interface Exports {
  readonly heapBase: () => number;
  readonly gemmWorkBytes: (n: number) => number;
  readonly gemm: (tA: number, tB: number, m: number, n: number, k: number, alpha: number,
                  A: number, lda: number, B: number, beta: number, C: number, work: number) => void;
  readonly scale: (len: number, alpha: number, x: number) => void;
  readonly axpy: (len: number, alpha: number, x: number, y: number) => void;
  readonly copy: (src: number, dst: number, len: number) => void;
  readonly mul: (a: number, b: number, out: number, len: number) => void;
  readonly mulAcc: (a: number, b: number, out: number, len: number) => void;
  readonly addRowVector: (Y: number, b: number, m: number, n: number) => void;
  readonly sumRows: (dY: number, m: number, n: number, db: number, beta: number) => void;
  readonly relu: (I: number, O: number, len: number) => void;
  readonly reluGrad: (I: number, dO: number, dI: number, len: number, beta: number) => void;
  readonly sigmoid: (I: number, O: number, len: number) => void;
  readonly sigmoidGrad: (O: number, dO: number, dI: number, len: number, beta: number) => void;
  readonly tanh: (I: number, O: number, len: number) => void;
  readonly tanhGrad: (O: number, dO: number, dI: number, len: number, beta: number) => void;
  readonly sumSq: (x: number, len: number) => number;
  readonly sumAbs: (x: number, len: number) => number;
  readonly fill: (x: number, v: number, len: number) => void;
  readonly softmaxRows: (I: number, O: number, m: number, n: number) => void;
  readonly biasAct: (I: number, b: number, O: number, m: number, n: number, act: number) => void;
  readonly adamStep: (len: number, params: number, grads: number, m: number, v: number, stepSize: number,
                      beta1: number, beta2: number, epsilon: number, sqrtC2: number, keep: number) => number;
  readonly sgdStep: (len: number, params: number, grads: number, v: number, lr: number, mu: number, nesterov: number) => void;
}

const PAGE = 65536;

function decode(base64: string): Uint8Array<ArrayBuffer> {
  const s = atob(base64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

let simdBytes: Uint8Array<ArrayBuffer> | null = null;
const sharedModules = new Map<boolean, WebAssembly.Module>();

/**
 * The kernel module built for a shared memory (worker threads), compiled once: the relaxed-SIMD build
 * when the runtime has it, as the one-thread backend picks, so a threaded product rounds exactly as one
 * thread's.
 */
export function sharedMemoryModule(relaxed: boolean = relaxedSimdSupported()): { module: WebAssembly.Module; relaxed: boolean } {
  let module = sharedModules.get(relaxed);
  if (module === undefined) {
    module = new WebAssembly.Module(decode(relaxed ? WASM_RELAXED_SIMD_SHARED : WASM_SIMD_SHARED));
    sharedModules.set(relaxed, module);
  }
  return { module, relaxed };
}
let relaxedBytes: Uint8Array<ArrayBuffer> | null = null;
const modules = new Map<boolean, WebAssembly.Module>();

function bytesFor(relaxed: boolean): Uint8Array<ArrayBuffer> {
  if (relaxed) return (relaxedBytes ??= decode(WASM_RELAXED_SIMD));
  return (simdBytes ??= decode(WASM_SIMD));
}

/** Whether this runtime runs WebAssembly SIMD (and so this backend). */
export function wasmSimdSupported(): boolean {
  return typeof WebAssembly === 'object' && WebAssembly.validate(bytesFor(false));
}

/** Whether this runtime also has relaxed SIMD (fused multiply-add). */
export function relaxedSimdSupported(): boolean {
  return typeof WebAssembly === 'object' && WebAssembly.validate(bytesFor(true));
}

/** Which WebAssembly build to use. */
export interface WasmBackendOptions {
  /** Use the relaxed-SIMD build: 'auto' (default) when the runtime supports it. */
  readonly relaxed?: boolean | 'auto';
}

function resolveRelaxed(o: WasmBackendOptions): boolean {
  const r = o.relaxed ?? 'auto';
  if (r === 'auto') return relaxedSimdSupported();
  if (r && !relaxedSimdSupported()) throw new Error('wasm backend: relaxed SIMD was asked for but this runtime does not support it');
  return r;
}

function backendFor(module: WebAssembly.Module, relaxed: boolean): Backend {
  return {
    name: relaxed ? 'wasm-relaxed-simd' : 'wasm-simd',
    supports: () => true,
    createArena: (dtype: DType, initialCapacity?: number): Arena => (dtype === 'float64'
      ? new TypedArena('float64', initialCapacity)
      : new WasmArena(module, initialCapacity ?? 1024)),
  };
}

/**
 * The kernel module, compiled synchronously (fine in Node and in Web Workers; a browser's main thread
 * refuses synchronous compilation of modules this size: use `loadWasmBackend` there), and whether it is
 * the relaxed-SIMD build.
 */
export function wasmKernelModule(options: WasmBackendOptions = {}): { module: WebAssembly.Module; relaxed: boolean } {
  if (!wasmSimdSupported()) throw new Error('wasm backend: this runtime does not support WebAssembly SIMD; use the TypeScript backend');
  const relaxed = resolveRelaxed(options);
  let module = modules.get(relaxed);
  if (module === undefined) {
    module = new WebAssembly.Module(bytesFor(relaxed));
    modules.set(relaxed, module);
  }
  return { module, relaxed };
}

/** The WebAssembly backend, compiled synchronously (see `wasmKernelModule`). */
export function createWasmBackend(options: WasmBackendOptions = {}): Backend {
  const { module, relaxed } = wasmKernelModule(options);
  return backendFor(module, relaxed);
}

/** The WebAssembly backend, compiled asynchronously (any thread of any runtime). */
export async function loadWasmBackend(options: WasmBackendOptions = {}): Promise<Backend> {
  if (!wasmSimdSupported()) throw new Error('wasm backend: this runtime does not support WebAssembly SIMD; use the TypeScript backend');
  const relaxed = resolveRelaxed(options);
  let module = modules.get(relaxed);
  if (module === undefined) {
    module = await WebAssembly.compile(bytesFor(relaxed));
    modules.set(relaxed, module);
  }
  return backendFor(module, relaxed);
}

interface MutableSlot extends Slot { a: Vec }

/**
 * The activations the module runs on four lanes: O = f(I), dI = β·dI + dO·f′ (byte offsets; f′ reads I
 * or O, whichever the module's kernel takes) and the code of the fused bias + activation. Every other
 * activation runs the TypeScript loops on the same views.
 */
interface WasmActivation {
  readonly code: number;
  map(ex: Exports, I: number, O: number, len: number): void;
  grad(ex: Exports, I: number, O: number, dO: number, dI: number, len: number, beta: number): void;
}
const WASM_ACTIVATIONS: Readonly<Partial<Record<ActivationName, WasmActivation>>> = {
  identity: {
    code: 0,
    map: (ex, I, O, len) => { if (I !== O) ex.copy(I, O, len); },
    grad: (ex, _I, _O, dO, dI, len, beta) => {
      if (beta === 0) { if (dO !== dI) ex.copy(dO, dI, len); return; }
      if (beta !== 1) ex.scale(len, beta, dI);
      ex.axpy(len, 1, dO, dI);
    },
  },
  relu: { code: 1, map: (ex, I, O, len) => ex.relu(I, O, len), grad: (ex, I, _O, dO, dI, len, beta) => ex.reluGrad(I, dO, dI, len, beta) },
  sigmoid: { code: 2, map: (ex, I, O, len) => ex.sigmoid(I, O, len), grad: (ex, _I, O, dO, dI, len, beta) => ex.sigmoidGrad(O, dO, dI, len, beta) },
  tanh: { code: 3, map: (ex, I, O, len) => ex.tanh(I, O, len), grad: (ex, _I, O, dO, dI, len, beta) => ex.tanhGrad(O, dO, dI, len, beta) },
};

/** The raw module entry points, for code that drives the kernels from other threads. */
export type WasmExports = Exports;

/**
 * Takes over the products it runs faster than this module: split over threads that share the arena's
 * memory (src/node/threads.ts), or handed to a native BLAS on the same memory (src/kernels/native.ts).
 * `gemm` gets byte offsets and returns false to let the arena run the product itself.
 */
export interface GemmTeam {
  /** Called once by the arena, when its memory and exports exist. */
  attach(arena: WasmArena, exports: WasmExports): void;
  /** Scratch bytes each helper thread needs for products `maxColumns` wide. */
  reserve(bytesPerThread: number): void;
  gemm(transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
       A: number, B: number, beta: number, C: number, work: number): boolean;
  /**
   * Kernels.gemmFinite with A read in place from a table outside the arena (B, C byte offsets); null when
   * the team does not take the product (the arena then copies A in and runs gemm).
   */
  gemmFinite?(src: Float32Array, start: number, m: number, n: number, k: number, B: number, C: number): boolean | null;
  /** C ← A·B + b and O ← C or ReLU(C) (byte offsets; A m×k, B k×n, b n); false when the team does not take it. */
  gemmBiasAct?(m: number, n: number, k: number, A: number, B: number, C: number, b: number, O: number, relu: boolean): boolean;
  /** gemmFinite with gemmBiasAct's bias and activation after it; null when the team does not take it. */
  gemmFiniteBiasAct?(src: Float32Array, start: number, m: number, n: number, k: number, B: number, C: number,
                     b: number, O: number, relu: boolean): boolean | null;
}

/** The activations a team's fused product applies (ReLU or not); the others run the module's biasAct after it. */
const TEAM_FUSED: Readonly<Partial<Record<ActivationName, boolean>>> = { relu: true, identity: false };

/**
 * Runs the optimizer step and the finiteness sums elsewhere on the arena's memory (the native addon,
 * src/kernels/native.ts), rounding exactly as the module's own kernels: byte offsets, as the module takes;
 * and gathers batches from a table outside the arena, which the module cannot reach.
 */
export interface ElementHelper {
  /** Shorter operands run on the module: a call into the helper costs more than it saves below this. */
  readonly minLength: number;
  /**
   * Batches of fewer values (or rows of fewer than four) are gathered by the TypeScript loop, which the
   * helper's call costs more than below this; the module cannot gather from outside the arena at all.
   */
  readonly minGatherLength: number;
  /** The module's adamStep (keep: a byte offset, 0 for none), returning what it returns. */
  adamStep(len: number, params: number, grads: number, m: number, v: number, stepSize: number,
           beta1: number, beta2: number, epsilon: number, sqrtC2: number, keep: number): number;
  sumSq(x: number, len: number): number;
  sumAbs(x: number, len: number): number;
  /** Kernels.gatherRows from a table outside the arena into the arena at byte offset dst. */
  gatherRows(src: Float32Array, idx: Int32Array, start: number, m: number, w: number, dst: number): void;
  /** Kernels.copyFinite from a table outside the arena into the arena at byte offset dst. */
  copyFinite(src: Float32Array, start: number, len: number, dst: number): boolean;
}

export interface WasmArenaOptions {
  /** A shared memory with this maximum (in 64 KiB pages), for a team of threads; the module must be the shared build. */
  readonly sharedMaximumPages?: number;
  readonly team?: GemmTeam;
  readonly elements?: ElementHelper;
}

/** An arena in a WebAssembly memory: the wasm kernels read and write the model's buffers in place. */
export class WasmArena implements Arena {
  readonly dtype: DType = 'float32';
  readonly kernels: BiasMapKernels;
  readonly memory: WebAssembly.Memory;
  private readonly ex: Exports;
  /** Elements below this belong to the module's static data (tables, scratch). */
  private usedElems: number;
  private readonly slots: MutableSlot[] = [];
  private readonly pool = new SlotPool<MutableSlot>();
  private work = 0;
  private workBytes = 0;
  /** gemm calls that ran in TypeScript because an operand was not in this memory or scratch was short. */
  fallbacks = 0;

  private readonly team: GemmTeam | null;
  private readonly elements: ElementHelper | null;

  constructor(module: WebAssembly.Module, initialCapacity: number, options: WasmArenaOptions = {}) {
    const max = options.sharedMaximumPages;
    this.memory = max === undefined
      ? new WebAssembly.Memory({ initial: 1 })
      : new WebAssembly.Memory({ initial: 1, maximum: max, shared: true });
    const instance = new WebAssembly.Instance(module, { env: { memory: this.memory } });
    this.ex = instance.exports as unknown as Exports;
    this.usedElems = Math.ceil(this.ex.heapBase() / 64) * 16;
    this.ensureBytes(this.usedElems * 4 + initialCapacity * 4);
    this.team = options.team ?? null;
    this.elements = options.elements ?? null;
    this.kernels = this.makeKernels();
    this.team?.attach(this, this.ex);
  }

  get used(): number { return this.usedElems; }

  alloc(length: number): Slot {
    if (!Number.isInteger(length) || length < 0) throw new Error(`arena: cannot allocate ${length} elements`);
    const reused = this.pool.take(length);
    if (reused !== undefined) return reused;
    const offset = Math.ceil(this.usedElems / 16) * 16;
    const end = offset + length;
    this.ensureBytes(end * 4);
    this.usedElems = end;
    const slot: MutableSlot = { offset, length, a: new Float32Array(this.memory.buffer, offset * 4, length) };
    this.slots.push(slot);
    return this.pool.track(slot);
  }

  free(slot: Slot): void { this.pool.give(slot); }

  sub(parent: Slot, start: number, length: number): Slot {
    if (start < 0 || start + length > parent.length) {
      throw new Error(`arena: sub-slot [${start}, ${start + length}) outside a slot of ${parent.length}`);
    }
    const offset = parent.offset + start;
    const slot: MutableSlot = { offset, length, a: new Float32Array(this.memory.buffer, offset * 4, length) };
    this.slots.push(slot);
    return slot;
  }

  /** Packing space for products up to `maxColumns` wide, allocated now so that the hot loop never grows memory. */
  reserveWorkspace(maxColumns: number): void {
    const bytes = this.ex.gemmWorkBytes(Math.max(1, maxColumns));
    if (bytes <= this.workBytes) return;
    const slot = this.alloc(Math.ceil(bytes / 4));
    this.work = slot.offset * 4;
    this.workBytes = bytes;
    this.team?.reserve(bytes);
  }

  private ensureBytes(bytes: number): void {
    const have = this.memory.buffer.byteLength;
    if (bytes <= have) return;
    // Grow geometrically so a model compiled layer by layer moves memory a few times only (never past what
    // the arena can address, which would refuse a request that fits).
    const want = Math.max(bytes, Math.min(have * 2, ARENA_MAX_BYTES));
    this.memory.grow(Math.ceil((want - have) / PAGE));
    const buf = this.memory.buffer;
    for (const s of this.slots) s.a = new Float32Array(buf, s.offset * 4, s.length);
  }

  private makeKernels(): BiasMapKernels {
    const ex = this.ex;
    const mem = this.memory;
    const ts = tsKernels;
    // A view's byte offset when it lives in this memory, else -1 (then the TypeScript kernel runs).
    const at = (v: Vec): number => (v.buffer === mem.buffer && v instanceof Float32Array ? v.byteOffset : -1);
    // (For a shared memory, \`buffer\` is the same object until the memory grows, as for a plain one.)
    const arena = this;
    // The optimizer step and the sums: the helper's for long enough operands, else the module's (same rounding).
    const helper = this.elements;
    const minLength = helper?.minLength ?? Infinity;
    const minGather = helper?.minGatherLength ?? Infinity;
    const el = (len: number): Pick<Exports, 'adamStep' | 'sumSq' | 'sumAbs'> => (len >= minLength ? helper! : ex);
    const unary = (f: Activation, I: Vec, O: Vec, len: number): boolean => {
      const w = WASM_ACTIVATIONS[f.name];
      const pi = at(I);
      const po = at(O);
      if (w === undefined || pi < 0 || po < 0) return false;
      w.map(ex, pi, po, len);
      return true;
    };
    const unaryGrad = (f: Activation, I: Vec, O: Vec, dO: Vec, dI: Vec, len: number, beta: number): boolean => {
      const w = WASM_ACTIVATIONS[f.name];
      const pi = at(I);
      const po = at(O);
      const pg = at(dO);
      const pd = at(dI);
      if (w === undefined || pi < 0 || po < 0 || pg < 0 || pd < 0) return false;
      w.grad(ex, pi, po, pg, pd, len, beta);
      return true;
    };
    const kernels: BiasMapKernels = {
      ...ts,
      gemm(transA, transB, m, n, k, alpha, A, B, beta, C) {
        const pa = at(A);
        const pb = at(B);
        const pc = at(C);
        if (pa < 0 || pb < 0 || pc < 0 || ex.gemmWorkBytes(n) > arena.workBytes) {
          arena.fallbacks++;
          ts.gemm(transA, transB, m, n, k, alpha, A, B, beta, C);
          return;
        }
        if (arena.team !== null && arena.team.gemm(transA, transB, m, n, k, alpha, pa, pb, beta, pc, arena.work)) return;
        ex.gemm(transA ? 1 : 0, transB ? 1 : 0, m, n, k, alpha, pa, transA ? m : k, pb, beta, pc, arena.work);
      },
      addRowVector(Y, b, m, n) {
        const py = at(Y); const pb = at(b);
        if (py < 0 || pb < 0) ts.addRowVector(Y, b, m, n); else ex.addRowVector(py, pb, m, n);
      },
      sumRows(dY, m, n, db, beta) {
        const py = at(dY); const pb = at(db);
        if (py < 0 || pb < 0) ts.sumRows(dY, m, n, db, beta); else ex.sumRows(py, m, n, pb, beta);
      },
      map(f, I, O, len) { if (!unary(f, I, O, len)) ts.map(f, I, O, len); },
      mapGrad(f, I, O, dO, dI, len, beta) { if (!unaryGrad(f, I, O, dO, dI, len, beta)) ts.mapGrad(f, I, O, dO, dI, len, beta); },
      axpy(len, alpha, x, y) {
        const px = at(x); const py = at(y);
        if (px < 0 || py < 0) ts.axpy(len, alpha, x, y); else ex.axpy(len, alpha, px, py);
      },
      scale(len, alpha, x) { const p = at(x); if (p < 0) ts.scale(len, alpha, x); else ex.scale(len, alpha, p); },
      copy(src, dst, len) {
        const ps = at(src); const pd = at(dst);
        if (ps < 0 || pd < 0) ts.copy(src, dst, len); else if (ps !== pd) ex.copy(ps, pd, len);
      },
      copyFinite(src, start, dst, len) {
        const pd = at(dst);
        if (pd >= 0 && len >= minLength && at(src) < 0 && src instanceof Float32Array) return helper!.copyFinite(src, start, len, pd);
        return ts.copyFinite(src, start, dst, len);
      },
      gemmFinite(src, start, m, n, k, B, C, via) {
        const pb = at(B); const pc = at(C);
        const team = arena.team;
        if (team?.gemmFinite !== undefined && src instanceof Float32Array && at(src) < 0 && pb >= 0 && pc >= 0) {
          const finite = team.gemmFinite(src, start, m, n, k, pb, pc);
          if (finite !== null) return finite;
        }
        return gemmThroughCopy(kernels, src, start, m, n, k, B, C, via);
      },
      gatherRows(src, idx, start, m, w, dst) {
        const ps = at(src); const pd = at(dst);
        if (ps < 0 && pd >= 0 && w >= 4 && m * w >= minGather && src instanceof Float32Array) { helper!.gatherRows(src, idx, start, m, w, pd); return; }
        if (ps < 0 || pd < 0) { ts.gatherRows(src, idx, start, m, w, dst); return; }
        const rowBytes = w * 4;
        for (let r = 0; r < m; r++) ex.copy(ps + idx[start + r]! * rowBytes, pd + r * rowBytes, w);
      },
      mul(a, b, out, len) {
        const pa = at(a); const pb = at(b); const po = at(out);
        if (pa < 0 || pb < 0 || po < 0) ts.mul(a, b, out, len); else ex.mul(pa, pb, po, len);
      },
      mulAcc(a, b, out, len) {
        const pa = at(a); const pb = at(b); const po = at(out);
        if (pa < 0 || pb < 0 || po < 0) ts.mulAcc(a, b, out, len); else ex.mulAcc(pa, pb, po, len);
      },
      adamStep(len, params, grads, m, v, stepSize, beta1, beta2, epsilon, sqrtC2, keep) {
        const pp = at(params); const pg = at(grads); const pm = at(m); const pv = at(v);
        if (pp < 0 || pg < 0 || pm < 0 || pv < 0) return ts.adamStep(len, params, grads, m, v, stepSize, beta1, beta2, epsilon, sqrtC2, keep);
        // A copy outside the arena is written here; one inside it, in the step's own pass.
        let pk = keep === null ? 0 : at(keep);
        if (pk < 0) { keep!.set(params.subarray(0, len)); pk = 0; }
        return el(len).adamStep(len, pp, pg, pm, pv, stepSize, beta1, beta2, epsilon, sqrtC2, pk);
      },
      sgdStep(len, params, grads, velocity, learningRate, momentum, nesterov) {
        const pp = at(params); const pg = at(grads); const pv = velocity === null ? 0 : at(velocity);
        if (pp < 0 || pg < 0 || pv < 0) ts.sgdStep(len, params, grads, velocity, learningRate, momentum, nesterov);
        else ex.sgdStep(len, pp, pg, pv, learningRate, momentum, nesterov ? 1 : 0);
      },
      sumSq(x, len) { const p = at(x); return p < 0 ? ts.sumSq(x, len) : el(len).sumSq(p, len); },
      sumAbs(x, len) { const p = at(x); return p < 0 ? ts.sumAbs(x, len) : el(len).sumAbs(p, len); },
      fill(x, v, len) { const p = at(x); if (p < 0) ts.fill(x, v, len); else ex.fill(p, v, len); },
      softmaxRows(I, O, m, n) {
        const pi = at(I); const po = at(O);
        if (pi < 0 || po < 0) ts.softmaxRows(I, O, m, n); else ex.softmaxRows(pi, po, m, n);
      },
      biasMap(f, I, b, O, m, n) {
        const pi = at(I); const pb = at(b); const po = at(O);
        const code = WASM_ACTIVATIONS[f.name]?.code;
        if (pi < 0 || pb < 0 || po < 0 || code === undefined) {
          kernels.addRowVector(I, b, m, n);
          kernels.map(f, I, O, m * n);
        } else {
          ex.biasAct(pi, pb, po, m, n, code);
        }
      },
      gemmBiasMap(f, m, n, k, X, W, b, I, O) {
        // Offsets only where a team could fuse: the module's own layers (W2's small ones) pay nothing more.
        const relu = TEAM_FUSED[f.name];
        const team = arena.team;
        if (relu !== undefined && team?.gemmBiasAct !== undefined) {
          const px = at(X); const pw = at(W); const pi = at(I); const pb = at(b); const po = at(O);
          if (px >= 0 && pw >= 0 && pi >= 0 && pb >= 0 && po >= 0 && team.gemmBiasAct(m, n, k, px, pw, pi, pb, po, relu)) return;
        }
        kernels.gemm(false, false, m, n, k, 1, X, W, 0, I);
        kernels.biasMap(f, I, b, O, m, n);
      },
      gemmFiniteBiasMap(f, src, start, m, n, k, B, b, C, O, via) {
        const relu = TEAM_FUSED[f.name];
        const team = arena.team;
        if (relu !== undefined && team?.gemmFiniteBiasAct !== undefined && src instanceof Float32Array && at(src) < 0) {
          const pB = at(B); const pc = at(C); const pb = at(b); const po = at(O);
          const finite = pB >= 0 && pc >= 0 && pb >= 0 && po >= 0 ? team.gemmFiniteBiasAct(src, start, m, n, k, pB, pc, pb, po, relu) : null;
          if (finite !== null) return finite;
        }
        if (!kernels.gemmFinite(src, start, m, n, k, B, C, via)) return false;
        kernels.biasMap(f, C, b, O, m, n);
        return true;
      },
    };
    return kernels;
  }
}
