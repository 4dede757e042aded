/**
 * Export as C99: a source file and its header, one function that predicts as `mlpkit predict` does.
 *
 *   int PREFIX_predict(const double *numbers, const int *levels, double *out);
 *
 * `numbers` holds the raw numeric columns (NAN for a missing cell), `levels` the category columns as level
 * indices (PREFIX_level(column, text) looks a level's text up); `out` receives the class probabilities or
 * the values in the target's units, and the return value is the class index (0 for a regression) or a
 * negative error. The header documents the exact layout of the model it was generated from.
 *
 * The network runs in float32 (`float`), as the engine does; the preprocessing and the decoding run in
 * double, as the preprocessor does, and the network's inputs are rounded to float once.
 */

import type { ActivationName } from '../activations.js';
import { activationsUsed, exportPlan, float32Literal, float64Literal, type ActivationPlan, type ExportPlan, type ExportSource, type NetworkPlan, type RawColumn } from './plan.js';

/** What exportC writes: the prefix of every name, and the name the source includes its header by. */
export interface CExportOptions {
  /** Prefix of the public names (a C identifier). Default 'model'. */
  readonly prefix?: string;
  /** The header's file name, as the source includes it. Default `${prefix}.h`. */
  readonly header?: string;
}

/** The C export: the source (OUT.c) and the header (OUT.h) it includes. */
export interface CExport {
  readonly source: string;
  readonly header: string;
}

/** Each elementwise activation as a float function body, the engine's formula (src/activations.ts). */
const C_ACTIVATIONS: Readonly<Record<ActivationName, string>> = {
  identity: 'return x;',
  step: 'return x >= 0.0f ? 1.0f : 0.0f;',
  sigmoid: 'if (x >= 0.0f) return 1.0f / (1.0f + expf(-x)); { float e = expf(x); return e / (1.0f + e); }',
  tanh: 'return tanhf(x);',
  relu: 'return x > 0.0f ? x : 0.0f;',
  leakyRelu: 'return x > 0.0f ? x : 0.01f * x;',
  elu: 'return x > 0.0f ? x : expm1f(x);',
  selu: 'return x > 0.0f ? 1.05070099f * x : 1.05070099f * 1.67326324f * expm1f(x);',
  softplus: 'return fmaxf(x, 0.0f) + log1pf(expf(-fabsf(x)));',
  softsign: 'return x / (1.0f + fabsf(x));',
  gelu: 'return x * (0.5f * (1.0f + erff(x * 0.707106781f)));',
  silu: 'return x * act_sigmoid(x);',
  mish: 'return x * tanhf(act_softplus(x));',
  hardSigmoid: 'return x <= -3.0f ? 0.0f : x >= 3.0f ? 1.0f : x / 6.0f + 0.5f;',
  gaussian: 'return expf(-x * x);',
  sin: 'return sinf(x);',
  exp: 'return expf(x);',
};

/** Activations another one calls (silu and mish are written with sigmoid and softplus). */
const C_NEEDS: Partial<Record<ActivationName, ActivationName>> = { silu: 'sigmoid', mish: 'softplus' };

/** The network's kernels, each written only when a network uses it (no unused static function). */
const KERNELS = {
  dense: `static void dense(const float *x, int p, int n, const float *W, const float *b, float *I) {
  for (int j = 0; j < n; j++) {
    float s = 0.0f;
    for (int i = 0; i < p; i++) s += x[i] * W[i * n + j];
    I[j] = b ? s + b[j] : s;
  }
}`,
  map: `static void map(float (*f)(float), const float *I, float *O, int n) {
  for (int j = 0; j < n; j++) O[j] = f(I[j]);
}`,
  map_cols: `static void map_cols(float (*f)(float), const float *I, float *O, const int *cols, int count) {
  for (int c = 0; c < count; c++) O[cols[c]] = f(I[cols[c]]);
}`,
  softmax: `static void softmax(const float *I, float *O, int n) {
  float mx = I[0], s = 0.0f;
  for (int j = 1; j < n; j++) if (I[j] > mx) mx = I[j];
  for (int j = 0; j < n; j++) { O[j] = expf(I[j] - mx); s += O[j]; }
  { float inv = 1.0f / s; for (int j = 0; j < n; j++) O[j] *= inv; }
}`,
  batch_norm: `static void batch_norm(const float *x, const float *inv_std, const float *shift, const float *gamma, const float *beta, float *O, int n) {
  for (int j = 0; j < n; j++) { float h = x[j] * inv_std[j] + shift[j]; O[j] = h * gamma[j] + beta[j]; }
}`,
} as const;
type Kernel = keyof typeof KERNELS;


