/**
 * The playground page: controls that edit one PlaygroundState (mirrored in the URL), a worker that
 * trains the network it describes, and the views of what the worker reports.
 */

import { CLASS_COLOURS, css, diverging, fmt, heatmap, lighten, lineChart, points } from './draw.js';
import { featureValue } from './features.js';
import type {} from './hooks.js';
import type { LayerView } from './network.js';
import { GRID, NEURON_GRID, type Frame, type FromWorker, type ProblemInfo, type StepInfo, type ToWorker } from './protocol.js';
import {
  BATCH_NORMS, DATASETS, FEATURES, FEATURE_LABELS, HIDDEN_ACTIVATIONS, INITS, MAX_LAYERS, MAX_UNITS, OPTIMIZERS, REGRESSION_SETS, REGULARIZERS,
  stateFromHash, stateToHash, type DatasetName, type HiddenActivation, type PlaygroundState,
} from './state.js';


function byId<T extends HTMLElement | SVGElement>(id: string, type: { new (): T; prototype: T }): T {
  const e = document.getElementById(id);
  if (!(e instanceof type)) throw new Error(`the page has no #${id}`);
  return e;
}

function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...children);
  return e;
}

const LEARNING_RATES = [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3];
const REG_RATES = [0, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1];
const BATCH_SIZES = [1, 2, 5, 10, 20, 30, 50, 100];
const DROPOUTS = [0, 0.1, 0.2, 0.3, 0.5];
const OPTIMIZER_LABELS: Record<(typeof OPTIMIZERS)[number], string> = {
  sgd: 'SGD', momentum: 'SGD + momentum', nesterov: 'Nesterov', adam: 'Adam', adamw: 'AdamW', rmsprop: 'RMSprop', adagrad: 'Adagrad',
};
const DATASET_LABELS: Record<DatasetName, string> = {
  circle: 'Circle', xor: 'Exclusive or', gauss: 'Gaussian', spiral: 'Spiral', moons: 'Moons', clusters: '3 clusters',
  plane: 'Plane (regression)', bumps: 'Bumps (regression)', csv: 'Your CSV',
};
const GRAD_COLOURS = ['#0877bd', '#f59322', '#2ea043', '#9c52c4', '#d62728', '#8c564b', '#e377c2', '#17becf'];

/** The picture on a data set's tile: the pattern it draws, on the diverging scale. */
function datasetPattern(d: DatasetName, x: number, y: number): number {
  switch (d) {
    case 'circle': return Math.hypot(x, y) < 0.55 ? 1 : -1;
    case 'xor': return x * y < 0 ? 1 : -1;
    case 'gauss': return Math.hypot(x + 0.45, y + 0.45) < 0.42 ? -1 : Math.hypot(x - 0.45, y - 0.45) < 0.42 ? 1 : 0;
    case 'spiral': {
      const r = Math.hypot(x, y);
      const a = Math.atan2(y, x);
      return Math.sin(a - 2 * Math.PI * 1.2 * r) > 0 ? 1 : -1;
    }
    case 'moons': {
      const up = Math.abs(Math.hypot(x + 0.25, y + 0.15) - 0.55) < 0.14 && y > -0.15;
      const down = Math.abs(Math.hypot(x - 0.25, y - 0.15) - 0.55) < 0.14 && y < 0.15;
      return up ? -1 : down ? 1 : 0;
    }
    case 'clusters': return 0; // drawn in class colours by clustersTile
    case 'plane': return (x + y) / 2;
    case 'bumps': return Math.exp(-((x + 0.5) ** 2 + (y + 0.5) ** 2) / 0.18) + Math.exp(-((x - 0.5) ** 2 + (y - 0.5) ** 2) / 0.18)
      - Math.exp(-((x + 0.5) ** 2 + (y - 0.5) ** 2) / 0.18) - Math.exp(-((x - 0.5) ** 2 + (y + 0.5) ** 2) / 0.18);
    case 'csv': return 0;
  }
}

/** Three clusters' tile: a disc of each class colour around the centre. */
function clustersTile(x: number, y: number): readonly [number, number, number] {
  for (let c = 0; c < 3; c++) {
    const a = (2 * Math.PI * c) / 3;
    if (Math.hypot(x - 0.55 * Math.cos(a), y - 0.55 * Math.sin(a)) < 0.33) return CLASS_COLOURS[c]!;
  }
  return diverging(0);
}

function field(canvas: HTMLCanvasElement, g: number, f: (x1: number, x2: number) => number, colour = (x1: number, x2: number) => diverging(f(x1, x2))): void {
  heatmap(canvas, g, (i) => {
    const r = Math.floor(i / g);
    const c = i % g;
    return colour(-1 + (2 * c + 1) / g, 1 - (2 * r + 1) / g);
  });
}

class Playground {
  state: PlaygroundState;
  csv: string | null = null;
  csvName = '';
  problem: ProblemInfo | null = null;
  lastFrame: Frame | null = null;
  step: StepInfo | null = null;
  playing = false;
  trainCurve: number[] = [];
  testCurve: number[] = [];
  gradCurves = new Map<string, number[]>();
  selected: { layer: number; unit: number } | null = null;
  /** Whether step values are on the neurons now. */
  valuesShown = false;
  /** Where every neuron's heatmap sits in the network view (null: to be measured). */
  neuronPositions: Map<string, { left: number; right: number; y: number }> | null = null;
  nextPredict = 1;
  readonly pending = new Map<number, (v: number[]) => void>();
  readonly worker: Worker;

