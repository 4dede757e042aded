/**
 * The model file: versioned JSON holding the spec, the weights and batch-norm state (base64 of the
 * typed arrays, so a reload is bit for bit), and open sections for preprocessing and training metadata.
 *
 *   { format: 'mlpkit-model', version: 2, mlpkit: '0.2.0', spec, weights: { dtype, length, base64 },
 *     state: { dtype, length, base64 }, task?, classes?, preprocessing?, training?, metadata? }
 *
 * `preprocessing` is the fitted Preprocessor (src/workflow/preprocessor.ts) that turns raw table rows into
 * the network's inputs; it is validated against the network (inputs, outputs, task, classes) on load.
 * Version 1 files (mlpkit 0.1.0: the command's and the estimators' two preprocessing dialects) still
 * load; their preprocessing is upgraded when read.
 *
 * Reading validates every field before anything is built, and every error names the field by its JSON
 * path (`$.spec.layers[1].units: expected an integer ≥ 1, got 0`).
 */

import { ACTIVATION_NAMES } from '../activations.js';
import type { Task } from '../graph/builders.js';
import { Model, type ModelOptions } from '../graph/model.js';
import { INIT_NAMES } from '../init.js';
import type { DType } from '../kernels/backend.js';
import { LOSS_NAMES } from '../losses.js';
import { layerWidths, resolveSpec, type LayerKind, type ModelSpec } from '../spec.js';
import { bytesPerValue, decodeFloats, encodeFloats } from './base64.js';
import { VERSION } from '../version.js';
import { parsePreprocessor } from '../workflow/preprocessor-json.js';
import { featurePipeline } from './features.js';
import { checkBuiltModel, checkModelFileInvariants, parseModelJson } from './model-checks.js';
import {
  checkArray, checkBoolean, checkFinite, checkInt, checkJsonObject, checkObject, checkOneOf, checkString, childPath,
  fail, isPlainObject, show, type JsonObject,
} from './json-check.js';

/** The `format` field of every model file. */
export const MODEL_FILE_FORMAT = 'mlpkit-model';
/** The model-file format version this library writes. */
export const MODEL_FILE_VERSION = 2;
/** The oldest format version this mlpkit reads. */
export const MODEL_FILE_OLDEST_VERSION = 1;

/** A typed array as base64 of its little-endian bytes. */
export interface EncodedArray {
  readonly dtype: DType;
  /** Number of values (not bytes). */
  readonly length: number;
  readonly base64: string;
}

/** A model file: the spec, the weights and state (base64), and what the model needs beside them — task, classes, preprocessing, training options, metadata. Plain JSON; what one door writes, every door reads. */
export interface ModelFile {
  readonly format: typeof MODEL_FILE_FORMAT;
  readonly version: typeof MODEL_FILE_VERSION;
  /** The mlpkit version that wrote the file (absent in version 1 files). */
  readonly mlpkit?: string;
  readonly spec: ModelSpec;
  /** Every parameter in the model's layout order (`model.getWeights()`). */
  readonly weights: EncodedArray;
  /** Non-trainable state: batch-norm running means and variances (`model.getState()`). */
  readonly state: EncodedArray;
  readonly task?: Task;
  /** Class labels in output order, for classifiers. */
  readonly classes?: readonly (number | string)[];
  /** The fitted Preprocessor's JSON (`preprocessor.toJSON()`); its `features` are what ONNX export reads. */
  readonly preprocessing?: JsonObject;
  /** How the model was trained: options, history summary, seeds. */
  readonly training?: JsonObject;
  /** Free-form description: name, author, dataset, notes. */
  readonly metadata?: JsonObject;
}

/** The optional parts of a model file that modelToFile takes from its caller. */
export type ModelFileExtras = Pick<ModelFile, 'task' | 'classes' | 'preprocessing' | 'training' | 'metadata'>;

