/**
 * Checkpoints: what a run was made with (its fingerprint: model, data, options) and the check that a
 * resume belongs to the same run. A checkpoint of another model cannot apply at all; one of other data
 * or options is refused with a message naming what differs, unless `resumeForce` says to go on.
 */

import type { Vec } from '../kernels/backend.js';
import type { Model } from '../graph/model.js';
import type { CheckedFitOptions } from './fit-options.js';
import type { Prepared } from './prepare.js';
import type { Checkpoint, RunFingerprint } from './types.js';

/** A 64-bit hash (two 32-bit murmur-style lanes) of 32-bit words, as 16 hex digits. */
function hashWords(words: Uint32Array, h: [number, number]): void {
  let a = h[0];
  let b = h[1];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    a = Math.imul(a ^ w, 0x9e3779b1); a = (a << 13) | (a >>> 19);
    b = Math.imul(b ^ w, 0x85ebca77); b = (b << 17) | (b >>> 15);
  }
  h[0] = Math.imul(a ^ (a >>> 16), 0x7feb352d) >>> 0;
  h[1] = Math.imul(b ^ (b >>> 13), 0x846ca68b) >>> 0;
}

const hex = (h: [number, number]): string => h[0].toString(16).padStart(8, '0') + h[1].toString(16).padStart(8, '0');

function hashVecs(vecs: readonly (Vec | Float64Array | null)[]): string {
  const h: [number, number] = [0x2545f491, 0x6a09e667];
  for (const v of vecs) {
    if (v === null) { hashWords(Uint32Array.of(0xffffffff), h); continue; }
    hashWords(Uint32Array.of(v.length), h);
    hashWords(new Uint32Array(v.buffer, v.byteOffset, v.byteLength / 4), h);
  }
  return hex(h);
}

function hexOf(words: Uint32Array): string {
  const h: [number, number] = [0x1b873593, 0xcc9e2d51];
  hashWords(words, h);
  return hex(h);
}

/** The options that shape a run, resolved, one JSON text per option (epochs and run-time hooks excluded). */
function runOptions(c: CheckedFitOptions, batchSize: number, hasValidationData: boolean): Record<string, string> {
  const o = c.options;
  const v = o.validation;
  return {
    optimizer: JSON.stringify(c.optimizer),
    schedule: JSON.stringify(c.schedule),
    batchSize: JSON.stringify(batchSize),
    shuffle: JSON.stringify(c.shuffle),
    seed: JSON.stringify(c.seed),
    validation: JSON.stringify(v === undefined ? null : hasValidationData ? 'data' : v),
    earlyStopping: JSON.stringify(o.earlyStopping === undefined ? null : { minDelta: 0, restoreBest: true, ...o.earlyStopping }),
    tolerance: JSON.stringify(o.nIterNoChange === undefined ? null : o.tolerance ?? 1e-4),
    nIterNoChange: JSON.stringify(o.nIterNoChange ?? null),
    classWeights: JSON.stringify(o.classWeights ?? null),
  };
}

/** The fingerprint of a run: the model, the training data as encoded (before the split), the options. */
export function fingerprint(model: Model, c: CheckedFitOptions, full: Prepared, validation: Prepared | null, batchSize: number): RunFingerprint {
  return {
    model: { parameters: model.parameterCount, state: model.stateBuffer.length, spec: hexOf(textWords(JSON.stringify(model.spec))) },
    data: { rows: full.x.rows, inputs: full.x.cols, outputs: full.y.cols, hash: hashVecs([full.x.data, full.y.data, full.w]) },
    validationData: validation === null ? null : { rows: validation.x.rows, hash: hashVecs([validation.x.data, validation.y.data, validation.w]) },
    options: runOptions(c, batchSize, validation !== null),
  };
}

function textWords(s: string): Uint32Array {
  const words = new Uint32Array(s.length);
  for (let i = 0; i < s.length; i++) words[i] = s.charCodeAt(i);
  return words;
}

const shape = (d: RunFingerprint['data']): string => `${d.rows} rows, ${d.inputs} inputs → ${d.outputs} outputs, fingerprint ${d.hash}`;

/** What differs between the checkpoint's run and this one (data and options), as readable phrases. */
function differences(cp: RunFingerprint, now: RunFingerprint): string[] {
  const out: string[] = [];
  if (cp.data.hash !== now.data.hash || cp.data.rows !== now.data.rows) {
    out.push(`the training data (checkpoint: ${shape(cp.data)}; now: ${shape(now.data)})`);
  }
  const vd = (v: RunFingerprint['validationData']): string => (v === null ? 'none' : `${v.rows} rows, fingerprint ${v.hash}`);
  if (vd(cp.validationData) !== vd(now.validationData)) out.push(`the validation data (checkpoint: ${vd(cp.validationData)}; now: ${vd(now.validationData)})`);
  for (const key of new Set([...Object.keys(cp.options), ...Object.keys(now.options)])) {
    const a = cp.options[key] ?? 'unset';
    const b = now.options[key] ?? 'unset';
    if (a !== b) out.push(`option ${key} (checkpoint: ${a}; now: ${b})`);
  }
  return out;
}

/**
 * Check that `cp` belongs to this run. Throws when it cannot apply (not a checkpoint, another model)
 * or differs and `force` is not set; returns the differences accepted under `force`.
 */
export function checkResume(cp: Checkpoint, now: RunFingerprint, force: boolean): string[] {
  const c: unknown = cp;
  if (typeof c !== 'object' || c === null || !('format' in c) || c.format !== 'mlpkit-checkpoint') throw new Error('fit: resumeFrom is not an mlpkit checkpoint (no format "mlpkit-checkpoint")');
  if (!('version' in c) || c.version !== 2) {
    throw new Error(`fit: resumeFrom is a version ${String('version' in c ? c.version : '?')} checkpoint; this mlpkit reads version 2 (which records the options and data it was made with): start the run afresh`);
  }
  const m = cp.fingerprint.model;
  if (m.parameters !== now.model.parameters || m.state !== now.model.state || m.spec !== now.model.spec) {
    throw new Error(`fit: resumeFrom was made for another model (checkpoint: ${m.parameters} parameters, ${m.state} state values, spec ${m.spec}; this model: ${now.model.parameters} parameters, ${now.model.state} state values, spec ${now.model.spec}); build the model with the checkpoint's spec`);
  }
  const diff = differences(cp.fingerprint, now);
  if (diff.length > 0 && !force) {
    throw new Error(`fit: resumeFrom was made for another run; what differs: ${diff.join('; ')}. Resume with the same data and options, or pass resumeForce: true to continue anyway`);
  }
  return diff;
}
