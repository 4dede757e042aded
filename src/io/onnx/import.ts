/**
 * ONNX import: an MLP exported by PyTorch, scikit-learn (skl2onnx) or mlpkit, read into a ModelSpec and its
 * weights, to predict or to continue training.
 *
 * Recognised, on the path from the input to the chosen output:
 *   Gemm (any transB, alpha, beta) and MatMul [+ Add of a constant]      → dense
 *   Relu, Sigmoid, Tanh, Softmax (last axis), LeakyRelu (α = 0.01), Elu (α = 1), Selu (standard constants),
 *   Softplus, Softsign, HardSigmoid (α = 1/6, β = ½), Sin, Mish, Gelu, and the exported forms
 *   x·Sigmoid(x) (SiLU) and x·Tanh(Softplus(x)) (mish)          → the dense layer's activation, or an activation layer
 *   BatchNormalization (inference)                                 → batchNorm with its running statistics
 *   Add / Sum of two layers → add;  Concat on axis 1 → concat;  Identity, Dropout, Flatten(axis 1) → nothing
 * Anything else fails with one error that lists every unsupported operator.
 */

import { isActivationName, type ActivationName } from '../../activations.js';
import { Model } from '../../graph/model.js';
import type { DType } from '../../kernels/backend.js';
import type { BatchNorm } from '../../layers/batchnorm.js';
import type { LossName } from '../../losses.js';
import type { ActivationSpec, LayerSpec, ModelSpec } from '../../spec.js';
import { countParameters } from '../../graph/memory.js';
import { DataType, decodeModel, tensorValues, type AttributeData, type GraphData, type NodeData, type TensorData } from './proto.js';
import { fuseCompositions, fusePerUnit, perUnitActivations, type ConstantOf } from './compositions.js';

/** Which tensor importOnnx reads as the output, and how it builds the model. */
export interface OnnxImportOptions {
  /** Which tensor to read as the model's output (any tensor of the graph); default the first float graph output. */
  readonly output?: string;
  /** Loss of the imported model; default from the output activation (softmax → cross-entropy, sigmoid → binary). */
  readonly loss?: LossName;
  readonly dtype?: DType;
}

/** An imported ONNX graph: the spec, weights and state of the equivalent mlpkit model, the input and output tensors read, and the producer. */
export interface OnnxImport {
  readonly spec: ModelSpec;
  /** Parameters in the layout of `new Model(spec)` (for `setWeights`), and the batch-norm state (`setState`). */
  readonly weights: Float32Array | Float64Array;
  readonly state: Float32Array | Float64Array;
  readonly inputName: string;
  readonly outputName: string;
  /** The ONNX producer, e.g. 'pytorch 1.13.0'. */
  readonly producer: string;
}

type Sym =
  | { readonly t: 'const'; readonly values: Float64Array; readonly dims: readonly number[] }
  | { readonly t: 'layer'; readonly layer: string; readonly width: number };

/** A layer spec under construction (fields are filled in as operators are folded into it). */
interface LayerDraft {
  kind: LayerSpec['kind'];
  name: string;
  inputs: string[];
  units?: number;
  activation?: ActivationSpec;
  useBias?: boolean;
  epsilon?: number;
  momentum?: number;
}

interface Building {
  spec: LayerDraft;
  W?: Float64Array;
  b?: Float64Array;
  bn?: { gamma: Float64Array; beta: Float64Array; mean: Float64Array; variance: Float64Array };
  /** The tensor that is this layer's current output (a bias or activation may still be folded into it). */
  openTensor: string | null;
}

function attr(n: NodeData, name: string): AttributeData | undefined {
  return n.attribute?.find((a) => a.name === name);
}

const near = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b));

/**
 * Explicit limits on what an imported file may hold, so that a corrupt or hostile file fails at once with
 * a message instead of exhausting memory.
 */
export const ONNX_IMPORT_LIMITS = {
  fileBytes: 512 * 1024 * 1024,
  nodes: 100_000,
  /** Values in all initializers and constants together. */
  values: 100_000_000,
  /** Parameters of the imported model. */
  parameters: 100_000_000,
  /** Width of the input and of any layer. */
  width: 10_000_000,
  nameLength: 4096,
} as const;