  constructor() {
    this.state = stateFromHash(location.hash);
    if (this.state.dataset === 'csv') {
      this.state.dataset = 'circle';
      this.status('The link names a CSV, which is not part of a link: drop the file again. Showing the circle set.');
    }
    this.worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    this.worker.onmessage = (e: MessageEvent<FromWorker>): void => this.receive(e.data);
    this.worker.onerror = (e): void => this.status(`The training worker failed: ${e.message}`, true);
    this.setupControls();
    this.renderDatasets();
    this.renderFeatures();
    this.syncControls();
    this.send({ type: 'config', state: this.state, csv: this.csv, rebuild: true });
    window.mlpkitPlayground = {
      predict: (x) => new Promise((resolve) => {
        const id = this.nextPredict++;
        this.pending.set(id, resolve);
        this.send({ type: 'predict', id, x });
      }),
    };
    window.addEventListener('resize', () => { this.neuronPositions = null; this.drawEdges(); });
    // A link pasted into this tab (or edited by hand) changes only the hash: rebuild from it.
    window.addEventListener('hashchange', () => this.applyHash());
  }

  applyHash(): void {
    const next = stateFromHash(location.hash);
    if (next.dataset === 'csv' && this.csv === null) next.dataset = 'circle';
    if (stateToHash(next) === stateToHash(this.state)) return;
    this.setPlaying(false);
    this.send({ type: 'pause' });
    this.change((s) => { Object.assign(s, next); });
  }

  send(m: ToWorker): void { this.worker.postMessage(m); }

  status(text: string, error = false): void {
    const s = byId('status', HTMLParagraphElement);
    s.textContent = text;
    s.classList.toggle('error', error);
  }

  /** Apply a change; `rebuild` false keeps the weights (learning rate, optimizer, batch size). */
  change(mut: (s: PlaygroundState) => void, rebuild = true): void {
    mut(this.state);
    history.replaceState(null, '', `#${stateToHash(this.state)}`);
    this.syncControls();
    if (rebuild) {
      this.trainCurve = [];
      this.testCurve = [];
      this.gradCurves.clear();
      this.step = null;
      this.selected = null;
    }
    this.send({ type: 'config', state: this.state, csv: this.csv, rebuild });
  }

  // -------------------------------------------------------------------------------------------
  // Controls

