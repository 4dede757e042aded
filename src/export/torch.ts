/**
 * Export as PyTorch: one Python file (pure Python and torch) with the weights embedded, so that a model
 * can be run, or trained further, where PyTorch runs.
 *
 *   Model()              an nn.Module; forward(x) takes the preprocessed float32 tensor [N, FEATURES] and
 *                        gives the network's outputs [N, OUTPUTS] (the members' mean for an ensemble):
 *                        probabilities for a classifier (sigmoid or softmax included), the standardized
 *                        value(s) for a regression (TARGET_MEAN, TARGET_SCALE map them back)
 *   preprocess(rows)     raw rows (dicts keyed by column name) → that tensor, as the stored preprocessing
 *   predict(rows)        what `mlpkit predict` prints: labels, or values in the target's units
 *   predict_proba(rows)  classifiers: the probabilities in the order of CLASSES
 *
 * In training mode dropout and noise are active and batch norm uses the batch's statistics (PyTorch's
 * momentum is 1 − mlpkit's); masked connections stay zero and tied weights are one parameter.
 */

import { floatsToBytes, bytesToBase64 } from '../io/base64.js';
import type { ActivationName } from '../activations.js';
import { exportPlan, float64Literal, type ActivationPlan, type ExportPlan, type ExportSource, type NetworkOp, type NetworkPlan } from './plan.js';

/** Each elementwise activation on a tensor `x`, the engine's formula (src/activations.ts). */
const TORCH_ACTIVATIONS: Readonly<Record<ActivationName, (x: string) => string>> = {
  identity: (x) => x,
  step: (x) => `(${x} >= 0).to(${x}.dtype)`,
  sigmoid: (x) => `torch.sigmoid(${x})`,
  tanh: (x) => `torch.tanh(${x})`,
  relu: (x) => `torch.relu(${x})`,
  leakyRelu: (x) => `F.leaky_relu(${x}, 0.01)`,
  elu: (x) => `F.elu(${x})`,
  selu: (x) => `F.selu(${x})`,
  softplus: (x) => `_softplus(${x})`,
  softsign: (x) => `F.softsign(${x})`,
  gelu: (x) => `F.gelu(${x})`,
  silu: (x) => `F.silu(${x})`,
  mish: (x) => `${x} * torch.tanh(_softplus(${x}))`,
  hardSigmoid: (x) => `torch.clamp(${x} / 6 + 0.5, 0, 1)`,
  gaussian: (x) => `torch.exp(-${x} * ${x})`,
  sin: (x) => `torch.sin(${x})`,
  exp: (x) => `torch.exp(${x})`,
};