/** Inputs each understood operator needs (a node with fewer is malformed, not merely unsupported). */
const MIN_INPUTS: Readonly<Record<string, number>> = {
  Gemm: 2, MatMul: 2, Add: 2, Sum: 1, Concat: 1, BatchNormalization: 5, Identity: 1, Dropout: 1, Flatten: 1, Mul: 2,
  Relu: 1, Sigmoid: 1, Tanh: 1, Softplus: 1, Softsign: 1, Sin: 1, Mish: 1, Softmax: 1, LeakyRelu: 1, Elu: 1, Selu: 1,
  HardSigmoid: 1, Gelu: 1, Exp: 1,
};

/**
 * Parse ONNX bytes into an mlpkit spec and weights (see the module comment for what is understood). Every
 * error is an Error whose message starts with `importOnnx:` and names the node, tensor or field.
 */
export function importOnnx(bytes: Uint8Array, options: OnnxImportOptions = {}): OnnxImport {
  if (bytes.length > ONNX_IMPORT_LIMITS.fileBytes) {
    throw new Error(`importOnnx: the file is ${bytes.length} bytes, more than the ${ONNX_IMPORT_LIMITS.fileBytes} an imported model may be`);
  }
  try {
    return importChecked(bytes, options);
  } catch (e) {
    const message = (e as Error).message;
    if (message.startsWith('importOnnx: ')) throw e;
    throw new Error(`importOnnx: ${message}`, { cause: e });
  }
}

const tooLong = (s: string): boolean => s.length > ONNX_IMPORT_LIMITS.nameLength;

/** The dims and stored size of a tensor agree, within the limits (before its values are read). */
function checkTensor(t: TensorData, where: string): number {
  if (tooLong(t.name)) fail(`${where}: a name of ${t.name.length} characters`);
  const bad = t.dims.find((d) => !Number.isSafeInteger(d) || d < 0);
  if (bad !== undefined) fail(`${where} '${t.name}': dimension ${bad} is not a size`);
  const count = t.dims.reduce((a, b) => a * b, 1);
  if (count > ONNX_IMPORT_LIMITS.values) fail(`${where} '${t.name}': ${count} values, more than the ${ONNX_IMPORT_LIMITS.values} allowed`);
  if (t.rawData !== undefined) {
    const size = t.dataType === DataType.FLOAT || t.dataType === DataType.INT32 ? 4 : t.dataType === DataType.DOUBLE || t.dataType === DataType.INT64 ? 8 : 0;
    if (size !== 0 && t.rawData.byteLength !== count * size) {
      fail(`${where} '${t.name}': ${t.rawData.byteLength} bytes of data for dims [${t.dims.join(', ')}] (${count * size} expected)`);
    }
  }
  return count;
}

function fail(message: string): never {
  throw new Error(`importOnnx: ${message}`);
}

/** Names, sizes and arities of the whole graph, before anything is interpreted. */
function checkGraph(g: GraphData): void {
  if (g.node.length > ONNX_IMPORT_LIMITS.nodes) fail(`the graph has ${g.node.length} nodes, more than the ${ONNX_IMPORT_LIMITS.nodes} allowed`);
  let values = 0;
  g.initializer.forEach((t, i) => { values += checkTensor(t, `initializer ${i}`); });
  g.node.forEach((n, i) => {
    const where = `node ${i} (${n.opType === '' ? 'no operator' : n.opType}${n.name === undefined || n.name === '' ? '' : ` '${n.name.slice(0, 80)}'`})`;
    if (n.opType === '') fail(`${where}: no op_type`);
    if (n.output.length === 0 || n.output[0] === '') fail(`${where}: no output tensor`);
    if ([n.opType, n.name ?? '', ...n.input, ...n.output].some(tooLong)) fail(`${where}: a name longer than ${ONNX_IMPORT_LIMITS.nameLength} characters`);
    const need = MIN_INPUTS[n.opType] ?? 0;
    if (n.input.length < need || n.input.slice(0, need).some((s) => s === '')) fail(`${where}: needs ${need} input${need === 1 ? '' : 's'}, has ${n.input.filter((s) => s !== '').length}`);
    for (const a of n.attribute ?? []) {
      if (a.t !== undefined) values += checkTensor(a.t, `${where} attribute '${a.name}'`);
      if (!Number.isFinite(a.f ?? 0)) fail(`${where}: attribute '${a.name}' is ${a.f}`);
    }
  });
  if (values > ONNX_IMPORT_LIMITS.values) fail(`the tensors hold ${values} values, more than the ${ONNX_IMPORT_LIMITS.values} allowed`);
  for (const v of [...g.input, ...g.output]) if (v.name === '' || tooLong(v.name)) fail(`a graph input or output has ${v.name === '' ? 'no name' : 'a name that is too long'}`);
}

