/**
 * The playground's whole setting as one plain object, and its URL form (the part after '#'), so a link
 * reproduces the page. One property table drives both directions: each key says how it is written,
 * read and checked, and anything the URL lacks or gets wrong falls back to the default.
 */

/**
 * The page's starting learning rate: thirty times Adam's default (DEFAULT_LEARNING_RATES.adam, which the
 * command, the library and the estimators share), because the page trains small 2-D problems at a capped
 * frame rate so the boundary can be watched forming within seconds. Any rate is one click away.
 */
const PLAYGROUND_LEARNING_RATE = 0.03;

export const DATASETS = ['circle', 'xor', 'gauss', 'spiral', 'moons', 'clusters', 'plane', 'bumps', 'csv'] as const;
export type DatasetName = (typeof DATASETS)[number];
export const REGRESSION_SETS: readonly DatasetName[] = ['plane', 'bumps'];

/** Input features computed from the two view coordinates x1, x2 (each scaled to [−1, 1]). */
export const FEATURES = ['x1', 'x2', 'x1sq', 'x2sq', 'x1x2', 'sin1', 'sin2', 'cos1', 'cos2'] as const;
export type FeatureName = (typeof FEATURES)[number];
export const FEATURE_LABELS: Record<FeatureName, string> = {
  x1: 'x₁', x2: 'x₂', x1sq: 'x₁²', x2sq: 'x₂²', x1x2: 'x₁x₂',
  sin1: 'sin πx₁', sin2: 'sin πx₂', cos1: 'cos πx₁', cos2: 'cos πx₂',
};

export const HIDDEN_ACTIVATIONS = ['tanh', 'relu', 'sigmoid', 'leakyRelu', 'elu', 'selu', 'gelu', 'silu', 'softplus', 'sin', 'gaussian', 'identity'] as const;
export type HiddenActivation = (typeof HIDDEN_ACTIVATIONS)[number];