const TOP_KEYS = ['format', 'version', 'mlpkit', 'spec', 'weights', 'state', 'task', 'classes', 'preprocessing', 'training', 'metadata'];
const TASKS: readonly Task[] = ['regression', 'binary', 'multiclass'];

/** The model as a file object (plain JSON: `JSON.stringify` it, or `saveModelFile` in Node). */
export function modelToFile(model: Model, extras: ModelFileExtras = {}): ModelFile {
  const dtype = model.dtype;
  const weights = model.getWeights();
  const state = model.getState();
  const file: ModelFile = {
    format: MODEL_FILE_FORMAT,
    version: MODEL_FILE_VERSION,
    mlpkit: VERSION,
    spec: plainSpec(model.spec),
    weights: { dtype, length: weights.length, base64: encodeFloats(weights, dtype) },
    state: { dtype, length: state.length, base64: encodeFloats(state, dtype) },
    ...extras,
  };
  // Validate what we write with the reader's rules, so a file we produce always loads.
  return parseModelFile(JSON.parse(JSON.stringify(file)));
}

/** The spec as JSON data: the resolved spec has every default filled in, which is what a reader wants. */
function plainSpec(spec: ModelSpec): ModelSpec {
  return JSON.parse(JSON.stringify(spec)) as ModelSpec;
}

/** How modelFromFile builds the model: the backend, and the name of the file for error messages. */
export interface ModelFromFileOptions extends Omit<ModelOptions, 'seed'> {
  /** Prefix for error messages, e.g. the file name. */
  readonly source?: string;
}

/** Validate a model file (object or JSON text) and build the model with its weights and state. */
export function modelFromFile(json: unknown, options: ModelFromFileOptions = {}): Model {
  const file = parseModelFile(json, options.source);
  return buildModel(file, options);
}

function buildModel(file: ModelFile, options: ModelFromFileOptions): Model {
  const where = options.source === undefined ? '' : `${options.source}: `;
  const trainable = options.trainable ?? !usesStep(file.spec);
  let model: Model;
  try {
    model = new Model(file.spec, {
      trainable,
      ...(options.backend === undefined ? {} : { backend: options.backend }),
      ...(options.maxBatch === undefined ? {} : { maxBatch: options.maxBatch }),
    });
  } catch (e) {
    throw new Error(`${where}$.spec: ${(e as Error).message}`);
  }
  if (file.weights.length !== model.parameterCount) {
    throw new Error(`${where}$.weights.length: the spec has ${model.parameterCount} parameters, the file holds ${file.weights.length}`);
  }
  if (file.state.length !== model.getState().length) {
    throw new Error(`${where}$.state.length: the spec has ${model.getState().length} state values, the file holds ${file.state.length}`);
  }
  const weights = decodeFloats(file.weights.base64, file.weights.dtype, `${where}$.weights.base64`);
  const state = decodeFloats(file.state.base64, file.state.dtype, `${where}$.state.base64`);
  const bad = weights.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new Error(`${where}$.weights.base64: value ${bad} is ${weights[bad]}; weights must be finite`);
  model.paramBuffer.a.set(weights);
  model.stateBuffer.a.set(state);
  checkBuiltModel(model, where);
  return model;
}

function usesStep(spec: ModelSpec): boolean {
  return spec.layers.some((l) => {
    const a = l.kind === 'dense' || l.kind === 'activation' ? l.activation : undefined;
    return a === 'step' || (Array.isArray(a) && a.includes('step'));
  });
}

/** Validate a model file (object or JSON text) and return it typed; nothing is built. */
export function parseModelFile(json: unknown, source?: string): ModelFile {
  try {
    return parseUnprefixed(typeof json === 'string' ? parseJsonText(json) : json);
  } catch (e) {
    if (source === undefined) throw e;
    throw new Error(`${source}: ${(e as Error).message}`);
  }
}

function parseJsonText(text: string): unknown {
  return parseModelJson(text);
}

