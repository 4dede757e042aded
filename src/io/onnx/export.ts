/**
 * ONNX export: the model in its inference form as an ONNX graph (default opset 17, IR version 8; with
 * category columns as strings also ai.onnx.ml opset 2).
 *
 *   inputs       a pipeline's model file with category columns (categories: 'strings', its default):
 *                'input' float32 [N, F] the numeric columns in the preprocessor's order (absent when there
 *                are none), and one string tensor [N, 1] per category column, named after the column;
 *                otherwise (categories: 'codes', a bare model, explicit steps) 'input' float32 [N, F] raw
 *                features, a category column as its level's code
 *     → category strings: ai.onnx.ml.LabelEncoder (level → code; a missing cell, spelled as a table's
 *       default missing tokens ('', 'NA', …), → the imputation's level; a level never seen → '(other)'
 *       when the model pools, else all zeros), then Equal + Cast to the one-hot columns, Concat with the
 *       numeric ones. ONNX cannot raise: what the model refuses (an unseen level with unknown: 'error', a
 *       missing cell with no fill) gives all zeros
 *     → preprocessing (one-hot of codes: Gather + Equal + Cast; scaling: Sub, Div, Add)
 *     → dense: Gemm(x, W, b) (MatMul without a bias), masks and ties already in W
 *     → activations: native operators where ONNX has one, otherwise composed (GELU = x·½(1 + erf(x/√2)),
 *       SiLU = x·σ(x), mish = x·tanh(softplus x), gaussian = exp(−x²), step = Cast(x ≥ 0));
 *       per-unit activations: Gather each group of columns, apply, Concat, Gather back into unit order
 *     → batch norm: BatchNormalization with the running statistics; dropout and noise: removed
 *     → add: Sum; concat: Concat on axis 1
 *     → an ensemble file: every member's graph on the same preprocessed input, then Mean (the members' average)
 *   output 'output' [N, K]; for classifiers 'probabilities' [N, C] (binary: [1 − p, p]) and 'label' (int64 index).
 */

import type { ActivationName } from '../../activations.js';
import type { Model } from '../../graph/model.js';
import type { Task } from '../../graph/builders.js';
import { networkPlan, type ActivationPlan, type NetworkOp } from '../../export/graph.js';
import { affineOf, featurePipeline, pipelineWidth, type FeatureStep } from '../features.js';
import type { ModelFile } from '../model-file.js';
import { predictorFromFile } from '../ensemble-file.js';
import { Ensemble } from '../../train/ensemble.js';
import { exportPlan, type RawColumn } from '../../export/plan.js';
import { DEFAULT_MISSING } from '../../table/cells.js';
import { AttrType, DataType, encodeModel, type AttributeData, type NodeData, type TensorData, type ValueInfoData } from './proto.js';

/** How category columns enter an exported graph: as their levels (string tensors) or as codes in the float input. */
export type OnnxCategories = 'strings' | 'codes';

/** What exportOnnx writes: the preprocessing in front of the model, the task's output decoding, the opset and the graph's name. */
export interface OnnxExportOptions {
  /** Feature transforms to compile in front of the model; default: those of the model file, if any. */
  readonly preprocessing?: readonly FeatureStep[];
  /** Classifier outputs ('probabilities', 'label') for 'binary' and 'multiclass'; default the file's task. */
  readonly task?: Task;
  /** Default 17; 13 is the oldest with every operator used here in its current form. */
  readonly opset?: number;
  /** Stored as the graph's name. */
  readonly name?: string;
  /**
   * 'strings' (the default for a pipeline's model file): one string input per category column; 'codes':
   * every raw column in the float input, a category as its level's code. A source that does not name
   * its levels (a bare model, explicit `preprocessing`) always takes codes.
   */
  readonly categories?: OnnxCategories;
}

/** The lowest ONNX opset exportOnnx writes. */
export const ONNX_MIN_OPSET = 13;
/** The highest ONNX opset exportOnnx writes. */
export const ONNX_MAX_OPSET = 21;
const PRODUCER_VERSION = '0.1.0';

