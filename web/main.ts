/**
 * The playground page: controls that edit one PlaygroundState (mirrored in the URL), a worker that
 * trains the network it describes, and the views of what the worker reports.
 */

import { byId, h } from './dom.js';
import { CLASS_COLOURS, css, diverging, fmt, heatmap, lighten, lineChart, points } from './draw.js';
import { makeProblem } from './data.js';
import { columnRows, featureValue, heldValues, sliceCaption, slicesColumns } from './features.js';
import type {} from './hooks.js';
import { NetworkView } from './network-view.js';
import { GRID, type Frame, type FromWorker, type ProblemInfo, type StepInfo, type ToWorker } from './protocol.js';
import {
  BATCH_NORMS, DATASETS, FEATURES, FEATURE_LABELS, HIDDEN_ACTIVATIONS, INITS, MAX_LAYERS, OPTIMIZERS, REGRESSION_SETS, REGULARIZERS,
  stateFromHash, stateToHash, type DatasetName, type PlaygroundState,
} from './state.js';
import { renderInspector, renderStepPanel } from './step-view.js';

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
  /** A CSV's columns' values on the views' grid, in the file's units (empty for the generated sets). */
  held: number[] = [];
  heldFor: { readonly csv: string | null; readonly target: number } | null = null;
  problem: ProblemInfo | null = null;
  lastFrame: Frame | null = null;
  step: StepInfo | null = null;
  playing = false;
  trainCurve: number[] = [];
  testCurve: number[] = [];
  gradCurves = new Map<string, number[]>();
  selected: { layer: number; unit: number } | null = null;
  readonly network = new NetworkView(byId('network', HTMLDivElement), byId('edges', SVGSVGElement));
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
    window.addEventListener('resize', () => this.network.relayout());
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
    const p = this.problem;
    if (this.state.dataset === 'csv' && p !== null && slicesColumns(p.columns)) {
      byId('featuresHint', HTMLParagraphElement).textContent = "The CSV's columns are the network's inputs; the views slice through two of them.";
      box.replaceChildren(...columnRows(p.columns, p.viewX, p.viewY, this.held));
      return;
    }
    byId('featuresHint', HTMLParagraphElement).textContent = 'Which properties do you want to feed in?';
    box.replaceChildren(...FEATURES.map((f) => {
      const c = h('canvas', { width: '36', height: '36' });
      field(c, 18, (x1, x2) => featureValue(f, x1, x2));
      const b = h('button', { class: 'feature', 'data-name': f, title: `Feed ${FEATURE_LABELS[f]} to the network` }, c, h('span', {}, FEATURE_LABELS[f]));
      b.addEventListener('click', () => this.change((s) => {
        s.features = s.features.includes(f) ? s.features.filter((x) => x !== f) : FEATURES.filter((x) => x === f || s.features.includes(x));
      }));
      return b;
    }));
    this.syncControls();
  }

  /**
   * A CSV's view controls: the two columns the output slices through, and the values the others are held at
   * (computed from the same problem the worker builds). A CSV with more than two columns feeds the columns
   * themselves, so the transforms of the two view columns are switched off.
   */
  showSlice(p: ProblemInfo): void {
    const csv = this.state.dataset === 'csv';
    byId('sliceControls', HTMLDivElement).hidden = !csv;
    if (!csv) { this.held = []; this.heldFor = null; return; }
    for (const [id, v] of [['viewX', p.viewX], ['viewY', p.viewY]] as const) {
      const sel = byId(id, HTMLSelectElement);
      sel.replaceChildren(...p.columns.map((c, i) => h('option', { value: String(i) }, c)));
      sel.value = String(v);
    }
    // Parsing the file again is the price of the held values; pay it once per file and target.
    if (this.heldFor?.csv !== this.csv || this.heldFor.target !== this.state.target) {
      this.held = heldValues(makeProblem(this.state, this.csv));
      this.heldFor = { csv: this.csv, target: this.state.target };
    }
    byId('slice', HTMLParagraphElement).textContent = sliceCaption(p.columns, p.viewX, p.viewY, this.held);
    if (slicesColumns(p.columns) && this.state.features.join() !== 'x1,x2') this.change((s) => { s.features = ['x1', 'x2']; });
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
      // The target list names every column of the file.
      const tSel = byId('target', HTMLSelectElement);
      tSel.replaceChildren(...p.header.map((c, i) => h('option', { value: String(i) }, c)));
      tSel.value = String(p.targetIndex);
      const kind = p.task === 'regression' ? 'regression' : `${p.classes.length} classes`;
      byId('csvNote', HTMLParagraphElement).textContent = `${this.csvName}: ${p.points.length / 2} rows, ${p.columns.length} feature columns, target '${p.targetName}' (${kind}).`
        + (p.dropped.length > 0 ? ` Left out (not numeric): ${p.dropped.join(', ')}.` : '');
    }
    this.showSlice(p);
    this.renderFeatures();
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
    if (this.problem !== null) this.network.paint(this.problem, this.lastFrame, this.step);
    renderStepPanel(byId('stepPanel', HTMLDivElement), this.step, this.lastFrame?.nextPhase ?? 'forward');
    this.drawInspector();
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

  /** The network view for a new problem, wired to the editor. */
  renderNetwork(): void {
    const p = this.problem;
    if (p === null) return;
    this.network.render(p, this.state, {
      change: (mut) => this.change(mut),
      select: (layer, unit) => { this.selected = { layer, unit }; this.drawInspector(); },
    });
    this.network.paint(p, this.lastFrame, this.step);
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
    // Before the first backward pass there are no gradients to speak of.
    const hasGradients = (this.lastFrame?.steps ?? 0) > 0 || this.step?.phase === 'backward';
    const last = hasGradients ? this.lastFrame?.gradNorms ?? [] : [];
    byId('gradLegend', HTMLDivElement).replaceChildren(...names.map((n, i) => h('span', { class: 'key' },
      h('i', { style: `background:${GRAD_COLOURS[i % GRAD_COLOURS.length]!}` }), `${n} ${fmt(last.find((g) => g.layer === n)?.norm ?? NaN, 4)}`)));
  }

  /** The clicked neuron's card (hidden when none is selected). */
  drawInspector(): void {
    const box = byId('inspector', HTMLDivElement);
    const sel = this.selected;
    const p = this.problem;
    if (sel === null || p === null) { box.hidden = true; return; }
    renderInspector(box, {
      problem: p, state: this.state, layer: sel.layer, unit: sel.unit, step: this.step, frame: this.lastFrame,
      setActivation: (a) => {
        const { layer, unit } = sel;
        this.change((s) => {
          const x = s.layers[layer]!;
          if (a === null) delete x.perNeuron[unit]; else x.perNeuron[unit] = a;
        });
        this.selected = { layer, unit };
      },
      close: () => { this.selected = null; box.hidden = true; },
    });
  }
}

const start = (): void => { void new Playground(); };
if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start); else start();