function parseUnprefixed(json: unknown): ModelFile {
  const o = checkObject(json, '$');
  if (o.format !== MODEL_FILE_FORMAT) fail('$.format', `expected ${JSON.stringify(MODEL_FILE_FORMAT)}, got ${show(o.format)}; this is not an mlpkit model file`);
  if (typeof o.version === 'number' && Number.isInteger(o.version) && o.version > MODEL_FILE_VERSION) {
    fail('$.version', `this file has format version ${o.version}, newer than this mlpkit reads (${MODEL_FILE_VERSION}); upgrade mlpkit`);
  }
  if (o.version !== MODEL_FILE_VERSION && o.version !== MODEL_FILE_OLDEST_VERSION) {
    fail('$.version', `expected ${MODEL_FILE_OLDEST_VERSION}…${MODEL_FILE_VERSION}, got ${show(o.version)}`);
  }
  checkObject(json, '$', TOP_KEYS);
  const spec: unknown = o.spec;
  checkSpec(spec, '$.spec');
  try {
    resolveSpec(spec);
  } catch (e) {
    fail('$.spec', (e as Error).message);
  }
  const dtype = spec.dtype ?? 'float32';
  const weights = checkEncoded(o.weights, '$.weights', dtype);
  const state = checkEncoded(o.state, '$.state', dtype);
  const file: { -readonly [K in keyof ModelFile]: ModelFile[K] } = {
    format: MODEL_FILE_FORMAT, version: MODEL_FILE_VERSION, spec, weights, state,
  };
  if (o.mlpkit !== undefined) file.mlpkit = checkString(o.mlpkit, '$.mlpkit');
  if (o.task !== undefined) file.task = checkOneOf(o.task, '$.task', TASKS);
  if (o.classes !== undefined) file.classes = checkClasses(o.classes, '$.classes', file.task);
  for (const key of ['preprocessing', 'training', 'metadata'] as const) {
    if (o[key] !== undefined) file[key] = checkJsonObject(o[key], `$.${key}`);
  }
  if (file.preprocessing !== undefined) file.preprocessing = upgradePreprocessing(file);
  checkModelFileInvariants(file);
  return file;
}

/**
 * The file's preprocessing checked against its network, in the current dialect. A bare feature pipeline
 * (`features`, or `oneHot` and `scaler`, over unnamed inputs, as `modelToFile` callers may store) is checked
 * and kept as written: it is what the ONNX export reads, and `Pipeline.fromFile` upgrades it when it can.
 */
function upgradePreprocessing(file: ModelFile): JsonObject {
  const section = file.preprocessing!;
  if (section.kind === undefined && !Array.isArray(section.columns) && !('nFeatures' in section)) {
    featurePipeline(section);
    return section;
  }
  const resolved = resolveSpec(file.spec);
  const outputSize = layerWidths(resolved).get(resolved.output)!;
  const p = parsePreprocessor(file.preprocessing, '$.preprocessing', {
    inputSize: file.spec.inputSize, outputSize, loss: file.spec,
    ...(file.task === undefined ? {} : { task: file.task }),
    ...(file.classes === undefined ? {} : { classes: file.classes }),
  });
  return JSON.parse(JSON.stringify(p.toJSON())) as JsonObject;
}

function checkEncoded(v: unknown, path: string, dtype: DType): EncodedArray {
  const o = checkObject(v, path, ['dtype', 'length', 'base64']);
  const d = checkOneOf(o.dtype, `${path}.dtype`, ['float32', 'float64'] as const);
  if (d !== dtype) fail(`${path}.dtype`, `is ${d} but the spec's dtype is ${dtype}`);
  const length = checkInt(o.length, `${path}.length`, 0);
  const base64 = checkString(o.base64, `${path}.base64`, false);
  const bytes = (base64.length / 4) * 3 - (base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0);
  if (base64.length % 4 !== 0 || bytes !== length * bytesPerValue(d)) {
    fail(`${path}.base64`, `holds ${Math.max(0, Math.floor(bytes))} bytes, expected ${length} ${d} values (${length * bytesPerValue(d)} bytes)`);
  }
  // Decode once here so that a corrupt character is reported by the reader, not the builder.
  decodeFloats(base64, d, `${path}.base64`);
  return { dtype: d, length, base64 };
}