  setupControls(): void {
    const select = <T extends string | number>(id: string, values: readonly T[], label: (v: T) => string, get: () => T, set: (s: PlaygroundState, v: T) => void, rebuild = true): void => {
      const e = byId(id, HTMLSelectElement);
      e.replaceChildren(...values.map((v, i) => h('option', { value: String(i) }, label(v))));
      e.addEventListener('change', () => { const v = values[Number(e.value)]; if (v !== undefined) this.change((s) => set(s, v), rebuild); });
      this.syncers.push(() => { const i = values.indexOf(get()); e.value = String(i >= 0 ? i : 0); });
    };
    select('optimizer', OPTIMIZERS, (v) => OPTIMIZER_LABELS[v], () => this.state.optimizer, (s, v) => { s.optimizer = v; }, false);
    select('learningRate', LEARNING_RATES, String, () => this.state.learningRate, (s, v) => { s.learningRate = v; }, false);
    select('batchSize', BATCH_SIZES, String, () => this.state.batchSize, (s, v) => { s.batchSize = v; }, false);
    select('init', INITS, (v) => (v === 'auto' ? 'per activation' : v), () => this.state.init, (s, v) => { s.init = v; });
    select('regularization', REGULARIZERS, (v) => (v === 'none' ? 'None' : v.toUpperCase()), () => this.state.regularization, (s, v) => { s.regularization = v; });
    select('regRate', REG_RATES, String, () => this.state.regRate, (s, v) => { s.regRate = v; });
    select('dropout', DROPOUTS, (v) => (v === 0 ? 'none' : String(v)), () => this.state.dropout, (s, v) => { s.dropout = v; });
    select('batchNorm', BATCH_NORMS, (v) => (v === 'none' ? 'none' : `${v} f`), () => this.state.batchNorm, (s, v) => { s.batchNorm = v; });
    select('activation', HIDDEN_ACTIVATIONS, String, () => this.state.layers[0]?.activation ?? 'tanh', (s, v) => {
      for (const l of s.layers) { l.activation = v; l.perNeuron = {}; }
    });

    const ratio = byId('trainRatio', HTMLInputElement);
    ratio.addEventListener('change', () => this.change((s) => { s.trainRatio = Number(ratio.value); }));
    ratio.addEventListener('input', () => { byId('trainRatioValue', HTMLElement).textContent = ratio.value; });
    const noise = byId('noise', HTMLInputElement);
    noise.addEventListener('change', () => this.change((s) => { s.noise = Number(noise.value); }));
    noise.addEventListener('input', () => { byId('noiseValue', HTMLElement).textContent = noise.value; });
    this.syncers.push(() => {
      ratio.value = String(this.state.trainRatio);
      byId('trainRatioValue', HTMLElement).textContent = String(this.state.trainRatio);
      noise.value = String(this.state.noise);
      byId('noiseValue', HTMLElement).textContent = String(this.state.noise);
      byId('noiseRow', HTMLLabelElement).hidden = this.state.dataset === 'csv';
      byId('showTest', HTMLInputElement).checked = this.state.showTest;
      byId('layerCount', HTMLElement).textContent = String(this.state.layers.length);
    });
    byId('regenerate', HTMLButtonElement).addEventListener('click', () => this.change((s) => { s.seed = (s.seed % 100000) + 1; }));
    byId('showTest', HTMLInputElement).addEventListener('change', (e) => {
      const on = e.target instanceof HTMLInputElement && e.target.checked;
      this.state.showTest = on;
      history.replaceState(null, '', `#${stateToHash(this.state)}`);
      this.drawOutput();
    });
    byId('addLayer', HTMLButtonElement).addEventListener('click', () => {
      if (this.state.layers.length < MAX_LAYERS) this.change((s) => { s.layers.push({ units: 2, activation: s.layers[0]?.activation ?? 'tanh', perNeuron: {}, skip: false }); });
    });
    byId('removeLayer', HTMLButtonElement).addEventListener('click', () => {
      if (this.state.layers.length > 0) this.change((s) => { s.layers.pop(); });
    });

    byId('play', HTMLButtonElement).addEventListener('click', () => this.togglePlay());
    byId('step', HTMLButtonElement).addEventListener('click', () => { this.setPlaying(false); this.send({ type: 'step' }); });
    byId('reset', HTMLButtonElement).addEventListener('click', () => {
      this.setPlaying(false);
      this.trainCurve = [];
      this.testCurve = [];
      this.gradCurves.clear();
      this.step = null;
      this.send({ type: 'reset' });
    });
    document.addEventListener('keydown', (e) => {
      const t = e.target;
      if (e.key === ' ' && !(t instanceof HTMLInputElement || t instanceof HTMLSelectElement || t instanceof HTMLButtonElement)) {
        e.preventDefault();
        this.togglePlay();
      }
    });

    // CSV: drop onto the zone (or anywhere on the page), or choose a file.
    const zone = byId('dropzone', HTMLDivElement);
    const accept = (files: FileList | null | undefined): void => {
      const f = files?.[0];
      if (f === undefined) return;
      void f.text().then((text) => this.loadCsv(text, f.name));
    };
    for (const target of [zone, document.body]) {
      target.addEventListener('dragover', (e) => { e.preventDefault(); zone.classList.add('over'); });
      target.addEventListener('dragleave', () => zone.classList.remove('over'));
      target.addEventListener('drop', (e) => { e.preventDefault(); e.stopPropagation(); zone.classList.remove('over'); accept(e.dataTransfer?.files); });
    }
    const file = byId('file', HTMLInputElement);
    file.addEventListener('change', () => accept(file.files));
    for (const id of ['target', 'viewX', 'viewY'] as const) {
      const e = byId(id, HTMLSelectElement);
      e.addEventListener('change', () => this.change((s) => {
        const v = Number(e.value);
        if (id === 'target') { s.target = v; s.viewX = 0; s.viewY = 1; } else s[id] = v;
      }));
    }

    byId('exportJson', HTMLButtonElement).addEventListener('click', () => this.send({ type: 'export', format: 'json', meta: location.href }));
    byId('exportOnnx', HTMLButtonElement).addEventListener('click', () => this.send({ type: 'export', format: 'onnx', meta: location.href }));
    byId('copyLink', HTMLButtonElement).addEventListener('click', () => {
      void navigator.clipboard?.writeText(location.href).then(() => this.status('Link copied: it reproduces this setting.'), () => this.status(location.href));
    });
  }

  readonly syncers: (() => void)[] = [];

  syncControls(): void {
    for (const f of this.syncers) f();
    document.querySelectorAll<HTMLButtonElement>('.dataset').forEach((b) => b.classList.toggle('selected', b.dataset['name'] === this.state.dataset));
    document.querySelectorAll<HTMLButtonElement>('.feature').forEach((b) => b.classList.toggle('on', this.state.features.some((f) => f === b.dataset['name'])));
  }

  loadCsv(text: string, name: string): void {
    this.csv = text;
    this.csvName = name;
    this.change((s) => { s.dataset = 'csv'; s.target = -1; s.viewX = 0; s.viewY = 1; });
  }

  togglePlay(): void {
    this.setPlaying(!this.playing);
    this.send({ type: this.playing ? 'play' : 'pause' });
  }

  setPlaying(on: boolean): void {
    this.playing = on;
    const b = byId('play', HTMLButtonElement);
    b.textContent = on ? '❚❚' : '▶';
    b.setAttribute('aria-label', on ? 'pause' : 'play');
    b.classList.toggle('playing', on);
  }

