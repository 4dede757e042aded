/**
 * The training worker: builds the problem and the model from the page's state and trains it with the
 * library's own training step (`trainStep`: forward, loss, zeroGrad, backward, the optimizer's update,
 * the constraints; in step mode its three phases one at a time) — so the page stays responsive. It reports frames: losses, the heatmaps of the
 * output and of every neuron, the weights, the per-layer gradient norms and, in step mode, I_j, O_j, δ_j.
 */

import {
  Dense, Model, Rng, exportOnnx, createOptimizer, trainStep, forwardLoss as stepForwardLoss, backwardPass, updateStep,
  loadWasmBackend, tsBackend, type Backend, type Batch, type Optimizer, type StepRuleSpec,
} from '../src/index.js';
import { inputNames, inputsOf, inputWidth, makeProblem, targetsOf, writeInputs, type Problem } from './data.js';
import { playgroundModelFile } from './export.js';
import { buildNetwork, optimizerRule, type NetworkLayout } from './network.js';
import { GRID, NEURON_GRID, type Frame, type FromWorker, type StepInfo, type StepLayer, type StepPhase, type ToWorker } from './protocol.js';
import { FEATURE_LABELS, type PlaygroundState } from './state.js';

interface Session {
  readonly state: PlaygroundState;
  readonly problem: Problem;
  readonly layout: NetworkLayout;
  readonly model: Model;
  rule: StepRuleSpec;
  optimizer: Optimizer;
  readonly trainX: Float32Array;
  readonly trainY: Float32Array;
  readonly testX: Float32Array;
  readonly testY: Float32Array;
  readonly gridX: Float32Array;
  readonly neuronX: Float32Array;
  readonly rng: Rng;
  order: Int32Array;
  cursor: number;
  steps: number;
  /** The training rows of the current batch (indices into trainX/trainY). */
  batchRows: Int32Array;
  history: number[];
  nextPhase: StepPhase;
  pendingStep: StepInfo | null;
}

// The worker's one mutable record: its whole state lives here, owned by the message handler.
const worker = {
  backend: null as Backend | null,
  session: null as Session | null,
  csv: null as string | null,
  playing: false,
  timer: 0 as ReturnType<typeof setTimeout> | 0,
  lastFrame: 0,
};

function post(msg: FromWorker, transfer: Transferable[] = []): void {
  // A worker's postMessage takes { transfer } like a window's, so the DOM typing fits both.
  self.postMessage(msg, { transfer });
}

async function backend(): Promise<Backend> {
  if (worker.backend === null) {
    try {
      // Plain SIMD, not relaxed: its results are the same on every runtime, so a model exported from the
      // page predicts bit for bit the same in Node (relaxed SIMD's fused multiply-add rounds differently).
      worker.backend = await loadWasmBackend({ relaxed: false });
    } catch {
      worker.backend = tsBackend;
    }
  }
  return worker.backend;
}

function build(state: PlaygroundState, be: Backend): Session {
  const problem = makeProblem(state, worker.csv);
  const width = inputWidth(problem, state.features);
  if (width === 0) throw new Error('select at least one input feature');
  const layout = buildNetwork(state, width, problem.task, problem.classes.length);
  const model = new Model(layout.spec, { seed: state.seed, backend: be, maxBatch: GRID * GRID });
  const rule = optimizerRule(state);
  const gridX = new Float32Array(GRID * GRID * width);
  const neuronX = new Float32Array(NEURON_GRID * NEURON_GRID * width);
  for (const [out, g] of [[gridX, GRID], [neuronX, NEURON_GRID]] as const) {
    for (let r = 0; r < g; r++) {
      for (let c = 0; c < g; c++) {
        // Cell centres over [−1, 1]²; row 0 is the top of the picture (x₂ = +1).
        const x1 = -1 + (2 * c + 1) / g;
        const x2 = 1 - (2 * r + 1) / g;
        writeInputs(problem, state.features, x1, x2, problem.means, out, (r * g + c) * width);
      }
    }
  }
  const b = Math.max(1, Math.min(state.batchSize, problem.train.length));
  return {
    state, problem, layout, model, rule, optimizer: createOptimizer(rule, undefined, model),
    trainX: inputsOf(problem, state.features, problem.train), trainY: targetsOf(problem, problem.train),
    testX: inputsOf(problem, state.features, problem.test), testY: targetsOf(problem, problem.test),
    gridX, neuronX, rng: new Rng(state.seed + 1),
    order: new Rng(state.seed + 2).permutation(problem.train.length), cursor: 0, steps: 0,
    batchRows: new Int32Array(b), history: [], nextPhase: 'forward', pendingStep: null,
  };
}

