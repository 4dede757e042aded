/**
 * Multithreaded WebAssembly kernels (Node only): each arena's memory is shared with helper threads,
 * and a large gemm is split by rows of C — each thread computes α·op(A)[rows]·op(B) + β·C[rows]
 * with its own packing space — while small products stay on the calling thread (waking a thread
 * costs more than they take). This file is both the team (main thread) and the helpers' entry point.
 *
 * Synchronization: every helper has a 16-word control block in the shared memory. The caller writes
 * the job, increments word 0 and notifies; the helper, blocked in Atomics.wait on word 0, runs the job,
 * stores the job number in word 1 and notifies; the caller waits on word 1. No message passing and no
 * allocation per product.
 */

import { availableParallelism } from 'node:os';
import { isMainThread, Worker, workerData } from 'node:worker_threads';
import type { Arena, Backend, DType } from '../kernels/backend.js';
import { TypedArena } from '../kernels/ts.js';
import { sharedMemoryModule, WasmArena, type GemmTeam, type WasmExports } from '../kernels/wasm.js';

const ROLE = 'mlpkit-gemm-helper';
/** Must match --maximumMemory in scripts/build-wasm.mjs (pages of 64 KiB: 2 GiB). */
const MAX_PAGES = 32768;
const CTRL_WORDS = 16;
// Control block words.
const SEQ = 0, DONE = 1, TA = 2, TB = 3, M = 4, N = 5, K = 6, ALPHA = 7, A = 8, LDA = 9, B = 10, BETA = 11, C = 12, WORK = 13, STOP = 14;

/** How createThreadedBackend splits products over worker threads. */
export interface ThreadedBackendOptions {
  /** Threads per product, the caller's included (default: the machine's available parallelism). */
  readonly threads?: number;
  /**
   * Products with fewer multiply-adds (m·n·k) than this stay on one thread. The default, 2¹⁸, was the
   * best threshold for the W1 training step on 2 cores (samples/s at 2¹⁵: 40k, 2¹⁷: 42k, 2¹⁸: 45k,
   * 2²⁰: 38k, 2²²: 37k; one thread: 34k).
   */
  readonly minMultiplyAdds?: number;
}

/** The WebAssembly backend with products split over worker threads. float64 arenas are TypeScript. */
export function createThreadedBackend(options: ThreadedBackendOptions = {}): Backend {
  const threads = Math.max(1, Math.floor(options.threads ?? availableParallelism()));
  const minWork = options.minMultiplyAdds ?? 1 << 18;
  const { module, relaxed } = sharedMemoryModule();
  return {
    name: `wasm-${relaxed ? 'relaxed-' : ''}simd-threads(${threads})`,
    supports: () => true,
    createArena: (dtype: DType, initialCapacity?: number): Arena => (dtype === 'float64'
      ? new TypedArena('float64', initialCapacity)
      : new WasmArena(module, initialCapacity ?? 1024, {
        sharedMaximumPages: MAX_PAGES,
        ...(threads > 1 ? { team: new Team(module, threads - 1, minWork) } : {}),
      })),
  };
}

interface Helper {
  readonly worker: Worker;
  readonly ctrl: Int32Array;
  readonly ctrlF: Float32Array;
  work: number;
}

// When an arena is collected, its helpers are told to stop, then ended.
const finalizer = new FinalizationRegistry<readonly { worker: Worker; ctrl: Int32Array }[]>((helpers) => {
  for (const h of helpers) {
    Atomics.store(h.ctrl, STOP, 1);
    Atomics.add(h.ctrl, SEQ, 1);
    Atomics.notify(h.ctrl, SEQ);
    void h.worker.terminate();
  }
});

class Team implements GemmTeam {
  private arena: WasmArena | null = null;
  private ex: WasmExports | null = null;
  private readonly helpers: Helper[] = [];
  private seq = 0;

  constructor(private readonly module: WebAssembly.Module, private readonly size: number, private readonly minWork: number) {}