  renderDatasets(): void {
    const box = byId('datasets', HTMLDivElement);
    box.replaceChildren(...DATASETS.filter((d) => d !== 'csv').map((d) => {
      const c = h('canvas', { width: '48', height: '48' });
      if (d === 'clusters') field(c, 24, () => 0, clustersTile); else field(c, 24, (x, y) => datasetPattern(d, x, y));
      const b = h('button', { class: 'dataset', title: DATASET_LABELS[d], 'data-name': d, 'data-testid': `dataset-${d}` }, c, h('span', {}, DATASET_LABELS[d].replace(' (regression)', '')));
      if (REGRESSION_SETS.includes(d)) b.classList.add('regression');
      b.addEventListener('click', () => this.change((s) => { s.dataset = d; }));
      return b;
    }));
  }

  renderFeatures(): void {
    const box = byId('features', HTMLDivElement);
    box.replaceChildren(...FEATURES.map((f) => {
      const c = h('canvas', { width: '36', height: '36' });
      field(c, 18, (x1, x2) => featureValue(f, x1, x2));
      const b = h('button', { class: 'feature', 'data-name': f, title: `Feed ${FEATURE_LABELS[f]} to the network` }, c, h('span', {}, FEATURE_LABELS[f]));
      b.addEventListener('click', () => this.change((s) => {
        s.features = s.features.includes(f) ? s.features.filter((x) => x !== f) : FEATURES.filter((x) => x === f || s.features.includes(x));
      }));
      return b;
    }));
  }

  // -------------------------------------------------------------------------------------------
  // Messages from the worker

  receive(m: FromWorker): void {
    switch (m.type) {
      case 'problem': this.onProblem(m); return;
      case 'frame': this.onFrame(m); return;
      case 'error':
        this.setPlaying(false);
        this.status(m.message, true);
        return;
      case 'export': {
        const blob = m.format === 'json' ? new Blob([m.text], { type: 'application/json' }) : new Blob([new Uint8Array(m.bytes)], { type: 'application/octet-stream' });
        const href = URL.createObjectURL(blob);
        const a = h('a', { href, download: m.format === 'json' ? 'playground-model.json' : 'playground-model.onnx' });
        document.body.append(a);
        a.click();
        a.remove();
        // The download has its own copy once started; the blob need not outlive this turn by much.
        setTimeout(() => URL.revokeObjectURL(href), 10000);
        const inputs = m.rawColumns
          ? `It takes the CSV's own columns${m.format === 'json' ? ': `mlpkit predict playground-model.json your.csv`' : ''}.`
          : 'Its inputs are the features of the coordinates scaled to [−1, 1], listed in its metadata.';
        this.status(`Saved the model as ${m.format === 'json' ? 'mlpkit JSON (modelFromFile reads it)' : 'ONNX'}. ${inputs}`);
        return;
      }
      case 'predictions': {
        this.pending.get(m.id)?.(Array.from(m.values));
        this.pending.delete(m.id);
        return;
      }
    }
  }

  onProblem(p: ProblemInfo): void {
    this.problem = p;
    // The last frame's weights and heatmaps belong to the previous network; the new one's first frame follows.
    this.lastFrame = null;
    byId('backend', HTMLElement).textContent = p.backend;
    const csvBox = byId('csvControls', HTMLDivElement);
    csvBox.hidden = this.state.dataset !== 'csv';
    if (this.state.dataset === 'csv') {
      const all = [...p.columns];
      // The target list names every column of the file; the view lists name the feature columns.
      const tSel = byId('target', HTMLSelectElement);
      tSel.replaceChildren(...p.header.map((c, i) => h('option', { value: String(i) }, c)));
      tSel.value = String(p.targetIndex);
      for (const [id, v] of [['viewX', p.viewX], ['viewY', p.viewY]] as const) {
        const s = byId(id, HTMLSelectElement);
        s.replaceChildren(...all.map((c, i) => h('option', { value: String(i) }, c)));
        s.value = String(v);
      }
      const kind = p.task === 'regression' ? 'regression' : `${p.classes.length} classes`;
      byId('csvNote', HTMLParagraphElement).textContent = `${this.csvName}: ${p.points.length / 2} rows, ${p.columns.length} feature columns, target '${p.targetName}' (${kind}).`
        + (p.dropped.length > 0 ? ` Left out (not numeric): ${p.dropped.join(', ')}.` : '');
    }
    this.status(`${p.points.length / 2} rows (${p.train.length} train, ${p.test.length} test) · ${p.parameterCount} parameters · ${p.task}`);
    this.renderNetwork();
  }

