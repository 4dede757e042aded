/**
 * How much memory a model spec needs, worked out from the spec alone (nothing is allocated), so that a
 * spec too large for the machine is refused with the figure before minutes of work end in an allocation
 * failure deep inside a kernel.
 *
 * The arena of a model holds (see DESIGN.md, "Memory model"):
 *   parameters P and their gradients P          (one flat buffer each)
 *   optimizer moments  s·P                        (sgd with momentum 1, rmsprop 1–2, adam/adamw 2, lbfgs ~2m)
 *   batch-norm state   2·Σ widths of batchNorm layers
 *   activations        B · Σ widths · 3            (each node's output O, its delta δ, and the
 *                                                  pre-activation I or cache it keeps for backward)
 * with B the largest batch compiled (a model compiles for at least 256 rows) and every value 4 bytes
 * (float32) or 8 (float64). The estimate is a lower bound within a few per cent for dense stacks.
 */

import { layerWidths, resolveSpec, type ModelSpec } from '../spec.js';

/** Values kept per unit per batch row: O, δ, and I (or the layer's cache). */
const BUFFERS_PER_UNIT = 3;
/** The batch a model is compiled for at construction. */
const DEFAULT_COMPILED_ROWS = 256;

export interface MemoryEstimate {
  /** Every byte counted below. */
  readonly bytes: number;
  readonly parameters: number;
  /** Bytes of parameters, gradients and optimizer moments. */
  readonly parameterBytes: number;
  /** Bytes of the activations, deltas and caches for `batchRows` rows. */
  readonly activationBytes: number;
  readonly batchRows: number;
  /** The layer with the most parameters, and how many. */
  readonly largestLayer: { readonly name: string; readonly parameters: number } | null;
}

export interface MemoryEstimateOptions {
  /** Rows per batch (training) or per predict call. Default 256. */
  readonly batchSize?: number;
  /** Optimizer moments per parameter (adam 2, sgd with momentum 1). Default 2. */
  readonly optimizerSlots?: number;
}

/** Parameters of a spec, per layer, without building it (the spec must be valid; `resolveSpec` checks it). */
export function countParameters(spec: ModelSpec): { total: number; perLayer: Map<string, number>; state: number } {
  const r = resolveSpec(spec);
  const widths = layerWidths(r);
  const perLayer = new Map<string, number>();
  let state = 0;
  for (const l of r.layers) {
    const w = widths.get(l.name)!;
    let n = 0;
    switch (l.kind) {
      case 'dense': {
        const fanIn = widths.get(l.inputs[0]!)!;
        n = (l.shareWeightsWith === undefined ? fanIn * w : 0) + (l.useBias === false ? 0 : w);
        break;
      }
      case 'batchNorm':
        n = 2 * w;
        state += 2 * w;
        break;
      case 'activation': case 'dropout': case 'add': case 'concat': case 'gaussianNoise':
        break;
    }
    perLayer.set(l.name, n);
  }
  let total = 0;
  for (const n of perLayer.values()) total += n;
  return { total, perLayer, state };
}

/** The memory `new Model(spec)` and training or predicting in batches of `batchSize` rows need, in bytes. */
export function estimateMemory(spec: ModelSpec, options: MemoryEstimateOptions = {}): MemoryEstimate {
  const r = resolveSpec(spec);
  const bytesPerValue = r.dtype === 'float64' ? 8 : 4;
  const { total, perLayer, state } = countParameters(r);
  const widths = layerWidths(r);
  let units = r.inputSize;
  for (const l of r.layers) units += widths.get(l.name)!;
  const batchRows = Math.max(DEFAULT_COMPILED_ROWS, options.batchSize ?? DEFAULT_COMPILED_ROWS);
  const parameterBytes = total * (2 + (options.optimizerSlots ?? 2)) * bytesPerValue;
  const activationBytes = batchRows * units * BUFFERS_PER_UNIT * bytesPerValue;
  let largestLayer: MemoryEstimate['largestLayer'] = null;
  for (const [name, n] of perLayer) if (largestLayer === null || n > largestLayer.parameters) largestLayer = { name, parameters: n };
  return {
    bytes: parameterBytes + activationBytes + state * bytesPerValue, parameters: total, parameterBytes, activationBytes, batchRows, largestLayer,
  };
}

/** Bytes as a person reads them: 1.2 GB, 340 MB, 12 kB (powers of 1000, as `df -H`). */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let v = bytes;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) { v /= 1000; i++; }
  return i === 0 ? `${v} bytes` : `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}