/** Every value of a tensor read into a layer finite (and variances ≥ 0), naming the layer and what it holds. */
function checkLayerValues(l: Building): void {
  const check = (a: Float64Array | undefined, what: string, min = -Infinity): void => {
    if (a === undefined) return;
    const i = a.findIndex((v) => !Number.isFinite(v) || v < min);
    if (i >= 0) fail(`layer '${l.spec.name}': ${what}[${i}] is ${a[i]}; it must be finite${min === 0 ? ' and ≥ 0' : ''}`);
  };
  check(l.W, 'weight');
  check(l.b, 'bias');
  if (l.bn !== undefined) {
    check(l.bn.gamma, 'scale (gamma)');
    check(l.bn.beta, 'shift (beta)');
    check(l.bn.mean, 'running mean');
    check(l.bn.variance, 'running variance', 0);
  }
}

function importChecked(bytes: Uint8Array, options: OnnxImportOptions): OnnxImport {
  const m = decodeModel(bytes);
  const g = m.graph;
  checkGraph(g);
  const inits = new Map(g.initializer.map((t) => [t.name, t]));
  const graphInputs = g.input.filter((v) => !inits.has(v.name));
  const text = graphInputs.find((v) => v.elemType === DataType.STRING);
  if (text !== undefined) {
    throw new Error(`importOnnx: input '${text.name}' is a string tensor (a category column's levels); mlpkit reads MLPs on one float input — load the mlpkit model file itself, or export it with categories: 'codes'`);
  }
  if (graphInputs.length !== 1) {
    throw new Error(`importOnnx: expected one input tensor, the graph has ${graphInputs.length} (${graphInputs.map((v) => v.name).join(', ')})`);
  }
  const input = graphInputs[0]!;
  // By default the first float output: classifiers exported by skl2onnx list an int64 'label' first.
  const outputName = options.output ?? (g.output.find((o) => o.elemType === DataType.FLOAT) ?? g.output[0])?.name;
  if (outputName === undefined) throw new Error('importOnnx: the graph has no output');

  const producer = new Map<string, NodeData>();
  for (const n of g.node) for (const o of n.output) producer.set(o, n);
  if (!producer.has(outputName) && outputName !== input.name) {
    throw new Error(`importOnnx: no tensor '${outputName}' in the graph (outputs: ${g.output.map((o) => o.name).join(', ')})`);
  }
  // Only the nodes that the chosen output depends on.
  const needed = new Set<NodeData>();
  const stack = [outputName];
  while (stack.length > 0) {
    const n = producer.get(stack.pop()!);
    if (n === undefined || needed.has(n)) continue;
    needed.add(n);
    stack.push(...n.input.filter((s) => s !== ''));
  }
  const constantOf = constants(g.initializer, g.node);
  const nodes = fusePerUnit(fuseCompositions(fusePatterns(g.node.filter((n) => needed.has(n))), constantOf), constantOf, (n) => {
    const f = activationOf(n, opName(n), []);
    return typeof f === 'string' && f !== 'softmax' ? f : null;
  });
  const consumers = new Map<string, number>();
  for (const n of nodes) for (const i of n.input) consumers.set(i, (consumers.get(i) ?? 0) + 1);
  consumers.set(outputName, (consumers.get(outputName) ?? 0) + 1);

  const unsupported = new Map<string, number>();
  const problems: string[] = [];
  const env = new Map<string, Sym>();
  for (const [name, t] of inits) env.set(name, { t: 'const', values: tensorValues(t), dims: t.dims });
  const declared = input.shape?.[1];
  const inputWidth = typeof declared === 'number' && declared > 0 ? declared : firstWeightRows(nodes, env, input.name);
  if (!Number.isSafeInteger(inputWidth) || inputWidth > ONNX_IMPORT_LIMITS.width) fail(`input '${input.name}': width ${inputWidth}, more than the ${ONNX_IMPORT_LIMITS.width} allowed`);
  env.set(input.name, { t: 'layer', layer: 'input', width: inputWidth });

  const layers: Building[] = [];
  const byName = new Map<string, Building>();
  const newLayer = (kind: LayerSpec['kind'], hint: string, inputs: string[], out: string, extra: Omit<Building, 'spec' | 'openTensor'> = {}): Building => {
    let name = hint.replace(/^[/]+/, '').replace(/[^\w.]+/g, '_') || kind;
    for (let i = 1; byName.has(name) || name === 'input'; i++) name = `${hint}_${i}`;
    const l: Building = { spec: { kind, name, inputs }, openTensor: out, ...extra };
    layers.push(l);
    byName.set(name, l);
    return l;
  };
  const layerOf = (s: string, n: NodeData): Extract<Sym, { t: 'layer' }> | null => {
    const v = env.get(s);
    if (v?.t === 'layer') return v;
    problems.push(`${n.opType} '${n.name ?? n.output[0]}': input '${s}' is ${v === undefined ? 'unknown' : 'a constant'}, expected activations`);
    return null;
  };
  const constOf = (s: string | undefined): Extract<Sym, { t: 'const' }> | null => {
    const v = s === undefined ? undefined : env.get(s);
    return v?.t === 'const' ? v : null;
  };
  /** The dense layer whose open output is tensor s, if only one node reads s. */
  const openDense = (s: string): Building | null => {
    const v = env.get(s);
    if (v?.t !== 'layer') return null;
    const l = byName.get(v.layer);
    return l !== undefined && l.openTensor === s && l.spec.kind === 'dense' && consumers.get(s) === 1 ? l : null;
  };
  const setLayer = (out: string, l: Building, width: number): void => {
    env.set(out, { t: 'layer', layer: l.spec.name, width });
  };

  for (const n of nodes) {
    const out = n.output[0]!;
    const op = opName(n);
    const f = activationOf(n, op, problems);
    if (f !== undefined) {
      if (f === null) continue;
      const x = layerOf(n.input[0]!, n);
      if (x === null) continue;
      const d = openDense(n.input[0]!);
      if (d !== null && (d.spec.activation ?? 'identity') === 'identity') {
        d.spec.activation = f;
        d.openTensor = out;
        setLayer(out, d, x.width);
      } else {
        const l = newLayer('activation', out, [x.layer], out);
        l.spec.activation = f;
        setLayer(out, l, x.width);
      }
      continue;
    }
    switch (op) {
      case 'Constant': {
        const t = attr(n, 'value')?.t;
        if (t === undefined) { problems.push(`Constant '${out}': only tensor values are supported`); break; }
        env.set(out, { t: 'const', values: tensorValues(t), dims: t.dims });
        break;
      }
      case 'Identity': case 'Dropout': case 'Flatten': {
        if (op === 'Flatten' && (attr(n, 'axis')?.i ?? 1) !== 1) { problems.push(`Flatten '${out}': only axis 1 is supported`); break; }
        const v = env.get(n.input[0]!);
        if (v === undefined) break;
        env.set(out, v);
        if (v.t === 'layer') {
          const l = byName.get(v.layer);
          // The alias is the layer's output now; the old name stays readable for other consumers.
          if (l !== undefined && l.openTensor === n.input[0]) {
            l.openTensor = consumers.get(n.input[0]!) === 1 ? out : null;
          }
        }
        break;
      }
      case 'Gemm': case 'MatMul': {
        const x = layerOf(n.input[0]!, n);
        const B = constOf(n.input[1]);
        if (x === null) break;
        if (B === null || B.dims.length !== 2) { problems.push(`${op} '${out}': the weight must be a constant matrix`); break; }
        if (op === 'Gemm' && (attr(n, 'transA')?.i ?? 0) !== 0) { problems.push(`Gemm '${out}': transA = 1 is not supported`); break; }
        const transB = op === 'Gemm' && (attr(n, 'transB')?.i ?? 0) === 1;
        const alpha = op === 'Gemm' ? (attr(n, 'alpha')?.f ?? 1) : 1;
        const beta = op === 'Gemm' ? (attr(n, 'beta')?.f ?? 1) : 1;
        const [r, c] = B.dims as [number, number];
        const fanIn = transB ? c : r;
        const units = transB ? r : c;
        if (fanIn !== x.width) { problems.push(`${op} '${out}': weight takes ${fanIn} inputs but ${x.width} arrive`); break; }
        const W = new Float64Array(fanIn * units);
        for (let i = 0; i < fanIn; i++) for (let j = 0; j < units; j++) W[i * units + j] = alpha * B.values[transB ? j * c + i : i * c + j]!;
        const C = op === 'Gemm' ? constOf(n.input[2]) : null;
        if (op === 'Gemm' && n.input[2] !== undefined && n.input[2] !== '' && C === null) { problems.push(`Gemm '${out}': the bias must be a constant`); break; }
        const b = C === null ? undefined : broadcastBias(C.values, units, beta);
        if (C !== null && b === undefined) { problems.push(`Gemm '${out}': bias of ${C.values.length} values for ${units} units`); break; }
        const l = newLayer('dense', out, [x.layer], out, { W, ...(b === undefined ? {} : { b }) });
        l.spec.units = units;
        if (b === undefined) l.spec.useBias = false;
        setLayer(out, l, units);
        break;
      }
      case 'Add': case 'Sum': {
        const [a0, a1] = n.input;
        const c0 = constOf(a0);
        const c1 = constOf(a1);
        if (op === 'Add' && (c0 === null) !== (c1 === null)) {
          const xName = c0 === null ? a0! : a1!;
          const C = (c0 ?? c1)!;
          const d = openDense(xName);
          const x = env.get(xName);
          const b = x?.t === 'layer' ? broadcastBias(C.values, x.width, 1) : undefined;
          if (d === null || d.b !== undefined || (d.spec.activation ?? 'identity') !== 'identity' || b === undefined || x?.t !== 'layer') {
            problems.push(`Add '${out}': adding a constant is supported only as the bias of a MatMul`);
            break;
          }
          d.b = b;
          delete d.spec.useBias;
          d.openTensor = out;
          setLayer(out, d, x.width);
          break;
        }
        const xs = n.input.map((s) => layerOf(s, n));
        if (xs.some((x) => x === null)) break;
        const widths = xs.map((x) => x!.width);
        if (widths.some((w) => w !== widths[0])) { problems.push(`${op} '${out}': widths differ (${widths.join(', ')})`); break; }
        setLayer(out, newLayer('add', out, xs.map((x) => x!.layer), out), widths[0]!);
        break;
      }
      case 'Concat': {
        const axis = attr(n, 'axis')?.i ?? 0;
        if (axis !== 1 && axis !== -1) { problems.push(`Concat '${out}': only axis 1 is supported, got ${axis}`); break; }
        const xs = n.input.map((s) => layerOf(s, n));
        if (xs.some((x) => x === null)) break;
        setLayer(out, newLayer('concat', out, xs.map((x) => x!.layer), out), xs.reduce((s, x) => s + x!.width, 0));
        break;
      }
      case 'BatchNormalization': {
        const x = layerOf(n.input[0]!, n);
        const [gamma, beta, mean, variance] = n.input.slice(1, 5).map(constOf);
        if (x === null) break;
        if (gamma == null || beta == null || mean == null || variance == null) { problems.push(`BatchNormalization '${out}': parameters must be constants`); break; }
        const lengths = [gamma, beta, mean, variance].map((c) => c.values.length);
        if (lengths.some((k) => k !== x.width)) { problems.push(`BatchNormalization '${out}': scale, bias, mean and variance hold ${lengths.join(', ')} values for ${x.width} features`); break; }
        const l = newLayer('batchNorm', out, [x.layer], out, {
          bn: { gamma: gamma.values, beta: beta.values, mean: mean.values, variance: variance.values },
        });
        l.spec.epsilon = attr(n, 'epsilon')?.f ?? 1e-5;
        const momentum = attr(n, 'momentum')?.f;
        // Stored as float32: 0.9 arrives as 0.899999976…; seven digits recover the decimal.
        if (momentum !== undefined) l.spec.momentum = Number(momentum.toPrecision(7));
        setLayer(out, l, x.width);
        break;
      }
      default:
        unsupported.set(op, (unsupported.get(op) ?? 0) + 1);
    }
  }
  if (unsupported.size > 0) {
    const list = [...unsupported].map(([op, k]) => (k > 1 ? `${op} (×${k})` : op)).sort().join(', ');
    throw new Error(`importOnnx: unsupported operators on the path to '${outputName}': ${list}. mlpkit reads MLPs made of Gemm/MatMul+Add, the common activations, BatchNormalization, Add, Concat, Identity and Dropout`);
  }
  if (problems.length > 0) throw new Error(`importOnnx: ${problems.join('; ')}`);
  const result = env.get(outputName);
  if (result?.t !== 'layer' || result.layer === 'input') throw new Error(`importOnnx: output '${outputName}' is not computed by any layer`);

  const last = byName.get(result.layer)!;
  const lastAct = last.spec.activation;
  const loss: LossName = options.loss ?? (lastAct === 'softmax' ? 'categoricalCrossEntropy' : lastAct === 'sigmoid' ? 'binaryCrossEntropy' : 'mse');
  const spec: ModelSpec = {
    inputSize: inputWidth, loss, output: result.layer,
    ...(options.dtype === undefined ? {} : { dtype: options.dtype }),
    layers: layers.map((l) => l.spec as LayerSpec),
  };
  layers.forEach(checkLayerValues);
  const parameters = countParameters(spec).total;
  if (parameters > ONNX_IMPORT_LIMITS.parameters) fail(`the model has ${parameters} parameters, more than the ${ONNX_IMPORT_LIMITS.parameters} allowed`);
  const usesStep = layers.some((l) => l.spec.activation === 'step');
  const model = new Model(spec, { trainable: !usesStep });
  for (const l of layers) {
    if (l.W !== undefined) model.param(l.spec.name, 'W').value.a.set(l.W);
    if (l.b !== undefined) model.param(l.spec.name, 'b').value.a.set(l.b);
    if (l.bn !== undefined) {
      model.param(l.spec.name, 'gamma').value.a.set(l.bn.gamma);
      model.param(l.spec.name, 'beta').value.a.set(l.bn.beta);
      const node = model.node(l.spec.name) as BatchNorm;
      node.runningMean.a.set(l.bn.mean);
      node.runningVar.a.set(l.bn.variance);
    }
  }
  return {
    spec, weights: model.getWeights(), state: model.getState(), inputName: input.name, outputName,
    producer: `${m.producerName ?? ''} ${m.producerVersion ?? ''}`.trim(),
  };
}