class GraphBuilder {
  readonly nodes: NodeData[] = [];
  readonly initializers: TensorData[] = [];
  private readonly used = new Set<string>();

  fresh(hint: string): string {
    let name = hint;
    for (let i = 1; this.used.has(name); i++) name = `${hint}_${i}`;
    this.used.add(name);
    return name;
  }

  floats(hint: string, dims: readonly number[], values: ArrayLike<number>): string {
    const name = this.fresh(hint);
    this.initializers.push({ name, dims, dataType: DataType.FLOAT, floatData: Array.from(values, (v) => Math.fround(v)) });
    return name;
  }

  int64s(hint: string, values: readonly number[]): string {
    const name = this.fresh(hint);
    this.initializers.push({ name, dims: [values.length], dataType: DataType.INT64, int64Data: values });
    return name;
  }

  op(opType: string, inputs: readonly string[], outHint: string, attribute: readonly AttributeData[] = [], domain = ''): string {
    const out = this.fresh(outHint);
    this.nodes.push({ opType, input: inputs, output: [out], name: this.fresh(`${opType}_${outHint}`), attribute, ...(domain === '' ? {} : { domain }) });
    return out;
  }
}

const attrFloat = (name: string, f: number): AttributeData => ({ name, type: AttrType.FLOAT, f });
const attrInt = (name: string, i: number): AttributeData => ({ name, type: AttrType.INT, i });
const attrInts = (name: string, ints: readonly number[]): AttributeData => ({ name, type: AttrType.INTS, ints });
const attrStrings = (name: string, list: readonly string[]): AttributeData => {
  const utf8 = new TextEncoder();
  return { name, type: AttrType.STRINGS, strings: list.map((v) => utf8.encode(v)) };
};

/** The operator domain of LabelEncoder, and the version of it written. */
const ML_DOMAIN = 'ai.onnx.ml';
const ML_OPSET = 2;