  attach(arena: WasmArena, exports: WasmExports): void {
    this.arena = arena;
    this.ex = exports;
    for (let i = 0; i < this.size; i++) {
      const slot = arena.alloc(CTRL_WORDS);
      const byteOffset = slot.offset * 4;
      const worker = startHelper({ role: ROLE, module: this.module, memory: arena.memory, ctrl: byteOffset });
      worker.unref();
      this.helpers.push({
        worker,
        ctrl: new Int32Array(arena.memory.buffer, byteOffset, CTRL_WORDS),
        ctrlF: new Float32Array(arena.memory.buffer, byteOffset, CTRL_WORDS),
        work: 0,
      });
    }
    finalizer.register(arena, this.helpers.map((h) => ({ worker: h.worker, ctrl: h.ctrl })));
  }

  reserve(bytesPerThread: number): void {
    if (this.arena === null) return;
    for (const h of this.helpers) h.work = this.arena.alloc(Math.ceil(bytesPerThread / 4)).offset * 4;
  }

  gemm(transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
       pA: number, pB: number, beta: number, pC: number, work: number): boolean {
    const parts = this.helpers.length + 1;
    if (m * n * k < this.minWork || m < 8 * parts || this.helpers.some((h) => h.work === 0)) return false;
    // Rows of C per thread, in multiples of the micro-kernel's 4 rows; the caller takes the first block.
    const per = Math.ceil(m / parts / 4) * 4;
    const lda = transA ? m : k;
    const rowBytesA = transA ? 4 : k * 4;
    const seq = ++this.seq;
    let started = 0;
    for (let t = 1; t < parts; t++) {
      const r0 = t * per;
      const rows = Math.min(per, m - r0);
      if (rows <= 0) break;
      const h = this.helpers[t - 1]!;
      const c = h.ctrl;
      c[TA] = transA ? 1 : 0; c[TB] = transB ? 1 : 0; c[M] = rows; c[N] = n; c[K] = k;
      h.ctrlF[ALPHA] = alpha; h.ctrlF[BETA] = beta;
      c[A] = pA + r0 * rowBytesA; c[LDA] = lda; c[B] = pB; c[C] = pC + r0 * n * 4; c[WORK] = h.work;
      Atomics.store(c, SEQ, seq);
      Atomics.notify(c, SEQ);
      started++;
    }
    this.ex!.gemm(transA ? 1 : 0, transB ? 1 : 0, Math.min(per, m), n, k, alpha, pA, lda, pB, beta, pC, work);
    for (let t = 0; t < started; t++) {
      const c = this.helpers[t]!.ctrl;
      while (Atomics.load(c, DONE) !== seq) Atomics.wait(c, DONE, seq - 1, 50);
    }
    return true;
  }
}

/** A helper running this file; from the TypeScript sources it registers tsx's loader first. */
function startHelper(data: { role: string; module: WebAssembly.Module; memory: WebAssembly.Memory; ctrl: number }): Worker {
  const self = import.meta.url;
  if (!self.endsWith('.ts')) return new Worker(new URL(self), { workerData: data });
  // tsx is resolved here, not in the worker, whose eval'd code would resolve it against the working directory.
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(self)}); });`;
  return new Worker(boot, { eval: true, workerData: data });
}

function helperLoop(data: { module: WebAssembly.Module; memory: WebAssembly.Memory; ctrl: number }): void {
  const ex = new WebAssembly.Instance(data.module, { env: { memory: data.memory } }).exports as unknown as WasmExports;
  const c = new Int32Array(data.memory.buffer, data.ctrl, CTRL_WORDS);
  const f = new Float32Array(data.memory.buffer, data.ctrl, CTRL_WORDS);
  let seen = 0;
  for (;;) {
    // Spin briefly (products come in bursts), then sleep until the next job.
    let spins = 0;
    while (Atomics.load(c, SEQ) === seen && spins++ < 200000);
    Atomics.wait(c, SEQ, seen);
    if (Atomics.load(c, STOP) !== 0) return;
    seen = Atomics.load(c, SEQ);
    ex.gemm(c[TA]!, c[TB]!, c[M]!, c[N]!, c[K]!, f[ALPHA]!, c[A]!, c[LDA]!, c[B]!, f[BETA]!, c[C]!, c[WORK]!);
    Atomics.store(c, DONE, seen);
    Atomics.notify(c, DONE);
  }
}

if (!isMainThread && typeof workerData === 'object' && workerData !== null && (workerData as { role?: unknown }).role === ROLE) {
  helperLoop(workerData as { module: WebAssembly.Module; memory: WebAssembly.Memory; ctrl: number });
}
