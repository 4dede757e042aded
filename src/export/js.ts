/**
 * Export as JavaScript: one ES module with no dependency that predicts as `mlpkit predict` does.
 *
 *   predict(row)        the class label (classifiers) or the value(s) in the target's units (a number,
 *                       or an array for several targets), for one raw row: an object keyed by column
 *                       name, numbers for numeric columns, strings for categories, null / undefined / NaN
 *                       for a missing cell (filled as the model's imputation says, or refused)
 *   predictProba(row)   classifiers: the probabilities in the order of CLASSES
 *   outputs(row)        the network's outputs (the members' mean for an ensemble)
 *   features(row)       the network's inputs: the preprocessing of the row
 *
 * The network runs as the engine does: inputs, pre-activations and outputs stored in float32 (weights
 * are the float32 values themselves), sums and transcendental functions in float64.
 */

import type { ActivationName } from '../activations.js';
import { activationsUsed, exportPlan, float32Literal, float64Literal, type ActivationPlan, type ExportSource, type NetworkOp, type NetworkPlan } from './plan.js';

const SELU = 'const SELU_A = 1.6732632423543772, SELU_S = 1.0507009873554805;';

/** Each elementwise activation as JavaScript, the engine's formula (src/activations.ts). */
const JS_ACTIVATIONS: Readonly<Record<ActivationName, string>> = {
  identity: '(x) => x',
  step: '(x) => (x >= 0 ? 1 : 0)',
  sigmoid: 'sigmoid',
  tanh: 'Math.tanh',
  relu: '(x) => (x > 0 ? x : 0)',
  leakyRelu: '(x) => (x > 0 ? x : 0.01 * x)',
  elu: '(x) => (x > 0 ? x : Math.expm1(x))',
  selu: '(x) => (x > 0 ? SELU_S * x : SELU_S * SELU_A * Math.expm1(x))',
  softplus: 'softplus',
  softsign: '(x) => x / (1 + Math.abs(x))',
  gelu: '(x) => x * 0.5 * (1 + erf(x / Math.SQRT2))',
  silu: '(x) => x * sigmoid(x)',
  mish: '(x) => x * Math.tanh(softplus(x))',
  hardSigmoid: '(x) => (x <= -3 ? 0 : x >= 3 ? 1 : x / 6 + 0.5)',
  gaussian: '(x) => Math.exp(-x * x)',
  sin: 'Math.sin',
  exp: 'Math.exp',
};

const HELPERS = `function sigmoid(x) {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}
function softplus(x) { return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))); }
function erf(x) {
  const ax = Math.abs(x);
  let r;
  if (ax < 2.5) {
    let term = ax, sum = ax;
    const x2 = ax * ax;
    for (let n = 1; n < 80; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    r = (2 / Math.sqrt(Math.PI)) * sum;
  } else {
    let f = 0;
    for (let n = 60; n >= 1; n--) f = (n / 2) / (ax + f);
    r = 1 - Math.exp(-ax * ax) / Math.sqrt(Math.PI) / (ax + f);
  }
  return x < 0 ? -r : r;
}`;

const NETWORK_HELPERS = `function dense(x, W, b, p, n, f) {
  const I = new Float32Array(n);
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let i = 0; i < p; i++) s += x[i] * W[i * n + j];
    I[j] = s;
  }
  if (b !== null) for (let j = 0; j < n; j++) I[j] += b[j];
  return f(I);
}
const map = (f) => (I) => Float32Array.from(I, f);
const identity = (I) => I;
function softmax(I) {
  let mx = -Infinity;
  for (const v of I) if (v > mx) mx = v;
  const O = new Float32Array(I.length);
  let s = 0;
  for (let j = 0; j < I.length; j++) { O[j] = Math.exp(I[j] - mx); s += O[j]; }
  const inv = 1 / s;
  for (let j = 0; j < I.length; j++) O[j] *= inv;
  return O;
}
const perUnit = (groups) => (I) => {
  const O = new Float32Array(I.length);
  for (const [f, cols] of groups) for (const j of cols) O[j] = f(I[j]);
  return O;
};
function batchNorm(x, invStd, shift, gamma, beta) {
  const h = Float32Array.from(x, (v, j) => v * invStd[j] + shift[j]);
  return Float32Array.from(h, (v, j) => v * gamma[j] + beta[j]);
}
function add(...xs) {
  const O = Float32Array.from(xs[0]);
  for (let k = 1; k < xs.length; k++) for (let j = 0; j < O.length; j++) O[j] += xs[k][j];
  return O;
}
function concat(...xs) {
  const O = new Float32Array(xs.reduce((s, x) => s + x.length, 0));
  let off = 0;
  for (const x of xs) { O.set(x, off); off += x.length; }
  return O;
}`;