/** The ONNX file (ModelProto bytes) of a model or of a model file (which brings its preprocessing and task). */
export function exportOnnx(source: Model | ModelFile, options: OnnxExportOptions = {}): Uint8Array {
  // Told apart by shape, not instanceof: a bundle may hold a second copy of the Model class.
  const file = isModelFile(source) ? source : undefined;
  // An ensemble file exports every member on the same preprocessed input, joined by Mean (as Ensemble.predict).
  const predictor = file === undefined ? (source as Model) : predictorFromFile(file);
  const members = predictor instanceof Ensemble ? predictor.members : [predictor];
  const model = members[0]!;
  const steps = options.preprocessing ?? featurePipeline(file?.preprocessing);
  const task = options.task ?? file?.task;
  const opset = options.opset ?? 17;
  if (!Number.isInteger(opset) || opset < ONNX_MIN_OPSET || opset > ONNX_MAX_OPSET) {
    throw new Error(`exportOnnx: opset must be an integer from ${ONNX_MIN_OPSET} to ${ONNX_MAX_OPSET}, got ${opset}`);
  }
  const rawWidth = rawFeatureCount(steps, model.inputSize);
  const columns = namedColumns(file, options);

  const b = new GraphBuilder();
  const { inputs, x: encoded } = columns === null ? codesInput(b, rawWidth) : stringInputs(b, columns, steps[0]);
  let x = encoded;
  steps.forEach((s, i) => { if (columns === null || i > 0) x = emitStep(b, s, x, i, pipelineWidth(steps.slice(0, i), rawWidth)); });

  const outs = members.map((m) => emitNetwork(b, m, x));
  const y = outs.length === 1 ? outs[0]! : b.op('Mean', outs, 'ensemble_mean');
  const k = model.outputSize;

  const outputs: { name: string; elemType: number; shape: (number | string)[] }[] = [];
  if (task === 'binary' || task === 'multiclass') {
    let probs = y;
    if (task === 'binary') {
      if (k !== 1) throw new Error(`exportOnnx: a binary classifier has one output unit (the probability of the second class), this model has ${k}`);
      const q = b.op('Sub', [b.floats('one', [1], [1]), y], 'p_first');
      probs = b.op('Concat', [q, y], 'probabilities', [attrInt('axis', 1)]);
    } else {
      probs = b.op('Identity', [y], 'probabilities');
    }
    const label = b.op('ArgMax', [probs], 'label', [attrInt('axis', 1), attrInt('keepdims', 0)]);
    outputs.push({ name: probs, elemType: DataType.FLOAT, shape: ['N', task === 'binary' ? 2 : k] });
    outputs.push({ name: label, elemType: DataType.INT64, shape: ['N'] });
  } else {
    // A regression target standardized for training (preprocessing.target: μ, σ) is mapped back: ŷ·σ + μ.
    const t = regressionTargetScaling(file?.preprocessing);
    let out = y;
    if (t !== null) {
      if (t.scale.length !== k) throw new Error(`exportOnnx: preprocessing.target scales ${t.scale.length} outputs, the model has ${k}`);
      out = b.op('Mul', [out, b.floats('target_scale', [k], t.scale)], 'target_scaled');
      out = b.op('Add', [out, b.floats('target_mean', [k], t.mean)], 'target_shifted');
    }
    outputs.push({ name: b.op('Identity', [out], 'output'), elemType: DataType.FLOAT, shape: ['N', k] });
  }

  const metadata = [{ key: 'mlpkit.spec', value: JSON.stringify(model.spec) }];
  if (task !== undefined) metadata.push({ key: 'mlpkit.task', value: task });
  if (file?.classes !== undefined) metadata.push({ key: 'mlpkit.classes', value: JSON.stringify(file.classes) });
  return encodeModel({
    irVersion: 8,
    opsetImport: [{ domain: '', version: opset }, ...(columns === null ? [] : [{ domain: ML_DOMAIN, version: ML_OPSET }])],
    producerName: 'mlpkit',
    producerVersion: PRODUCER_VERSION,
    graph: {
      name: options.name ?? 'mlpkit',
      node: b.nodes,
      initializer: b.initializers,
      input: inputs,
      output: outputs,
    },
    metadataProps: metadata,
  });
}

/**
 * What the graph with string inputs cannot refuse as the model does, by category column: a level never
 * seen in training (unknown: 'error', no '(other)') and a missing cell (no fill) give all zeros there.
 * Empty for the codes layout, where the caller computes the codes.
 */
export function onnxZeroedColumns(source: Model | ModelFile, options: Pick<OnnxExportOptions, 'categories' | 'preprocessing'> = {}): { unseen: string[]; missing: string[] } {
  const cats = (namedColumns(isModelFile(source) ? source : undefined, options) ?? []).filter((c) => c.type === 'category');
  return { unseen: cats.filter((c) => c.unknownCode === null).map((c) => c.name), missing: cats.filter((c) => c.fillCode === null).map((c) => c.name) };
}

/** The raw columns of a pipeline's model file when its category columns go in as strings, else null (codes). */
function namedColumns(file: ModelFile | undefined, options: Pick<OnnxExportOptions, 'categories' | 'preprocessing'>): readonly RawColumn[] | null {
  if (options.categories === 'codes') return null;
  const pre = file?.preprocessing;
  const named = file !== undefined && options.preprocessing === undefined && typeof pre === 'object' && pre !== null && Array.isArray(pre.columns);
  if (!named) {
    if (options.categories === 'strings') throw new Error("exportOnnx: categories: 'strings' needs a pipeline's model file, which names the category levels; this source does not (use categories: 'codes')");
    return null;
  }
  const columns = exportPlan(file, 'exportOnnx').columns;
  return columns.some((c) => c.type === 'category') ? columns : null;
}

/** The one float input of the codes layout: every raw column, a category as its code. */
function codesInput(b: GraphBuilder, rawWidth: number): { inputs: ValueInfoData[]; x: string } {
  const input = b.fresh('input');
  return { inputs: [{ name: input, elemType: DataType.FLOAT, shape: ['N', rawWidth] }], x: input };
}