const PY_ROWS = `def _floats(text, *shape):
    data = base64.b64decode(text)
    return torch.tensor(struct.unpack('<%df' % (len(data) // 4), data), dtype=torch.float32).reshape(shape)


def _softplus(x):
    return torch.clamp(x, min=0) + torch.log1p(torch.exp(-x.abs()))


def _spell(v):
    if isinstance(v, bool):
        return 'true' if v else 'false'
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _cell(row, c):
    v = None if row is None else row.get(c['name'])
    missing = v is None or (isinstance(v, float) and math.isnan(v))
    name = c['name']
    if missing:
        fill = c['fill'] if c['type'] == 'number' else c['fillCode']
        if fill is None:
            raise ValueError(f"column {name!r}: missing value (the model was trained without imputation for it); fill the cell in")
        return fill
    if c['type'] == 'number':
        try:
            n = float(v) if not isinstance(v, bool) and (not isinstance(v, str) or v.strip() != '') else float('nan')
        except (TypeError, ValueError):
            n = float('nan')
        if not math.isfinite(n):
            raise ValueError(f"column {name!r}: {v!r} is not a number, but the model was trained on this column as numbers")
        return n
    level = _spell(v)
    if level in c['levels']:
        return c['levels'].index(level)
    if c['unknownCode'] is None:
        known = ', '.join(repr(l) for l in c['levels'])
        raise ValueError(f"column {name!r}: category {level!r} was not in the training data; known: {known}")
    return c['unknownCode']


def _features(row):
    x = [_cell(row, c) for c in _RAW]
    for s in _STEPS:
        if s['kind'] == 'affine':
            x = [(v - s['shift'][j]) / s['divisor'][j] + s['offset'] for j, v in enumerate(x)]
            continue
        out = []
        for j, v in enumerate(x):
            if j in s['columns']:
                out.extend(1.0 if v == code else 0.0 for code in s['categories'][s['columns'].index(j)])
            else:
                out.append(v)
        x = out
    return x


def preprocess(rows):
    """The network's inputs for raw rows (dicts keyed by column name; None, NaN or a missing key: a missing cell), float32 [N, FEATURES]."""
    return torch.tensor([_features(r) for r in rows], dtype=torch.float32).reshape(len(rows), FEATURES)


_MODEL = None


def outputs(rows):
    """The network's outputs for raw rows, in float64 (an ensemble's mean taken in float64, as mlpkit does)."""
    global _MODEL
    if _MODEL is None:
        _MODEL = Model().eval()
    with torch.no_grad():
        x = preprocess(rows)
        ys = [m(x).double() for m in _MODEL.members]
        return sum(ys) / len(ys)`;

const PY_CLASSIFIER = `def predict_proba(rows):
    """The probability of each class (in the order of CLASSES) for each raw row."""
    y = outputs(rows)
    if y.shape[1] == 1:
        y = torch.cat([1 - y, y], dim=1)
    return y.tolist()


def predict(rows):
    """The predicted class label of each raw row."""
    y = outputs(rows)
    if y.shape[1] == 1:
        return [CLASSES[1 if p >= 0.5 else 0] for p in y[:, 0].tolist()]
    return [CLASSES[max(range(len(r)), key=lambda j: (r[j], -j))] for r in y.tolist()]`;

const PY_REGRESSION = `def predict(rows):
    """The predicted value(s) of each raw row in the target's units: a number, or a list in the order of TARGETS."""
    y = outputs(rows) * torch.tensor(TARGET_SCALE, dtype=torch.float64) + torch.tensor(TARGET_MEAN, dtype=torch.float64)
    return [r[0] if len(TARGETS) == 1 else r for r in y.tolist()]`;

