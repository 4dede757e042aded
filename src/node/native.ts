/**
 * The optional native backend in Node: loads the `@mlpkit/native` addon (built from source at install
 * time when the machine has a compiler and a BLAS; see native/) and says which backend runs and why.
 * Nothing here fails when the addon is absent: mlpkit then runs its WebAssembly kernels, and
 * `backendInfo()` says what was missing and how to get the native products.
 */

import { createRequire } from 'node:module';
import { setFlagsFromString } from 'node:v8';
import type { Backend } from '../kernels/backend.js';
import { defaultBackend, setDefaultBackend } from '../kernels/default.js';
import { createNativeBackend, type NativeBlas } from '../kernels/native.js';
import { relaxedSimdSupported } from '../kernels/wasm.js';
import { createThreadedBackend } from './threads.js';

/** Why the addon is not there, and what to do about it. */
interface Missing { readonly reason: string; readonly hint: string }

/** What loading the addon gave: its BLAS, or why it is missing. */
export type Probe = { readonly blas: NativeBlas } | Missing;

const INSTALL_HINT = 'apt-get install libopenblas-dev (macOS: Xcode command-line tools), then npm rebuild @mlpkit/native';

const BLAS_EXPORTS = ['sgemm', 'setThreads', 'threads', 'config', 'adamStep', 'sumSq', 'sumAbs', 'allFinite', 'gatherRows', 'copyFinite', 'gemmFinite', 'gemmFiniteBiasAct', 'gemmBiasAct'] as const;

function isBlas(x: unknown): x is NativeBlas {
  if (typeof x !== 'object' || x === null) return false;
  const o = x as Record<string, unknown>;
  return BLAS_EXPORTS.every((k) => typeof o[k] === 'function');
}

const errorCode = (e: unknown): unknown => (typeof e === 'object' && e !== null ? (e as { code?: unknown }).code : undefined);
const firstLine = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split('\n')[0]!;

/** Load the addon through `load` (by default, `require('@mlpkit/native')`) and classify a failure. */
export function probeNative(load: () => unknown = () => createRequire(import.meta.url)('@mlpkit/native')): Probe {
  try {
    const blas = load();
    if (!isBlas(blas)) return { reason: `@mlpkit/native loaded but does not export ${BLAS_EXPORTS.join(', ')} (an addon built for another version)`, hint: 'npm rebuild @mlpkit/native' };
    blas.setThreads(1);
    return { blas };
  } catch (e) {
    const code = errorCode(e);
    if (code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND') {
      return { reason: 'the optional package @mlpkit/native is not installed', hint: `install it with mlpkit (npm install, not --omit=optional); it builds when the machine has a C compiler and a BLAS: ${INSTALL_HINT}` };
    }
    if (code === 'MLPKIT_NATIVE_NOT_BUILT') return { reason: firstLine(e).replace(/^@mlpkit\/native is not built: /, 'the addon was not built: '), hint: INSTALL_HINT };
    return { reason: `the addon did not load: ${firstLine(e)}`, hint: INSTALL_HINT };
  }
}

let probed: Probe | null = null;
const probe = (): Probe => (probed ??= probeNative());

/** The BLAS of the addon, or null when it is not available. */
export function nativeBlas(): NativeBlas | null {
  const p = probe();
  return 'blas' in p ? p.blas : null;
}

/** Which backend models get in this process, and, when it is not the native one, why not and how to get it. */
export interface BackendInfo {
  /** The backend models get by default in this process: 'native', or the WebAssembly / TypeScript fallback. */
  readonly name: 'native' | 'wasm' | 'ts';
  /** The exact kernels: the BLAS's build and core, or wasm-simd / wasm-relaxed-simd. */
  readonly detail: string;
  /** Why it is not native (null when it is). */
  readonly reason: string | null;
  /** How to get the native backend (null when it runs). */
  readonly hint: string | null;
}

/** What `backendInfo` says of `backend` given what loading the addon gave. */
export function describeBackend(backend: Backend, probe: Probe): BackendInfo {
  if (backend.name.startsWith('native') && 'blas' in probe) return { name: 'native', detail: probe.blas.config(), reason: null, hint: null };
  const name = backend.name === 'ts' ? 'ts' : 'wasm';
  if ('blas' in probe) return { name, detail: backend.name, reason: 'the native backend is available but not the default (call useNativeBackend())', hint: null };
  return { name, detail: backend.name, reason: probe.reason, hint: probe.hint };
}

/** The native backend when the addon loaded, else the default WebAssembly (or TypeScript) one, silently. */
export function chooseBackend(probe: Probe): Backend {
  return 'blas' in probe ? createNativeBackend(probe.blas) : defaultBackend();
}

/** Which backend runs by default in this process, and, if not the native one, why and how to get it. */
export function backendInfo(): BackendInfo {
  return describeBackend(defaultBackend(), probe());
}

/**
 * Let this Node validate relaxed SIMD (one fused multiply-add per lane: the wasm gemm ran 20–25% faster
 * with it). Node 22 has it on; Node 20 has it behind V8's --experimental-wasm-relaxed-simd, which takes
 * effect for modules compiled after it is set. Returns whether relaxed SIMD is available now.
 */
export function enableRelaxedSimd(): boolean {
  if (!relaxedSimdSupported()) setFlagsFromString('--experimental-wasm-relaxed-simd');
  return relaxedSimdSupported();
}

/**
 * Make the native backend the default when its addon loads (silently keep wasm otherwise), with relaxed
 * SIMD for the WebAssembly kernels either way (`enableRelaxedSimd`); says which backend runs.
 */
export function useNativeBackend(): BackendInfo {
  enableRelaxedSimd();
  const p = probe();
  if ('blas' in p && !defaultBackend().name.startsWith('native')) setDefaultBackend(createNativeBackend(p.blas));
  return backendInfo();
}

/**
 * The fastest backend for products on `threads` threads: the BLAS with its own threads when the addon
 * loads, else the WebAssembly kernels split over worker threads (one thread: the default backend).
 */
export function backendForThreads(threads: number): Backend {
  const blas = nativeBlas();
  if (blas !== null) return createNativeBackend(blas, { threads });
  return threads > 1 ? createThreadedBackend({ threads }) : defaultBackend();
}