function describe(s: Session): void {
  const p = s.problem;
  const points = new Float32Array(p.n * 2);
  for (let i = 0; i < p.n; i++) { points[2 * i] = p.X[i * p.cols + p.viewX]!; points[2 * i + 1] = p.X[i * p.cols + p.viewY]!; }
  post({
    type: 'problem', task: p.task, classes: p.classes, columns: p.names, targetName: p.targetName, dropped: p.dropped,
    header: p.header, targetIndex: p.targetIndex, inputNames: inputNames(p, s.state.features, FEATURE_LABELS), points, labels: Float32Array.from(p.y),
    train: p.train.slice(), test: p.test.slice(), viewX: p.viewX, viewY: p.viewY, layers: s.layout.layers,
    parameterCount: s.model.parameterCount, summary: s.model.summary(), backend: s.model.backend.name,
  }, [points.buffer]);
}

/** The next batch: the next rows of the shuffled training order (a new order each epoch, continuing across). */
function nextBatch(s: Session): Batch {
  const n = s.order.length;
  const m = s.batchRows.length;
  for (let r = 0; r < m; r++) {
    if (s.cursor >= n) { s.rng.shuffle(s.order); s.cursor = 0; }
    s.batchRows[r] = s.order[s.cursor++]!;
  }
  return { x: s.trainX, y: s.trainY, order: s.batchRows, start: 0, rows: m };
}

/** forward and loss on the next batch (training mode: dropout on, batch norm on batch statistics). */
function forwardLoss(s: Session): number {
  return stepForwardLoss(s.model, nextBatch(s), s.rng);
}

/** The optimizer's update of every parameter from the flat gradient, then the constraints. */
function update(s: Session): void {
  s.steps++;
  updateStep(s.model, s.optimizer);
}

/** One whole training step; a value that is no longer finite stops the run. */
function step(s: Session): number {
  const r = trainStep(s.model, s.optimizer, nextBatch(s), { rng: s.rng });
  s.steps++;
  if (!r.ok) {
    const what = r.problem === 'weights' ? 'the update made a weight non-finite' : r.problem === 'loss' ? `the loss is ${r.loss}` : 'a gradient is not finite';
    throw new Error(`training diverged at step ${s.steps}: ${what}${r.layer === null ? '' : ` (layer '${r.layer}')`}; lower the learning rate and reset`);
  }
  return r.loss;
}

/** Data loss (no penalty) on a whole set, in evaluation mode. */
function evalLoss(s: Session, X: Float32Array, Y: Float32Array): number {
  const model = s.model;
  const rows = X.length / model.inputSize;
  if (rows === 0) return NaN;
  model.forward({ rows, cols: model.inputSize, data: X });
  model.loss({ rows, cols: model.outputSize, data: Y });
  return model.dataLoss();
}

function epochOf(s: Session): number { return (s.steps * s.batchRows.length) / s.problem.train.length; }