/**
 * The strings layout: 'input' with the numeric columns and a string input per category column, encoded
 * to what the one-hot step (`first`, the pipeline's first feature step) gives on the codes.
 */
function stringInputs(b: GraphBuilder, columns: readonly RawColumn[], first: FeatureStep | undefined): { inputs: ValueInfoData[]; x: string } {
  if (first?.kind !== 'oneHot') throw new Error('exportOnnx: the preprocessing has category columns but no one-hot step first');
  const numeric = columns.flatMap((c, j) => (c.type === 'number' ? [j] : []));
  // Every input named before any node, so that a column's name is its input's name unless two clash.
  const input = numeric.length > 0 ? b.fresh('input') : '';
  const names = columns.map((c) => (c.type === 'category' ? b.fresh(c.name) : ''));
  const inputs: ValueInfoData[] = numeric.length > 0 ? [{ name: input, elemType: DataType.FLOAT, shape: ['N', numeric.length] }] : [];
  const pieces: string[] = [];
  let run: number[] = [];
  const flush = (): void => {
    if (run.length > 0) pieces.push(b.op('Gather', [input, b.int64s('numeric_cols', run)], 'numeric', [attrInt('axis', 1)]));
    run = [];
  };
  columns.forEach((c, j) => {
    if (c.type === 'number') { run.push(numeric.indexOf(j)); return; }
    flush();
    const k = first.columns.indexOf(j);
    if (k < 0) throw new Error(`exportOnnx: category column '${c.name}' is not one-hot encoded by the preprocessing`);
    inputs.push({ name: names[j]!, elemType: DataType.STRING, shape: ['N', 1] });
    pieces.push(emitLevels(b, c, names[j]!, first.categories[k]!.length));
  });
  flush();
  return { inputs, x: pieces.length === 1 ? pieces[0]! : b.op('Concat', pieces, 'encoded', [attrInt('axis', 1)]) };
}

/** One category column's string input [N, 1] as its `width` one-hot columns (the codes as `rawColumn` gives them). */
function emitLevels(b: GraphBuilder, c: Extract<RawColumn, { type: 'category' }>, input: string, width: number): string {
  const missing = DEFAULT_MISSING.filter((t) => !c.levels.includes(t));
  const keys = [...c.levels, ...missing];
  const codes = [...c.levels.map((_, k) => k), ...missing.map(() => c.fillCode ?? -1)];
  // A code outside 0 … width − 1 (−1) matches no column: all zeros.
  const attrs = [attrStrings('keys_strings', keys), attrInts('values_int64s', codes), attrInt('default_int64', c.unknownCode ?? -1)];
  const code = b.op('LabelEncoder', [input], `${input}_code`, attrs, ML_DOMAIN);
  const hit = b.op('Equal', [code, b.int64s(`${input}_codes`, Array.from({ length: width }, (_, k) => k))], `${input}_equal`);
  return b.op('Cast', [hit], `${input}_onehot`, [attrInt('to', DataType.FLOAT)]);
}

/** One network's graph on input tensor x (the inference walk the code exports share); returns its output tensor. */
function emitNetwork(b: GraphBuilder, model: Model, x: string): string {
  const net = networkPlan(model, 'exportOnnx');
  const values: string[] = [x];
  for (const op of net.ops) values[op.out] = emitOp(b, op, values);
  return values[net.output]!;
}

/** Per-output { mean, scale } from a model file's `preprocessing.target` of a regression, if it has one. */
function regressionTargetScaling(pre: unknown): { mean: number[]; scale: number[] } | null {
  if (typeof pre !== 'object' || pre === null) return null;
  const t = (pre as { target?: unknown }).target;
  if (typeof t !== 'object' || t === null) return null;
  const { task, mean, scale } = t as { task?: unknown; mean?: unknown; scale?: unknown };
  const list = (v: unknown): number[] | null => (typeof v === 'number' ? [v] : Array.isArray(v) && v.every((x) => typeof x === 'number') ? v as number[] : null);
  const m = list(mean);
  const sc = list(scale);
  if (task !== 'regression' || m === null || sc === null) return null;
  if (m.length !== sc.length || !m.every(Number.isFinite) || !sc.every((x) => Number.isFinite(x) && x > 0)) {
    throw new Error(`exportOnnx: preprocessing.target has mean ${JSON.stringify(mean)} and scale ${JSON.stringify(scale)}; expected finite numbers with scale > 0, one per output`);
  }
  return { mean: m, scale: sc };
}