const ROW_CODE = `function cell(row, c) {
  const v = row == null ? undefined : row[c.name];
  const missing = v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v));
  if (c.type === 'number') {
    if (missing) {
      if (c.fill === null) throw new Error(\`column '\${c.name}': missing value (the model was trained without imputation for it); fill the cell in\`);
      return c.fill;
    }
    const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
    if (!Number.isFinite(n)) throw new Error(\`column '\${c.name}': \${JSON.stringify(v)} is not a number, but the model was trained on this column as numbers\`);
    return n;
  }
  if (missing) {
    if (c.fillCode === null) throw new Error(\`column '\${c.name}': missing value (the model was trained without imputation for it); fill the cell in\`);
    return c.fillCode;
  }
  const level = typeof v === 'boolean' ? (v ? 'true' : 'false') : String(v);
  const k = c.levels.indexOf(level);
  if (k >= 0) return k;
  if (c.unknownCode === null) throw new Error(\`column '\${c.name}': category \${JSON.stringify(level)} was not in the training data; known: \${c.levels.map((l) => \`'\${l}'\`).join(', ')}\`);
  return c.unknownCode;
}

/** The network's inputs for one raw row (the stored preprocessing), as float32. */
export function features(row) {
  let x = RAW.map((c) => cell(row, c));
  for (const s of STEPS) {
    if (s.kind === 'affine') { x = x.map((v, j) => (v - s.shift[j]) / s.divisor[j] + s.offset); continue; }
    x = x.flatMap((v, j) => {
      const c = s.columns.indexOf(j);
      return c < 0 ? [v] : s.categories[c].map((code) => (v === code ? 1 : 0));
    });
  }
  return Float32Array.from(x);
}

/** The network's outputs for one raw row (for an ensemble, the mean of its members'). */
export function outputs(row) {
  const x = features(row);
  if (NETWORKS.length === 1) return Array.from(NETWORKS[0](x));
  const sum = new Float64Array(OUTPUTS);
  for (const net of NETWORKS) { const y = net(x); for (let j = 0; j < OUTPUTS; j++) sum[j] += y[j]; }
  return Array.from(sum, (v) => v / NETWORKS.length);
}`;

const CLASSIFIER_CODE = `/** The probability of each class (in the order of CLASSES) for one raw row. */
export function predictProba(row) {
  const y = outputs(row);
  return y.length === 1 ? [1 - y[0], y[0]] : y;
}

/** The predicted class label for one raw row. */
export function predict(row) {
  const y = outputs(row);
  if (y.length === 1) return CLASSES[y[0] >= 0.5 ? 1 : 0];
  let best = 0;
  for (let j = 1; j < y.length; j++) if (y[j] > y[best]) best = j;
  return CLASSES[best];
}`;

const REGRESSION_CODE = `/** The predicted value(s) in the target's units for one raw row: a number, or one per target in the order of TARGETS. */
export function predict(row) {
  const v = outputs(row).map((y, j) => y * TARGET_SCALE[j] + TARGET_MEAN[j]);
  return TARGETS.length === 1 ? v[0] : v;
}`;