export const OPTIMIZERS = ['sgd', 'momentum', 'nesterov', 'adam', 'adamw', 'rmsprop', 'adagrad'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

export const INITS = ['auto', 'xavierUniform', 'xavierNormal', 'heUniform', 'heNormal', 'lecunNormal', 'small'] as const;
export type InitChoice = (typeof INITS)[number];

export const REGULARIZERS = ['none', 'l1', 'l2'] as const;
export type Regularizer = (typeof REGULARIZERS)[number];

export const BATCH_NORMS = ['none', 'before', 'after'] as const;
export type BatchNormPlace = (typeof BATCH_NORMS)[number];

export interface HiddenLayer {
  units: number;
  activation: HiddenActivation;
  /** Per-neuron activations overriding the layer's, by unit index. */
  perNeuron: Record<number, HiddenActivation>;
  /** Also feed this layer the output of the layer two below (the inputs, for the first hidden layer). */
  skip: boolean;
}

export interface PlaygroundState {
  dataset: DatasetName;
  /** Noise in percent (0–50) of the generator's scale. */
  noise: number;
  /** Percentage of rows used for training (10–90). */
  trainRatio: number;
  seed: number;
  features: FeatureName[];
  layers: HiddenLayer[];
  init: InitChoice;
  regularization: Regularizer;
  regRate: number;
  dropout: number;
  batchNorm: BatchNormPlace;
  optimizer: OptimizerName;
  learningRate: number;
  batchSize: number;
  /** For a CSV: the column predicted and the two columns the 2-D views show. */
  target: number;
  viewX: number;
  viewY: number;
  /** Show the test points on the heatmap as well as the training points. */
  showTest: boolean;
}

export const MAX_LAYERS = 6;
export const MAX_UNITS = 8;

export function defaultState(): PlaygroundState {
  return {
    dataset: 'circle', noise: 10, trainRatio: 50, seed: 1, features: ['x1', 'x2'],
    layers: [
      { units: 4, activation: 'tanh', perNeuron: {}, skip: false },
      { units: 2, activation: 'tanh', perNeuron: {}, skip: false },
    ],
    init: 'auto', regularization: 'none', regRate: 0.001, dropout: 0, batchNorm: 'none',
    optimizer: 'adam', learningRate: PLAYGROUND_LEARNING_RATE, batchSize: 10, target: -1, viewX: 0, viewY: 1, showTest: false,
  };
}

function oneOf<T extends string>(names: readonly T[], s: string | null): T | undefined {
  return s !== null && (names as readonly string[]).includes(s) ? (s as T) : undefined;
}

function num(s: string | null, lo: number, hi: number, integer: boolean): number | undefined {
  if (s === null || s.trim() === '') return undefined;
  const v = Number(s);
  if (!Number.isFinite(v) || v < lo || v > hi || (integer && !Number.isInteger(v))) return undefined;
  return v;
}

/**
 * Layers as `4t,2r+` : units, an activation code, '+' for a skip input, and per-neuron overrides as
 * `:index=code` pairs, e.g. `3t:0=r:2=s`.
 */
const ACT_CODES: Record<HiddenActivation, string> = {
  tanh: 't', relu: 'r', sigmoid: 's', leakyRelu: 'l', elu: 'e', selu: 'u', gelu: 'g', silu: 'w',
  softplus: 'p', sin: 'n', gaussian: 'a', identity: 'i',
};
const CODE_ACTS = new Map(Object.entries(ACT_CODES).map(([k, v]) => [v, k as HiddenActivation]));

export function layersToString(layers: readonly HiddenLayer[]): string {
  return layers.map((l) => {
    const per = Object.entries(l.perNeuron)
      .filter(([i]) => Number(i) < l.units)
      .sort(([a], [b]) => Number(a) - Number(b))
      .map(([i, a]) => `:${i}=${ACT_CODES[a]}`).join('');
    return `${l.units}${ACT_CODES[l.activation]}${l.skip ? '+' : ''}${per}`;
  }).join(',');
}

export function layersFromString(s: string): HiddenLayer[] | undefined {
  if (s === '' || s === '-') return [];
  const out: HiddenLayer[] = [];
  for (const part of s.split(',')) {
    const m = /^(\d+)([a-z])(\+?)((?::\d+=[a-z])*)$/.exec(part);
    if (m === null) return undefined;
    const units = Number(m[1]);
    const activation = CODE_ACTS.get(m[2]!);
    if (!Number.isInteger(units) || units < 1 || units > MAX_UNITS || activation === undefined) return undefined;
    const perNeuron: Record<number, HiddenActivation> = {};
    for (const p of (m[4] ?? '').split(':').filter((x) => x !== '')) {
      const [i, c] = p.split('=');
      const a = CODE_ACTS.get(c ?? '');
      const idx = Number(i);
      if (a === undefined || !Number.isInteger(idx) || idx >= units) return undefined;
      perNeuron[idx] = a;
    }
    out.push({ units, activation, perNeuron, skip: m[3] === '+' });
  }
  return out.length > MAX_LAYERS ? undefined : out;
}

/** The state as URL parameters (only the keys that differ from the defaults, so links stay short). */
export function stateToHash(s: PlaygroundState): string {
  const d = defaultState();
  const p = new URLSearchParams();
  const put = (k: string, v: string, dv: string): void => { if (v !== dv) p.set(k, v); };
  put('data', s.dataset, d.dataset);
  put('noise', String(s.noise), String(d.noise));
  put('train', String(s.trainRatio), String(d.trainRatio));
  put('seed', String(s.seed), String(d.seed));
  put('features', s.features.join('.'), d.features.join('.'));
  put('layers', layersToString(s.layers) || '-', layersToString(d.layers));
  put('init', s.init, d.init);
  put('reg', s.regularization, d.regularization);
  put('regRate', String(s.regRate), String(d.regRate));
  put('dropout', String(s.dropout), String(d.dropout));
  put('bn', s.batchNorm, d.batchNorm);
  put('opt', s.optimizer, d.optimizer);
  put('lr', String(s.learningRate), String(d.learningRate));
  put('batch', String(s.batchSize), String(d.batchSize));
  put('target', String(s.target), String(d.target));
  put('vx', String(s.viewX), String(d.viewX));
  put('vy', String(s.viewY), String(d.viewY));
  put('test', s.showTest ? '1' : '0', d.showTest ? '1' : '0');
  return p.toString();
}

/** Read a state from URL parameters; missing or invalid entries keep their defaults. */
export function stateFromHash(hash: string): PlaygroundState {
  const p = new URLSearchParams(hash.replace(/^#/, ''));
  const s = defaultState();
  s.dataset = oneOf(DATASETS, p.get('data')) ?? s.dataset;
  s.noise = num(p.get('noise'), 0, 50, true) ?? s.noise;
  s.trainRatio = num(p.get('train'), 10, 90, true) ?? s.trainRatio;
  s.seed = num(p.get('seed'), 0, 2 ** 31, true) ?? s.seed;
  const f = p.get('features');
  if (f !== null) {
    const list = f.split('.').filter((x): x is FeatureName => (FEATURES as readonly string[]).includes(x));
    if (list.length > 0 || f === '') s.features = [...new Set(list)];
  }
  const l = p.get('layers');
  // A '+' typed into a link reads back as a space (form encoding), so both mean a skip input.
  if (l !== null) s.layers = layersFromString(l.replace(/ /g, '+')) ?? s.layers;
  s.init = oneOf(INITS, p.get('init')) ?? s.init;
  s.regularization = oneOf(REGULARIZERS, p.get('reg')) ?? s.regularization;
  s.regRate = num(p.get('regRate'), 0, 10, false) ?? s.regRate;
  s.dropout = num(p.get('dropout'), 0, 0.9, false) ?? s.dropout;
  s.batchNorm = oneOf(BATCH_NORMS, p.get('bn')) ?? s.batchNorm;
  s.optimizer = oneOf(OPTIMIZERS, p.get('opt')) ?? s.optimizer;
  s.learningRate = num(p.get('lr'), 1e-6, 10, false) ?? s.learningRate;
  s.batchSize = num(p.get('batch'), 1, 1000, true) ?? s.batchSize;
  s.target = num(p.get('target'), -1, 10000, true) ?? s.target;
  s.viewX = num(p.get('vx'), 0, 10000, true) ?? s.viewX;
  s.viewY = num(p.get('vy'), 0, 10000, true) ?? s.viewY;
  s.showTest = p.get('test') === '1';
  return s;
}