  onFrame(f: Frame): void {
    this.setPlaying(f.playing);
    if (f.grid !== null) this.lastFrame = f;
    else if (this.lastFrame !== null) this.lastFrame = { ...this.lastFrame, gradNorms: f.gradNorms, nextPhase: f.nextPhase, step: f.step, steps: f.steps, epoch: f.epoch };
    for (let i = 0; i + 2 < f.history.length; i += 3) {
      this.trainCurve.push(f.history[i + 1]!);
      this.testCurve.push(f.history[i + 2]!);
    }
    if (f.grid !== null || f.step !== null) {
      for (const g of f.gradNorms) {
        const list = this.gradCurves.get(g.layer) ?? [];
        list.push(g.norm);
        if (list.length > 400) list.splice(0, list.length - 400);
        this.gradCurves.set(g.layer, list);
      }
    }
    for (const c of [this.trainCurve, this.testCurve]) if (c.length > 600) c.splice(0, c.length - 600);
    this.step = f.step ?? (f.playing ? null : this.step);
    byId('epoch', HTMLElement).textContent = f.epoch.toFixed(2);
    byId('steps', HTMLElement).textContent = `${f.steps} steps`;
    if (f.grid !== null) {
      byId('testLoss', HTMLElement).textContent = Number.isFinite(f.testLoss) ? f.testLoss.toFixed(4) : '';
      byId('trainLoss', HTMLElement).textContent = Number.isFinite(f.trainLoss) ? f.trainLoss.toFixed(4) : '';
    }
    this.drawOutput();
    // Step values first: they move the neurons, and the edges are drawn to where the neurons are.
    this.drawStep();
    this.drawNeurons();
    this.drawCharts();
  }

  // -------------------------------------------------------------------------------------------
  // Views

  colourOfOutput(grid: Float32Array, cell: number): readonly [number, number, number] {
    const p = this.problem;
    if (p === null) return [255, 255, 255];
    if (p.task === 'binary') return diverging(2 * grid[cell]! - 1);
    if (p.task === 'regression') return diverging(grid[cell]!);
    const k = p.classes.length;
    let best = 0;
    for (let j = 1; j < k; j++) if (grid[cell * k + j]! > grid[cell * k + best]!) best = j;
    const conf = Math.max(0, (grid[cell * k + best]! - 1 / k) / (1 - 1 / k));
    const c = CLASS_COLOURS[best % CLASS_COLOURS.length]!;
    return [232 + (c[0] - 232) * conf * 0.8, 234 + (c[1] - 234) * conf * 0.8, 235 + (c[2] - 235) * conf * 0.8];
  }

  pointColour(label: number): readonly [number, number, number] {
    const p = this.problem;
    if (p === null || p.task === 'regression') return diverging(label);
    if (p.task === 'binary') return label > 0.5 ? CLASS_COLOURS[1]! : CLASS_COLOURS[0]!;
    return CLASS_COLOURS[label % CLASS_COLOURS.length]!;
  }

  drawOutput(): void {
    const p = this.problem;
    const f = this.lastFrame;
    const canvas = byId('heatmap', HTMLCanvasElement);
    if (p === null || f === null || f.grid === null) return;
    const grid = f.grid;
    // The surface a shade lighter than the points, so a point on its own class's side still shows.
    heatmap(canvas, GRID, (i) => lighten(this.colourOfOutput(grid, i), 0.3));
    points(canvas, p.points, p.train, (i) => this.pointColour(p.labels[i]!), false);
    if (this.state.showTest) points(canvas, p.points, p.test, (i) => this.pointColour(p.labels[i]!), true);
    const axes = byId('axes', HTMLDivElement);
    const nx = p.columns[p.viewX] ?? 'x₁';
    const ny = p.columns[p.viewY] ?? 'x₂';
    axes.replaceChildren(h('span', { class: 'ax x' }, `${nx} →`), h('span', { class: 'ax y' }, `${ny} →`));
    const legend = byId('legend', HTMLDivElement);
    if (p.task === 'multiclass') {
      legend.replaceChildren(...p.classes.map((c, i) => h('span', { class: 'key' }, h('i', { style: `background:${css(CLASS_COLOURS[i % CLASS_COLOURS.length]!)}` }), c)));
    } else {
      const lo = p.task === 'binary' ? `class ${p.classes[0] ?? '0'}` : '−1';
      const hi = p.task === 'binary' ? `class ${p.classes[1] ?? '1'}` : '+1';
      legend.replaceChildren(h('span', {}, lo), h('span', { class: 'bar' }), h('span', {}, hi));
    }
  }

  /** Columns: the inputs, every hidden layer, the output; neurons as small heatmaps; edges in an SVG overlay. */
  renderNetwork(): void {
    const p = this.problem;
    if (p === null) return;
    const net = byId('network', HTMLDivElement);
    const svg = byId('edges', SVGSVGElement);
    net.replaceChildren(svg);
    const inputs = h('div', { class: 'layer inputs' }, h('div', { class: 'layer-head' }, h('span', { class: 'title' }, 'inputs')));
    p.inputNames.forEach((name, j) => {
      inputs.append(h('div', { class: 'neuron input', 'data-layer': '-1', 'data-unit': String(j) }, h('span', { class: 'iname' }, name)));
    });
    net.append(inputs);
    p.layers.forEach((l, li) => net.append(this.layerColumn(l, li, li === p.layers.length - 1)));
    this.neuronPositions = null;
    // Once more after the fonts and the first layout settle.
    requestAnimationFrame(() => { this.neuronPositions = null; this.drawEdges(); });
    this.drawNeurons();
  }