function frame(s: Session, full: boolean, step: StepInfo | null): void {
  const model = s.model;
  const transfer: Transferable[] = [];
  let grid: Float32Array | null = null;
  let neurons: Float32Array[] | null = null;
  let weights: { W: Float32Array; b: Float32Array | null }[] | null = null;
  let trainLoss = NaN;
  let testLoss = NaN;
  const gradNorms = model.gradientNorms();
  if (full) {
    trainLoss = evalLoss(s, s.trainX, s.trainY);
    testLoss = evalLoss(s, s.testX, s.testY);
    s.history.push(epochOf(s), trainLoss, testLoss);
    const w = model.inputSize;
    grid = Float32Array.from(model.forward({ rows: GRID * GRID, cols: w, data: s.gridX }).data);
    const cells = NEURON_GRID * NEURON_GRID;
    model.forward({ rows: cells, cols: w, data: s.neuronX });
    neurons = s.layout.layers.map((l) => {
      const O = model.node(l.out).O.a;
      const out = new Float32Array(cells * l.units);
      for (let u = 0; u < l.units; u++) for (let c = 0; c < cells; c++) out[u * cells + c] = O[c * l.units + u]!;
      return out;
    });
    weights = s.layout.layers.map((l) => {
      const d = model.node(l.dense);
      if (!(d instanceof Dense)) throw new Error(`layer '${l.dense}' is not dense`);
      return { W: Float32Array.from(d.W.value.a), b: d.b === null ? null : Float32Array.from(d.b.value.a) };
    });
    transfer.push(grid.buffer, ...neurons.map((a) => a.buffer), ...weights.flatMap((x) => (x.b === null ? [x.W.buffer] : [x.W.buffer, x.b.buffer])));
  }
  const history = Float64Array.from(s.history);
  s.history = [];
  transfer.push(history.buffer);
  const f: Frame = {
    type: 'frame', playing: worker.playing, steps: s.steps, epoch: epochOf(s), trainLoss, testLoss, grid, neurons, weights,
    gradNorms, history, step, nextPhase: s.nextPhase,
  };
  post(f, transfer);
  worker.lastFrame = performance.now();
}

/** I_j, O_j (and δ_j after the backward pass) of every neuron for the batch's first row. */
function captureStep(s: Session, phase: StepPhase, loss: number, withDelta: boolean): StepInfo {
  const model = s.model;
  const w = model.inputSize;
  const k = model.outputSize;
  const row = s.batchRows[0]!;
  const layers: StepLayer[] = s.layout.layers.map((l) => {
    const d = model.node(l.dense);
    if (!(d instanceof Dense)) throw new Error(`layer '${l.dense}' is not dense`);
    return {
      I: Array.from(d.I.a.subarray(0, l.units)),
      O: Array.from(model.node(l.out).O.a.subarray(0, l.units)),
      delta: withDelta ? Array.from(d.delta.a.subarray(0, l.units)) : null,
      dW: withDelta ? Array.from(d.W.grad.a) : null,
      db: withDelta && d.b !== null ? Array.from(d.b.grad.a) : null,
    };
  });
  return {
    phase, batchSize: s.batchRows.length, input: Array.from(s.trainX.subarray(row * w, (row + 1) * w)), target: Array.from(s.trainY.subarray(row * k, (row + 1) * k)), layers, loss,
  };
}

function runStepPhase(s: Session): void {
  switch (s.nextPhase) {
    case 'forward': {
      const loss = forwardLoss(s);
      s.pendingStep = captureStep(s, 'forward', loss, false);
      s.nextPhase = 'backward';
      frame(s, false, s.pendingStep);
      return;
    }
    case 'backward': {
      backwardPass(s.model);
      const loss = s.pendingStep?.loss ?? NaN;
      s.pendingStep = captureStep(s, 'backward', loss, true);
      s.nextPhase = 'update';
      frame(s, false, s.pendingStep);
      return;
    }
    case 'update': {
      update(s);
      const shown = s.pendingStep === null ? null : { ...s.pendingStep, phase: 'update' as const };
      s.pendingStep = null;
      s.nextPhase = 'forward';
      frame(s, true, shown);
      return;
    }
  }
}

function fail(e: unknown): void {
  worker.playing = false;
  post({ type: 'error', message: e instanceof Error ? e.message : String(e) });
}