function checkClasses(v: unknown, path: string, task: Task | undefined): (number | string)[] {
  const a = checkArray(v, path, true);
  const kind = typeof a[0];
  const out = a.map((c, i) => {
    const p = childPath(path, i);
    if (typeof c !== 'number' && typeof c !== 'string') fail(p, `expected a number or a string, got ${show(c)}`);
    if (typeof c !== kind) fail(p, `class labels must all be numbers or all strings; ${path}[0] is a ${kind}, this is a ${typeof c}`);
    if (typeof c === 'number') checkFinite(c, p);
    return c;
  });
  const seen = new Set<number | string>();
  out.forEach((c, i) => {
    if (seen.has(c)) fail(childPath(path, i), `duplicate class label ${JSON.stringify(c)}`);
    seen.add(c);
  });
  if (task === 'regression') fail(path, `a regression model has no classes`);
  if (task === 'binary' && out.length !== 2) fail(path, `a binary classifier has exactly 2 classes, got ${out.length}`);
  return out;
}

// ---------------------------------------------------------------------------------------------
// The spec, field by field

const COMMON_KEYS = ['kind', 'name', 'inputs'];
const LAYER_KEYS: Record<LayerKind, readonly string[]> = {
  dense: ['units', 'activation', 'useBias', 'init', 'biasInit', 'mask', 'biasMask', 'unitNames', 'nonNegative', 'nonPositive', 'maxNorm', 'shareWeightsWith', 'l1', 'l2'],
  activation: ['activation'],
  dropout: ['rate'],
  batchNorm: ['momentum', 'epsilon'],
  add: [],
  concat: [],
  gaussianNoise: ['stddev'],
};
const LAYER_KINDS = Object.keys(LAYER_KEYS) as LayerKind[];
const OUTPUT_ACTIVATIONS = [...ACTIVATION_NAMES, 'softmax'] as const;

/** Types of every field; shapes and cross-references are left to `resolveSpec`, whose messages name the layer. */
function checkSpec(v: unknown, path: string): asserts v is ModelSpec {
  const o = checkObject(v, path, ['inputSize', 'inputNames', 'layers', 'output', 'loss', 'dtype', 'l1', 'l2', 'ties', 'quantiles']);
  checkInt(o.inputSize, `${path}.inputSize`, 1);
  if (o.inputNames !== undefined) checkArray(o.inputNames, `${path}.inputNames`).forEach((n, i) => checkString(n, `${path}.inputNames[${i}]`));
  // A loss object's options are checked by `resolveSpec`, with the loss's own table of options.
  if (typeof o.loss === 'string' || !isPlainObject(o.loss)) checkOneOf(o.loss, `${path}.loss`, LOSS_NAMES);
  else checkOneOf(o.loss.name, `${path}.loss.name`, LOSS_NAMES);
  if (o.dtype !== undefined) checkOneOf(o.dtype, `${path}.dtype`, ['float32', 'float64'] as const);
  if (o.output !== undefined) checkString(o.output, `${path}.output`);
  for (const k of ['l1', 'l2'] as const) if (o[k] !== undefined) checkNonNegative(o[k], `${path}.${k}`);
  if (o.quantiles !== undefined) checkArray(o.quantiles, `${path}.quantiles`, true).forEach((q, i) => checkFinite(q, `${path}.quantiles[${i}]`));
  checkArray(o.layers, `${path}.layers`, true).forEach((l, i) => checkLayer(l, `${path}.layers[${i}]`));
  if (o.ties !== undefined) {
    checkArray(o.ties, `${path}.ties`).forEach((g, i) => {
      checkArray(g, `${path}.ties[${i}]`, true).forEach((r, j) => {
        const p = `${path}.ties[${i}][${j}]`;
        const ref = checkObject(r, p, ['layer', 'row', 'col']);
        checkString(ref.layer, `${p}.layer`);
        checkInt(ref.row, `${p}.row`, 0);
        checkInt(ref.col, `${p}.col`, 0);
      });
    });
  }
}