  layerColumn(l: LayerView, li: number, isOutput: boolean): HTMLDivElement {
    const col = h('div', { class: `layer${isOutput ? ' out' : ''}` });
    const head = h('div', { class: 'layer-head' });
    if (!isOutput) {
      const hl = this.state.layers[li]!;
      const plus = h('button', { class: 'round tiny', title: 'Add a neuron', 'aria-label': 'add neuron' }, '+');
      const minus = h('button', { class: 'round tiny', title: 'Remove a neuron', 'aria-label': 'remove neuron' }, '−');
      plus.addEventListener('click', () => { if (hl.units < MAX_UNITS) this.change((s) => { s.layers[li]!.units++; }); });
      minus.addEventListener('click', () => { if (hl.units > 1) this.change((s) => { const x = s.layers[li]!; x.units--; delete x.perNeuron[x.units]; }); });
      const act = h('select', { class: 'layer-act', title: 'Activation of this layer' }, ...HIDDEN_ACTIVATIONS.map((a) => h('option', { value: a }, a)));
      act.value = hl.activation;
      act.addEventListener('change', () => this.change((s) => { const x = s.layers[li]!; x.activation = act.value as HiddenActivation; x.perNeuron = {}; }));
      head.append(h('div', { class: 'pm' }, plus, minus), h('span', { class: 'title' }, `${hl.units} neuron${hl.units === 1 ? '' : 's'}`), act);
      if (li >= 1) {
        const skip = h('input', { type: 'checkbox', title: `Also feed this layer the output of ${li === 1 ? 'the inputs' : `hidden layer ${li - 1}`}` });
        skip.checked = hl.skip;
        skip.addEventListener('change', () => this.change((s) => { s.layers[li]!.skip = skip.checked; }));
        head.append(h('label', { class: 'skip' }, skip, 'skip'));
      }
    } else {
      head.append(h('span', { class: 'title' }, 'output'));
    }
    col.append(head);
    for (let u = 0; u < l.units; u++) {
      const c = h('canvas', { width: String(NEURON_GRID), height: String(NEURON_GRID) });
      const own = isOutput ? undefined : this.state.layers[li]!.perNeuron[u];
      const n = h('div', { class: `neuron${own !== undefined ? ' custom' : ''}`, 'data-layer': String(li), 'data-unit': String(u), title: 'Click: this neuron’s activation and values' },
        c, h('div', { class: 'vals', 'data-testid': 'neuron-values' }));
      if (own !== undefined) n.append(h('span', { class: 'badge' }, own));
      n.addEventListener('click', () => { this.selected = { layer: li, unit: u }; this.drawInspector(); });
      col.append(n);
    }
    return col;
  }

  neuronEl(layer: number, unit: number): HTMLElement | null {
    return document.querySelector<HTMLElement>(`.neuron[data-layer="${layer}"][data-unit="${unit}"]`);
  }

  drawNeurons(): void {
    const p = this.problem;
    const f = this.lastFrame;
    if (p === null || f === null || f.neurons === null) return;
    const cells = NEURON_GRID * NEURON_GRID;
    p.layers.forEach((l, li) => {
      const data = f.neurons?.[li];
      if (data === undefined || data.length !== cells * l.units) return;
      const isOut = li === p.layers.length - 1;
      for (let u = 0; u < l.units; u++) {
        const c = this.neuronEl(li, u)?.querySelector('canvas');
        if (!(c instanceof HTMLCanvasElement)) continue;
        heatmap(c, NEURON_GRID, (i) => {
          const v = data[u * cells + i]!;
          return diverging(isOut && p.task !== 'regression' ? 2 * v - 1 : v);
        });
      }
    });
    this.drawEdges();
  }

  /**
   * Weights as edges: blue positive, orange negative, width by magnitude; skip edges curve around.
   * The neurons' positions are read in one pass; the paths are made once per shape of network and
   * updated in place each frame (a few hundred edges at frame rate).
   */
  drawEdges(): void {
    const p = this.problem;
    const f = this.lastFrame;
    const net = document.getElementById('network');
    const svg = document.getElementById('edges');
    if (p === null || net === null || !(svg instanceof SVGSVGElement)) return;
    // Reading positions forces a layout, the frame's dearest step: only after the neurons may have moved.
    let at = this.neuronPositions;
    if (at === null) {
      const box = net.getBoundingClientRect();
      svg.setAttribute('width', String(net.scrollWidth));
      svg.setAttribute('height', String(net.scrollHeight));
      const found = new Map<string, { left: number; right: number; y: number }>();
      net.querySelectorAll<HTMLElement>('.neuron').forEach((e) => {
        const r = (e.querySelector('canvas') ?? e.querySelector('.iname') ?? e).getBoundingClientRect();
        found.set(`${e.dataset['layer']}:${e.dataset['unit']}`, {
          left: r.left - box.left + net.scrollLeft, right: r.right - box.left + net.scrollLeft, y: r.top + r.height / 2 - box.top + net.scrollTop,
        });
      });
      at = found;
      this.neuronPositions = found;
    }
    const widthOf = (layer: number): number => (layer < 0 ? p.inputNames.length : p.layers[layer]?.units ?? 0);
    const edges: { d: string; w: number; skip: boolean; scale: number }[] = [];
    p.layers.forEach((l, li) => {
      const W = f?.weights?.[li]?.W;
      const rows = l.mainWidth + (l.skipFrom === null ? 0 : widthOf(l.skipFrom));
      if (W === undefined || W.length !== rows * l.units) return;
      let max = 1e-9;
      for (const w of W) max = Math.max(max, Math.abs(w));
      for (let r = 0; r < rows; r++) {
        const skip = r >= l.mainWidth;
        const a = at.get(`${skip ? (l.skipFrom ?? -1) : li - 1}:${skip ? r - l.mainWidth : r}`);
        for (let u = 0; u < l.units; u++) {
          const b = at.get(`${li}:${u}`);
          if (a === undefined || b === undefined) continue;
          const mx = (a.right + b.left) / 2;
          const d = skip
            ? `M${a.right},${a.y} C${a.right + 40},${a.y - 60} ${b.left - 40},${b.y - 60} ${b.left},${b.y}`
            : `M${a.right},${a.y} C${mx},${a.y} ${mx},${b.y} ${b.left},${b.y}`;
          edges.push({ d, w: W[r * l.units + u]!, skip, scale: Math.max(1, max) });
        }
      }
    });
    let paths = svg.querySelectorAll('path');
    if (paths.length !== edges.length) {
      svg.innerHTML = edges.map((e) => `<path fill="none"${e.skip ? ' stroke-dasharray="5 3"' : ''}><title></title></path>`).join('');
      paths = svg.querySelectorAll('path');
    }
    edges.forEach((e, i) => {
      const path = paths[i]!;
      const w = e.w;
      if (path.getAttribute('d') !== e.d) path.setAttribute('d', e.d);
      path.setAttribute('stroke', css(diverging(w === 0 ? 0 : Math.sign(w) * Math.max(0.35, Math.min(1, Math.abs(w)))), 0.85));
      path.setAttribute('stroke-width', (0.4 + 4.5 * Math.min(1, Math.abs(w) / e.scale)).toFixed(2));
      path.setAttribute('stroke-dasharray', e.skip ? '5 3' : 'none');
      const title = path.firstChild;
      if (title !== null) title.textContent = `w = ${w.toPrecision(4)}`;
    });
  }

