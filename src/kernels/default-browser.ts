/**
 * The backend a model gets when none is given, in browser bundles built from the package: package.json's
 * "browser" field puts this file in place of default.ts, so a page that never asks for WebAssembly does
 * not carry the kernel binaries (about 25 KB gzip). The TypeScript reference runs everywhere; a browser's
 * main thread refuses to compile the wasm module synchronously anyway, so a page that wants it calls
 * `await loadWasmBackend()` and passes the result as the model's `backend`.
 */

import type { Backend } from './backend.js';
import { tsBackend } from './ts.js';

let chosen: Backend | null = null;

/** The TypeScript kernels unless `setDefaultBackend` chose others (see the file comment for the WebAssembly ones). */
export function defaultBackend(): Backend {
  return chosen ?? tsBackend;
}

/** Make `backend` the one models get when none is given (`null`: back to the TypeScript kernels). */
export function setDefaultBackend(backend: Backend | null): void {
  chosen = backend;
}