/** A trained pipeline as a Python file: a PyTorch `nn.Module` with its weights, `preprocess(rows)` and `predict(rows)`. */
export function exportTorch(source: ExportSource): string {
  const plan = exportPlan(source, 'exportTorch');
  const t = plan.target;
  const classes = new Map<string, string>();
  const members = plan.networks.map((net) => {
    const { code, weights } = networkPy(net);
    if (!classes.has(code)) classes.set(code, `Network${classes.size === 0 ? '' : classes.size}`);
    return { cls: classes.get(code)!, weights };
  });
  const py = pythonLiteral;
  return [
    `"""Generated by mlpkit ${plan.version} (mlpkit export --torch): ${plan.description}.`,
    '',
    'Model(): an nn.Module; forward(x) takes the preprocessed float32 tensor [N, FEATURES] and gives the network\'s',
    `outputs [N, OUTPUTS]: ${t.task === 'regression' ? 'the standardized target value(s) (y * TARGET_SCALE + TARGET_MEAN in the target\'s units)' : 'the probabilities (sigmoid or softmax included)'}.`,
    'preprocess(rows) makes that tensor from raw rows (dicts keyed by column name), predict(rows) gives what',
    `\`mlpkit predict\` prints${t.task === 'regression' ? '' : ', predict_proba(rows) the probabilities'}. In model.train(), dropout and noise are active and batch norm`,
    'learns from the batch; masked connections stay zero and tied weights are one parameter (sign and max-norm',
    'constraints are not enforced).',
    '"""',
    'import base64', 'import math', 'import struct', '', 'import torch', 'from torch import nn', 'import torch.nn.functional as F', '',
    `COLUMNS = ${py(plan.columns.map((c) => c.name))}`,
    `TASK = ${JSON.stringify(t.task)}`,
    ...(t.task === 'regression'
      ? [`TARGETS = ${py(t.names)}`, `TARGET_MEAN = [${t.mean.map(float64Literal).join(', ')}]`, `TARGET_SCALE = [${t.scale.map(float64Literal).join(', ')}]`]
      : [`CLASSES = ${py(t.classes)}`]),
    `FEATURES = ${plan.featureWidth}`, `OUTPUTS = ${plan.outputWidth}`,
    `_RAW = ${py(plan.columns)}`, `_STEPS = ${py(plan.steps)}`, '', '',
    PY_ROWS, '', '',
    t.task === 'regression' ? PY_REGRESSION : PY_CLASSIFIER, '', '',
    ...[...classes].map(([code, name]) => code.replace('class Network(', `class ${name}(`)),
    `_WEIGHTS = [\n${members.map((m) => `    {\n${m.weights.map((w) => `        ${w},`).join('\n')}\n    },`).join('\n')}\n]`, '', '',
    'class Model(nn.Module):',
    `    """${plan.networks.length === 1 ? 'The network' : `The ${plan.networks.length} networks of the ensemble, averaged`}: [N, FEATURES] float32 → [N, OUTPUTS]."""`,
    '',
    '    def __init__(self):',
    '        super().__init__()',
    `        self.members = nn.ModuleList([${members.map((m, i) => `${m.cls}(_WEIGHTS[${i}])`).join(', ')}])`,
    '',
    '    def forward(self, x):',
    '        if len(self.members) == 1:',
    '            return self.members[0](x)',
    '        return torch.stack([m(x) for m in self.members]).mean(0)',
    '',
  ].join('\n');
}

/** A JSON value (null, booleans, finite numbers, strings, arrays, objects) as a Python literal. */
function pythonLiteral(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return float64Literal(v);
  // A JSON string's escapes (\", \\, \n, \uXXXX, …) mean the same in a Python string.
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(pythonLiteral).join(', ')}]`;
  return `{${Object.entries(v as Record<string, unknown>).map(([k, x]) => `${JSON.stringify(k)}: ${pythonLiteral(x)}`).join(', ')}}`;
}

function weight(key: string, a: Float32Array, shape: readonly number[]): string {
  return `${JSON.stringify(key)}: _floats('${bytesToBase64(floatsToBytes(a, 'float32'))}', ${shape.join(', ')})`;
}

/** Wᵀ of a fanIn × units row-major matrix: nn.Linear's [units, fanIn]. */
function transpose(a: ArrayLike<number>, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = a[i * cols + j]!;
  return out;
}

function activationPy(a: ActivationPlan, x: string, out: string): string[] {
  switch (a.type) {
    case 'uniform': return [`${out} = ${TORCH_ACTIVATIONS[a.f](x)}`];
    case 'softmax': return [`${out} = torch.softmax(${x}, dim=1)`];
    case 'perUnit': return [`${out} = torch.empty_like(${x})`, ...a.groups.map((g) => `${out}[:, ${JSON.stringify(g.cols)}] = ${TORCH_ACTIVATIONS[g.f](`${x}[:, ${JSON.stringify(g.cols)}]`)}`)];
  }
}

/** One network as an nn.Module class (its code, the same for members of one architecture) and its weights. */
function networkPy(net: NetworkPlan): { code: string; weights: string[] } {
  const init: string[] = [];
  const tail: string[] = [];
  const body: string[] = [];
  const weights: string[] = [];
  const attr = new Map<string, string>();
  const nameOf = (layer: string): string => {
    if (!attr.has(layer)) attr.set(layer, `l${attr.size}_${layer.replace(/[^A-Za-z0-9_]/g, '_')}`);
    return attr.get(layer)!;
  };
  const v = (i: number): string => (i === 0 ? 'x' : `v${i}`);
  for (const op of net.ops) {
    const a = nameOf(op.name);
    body.push(`# ${op.kind} ${JSON.stringify(op.name)}`);
    body.push(...opPy(op, a, v, init, weights));
    if (op.kind === 'dense' && op.sharesWith !== null) tail.push(`self.${a}.weight = self.${nameOf(op.sharesWith)}.weight`);
  }
  const code = [
    'class Network(nn.Module):',
    '    """One network of mlpkit\'s engine, layer by layer (the names in comments are its layers\')."""',
    '',
    '    def __init__(self, weights):',
    '        super().__init__()',
    ...[...init, ...tail].map((l) => `        ${l}`),
    '        state = self.state_dict(keep_vars=True)',
    '        with torch.no_grad():',
    '            for key, value in weights.items():',
    '                state[key].copy_(value)',
    '',
    '    def forward(self, x):',
    ...body.map((l) => `        ${l}`),
    `        return ${v(net.output)}`,
    '', '',
  ].join('\n');
  return { code, weights };
}