function checkNonNegative(v: unknown, path: string): number {
  const x = checkFinite(v, path);
  if (x < 0) fail(path, `expected a number ≥ 0, got ${x}`);
  return x;
}

function checkLayer(v: unknown, path: string): void {
  const o = checkObject(v, path);
  const kind = checkOneOf(o.kind, `${path}.kind`, LAYER_KINDS);
  checkObject(v, path, [...COMMON_KEYS, ...LAYER_KEYS[kind]]);
  if (o.name !== undefined) checkString(o.name, `${path}.name`);
  if (o.inputs !== undefined) checkArray(o.inputs, `${path}.inputs`, true).forEach((s, i) => checkString(s, `${path}.inputs[${i}]`));
  const at = (k: string): string => `${path}.${k}`;
  switch (kind) {
    case 'dense':
      checkInt(o.units, at('units'), 1);
      if (o.activation !== undefined) checkActivationField(o.activation, at('activation'));
      if (o.useBias !== undefined) checkBoolean(o.useBias, at('useBias'));
      if (o.init !== undefined) checkOneOf(o.init, at('init'), INIT_NAMES);
      if (o.biasInit !== undefined) checkOneOf(o.biasInit, at('biasInit'), INIT_NAMES);
      if (o.mask !== undefined) check01Matrix(o.mask, at('mask'));
      if (o.biasMask !== undefined) checkArray(o.biasMask, at('biasMask')).forEach((x, j) => check01(x, `${at('biasMask')}[${j}]`));
      if (o.unitNames !== undefined) checkArray(o.unitNames, at('unitNames')).forEach((n, j) => checkString(n, `${at('unitNames')}[${j}]`));
      if (o.nonNegative !== undefined && typeof o.nonNegative !== 'boolean') check01Matrix(o.nonNegative, at('nonNegative'));
      if (o.nonPositive !== undefined && typeof o.nonPositive !== 'boolean') check01Matrix(o.nonPositive, at('nonPositive'));
      if (o.maxNorm !== undefined) checkFinite(o.maxNorm, at('maxNorm'));
      if (o.shareWeightsWith !== undefined) checkString(o.shareWeightsWith, at('shareWeightsWith'));
      for (const k of ['l1', 'l2']) if (o[k] !== undefined) checkNonNegative(o[k], at(k));
      break;
    case 'activation':
      checkActivationField(o.activation, at('activation'));
      break;
    case 'dropout':
      checkFinite(o.rate, at('rate'));
      break;
    case 'batchNorm':
      if (o.momentum !== undefined) checkFinite(o.momentum, at('momentum'));
      if (o.epsilon !== undefined) checkFinite(o.epsilon, at('epsilon'));
      break;
    case 'gaussianNoise':
      checkNonNegative(o.stddev, at('stddev'));
      break;
    case 'add':
    case 'concat':
      if (o.inputs === undefined) fail(at('inputs'), `an ${kind} layer needs the list of layers it joins`);
      break;
  }
}

function checkActivationField(v: unknown, path: string): void {
  if (Array.isArray(v)) {
    v.forEach((a, j) => checkOneOf(a, `${path}[${j}]`, ACTIVATION_NAMES));
    return;
  }
  checkOneOf(v, path, OUTPUT_ACTIVATIONS);
}

function check01(v: unknown, path: string): void {
  if (v !== 0 && v !== 1) fail(path, `expected 0 or 1, got ${show(v)}`);
}

function check01Matrix(v: unknown, path: string): void {
  checkArray(v, path).forEach((row, i) => {
    checkArray(row, `${path}[${i}]`).forEach((x, j) => check01(x, `${path}[${i}][${j}]`));
  });
}