/** A trained pipeline as an ES module with no dependency: `predict(row)`, `predictProba(row)`, `outputs(row)`, `features(row)`. */
export function exportJs(source: ExportSource): string {
  const plan = exportPlan(source, 'exportJs');
  const t = plan.target;
  const head = [
    `// Generated by mlpkit ${plan.version} (mlpkit export --js): ${plan.description}.`,
    '// An ES module with no dependency. predict(row) takes one raw row, an object keyed by column name (numbers;',
    '// strings for category columns; null or undefined for a missing cell), and returns what `mlpkit predict` prints',
    `// for it: ${t.task === 'regression' ? "the value(s) in the target's units" : 'the class label (predictProba(row): the probabilities)'}.`,
    '',
    '/** The feature columns a row is read from. */',
    `export const COLUMNS = ${JSON.stringify(plan.columns.map((c) => c.name))};`,
    '/** The task: regression, binary or multiclass. */',
    `export const TASK = ${JSON.stringify(t.task)};`,
    ...(t.task === 'regression'
      ? ['/** The target column(s). */', `export const TARGETS = ${JSON.stringify(t.names)};`,
        `const TARGET_MEAN = [${t.mean.map(float64Literal).join(', ')}];`, `const TARGET_SCALE = [${t.scale.map(float64Literal).join(', ')}];`]
      : ['/** The classes, in the order of predictProba. */', `export const CLASSES = ${JSON.stringify(t.classes)};`]),
    `const OUTPUTS = ${plan.outputWidth};`,
    `const RAW = ${JSON.stringify(plan.columns)};`,
    `const STEPS = ${JSON.stringify(plan.steps)};`,
  ];
  const used = activationsUsed(plan.networks);
  const needs = (names: readonly string[]): boolean => used.some((u) => names.includes(u));
  return [
    ...head, '',
    ...(needs(['selu']) ? [SELU] : []),
    ...(needs(['sigmoid', 'silu', 'softplus', 'mish', 'gelu']) ? [HELPERS] : []),
    NETWORK_HELPERS, '',
    ...plan.networks.map((n, i) => networkJs(n, i)),
    `const NETWORKS = [${plan.networks.map((_, i) => `network${i}`).join(', ')}];`, '',
    ROW_CODE, '',
    t.task === 'regression' ? REGRESSION_CODE : CLASSIFIER_CODE, '',
  ].join('\n');
}

function floats(a: ArrayLike<number>): string {
  const parts: string[] = [];
  for (let i = 0; i < a.length; i++) parts.push(float32Literal(a[i]!));
  const lines: string[] = [];
  for (let i = 0; i < parts.length; i += 16) lines.push(parts.slice(i, i + 16).join(', '));
  return `new Float32Array([${lines.length <= 1 ? lines.join('') : `\n  ${lines.join(',\n  ')},\n`}])`;
}

function activationJs(a: ActivationPlan): string {
  switch (a.type) {
    case 'uniform': return a.f === 'identity' ? 'identity' : `map(${JS_ACTIVATIONS[a.f]})`;
    case 'softmax': return 'softmax';
    case 'perUnit': return `perUnit([${a.groups.map((g) => `[${JS_ACTIVATIONS[g.f]}, [${g.cols.join(', ')}]]`).join(', ')}])`;
  }
}

/** One network as a function from the float32 inputs to the float32 outputs. */
function networkJs(net: NetworkPlan, index: number): string {
  const consts: string[] = [];
  const body: string[] = [];
  const v = (i: number): string => (i === 0 ? 'x' : `v${i}`);
  const param = (op: NetworkOp, what: string, a: ArrayLike<number>): string => {
    const name = `N${index}_${op.out}_${what}`;
    consts.push(`const ${name} = ${floats(a)};`);
    return name;
  };
  for (const op of net.ops) {
    const comment = ` // ${op.kind} '${op.name}'`;
    switch (op.kind) {
      case 'dense': {
        const W = param(op, 'W', op.W);
        const b = op.b === null ? 'null' : param(op, 'b', op.b);
        body.push(`  const ${v(op.out)} = dense(${v(op.input)}, ${W}, ${b}, ${op.fanIn}, ${op.units}, ${activationJs(op.act)});${comment}`);
        break;
      }
      case 'activation': body.push(`  const ${v(op.out)} = (${activationJs(op.act)})(${v(op.input)});${comment}`); break;
      case 'batchNorm': {
        const args = [param(op, 'invStd', op.invStd), param(op, 'shift', op.shift), param(op, 'gamma', op.gamma), param(op, 'beta', op.beta)];
        body.push(`  const ${v(op.out)} = batchNorm(${v(op.input)}, ${args.join(', ')});${comment}`);
        break;
      }
      case 'dropout': case 'gaussianNoise': body.push(`  const ${v(op.out)} = ${v(op.input)};${comment} (inactive in inference)`); break;
      case 'add': case 'concat': body.push(`  const ${v(op.out)} = ${op.kind}(${op.inputs.map(v).join(', ')});${comment}`); break;
    }
  }
  return [...consts, `function network${index}(x) {`, ...body, `  return ${v(net.output)};`, '}', ''].join('\n');
}