function isModelFile(v: Model | ModelFile): v is ModelFile {
  return 'format' in v && v.format === 'mlpkit-model';
}

/** Raw feature count that the pipeline maps onto the model's inputs. */
function rawFeatureCount(steps: readonly FeatureStep[], modelInputs: number): number {
  // One-hot widens; scaling keeps the width. Count the raw width backwards from the first step.
  let raw = modelInputs;
  for (let i = steps.length - 1; i >= 0; i--) {
    const s = steps[i]!;
    if (s.kind === 'oneHot') raw -= s.categories.reduce((a, c) => a + c.length - 1, 0);
  }
  const w = pipelineWidth(steps, raw);
  if (w !== modelInputs) throw new Error(`exportOnnx: the preprocessing gives ${w} features but the model takes ${modelInputs}`);
  return raw;
}

function emitStep(b: GraphBuilder, s: FeatureStep, x: string, i: number, width: number): string {
  if (s.kind === 'oneHot') {
    const pieces: string[] = [];
    let run: number[] = [];
    const flush = (): void => {
      if (run.length > 0) pieces.push(b.op('Gather', [x, b.int64s(`pre${i}_cols`, run)], `pre${i}_pass`, [attrInt('axis', 1)]));
      run = [];
    };
    for (let j = 0; j < width; j++) {
      const c = s.columns.indexOf(j);
      if (c < 0) { run.push(j); continue; }
      flush();
      const col = b.op('Gather', [x, b.int64s(`pre${i}_col`, [j])], `pre${i}_code`, [attrInt('axis', 1)]);
      const hit = b.op('Equal', [col, b.floats(`pre${i}_categories`, [s.categories[c]!.length], s.categories[c]!)], `pre${i}_equal`);
      pieces.push(b.op('Cast', [hit], `pre${i}_onehot`, [attrInt('to', DataType.FLOAT)]));
    }
    flush();
    return b.op('Concat', pieces, `pre${i}_out`, [attrInt('axis', 1)]);
  }
  const { shift, divisor, offset } = affineOf(s);
  const n = shift.length;
  let z = x;
  if (shift.some((v) => v !== 0)) z = b.op('Sub', [z, b.floats(`pre${i}_shift`, [n], shift)], `pre${i}_centred`);
  if (divisor.some((v) => v !== 1)) z = b.op('Div', [z, b.floats(`pre${i}_divisor`, [n], divisor)], `pre${i}_scaled`);
  if (offset !== 0) z = b.op('Add', [z, b.floats(`pre${i}_offset`, [1], [offset])], `pre${i}_shifted`);
  return z;
}

function emitOp(b: GraphBuilder, op: NetworkOp, values: readonly string[]): string {
  switch (op.kind) {
    case 'dense': {
      const W = b.floats(`${op.name}_W`, [op.fanIn, op.units], op.W);
      const I = op.b === null
        ? b.op('MatMul', [values[op.input]!, W], `${op.name}_I`)
        : b.op('Gemm', [values[op.input]!, W, b.floats(`${op.name}_b`, [op.units], op.b)], `${op.name}_I`);
      return emitActivation(b, op.act, I, op.name);
    }
    case 'activation': return emitActivation(b, op.act, values[op.input]!, op.name);
    case 'batchNorm': {
      const w = op.width;
      const gamma = b.floats(`${op.name}_gamma`, [w], op.gamma);
      const beta = b.floats(`${op.name}_beta`, [w], op.beta);
      const mean = b.floats(`${op.name}_mean`, [w], op.runningMean);
      const variance = b.floats(`${op.name}_var`, [w], op.runningVar);
      return b.op('BatchNormalization', [values[op.input]!, gamma, beta, mean, variance], op.name, [attrFloat('epsilon', op.epsilon)]);
    }
    case 'dropout': case 'gaussianNoise': return values[op.input]!;
    case 'add': return b.op('Sum', op.inputs.map((i) => values[i]!), op.name);
    case 'concat': return b.op('Concat', op.inputs.map((i) => values[i]!), op.name, [attrInt('axis', 1)]);
  }
}

