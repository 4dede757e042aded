/**
 * A model file is data from elsewhere, not code: the checks that make loading one safe, beyond the field
 * types `model-file.ts` checks. Each error names the field by its JSON path.
 *
 *   limits      file size, nesting depth, string length, layers, parameters: explicit, so that a hostile or
 *               corrupt file fails at once with a message instead of exhausting memory;
 *   keys        `__proto__`, `constructor` and `prototype` are refused anywhere in the file, so no parsed
 *               section can gain a prototype or shadow one;
 *   invariants  the class list fits the output layer, the task fits the output activation, and the state
 *               of the built model is usable (batch-norm running means finite, variances finite and > 0).
 */

import { BatchNorm } from '../layers/batchnorm.js';
import type { Model } from '../graph/model.js';
import { countParameters } from '../graph/memory.js';
import { layerWidths, resolveSpec, type ModelSpec } from '../spec.js';
import { TASKS, type Task } from '../workflow/tasks.js';
import { checkKeys, childPath, fail } from './json-check.js';

export const MODEL_FILE_LIMITS = {
  /** Bytes of the whole file (a model of 40 million float64 parameters is about 430 MB of base64). */
  fileBytes: 512 * 1024 * 1024,
  /** Nesting of objects and arrays. */
  depth: 64,
  /** Characters of any string but the base64 of weights and state (names, labels, notes). */
  stringLength: 65536,
  layers: 10_000,
  parameters: 100_000_000,
  classes: 100_000,
} as const;

/** Keys whose string values are bulk data (base64 of typed arrays), bounded by the file size only. */
const BULK_KEYS: ReadonlySet<string> = new Set(['base64', 'weights', 'state']);

const count = (n: number): string => n.toLocaleString('en-US');

export function checkModelFileSize(bytes: number): void {
  if (bytes > MODEL_FILE_LIMITS.fileBytes) {
    fail('$', `the file is ${count(bytes)} bytes, more than a model file may be (${count(MODEL_FILE_LIMITS.fileBytes)} bytes)`);
  }
}

/** Parse the text of a model file: JSON within the limits, without prototype keys. */
export function parseModelJson(text: string): unknown {
  checkModelFileSize(text.length);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`not valid JSON (${jsonErrorText((e as Error).message, text)})`);
  }
  checkJsonShape(json, '$', 0, null);
  return json;
}

/** The parser's complaint on one line, with the line and column of the position it names. */
function jsonErrorText(message: string, text: string): string {
  const oneLine = message.replace(/\s+/g, ' ');
  const cut = oneLine.length > 200 ? `${oneLine.slice(0, 200)}…` : oneLine;
  const at = /position (\d+)/.exec(message);
  if (at === null || /line \d+/.test(message)) return cut;
  const before = text.slice(0, Number(at[1]));
  const line = before.split('\n').length;
  return `${cut}; line ${line}, column ${before.length - before.lastIndexOf('\n')}`;
}

/** Depth, string lengths and keys of a parsed JSON value (or an object a caller built). */
export function checkJsonShape(v: unknown, path: string, depth: number, key: string | null): void {
  if (depth > MODEL_FILE_LIMITS.depth) fail(path, `nested more than ${MODEL_FILE_LIMITS.depth} levels deep`);
  if (typeof v === 'string') {
    if (v.length > MODEL_FILE_LIMITS.stringLength && (key === null || !BULK_KEYS.has(key))) {
      fail(path, `a string of ${count(v.length)} characters, more than the ${count(MODEL_FILE_LIMITS.stringLength)} allowed`);
    }
    return;
  }
  if (Array.isArray(v)) {
    v.forEach((x, i) => checkJsonShape(x, childPath(path, i), depth + 1, key));
    return;
  }
  if (typeof v !== 'object' || v === null) return;
  checkKeys(v, path);
  for (const k of Object.keys(v)) {
    checkJsonShape((v as Record<string, unknown>)[k], childPath(path, k), depth + 1, k);
  }
}

/**
 * The invariants of a parsed file that need the spec's widths: sizes within the limits, the class list
 * as long as the output layer is wide, the output activation the task's. Nothing is allocated.
 */