  drawCharts(): void {
    lineChart(byId('lossChart', HTMLCanvasElement), [
      { values: this.trainCurve, colour: '#6b7378', dashed: true },
      { values: this.testCurve, colour: '#111' },
    ], false);
    const names = [...this.gradCurves.keys()];
    const range = lineChart(byId('gradChart', HTMLCanvasElement), names.map((n, i) => ({ values: this.gradCurves.get(n)!, colour: GRAD_COLOURS[i % GRAD_COLOURS.length]! })), true);
    byId('gradHi', HTMLSpanElement).textContent = range === null ? '' : range.hi.toExponential(1);
    byId('gradLo', HTMLSpanElement).textContent = range === null ? '' : range.lo.toExponential(1);
    const last = this.lastFrame?.gradNorms ?? [];
    byId('gradLegend', HTMLDivElement).replaceChildren(...names.map((n, i) => h('span', { class: 'key' },
      h('i', { style: `background:${GRAD_COLOURS[i % GRAD_COLOURS.length]!}` }), `${n} ${fmt(last.find((g) => g.layer === n)?.norm ?? NaN, 4)}`)));
  }

  /** Step mode: I_j, O_j and δ_j under every neuron, and what the phase computed. */
  drawStep(): void {
    const p = this.problem;
    const panel = byId('stepPanel', HTMLDivElement);
    const s = this.step;
    // Clearing the values moves the neurons (and so the edges): only when some are shown.
    if (this.valuesShown) {
      document.querySelectorAll<HTMLElement>('.neuron .vals').forEach((v) => { v.replaceChildren(); });
      this.neuronPositions = null;
    }
    this.valuesShown = false;
    if (p === null || s === null) { panel.hidden = true; this.drawInspector(); return; }
    this.valuesShown = true;
    this.neuronPositions = null;
    s.layers.forEach((l, li) => {
      for (let u = 0; u < l.I.length; u++) {
        const box = this.neuronEl(li, u)?.querySelector('.vals');
        if (!(box instanceof HTMLElement)) continue;
        box.append(
          h('span', { class: 'v' }, h('i', {}, 'I'), fmt(l.I[u]!)),
          h('span', { class: 'v' }, h('i', {}, 'O'), fmt(l.O[u]!)),
        );
        if (l.delta !== null) box.append(h('span', { class: 'v d', 'data-testid': 'delta' }, h('i', {}, 'δ'), fmt(l.delta[u]!, 4)));
      }
    });
    const next = this.lastFrame?.nextPhase ?? 'forward';
    // Static markup (no user data): the lecture's equations with real subscripts.
    const says: Record<StepInfo['phase'], string> = {
      forward: '<b>Forward pass.</b> Every neuron <i>j</i> computed <i>I<sub>j</sub></i> = Σ<sub><i>k</i>∈inc(<i>j</i>)</sub> <i>w<sub>kj</sub> O<sub>k</sub></i> + <i>w</i><sub>0<i>j</i></sub> and <i>O<sub>j</sub></i> = <i>f<sub>j</sub></i>(<i>I<sub>j</sub></i>).',
      backward: '<b>Backward pass.</b> At the output <i>δ<sub>j</sub></i> = ∂<i>L</i>/∂<i>O<sub>j</sub></i> · <i>f′</i>(<i>I<sub>j</sub></i>) (1); below it <i>δ<sub>j</sub></i> = Σ<sub><i>k</i>∈out(<i>j</i>)</sub> <i>δ<sub>k</sub> w<sub>jk</sub></i> · <i>f′</i>(<i>I<sub>j</sub></i>) (2); and ∂<i>L</i>/∂<i>w<sub>ij</sub></i> = <i>δ<sub>j</sub> O<sub>i</sub></i> (3).',
      update: '<b>Update.</b> The optimizer moved every weight against its gradient: for SGD <i>w<sub>ij</sub></i> ← <i>w<sub>ij</sub></i> − <i>η</i> ∂<i>L</i>/∂<i>w<sub>ij</sub></i>.',
    };
    const eq = h('p', { class: 'eq' });
    eq.innerHTML = says[s.phase];
    panel.hidden = false;
    panel.replaceChildren(
      h('div', { class: 'phase' }, ...(['forward', 'backward', 'update'] as const).map((ph) => h('span', { class: `ph${ph === s.phase ? ' done' : ''}${ph === next ? ' next' : ''}` }, ph))),
      eq,
      h('p', { class: 'hint' }, `Values shown for ${s.batchSize === 1 ? 'the batch’s one row' : `the first of the ${s.batchSize} rows in the batch`}: inputs (${s.input.map((v) => fmt(v, 2)).join(', ')}), target ${s.target.map((v) => fmt(v, 2)).join(', ')}; batch loss L = ${fmt(s.loss, 4)}. δ is ∂L/∂I for the batch's mean loss. Click a neuron for its weights${s.layers[0]?.dW === null ? '' : ' and their gradients (summed over the batch)'}. Press step for the ${next} pass.`),
    );
    this.drawInspector();
  }

