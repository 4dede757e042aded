/**
 * The backend a model gets when none is given: the WebAssembly SIMD kernels where the runtime can
 * compile them synchronously (Node, Web Workers), the TypeScript reference otherwise (no SIMD, or a
 * browser's main thread, which refuses synchronous compilation of modules this size). In Node, the
 * command and `mlpkit/node`'s `useNativeBackend()` put the native backend here when its addon loads.
 */

import type { Backend } from './backend.js';
import { tsBackend } from './ts.js';
import { createWasmBackend, wasmSimdSupported } from './wasm.js';

let chosen: Backend | null = null;

/** The backend a model gets when none is given (see the file comment). */
export function defaultBackend(): Backend {
  if (chosen === null) {
    try {
      chosen = wasmSimdSupported() ? createWasmBackend() : tsBackend;
    } catch {
      chosen = tsBackend;
    }
  }
  return chosen;
}

/** Make `backend` the one models get when none is given (`null`: back to the choice above). */
export function setDefaultBackend(backend: Backend | null): void {
  chosen = backend;
}