export function checkModelFileInvariants(file: { readonly spec: ModelSpec; readonly task?: Task; readonly classes?: readonly unknown[] }): void {
  if (file.spec.layers.length > MODEL_FILE_LIMITS.layers) {
    fail('$.spec.layers', `${count(file.spec.layers.length)} layers, more than the ${count(MODEL_FILE_LIMITS.layers)} a model file may have`);
  }
  const { total, perLayer } = countParameters(file.spec);
  if (total > MODEL_FILE_LIMITS.parameters) {
    const [name, n] = [...perLayer].reduce((a, b) => (b[1] > a[1] ? b : a));
    fail('$.spec', `${count(total)} parameters (layer '${name}' has ${count(n)}), more than the ${count(MODEL_FILE_LIMITS.parameters)} a model file may have`);
  }
  const resolved = resolveSpec(file.spec);
  const width = layerWidths(resolved).get(resolved.output)!;
  const outputIndex = resolved.layers.findIndex((l) => l.name === resolved.output);
  const output = resolved.layers[outputIndex]!;
  if (file.classes !== undefined) {
    if (file.classes.length > MODEL_FILE_LIMITS.classes) fail('$.classes', `${count(file.classes.length)} classes, more than the ${count(MODEL_FILE_LIMITS.classes)} allowed`);
    checkClassCount('$.classes', file.classes.length, width, file.task);
  }
  if (file.task !== undefined) {
    const want = TASKS[file.task].outputActivation;
    const given = output.kind === 'dense' || output.kind === 'activation' ? output.activation ?? 'identity' : null;
    // One activation per unit (a neuron graph's output neurons) is the task's when every unit has it.
    const has = Array.isArray(given) && given.every((f) => f === want) ? want : given;
    if (has !== want) {
      fail('$.task', `a ${file.task} model's output layer has activation '${String(want)}', but $.spec.layers[${outputIndex}] ('${output.name}') has ${has === null ? `kind '${output.kind}'` : JSON.stringify(has).replace(/"/g, "'")}`);
    }
  }
}

/** A class list of `k` labels must fit an output `width` wide: 2 classes on 1 sigmoid output, else k outputs. */
export function checkClassCount(path: string, k: number, width: number, task: Task | undefined): void {
  const expected = task === 'binary' || (task === undefined && k === 2 && width === 1) ? 1 : k;
  if (width !== expected) {
    fail(path, `${k} classes need an output layer ${expected} wide, but the model's output is ${width} wide`);
  }
}

/** The state of a built model, as loaded: batch-norm running statistics that give finite outputs. */
export function checkBuiltModel(model: Model, where = '', statePath = '$.state'): void {
  for (const n of model.live) {
    if (!(n instanceof BatchNorm)) continue;
    const mean = n.runningMean.a;
    const variance = n.runningVar.a;
    for (let j = 0; j < mean.length; j++) {
      if (!Number.isFinite(mean[j]!)) fail(`${where}${statePath}`, `batch-norm layer '${n.name}': running mean of unit ${j} is ${mean[j]}; it must be finite`);
      const v = variance[j]!;
      if (!(Number.isFinite(v) && v >= 0 && v + n.epsilon > 0)) {
        fail(`${where}${statePath}`, `batch-norm layer '${n.name}': running variance of unit ${j} is ${v}; it must be finite and ≥ 0 (with epsilon > 0)`);
      }
    }
  }
}

/** Every value of a decoded weight or state array finite. */
export function checkFiniteValues(values: ArrayLike<number>, path: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]!)) fail(path, `value ${i} is ${values[i]}; weights and state must be finite`);
  }
}

/**
 * Outputs of a prediction all finite. A loaded model with finite weights can still overflow on some input
 * (a weight of 1e38 in float32); that must be an error naming the row, never a NaN printed as an answer.
 * Returns nothing, or throws `row r (of rows): output j is NaN`; `rowName` turns a row index into a place.
 */
export function checkPredictions(data: ArrayLike<number>, rows: number, cols: number, rowName: (r: number) => string = (r) => `row ${r + 1}`): void {
  for (let i = 0; i < rows * cols; i++) {
    if (!Number.isFinite(data[i]!)) {
      const r = Math.floor(i / cols);
      throw new Error(`${rowName(r)}: the model's output ${i - r * cols + 1} of ${cols} is ${data[i]} (an overflow inside the network, or weights that do not fit these inputs); no prediction is given`);
    }
  }
}