/** An operator's name, qualified by its domain unless it is the default one. */
function opName(n: NodeData): string {
  return n.domain === '' || n.domain === undefined || n.domain === 'ai.onnx' ? n.opType : `${n.domain}.${n.opType}`;
}

/** Values of the graph's constant tensors: initializers and Constant nodes. */
function constants(initializers: readonly TensorData[], nodes: readonly NodeData[]): ConstantOf {
  const values = new Map<string, TensorData>(initializers.map((t) => [t.name, t]));
  for (const n of nodes) {
    const t = n.opType === 'Constant' ? attr(n, 'value')?.t : undefined;
    if (t !== undefined) values.set(n.output[0]!, t);
  }
  return (name) => { const t = values.get(name); return t === undefined ? null : tensorValues(t); };
}

/** The imported model, ready to predict or train. */
export function modelFromOnnx(bytes: Uint8Array, options: OnnxImportOptions = {}): Model {
  const r = importOnnx(bytes, options);
  const model = new Model(r.spec, { trainable: !JSON.stringify(r.spec.layers).includes('"step"') });
  model.setWeights(r.weights);
  model.setState(r.state);
  return model;
}

function broadcastBias(v: Float64Array, units: number, beta: number): Float64Array | undefined {
  if (v.length !== units && v.length !== 1) return undefined;
  return Float64Array.from({ length: units }, (_, j) => beta * v[v.length === 1 ? 0 : j]!);
}