function emitActivation(b: GraphBuilder, act: ActivationPlan, I: string, layer: string): string {
  switch (act.type) {
    case 'softmax': return b.op('Softmax', [I], layer, [attrInt('axis', -1)]);
    case 'uniform': return emitElementwise(b, act.f, I, layer);
    case 'perUnit': {
      const order: number[] = [];
      const parts = act.groups.map((g) => {
        order.push(...g.cols);
        const cols = b.op('Gather', [I, b.int64s(`${layer}_${g.f}_cols`, g.cols)], `${layer}_${g.f}_in`, [attrInt('axis', 1)]);
        return emitElementwise(b, g.f, cols, `${layer}_${g.f}`);
      });
      const joined = b.op('Concat', parts, `${layer}_grouped`, [attrInt('axis', 1)]);
      const back = new Array<number>(order.length);
      order.forEach((unit, k) => { back[unit] = k; });
      return b.op('Gather', [joined, b.int64s(`${layer}_order`, back)], layer, [attrInt('axis', 1)]);
    }
  }
}

/** f(x) elementwise, as one native operator or a short composition. */
function emitElementwise(b: GraphBuilder, f: ActivationName, x: string, out: string): string {
  const c = (hint: string, v: number): string => b.floats(`${out}_${hint}`, [1], [v]);
  switch (f) {
    case 'identity': return x;
    case 'step': return b.op('Cast', [b.op('GreaterOrEqual', [x, c('zero', 0)], `${out}_ge0`)], out, [attrInt('to', DataType.FLOAT)]);
    case 'sigmoid': return b.op('Sigmoid', [x], out);
    case 'tanh': return b.op('Tanh', [x], out);
    case 'relu': return b.op('Relu', [x], out);
    case 'leakyRelu': return b.op('LeakyRelu', [x], out, [attrFloat('alpha', 0.01)]);
    case 'elu': return b.op('Elu', [x], out, [attrFloat('alpha', 1)]);
    case 'selu': return b.op('Selu', [x], out, [attrFloat('alpha', 1.6732632423543772), attrFloat('gamma', 1.0507009873554805)]);
    case 'softplus': return b.op('Softplus', [x], out);
    case 'softsign': return b.op('Softsign', [x], out);
    case 'gelu': {
      const e = b.op('Erf', [b.op('Mul', [x, c('inv_sqrt2', Math.SQRT1_2)], `${out}_scaled`)], `${out}_erf`);
      const phi = b.op('Mul', [b.op('Add', [e, c('one', 1)], `${out}_1p`), c('half', 0.5)], `${out}_phi`);
      return b.op('Mul', [x, phi], out);
    }
    case 'silu': return b.op('Mul', [x, b.op('Sigmoid', [x], `${out}_sigmoid`)], out);
    case 'mish': return b.op('Mul', [x, b.op('Tanh', [b.op('Softplus', [x], `${out}_softplus`)], `${out}_tanh`)], out);
    case 'hardSigmoid': return b.op('HardSigmoid', [x], out, [attrFloat('alpha', 1 / 6), attrFloat('beta', 0.5)]);
    case 'gaussian': return b.op('Exp', [b.op('Neg', [b.op('Mul', [x, x], `${out}_sq`)], `${out}_neg`)], out);
    case 'sin': return b.op('Sin', [x], out);
    case 'exp': return b.op('Exp', [x], out);
  }
}