/** A trained pipeline as C99 source and header: one function, float32 arithmetic for the network. */
export function exportC(source: ExportSource, options: CExportOptions = {}): CExport {
  const prefix = options.prefix ?? 'model';
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(prefix)) throw new Error(`exportC: prefix ${JSON.stringify(prefix)} is not a C identifier`);
  const headerName = options.header ?? `${prefix}.h`;
  if (!/^[^"\\\x00-\x1f\x7f]+$/.test(headerName)) throw new Error(`exportC: header ${JSON.stringify(headerName)} cannot be named in an #include (no quotes, backslashes or control characters)`);
  const plan = exportPlan(source, 'exportC');
  return { source: cSource(plan, prefix, headerName), header: cHeader(plan, prefix) };
}

function cHeader(plan: ExportPlan, p: string): string {
  const P = p.toUpperCase();
  const t = plan.target;
  const nums = plan.columns.filter((c) => c.type === 'number');
  const cats = plan.columns.filter((c): c is Extract<RawColumn, { type: 'category' }> => c.type === 'category');
  const outputs = t.task === 'regression' ? t.names.length : t.classes.length;
  const list = (names: readonly string[]): string[] => names.map((n, i) => ` *               [${i}] ${comment(n)}`);
  const guard = `${P}_H`;
  return [
    `/* Generated by mlpkit ${plan.version} (mlpkit export --c): ${comment(plan.description)}.`,
    ' *',
    ` * int ${p}_predict(const double *numbers, const int *levels, double *out);`,
    ` *   numbers   ${P}_NUMBERS raw values of the numeric columns, in this order (NAN: a missing cell${nums.length === 0 ? '; may be NULL' : ''}):`,
    ...list(nums.map((c) => c.name)),
    ` *   levels    ${P}_CATEGORIES level indices of the category columns, in this order${cats.length === 0 ? ' (may be NULL)' : ''}:`,
    ...cats.map((c, i) => ` *               [${i}] ${comment(c.name)}: ${c.levels.map((l, k) => `${k} ${comment(JSON.stringify(l))}`).join(', ')}`),
    ` *             ${P}_MISSING (-1): a missing cell; ${P}_UNKNOWN (-2), or any index out of range: a level not seen in training.`,
    ` *             ${p}_level(column, text) gives a level's index from its text (${P}_MISSING for NULL).`,
    ` *   out       ${P}_OUTPUTS doubles: ${t.task === 'regression' ? `the value of each target in its units (${p}_targets)` : `the probability of each class (in the order of ${p}_classes)`}.`,
    ` *   returns   ${t.task === 'regression' ? '0' : `the predicted class (an index into ${p}_classes)`}; or ${P}_ERR_MISSING (-1) for a missing cell the model`,
    ` *             has no fill value for, ${P}_ERR_UNKNOWN (-2) for a level the model refuses (out is not written then).`,
    ' *',
    ' * The network runs in float32 (float), as mlpkit\'s engine does; the preprocessing and the decoding in double.',
    ' * Compile with the math library: cc -std=c99 -O2 main.c model.c -lm',
    ' */',
    `#ifndef ${guard}`, `#define ${guard}`, '',
    `#define ${P}_NUMBERS ${nums.length}`, `#define ${P}_CATEGORIES ${cats.length}`, `#define ${P}_OUTPUTS ${outputs}`,
    `#define ${P}_MISSING (-1)`, `#define ${P}_UNKNOWN (-2)`, `#define ${P}_ERR_MISSING (-1)`, `#define ${P}_ERR_UNKNOWN (-2)`, '',
    `/** The numeric columns' and the category columns' names, in argument order. */`,
    `extern const char *const ${p}_numbers[];`, `extern const char *const ${p}_categories[];`,
    t.task === 'regression' ? `/** The target columns, in the order of out. */\nextern const char *const ${p}_targets[];` : `/** The classes, in the order of out. */\nextern const char *const ${p}_classes[];`,
    `/** The index of a level of category column \`column\` (0-based, in argument order); ${P}_MISSING for NULL, ${P}_UNKNOWN for a level not seen in training. */`,
    `int ${p}_level(int column, const char *level);`,
    '/** The prediction for one row (see above). */',
    `int ${p}_predict(const double *numbers, const int *levels, double *out);`, '',
    `#endif /* ${guard} */`, '',
  ].join('\n');
}

/** Text safe inside a C comment. */
function comment(s: string): string {
  return s.replace(/\*\//g, '* /').replace(/[\r\n]/g, ' ');
}

function cSource(plan: ExportPlan, p: string, headerName: string): string {
  const t = plan.target;
  const cats = plan.columns.filter((c): c is Extract<RawColumn, { type: 'category' }> => c.type === 'category');
  const names = (list: readonly string[]): string => `{ ${[...list.map(cString), 'NULL'].join(', ')} }`;
  return [
    `/* Generated by mlpkit ${plan.version} (mlpkit export --c): ${comment(plan.description)}. See ${comment(headerName)}. */`,
    '#include <math.h>', '#include <stddef.h>', '#include <string.h>', `#include "${headerName}"`, '',
    `const char *const ${p}_numbers[] = ${names(plan.columns.filter((c) => c.type === 'number').map((c) => c.name))};`,
    `const char *const ${p}_categories[] = ${names(cats.map((c) => c.name))};`,
    t.task === 'regression' ? `const char *const ${p}_targets[] = ${names(t.names)};` : `const char *const ${p}_classes[] = ${names(t.classes.map(String))};`,
    '',
    ...cats.map((c, i) => `static const char *const levels_${i}[] = ${names(c.levels)};`),
    `static const char *const *const level_names[] = { ${[...cats.map((_, i) => `levels_${i}`), 'NULL'].join(', ')} };`,
    `static const int level_counts[] = { ${[...cats.map((c) => String(c.levels.length)), '0'].join(', ')} };`, '',
    `int ${p}_level(int column, const char *level) {`,
    '  if (level == NULL) return -1;',
    `  if (column < 0 || column >= ${cats.length}) return -2;`,
    '  for (int k = 0; k < level_counts[column]; k++) if (strcmp(level_names[column][k], level) == 0) return k;',
    '  return -2;',
    '}', '',
    ...networksC(plan.networks),
    predictC(plan, p), '',
  ].join('\n');
}

/** The activations, the kernels the networks use, and the networks. */
function networksC(networks: readonly NetworkPlan[]): string[] {
  const kernels = new Set<Kernel>();
  const code = networks.map((n, i) => networkC(n, i, kernels));
  const order = (Object.keys(KERNELS) as Kernel[]).filter((k) => kernels.has(k));
  return [activationFunctions(networks, kernels.has('map') || kernels.has('map_cols')), ...order.map((k) => `${KERNELS[k]}\n`), ...code];
}

function activationFunctions(networks: readonly NetworkPlan[], mapped: boolean): string {
  if (!mapped) return '';
  const used = new Set(activationsUsed(networks));
  // A uniform identity is a copy; act_identity is written only for a per-unit group.
  const perUnitIdentity = networks.some((n) => n.ops.some((op) => (op.kind === 'dense' || op.kind === 'activation') && op.act.type === 'perUnit' && op.act.groups.some((g) => g.f === 'identity')));
  if (!perUnitIdentity) used.delete('identity');
  for (const f of [...used]) { const dep = C_NEEDS[f]; if (dep !== undefined) used.add(dep); }
  // Dependencies first: sigmoid and softplus before silu and mish.
  const order = (Object.keys(C_ACTIVATIONS) as ActivationName[]).filter((f) => used.has(f)).sort((a, b) => Number(C_NEEDS[a] !== undefined) - Number(C_NEEDS[b] !== undefined));
  return order.map((f) => `static float act_${f}(float x) { ${C_ACTIVATIONS[f]} }\n`).join('');
}

/** A C string literal: printable ASCII as is, everything else (and ?, against trigraphs) as octal escapes of its UTF-8 bytes. */
function cString(s: string): string {
  let out = '"';
  for (const byte of new TextEncoder().encode(s)) {
    const ch = String.fromCharCode(byte);
    out += byte >= 0x20 && byte < 0x7f && ch !== '"' && ch !== '\\' && ch !== '?' ? ch : `\\${byte.toString(8).padStart(3, '0')}`;
  }
  return `${out}"`;
}

function cFloat(v: number): string {
  const s = float32Literal(v);
  return `${/[.e]/.test(s) ? s : `${s}.0`}f`;
}

function cDouble(v: number): string {
  const s = float64Literal(v);
  return /[.e]/.test(s) ? s : `${s}.0`;
}

function array(type: 'float' | 'double' | 'int', name: string, values: ArrayLike<number>): string {
  const f = type === 'float' ? cFloat : type === 'double' ? cDouble : String;
  const parts = Array.from(values, (v) => f(v));
  const lines: string[] = [];
  for (let i = 0; i < parts.length; i += 12) lines.push(parts.slice(i, i + 12).join(', '));
  return `static const ${type} ${name}[] = {${lines.length <= 1 ? ` ${lines.join('')} ` : `\n  ${lines.join(',\n  ')}\n`}};`;
}

function activationC(a: ActivationPlan, name: string, I: string, O: string, n: number, consts: string[], kernels: Set<Kernel>): string[] {
  switch (a.type) {
    case 'uniform':
      if (a.f === 'identity') return [`  memcpy(${O}, ${I}, sizeof(float) * ${n});`];
      kernels.add('map');
      return [`  map(act_${a.f}, ${I}, ${O}, ${n});`];
    case 'softmax': kernels.add('softmax'); return [`  softmax(${I}, ${O}, ${n});`];
    case 'perUnit': kernels.add('map_cols'); return a.groups.map((g) => {
      consts.push(array('int', `${name}_${g.f}_cols`, g.cols));
      return `  map_cols(act_${g.f}, ${I}, ${O}, ${name}_${g.f}_cols, ${g.cols.length});`;
    });
  }
}

/** One network as a function from its float inputs to its float outputs. */
function networkC(net: NetworkPlan, index: number, kernels: Set<Kernel>): string {
  const consts: string[] = [];
  const body: string[] = [];
  const v = (i: number): string => (i === 0 ? 'x' : `v${i}`);
  for (const op of net.ops) {
    const name = `n${index}_${op.out}`;
    body.push(`  /* ${op.kind} ${comment(JSON.stringify(op.name))} */`);
    const out = v(op.out);
    body.push(`  float ${out}[${net.widths[op.out]}];`);
    switch (op.kind) {
      case 'dense': {
        consts.push(array('float', `${name}_W`, op.W));
        if (op.b !== null) consts.push(array('float', `${name}_b`, op.b));
        kernels.add('dense');
        body.push(`  float ${out}_I[${op.units}];`, `  dense(${v(op.input)}, ${op.fanIn}, ${op.units}, ${name}_W, ${op.b === null ? 'NULL' : `${name}_b`}, ${out}_I);`);
        body.push(...activationC(op.act, name, `${out}_I`, out, op.units, consts, kernels));
        break;
      }
      case 'activation': body.push(...activationC(op.act, name, v(op.input), out, op.width, consts, kernels)); break;
      case 'batchNorm':
        for (const [k, a] of [['inv_std', op.invStd], ['shift', op.shift], ['gamma', op.gamma], ['beta', op.beta]] as const) consts.push(array('float', `${name}_${k}`, a));
        kernels.add('batch_norm');
        body.push(`  batch_norm(${v(op.input)}, ${name}_inv_std, ${name}_shift, ${name}_gamma, ${name}_beta, ${out}, ${op.width});`);
        break;
      case 'dropout': case 'gaussianNoise': body.push(`  memcpy(${out}, ${v(op.input)}, sizeof ${out}); /* inactive in inference */`); break;
      case 'add':
        body.push(`  for (int j = 0; j < ${op.width}; j++) ${out}[j] = ${op.inputs.map((i) => `${v(i)}[j]`).join(' + ')};`);
        break;
      case 'concat': {
        let off = 0;
        for (const i of op.inputs) { body.push(`  memcpy(${out} + ${off}, ${v(i)}, sizeof(float) * ${net.widths[i]});`); off += net.widths[i]!; }
        break;
      }
    }
  }
  return [...consts, `static void network_${index}(const float *x, float *y) {`, ...body, `  memcpy(y, ${v(net.output)}, sizeof(float) * ${net.outputWidth});`, '}', ''].join('\n');
}

/** The preprocessing (raw cells → codes → the stored steps), the networks, and the task's decoding. */
function predictC(plan: ExportPlan, p: string): string {
  const consts: string[] = [];
  const body: string[] = [`  double s0[${plan.columns.length}];`];
  let nums = 0;
  let cats = 0;
  plan.columns.forEach((c, j) => {
    body.push(`  /* ${comment(JSON.stringify(c.name))} */`);
    if (c.type === 'number') {
      const fill = c.fill === null ? 'return -1;' : `v = ${cDouble(c.fill)};`;
      body.push(`  { double v = numbers[${nums++}]; if (isnan(v)) ${fill} s0[${j}] = v; }`);
      return;
    }
    const missing = c.fillCode === null ? 'return -1;' : `k = ${c.fillCode};`;
    const unknown = c.unknownCode === null ? 'return -2;' : `k = ${c.unknownCode};`;
    body.push(`  { int k = levels[${cats}]; if (k == -1) ${missing} else if (k < 0 || k >= ${c.levels.length}) ${unknown} s0[${j}] = k; }`);
    cats++;
  });
  let width = plan.columns.length;
  plan.steps.forEach((s, i) => {
    const from = `s${i}`;
    const to = `s${i + 1}`;
    if (s.kind === 'affine') {
      consts.push(array('double', `step${i}_shift`, s.shift), array('double', `step${i}_divisor`, s.divisor));
      body.push(`  double ${to}[${width}];`, `  for (int j = 0; j < ${width}; j++) ${to}[j] = (${from}[j] - step${i}_shift[j]) / step${i}_divisor[j] + ${cDouble(s.offset)};`);
      return;
    }
    const out = width + s.categories.reduce((a, c) => a + c.length - 1, 0);
    body.push(`  double ${to}[${out}];`);
    let o = 0;
    for (let j = 0; j < width; j++) {
      const c = s.columns.indexOf(j);
      if (c < 0) { body.push(`  ${to}[${o++}] = ${from}[${j}];`); continue; }
      const codes = s.categories[c]!;
      consts.push(array('double', `step${i}_codes${c}`, codes));
      body.push(`  for (int k = 0; k < ${codes.length}; k++) ${to}[${o} + k] = ${from}[${j}] == step${i}_codes${c}[k] ? 1.0 : 0.0;`);
      o += codes.length;
    }
    width = out;
  });
  const last = `s${plan.steps.length}`;
  const k = plan.outputWidth;
  const m = plan.networks.length;
  body.push(`  float x[${plan.featureWidth}];`, `  for (int j = 0; j < ${plan.featureWidth}; j++) x[j] = (float)${last}[j];`);
  body.push(`  double y[${k}] = { 0 };`);
  plan.networks.forEach((_, i) => body.push(`  { float o[${k}]; network_${i}(x, o); for (int j = 0; j < ${k}; j++) y[j] += o[j]; }`));
  if (m > 1) body.push(`  for (int j = 0; j < ${k}; j++) y[j] /= ${m};`);
  body.push(...decodeC(plan, consts));
  return [...consts, `int ${p}_predict(const double *numbers, const int *levels, double *out) {`,
    '  (void)numbers; (void)levels;', ...body, '}'].join('\n');
}

function decodeC(plan: ExportPlan, consts: string[]): string[] {
  const t = plan.target;
  const k = plan.outputWidth;
  if (t.task === 'regression') {
    consts.push(array('double', 'target_scale', t.scale), array('double', 'target_mean', t.mean));
    return [`  for (int j = 0; j < ${k}; j++) out[j] = y[j] * target_scale[j] + target_mean[j];`, '  return 0;'];
  }
  if (t.task === 'binary') return ['  out[0] = 1 - y[0];', '  out[1] = y[0];', '  return y[0] >= 0.5 ? 1 : 0;'];
  return [
    '  int best = 0;',
    `  for (int j = 0; j < ${k}; j++) { out[j] = y[j]; if (y[j] > y[best]) best = j; }`,
    '  return best;',
  ];
}