/** Input width from the first layer's weights, when the graph declares it symbolically. */
function firstWeightRows(nodes: readonly NodeData[], env: Map<string, Sym>, input: string): number {
  const n = nodes.find((x) => (x.opType === 'Gemm' || x.opType === 'MatMul') && x.input[0] === input);
  const B = n === undefined ? undefined : env.get(n.input[1]!);
  if (n === undefined || B?.t !== 'const' || B.dims.length !== 2) throw new Error('importOnnx: the input width is not declared and no first layer gives it');
  return (attr(n, 'transB')?.i ?? 0) === 1 ? B.dims[1]! : B.dims[0]!;
}

/**
 * The mlpkit activation of an elementwise node: a name, null for a node that turned out invalid (reported in
 * `problems`), or undefined when the node is not an activation.
 */
function activationOf(n: NodeData, op: string, problems: string[]): ActivationSpec | null | undefined {
  const simple: Record<string, ActivationName | 'softmax'> = {
    Relu: 'relu', Sigmoid: 'sigmoid', Tanh: 'tanh', Softplus: 'softplus', Softsign: 'softsign', Sin: 'sin', Mish: 'mish', Exp: 'exp',
    'mlpkit.silu': 'silu', 'mlpkit.mish': 'mish', 'mlpkit.gelu': 'gelu', 'mlpkit.gaussian': 'gaussian', 'mlpkit.step': 'step', Softmax: 'softmax',
  };
  const bad = (why: string): null => { problems.push(`${op} '${n.output[0]}': ${why}`); return null; };
  switch (op) {
    case 'mlpkit.perUnit': return perUnitActivations(n) ?? bad('the per-unit activation list is not readable');
    case 'Softmax': {
      const axis = attr(n, 'axis')?.i ?? -1;
      return axis === -1 || axis === 1 ? 'softmax' : bad(`only the last axis is supported, got axis ${axis}`);
    }
    case 'LeakyRelu':
      return near(attr(n, 'alpha')?.f ?? 0.01, 0.01) ? 'leakyRelu' : bad(`mlpkit's leakyRelu has slope 0.01, this one ${attr(n, 'alpha')?.f}`);
    case 'Elu':
      return near(attr(n, 'alpha')?.f ?? 1, 1) ? 'elu' : bad(`mlpkit's elu has α = 1, this one ${attr(n, 'alpha')?.f}`);
    case 'Selu': {
      const a = attr(n, 'alpha')?.f ?? 1.67326319217681884765625;
      const g = attr(n, 'gamma')?.f ?? 1.05070102214813232421875;
      return near(a, 1.6732632423543772) && near(g, 1.0507009873554805) ? 'selu' : bad('only the standard SELU constants are supported');
    }
    case 'HardSigmoid': {
      const a = attr(n, 'alpha')?.f ?? 0.2;
      const b = attr(n, 'beta')?.f ?? 0.5;
      return near(a, 1 / 6) && near(b, 0.5) ? 'hardSigmoid' : bad(`mlpkit's hardSigmoid is clip(x/6 + ½, 0, 1), this one has α = ${a}, β = ${b}`);
    }
    case 'Gelu':
      return (attr(n, 'approximate')?.s === undefined || new TextDecoder().decode(attr(n, 'approximate')!.s) === 'none') ? 'gelu' : bad('only the exact (erf) GELU is supported');
    default: {
      const name = simple[op];
      return name !== undefined && (name === 'softmax' || isActivationName(name)) ? name : undefined;
    }
  }
}