/** Train for a slice of time, then report; reschedule while playing (messages interleave between slices). */
function loop(): void {
  worker.timer = 0;
  const s = worker.session;
  if (!worker.playing || s === null) return;
  const started = performance.now();
  try {
    // At most one epoch per slice (about 30 epochs a second): fast enough to learn in seconds, slow
    // enough to watch the boundary move.
    const until = started + 30;
    const perEpoch = Math.ceil(s.problem.train.length / s.batchRows.length);
    let k = 0;
    do { step(s); k++; } while (k < perEpoch && performance.now() < until);
    if (performance.now() - worker.lastFrame > 60) frame(s, true, null);
  } catch (e) {
    fail(e);
    return;
  }
  worker.timer = setTimeout(loop, Math.max(0, 33 - (performance.now() - started)));
}

function play(): void {
  worker.playing = true;
  const s = worker.session;
  // A half-done manual step is abandoned: play runs whole steps.
  if (s !== null) { s.nextPhase = 'forward'; s.pendingStep = null; }
  if (worker.timer === 0) worker.timer = setTimeout(loop, 0);
}

async function handle(msg: ToWorker): Promise<void> {
  switch (msg.type) {
    case 'config': {
      worker.csv = msg.csv;
      const old = worker.session;
      if (!msg.rebuild && old !== null) {
        // Learning rate, optimizer or batch size: keep the weights, restart the optimizer's moments.
        const rule = optimizerRule(msg.state);
        const b = Math.max(1, Math.min(msg.state.batchSize, old.problem.train.length));
        const next: Session = { ...old, state: msg.state, rule, batchRows: new Int32Array(b) };
        const sameRule = rule.kind === old.rule.kind && JSON.stringify({ ...rule, learningRate: 0 }) === JSON.stringify({ ...old.rule, learningRate: 0 });
        if (sameRule) old.optimizer.setLearningRate(rule.learningRate);
        else {
          old.optimizer.release(); // its moments' slots go back to the model's arena, for the new rule's
          next.optimizer = createOptimizer(rule, undefined, old.model);
        }
        next.nextPhase = 'forward';
        next.pendingStep = null;
        worker.session = next;
        frame(next, true, null);
        return;
      }
      worker.session = null;
      const s = build(msg.state, await backend());
      worker.session = s;
      describe(s);
      frame(s, true, null);
      return;
    }
    case 'reset': {
      const s = worker.session;
      if (s === null) return;
      worker.playing = false;
      const fresh = build(s.state, await backend());
      worker.session = fresh;
      describe(fresh);
      frame(fresh, true, null);
      return;
    }
    case 'play': play(); return;
    case 'pause': {
      worker.playing = false;
      if (worker.session !== null) frame(worker.session, true, null);
      return;
    }
    case 'step': {
      worker.playing = false;
      if (worker.session !== null) runStepPhase(worker.session);
      return;
    }
    case 'export': {
      const s = worker.session;
      if (s === null) return;
      const file = playgroundModelFile(s.model, s.problem, s.state, msg.meta);
      if (msg.format === 'json') {
        post({ type: 'export', format: 'json', text: JSON.stringify(file, null, 1), rawColumns: file.preprocessing !== undefined });
      } else {
        const bytes = exportOnnx(file, { name: 'mlpkit-playground' });
        post({ type: 'export', format: 'onnx', bytes, rawColumns: file.preprocessing !== undefined }, [bytes.buffer]);
      }
      return;
    }
    case 'predict': {
      const s = worker.session;
      if (s === null) return;
      post({ type: 'predictions', id: msg.id, values: Array.from(s.model.predict(msg.x).data) });
      return;
    }
  }
}

// Messages run one at a time, in order, even though building the backend is asynchronous.
let queue: Promise<void> = Promise.resolve();
self.onmessage = (e: MessageEvent<ToWorker>): void => {
  queue = queue.then(() => handle(e.data)).catch(fail);
};