  /** The clicked neuron: its activation (per neuron) and, in step mode, its values. */
  drawInspector(): void {
    const box = byId('inspector', HTMLDivElement);
    const sel = this.selected;
    const p = this.problem;
    if (sel === null || p === null || sel.layer >= p.layers.length) { box.hidden = true; return; }
    const isOut = sel.layer === p.layers.length - 1;
    const close = h('button', { class: 'round tiny close', 'aria-label': 'close' }, '×');
    close.addEventListener('click', () => { this.selected = null; box.hidden = true; });
    const rows: (Node | string)[] = [close, h('h3', {}, isOut ? `Output neuron ${sel.unit + 1}` : `Hidden layer ${sel.layer + 1}, neuron ${sel.unit + 1}`)];
    if (!isOut) {
      const hl = this.state.layers[sel.layer]!;
      const act = h('select', { 'data-testid': 'neuron-activation' }, h('option', { value: '' }, `layer’s (${hl.activation})`), ...HIDDEN_ACTIVATIONS.map((a) => h('option', { value: a }, a)));
      act.value = hl.perNeuron[sel.unit] ?? '';
      act.addEventListener('change', () => {
        const { layer, unit } = sel;
        this.change((s) => {
          const x = s.layers[layer]!;
          if (act.value === '') delete x.perNeuron[unit]; else x.perNeuron[unit] = act.value as HiddenActivation;
        });
        this.selected = { layer, unit };
      });
      rows.push(h('label', { class: 'row' }, h('span', {}, 'Activation f_j'), act));
    }
    const st = this.step?.layers[sel.layer];
    if (st !== undefined) {
      rows.push(h('p', { class: 'mono' }, `I_j = ${fmt(st.I[sel.unit]!, 5)}\nO_j = ${fmt(st.O[sel.unit]!, 5)}${st.delta === null ? '' : `\nδ_j = ${fmt(st.delta[sel.unit]!, 6)}`}`));
    }
    const l = p.layers[sel.layer]!;
    /** Column `unit` of a rows × units matrix: the neuron's incoming weights (or their gradients). */
    const column = (m: ArrayLike<number>, digits: number): string =>
      Array.from({ length: m.length / l.units }, (_, r) => fmt(m[r * l.units + sel.unit]!, digits)).join(', ');
    const wts = this.lastFrame?.weights?.[sel.layer];
    if (wts !== undefined) {
      const after = this.step?.phase === 'update' ? ' (after the update)' : '';
      rows.push(h('p', { class: 'mono small' }, `w_kj = ${column(wts.W, 3)}${wts.b === null ? '' : `\nw_0j = ${fmt(wts.b[sel.unit]!, 3)}`}${after}`));
    }
    if (st?.dW !== null && st?.dW !== undefined) {
      // The weights' gradient also carries the penalty's (the biases are not penalized).
      const penalty = this.state.regularization === 'none' || this.state.regRate === 0 ? '' : this.state.regularization === 'l1' ? ' + λ sign(w)' : ' + 2λw';
      const db = st.db?.[sel.unit];
      rows.push(h('p', { class: 'mono small', 'data-testid': 'weight-gradients' },
        `∂L/∂w_kj = Σ δ_j O_k${penalty} = ${column(st.dW, 4)}${db === undefined ? '' : `\n∂L/∂w_0j = Σ δ_j = ${fmt(db, 4)}`}`));
    }
    box.replaceChildren(...rows);
    box.hidden = false;
  }
}

const start = (): void => { void new Playground(); };
if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start); else start();