/** Rewrite the exported forms of SiLU (x·σ(x)) and mish (x·tanh(softplus x)) into single pseudo-operators. */
function fusePatterns(nodes: readonly NodeData[]): NodeData[] {
  const producer = new Map<string, NodeData>();
  const uses = new Map<string, number>();
  for (const n of nodes) {
    for (const o of n.output) producer.set(o, n);
    for (const i of n.input) uses.set(i, (uses.get(i) ?? 0) + 1);
  }
  const drop = new Set<NodeData>();
  const replace = new Map<NodeData, NodeData>();
  for (const n of nodes) {
    if (n.opType !== 'Mul' || n.input.length !== 2) continue;
    for (const [x, y] of [[n.input[0]!, n.input[1]!], [n.input[1]!, n.input[0]!]] as const) {
      const p = producer.get(y);
      if (p === undefined || uses.get(y) !== 1) continue;
      if (p.opType === 'Sigmoid' && p.input[0] === x) {
        drop.add(p);
        replace.set(n, { opType: 'silu', domain: 'mlpkit', input: [x], output: n.output, name: n.name ?? '' });
        break;
      }
      const q = p.opType === 'Tanh' ? producer.get(p.input[0]!) : undefined;
      if (q !== undefined && q.opType === 'Softplus' && q.input[0] === x && uses.get(p.input[0]!) === 1) {
        drop.add(p);
        drop.add(q);
        replace.set(n, { opType: 'mish', domain: 'mlpkit', input: [x], output: n.output, name: n.name ?? '' });
        break;
      }
    }
  }
  return nodes.filter((n) => !drop.has(n)).map((n) => replace.get(n) ?? n);
}