function opPy(op: NetworkOp, a: string, v: (i: number) => string, init: string[], weights: string[]): string[] {
  const out = v(op.out);
  switch (op.kind) {
    case 'dense': {
      init.push(`self.${a} = nn.Linear(${op.fanIn}, ${op.units}, bias=${op.b === null ? 'False' : 'True'})`);
      if (op.sharesWith === null) weights.push(weight(`${a}.weight`, transpose(op.W, op.fanIn, op.units), [op.units, op.fanIn]));
      if (op.b !== null) weights.push(weight(`${a}.bias`, op.b, [op.units]));
      let linear = `self.${a}(${v(op.input)})`;
      if (op.mask !== null || op.biasMask !== null) {
        const W = op.mask === null ? `self.${a}.weight` : `self.${a}.weight * self.${a}_mask`;
        const b = op.b === null ? 'None' : op.biasMask === null ? `self.${a}.bias` : `self.${a}.bias * self.${a}_bias_mask`;
        if (op.mask !== null) init.push(`self.register_buffer('${a}_mask', torch.tensor(${JSON.stringify(op.mask)}, dtype=torch.float32).t().contiguous())`);
        if (op.biasMask !== null && op.b !== null) init.push(`self.register_buffer('${a}_bias_mask', torch.tensor(${JSON.stringify(op.biasMask)}, dtype=torch.float32))`);
        linear = `F.linear(${v(op.input)}, ${W}, ${b})`;
      }
      return [`${out}_i = ${linear}`, ...activationPy(op.act, `${out}_i`, out)];
    }
    case 'activation': return activationPy(op.act, v(op.input), out);
    case 'batchNorm':
      init.push(`self.${a} = nn.BatchNorm1d(${op.width}, eps=${float64Literal(op.epsilon)}, momentum=${float64Literal(1 - op.momentum)})`);
      weights.push(weight(`${a}.weight`, op.gamma, [op.width]), weight(`${a}.bias`, op.beta, [op.width]),
        weight(`${a}.running_mean`, op.runningMean, [op.width]), weight(`${a}.running_var`, op.runningVar, [op.width]));
      return [`${out} = self.${a}(${v(op.input)})`];
    case 'dropout':
      init.push(`self.${a} = nn.Dropout(${float64Literal(op.rate)})`);
      return [`${out} = self.${a}(${v(op.input)})`];
    case 'gaussianNoise':
      return [`${out} = ${v(op.input)} + torch.randn_like(${v(op.input)}) * ${float64Literal(op.stddev)} if self.training else ${v(op.input)}`];
    case 'add': return [`${out} = ${op.inputs.map(v).join(' + ')}`];
    case 'concat': return [`${out} = torch.cat([${op.inputs.map(v).join(', ')}], dim=1)`];
  }
}
