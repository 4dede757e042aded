// brain.js NeuralNetwork harness of mlpkit's benchmark for W1 (on a subset), W2, W3.
//
//   node bench/peers/brain.mjs [--workloads W1,W3,W2] [--w1-samples 12000] [--seed 0]
//   node bench/peers/brain.mjs --workloads W1acc --epochs 1     (test accuracy after full epochs; ~3 min an epoch)
//
// brain.js's NeuralNetwork is the closest it has to the workloads, but it differs (BENCHMARKS.md lists it):
//  - online learning: one weight update per sample (no batches); train() does not shuffle, so each epoch
//    here is one train({iterations: 1}) call on a freshly shuffled array;
//  - one activation for every layer, the output layer included (W1: ReLU outputs, no softmax; W2: tanh
//    output, no sigmoid), and the loss gradient is (target - output) * f'(output), i.e. squared error;
//  - W1 uses praxis 'adam' (per-sample Adam, lr 1e-3); W2 uses SGD lr 0.1, momentum 0.9, no bias momentum;
//  - weights init U(-0.2, 0.2) from Math.random (seeded here by replacing Math.random with mulberry32);
//  - inputs are plain Arrays (brain.js converts them to Float32Array inside train()).
// W1 is timed on --w1-samples samples: a full epoch takes minutes. W3 batch-1024 is 1024 run() calls.
import { args, peerRequire, loadFmnist, loadTabular, mulberry32, permutation, emit, now, latencyUs, throughput,
  cpuWindow } from './common.mjs';

const a = args({ workloads: 'W1,W3,W2', seed: 0, epochs: 1, 'w1-samples': 12000, 'w1-praxis': 'adam', 'w2-lr': 0.1, run: 0, threads: 1 });
Math.random = mulberry32(a.seed + 1);
console.log = (...x) => console.error(...x);
const workloads = String(a.workloads).split(',');
const brain = peerRequire('brain.js');
const BASE = { framework: 'brain.js', version: peerRequire('brain.js/package.json').version, threads: 1, run: a.run, seed: a.seed };
// Non-default options make a separate variant (one-off checks).
const variant = [a['w1-praxis'] !== 'adam' && `W1 praxis ${a['w1-praxis']}`, a['w2-lr'] !== 0.1 && `W2 lr ${a['w2-lr']}`].filter(Boolean).join(', ');
if (variant) BASE.variant = variant;
const shuffleRng = mulberry32(a.seed + 2);
const TRAIN = { iterations: 1, errorThresh: 1e-9, log: false };

let fm, model;
const fmSample = (x, i) => Array.from(x.subarray(i * 784, (i + 1) * 784));

function w1Net() {
  const opts = { hiddenLayers: [256, 128], activation: 'relu', learningRate: 1e-3 };
  if (a['w1-praxis'] === 'adam') Object.assign(opts, { praxis: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
  else Object.assign(opts, { momentum: 0.9 }); // --w1-praxis sgd: SGD with momentum at lr 1e-3
  return new brain.NeuralNetwork(opts);
}

if (workloads.some((w) => ['W1', 'W1acc', 'W3'].includes(w))) fm = loadFmnist();
const oneHot = (c) => Array.from({ length: 10 }, (_, k) => (k === c ? 1 : 0));

if (workloads.includes('W1')) {
  const n = Math.min(60000, a['w1-samples']);
  const perm = permutation(60000, shuffleRng);
  const data = Array.from({ length: n }, (_, k) => {
    const i = perm[k];
    return { input: fmSample(fm.xTrain, i), output: oneHot(fm.yTrain[i]) };
  });
  model = w1Net();
  model.train([data[0]], TRAIN); // initialise + warm-up step (one sample)
  const cw = cpuWindow();
  const t = now();
  const st = model.train(data, TRAIN);
  const dt = (now() - t) / 1000;
  emit({ ...BASE, workload: 'W1', samples_per_s: n / dt, seconds: dt, timed_samples: n, full_epoch: n === 60000,
    praxis: a['w1-praxis'], train_error: st.error, ...cw() });
}

if (workloads.includes('W1acc')) {
  const data = Array.from({ length: 60000 }, (_, i) => ({ input: fmSample(fm.xTrain, i), output: oneHot(fm.yTrain[i]) }));
  const net = w1Net();
  net.train([data[0]], TRAIN); // initialise + warm-up step
  const epochSeconds = [];
  const cw = cpuWindow();
  for (let e = 0; e < a.epochs; e++) {
    const p = permutation(60000, shuffleRng);
    const shuffled = Array.from(p, (i) => data[i]);
    const t = now();
    net.train(shuffled, TRAIN);
    epochSeconds.push((now() - t) / 1000);
  }
  const cpu = cw();
  let ok = 0;
  for (let i = 0; i < 10000; i++) {
    const o = net.run(fmSample(fm.xTest, i));
    let best = 0;
    for (let c = 1; c < 10; c++) if (o[c] > o[best]) best = c;
    ok += best === fm.yTest[i] ? 1 : 0;
  }
  emit({ ...BASE, workload: 'W1acc', epochs: a.epochs, accuracy: ok / 10000, epoch_seconds: epochSeconds,
    samples_per_s: (60000 * a.epochs) / epochSeconds.reduce((x, y) => x + y, 0), praxis: a['w1-praxis'], ...cpu });
}

if (workloads.includes('W3')) {
  const m = model ?? w1Net();
  if (!model) m.train([{ input: fmSample(fm.xTrain, 0), output: Array(10).fill(0) }], TRAIN);
  const x1 = fmSample(fm.xTest, 0);
  const xb = Array.from({ length: 1024 }, (_, i) => fmSample(fm.xTest, i));
  const cw = cpuWindow();
  const lat = await latencyUs(() => m.run(x1));
  const thr = await throughput(() => { for (let i = 0; i < 1024; i++) m.run(xb[i]); }, 1024);
  emit({ ...BASE, workload: 'W3', trained: !!model, api: 'run() per sample', ...lat, ...thr, ...cw() });
}

if (workloads.includes('W2')) {
  const tab = loadTabular();
  const data = Array.from({ length: 10000 }, (_, i) => ({ input: Array.from(tab.x.subarray(i * 20, i * 20 + 20)), output: [tab.y[i]] }));
  const net = new brain.NeuralNetwork({ hiddenLayers: [32, 32], activation: 'tanh', learningRate: a['w2-lr'], momentum: 0.9 });
  net.train([data[0]], TRAIN); // initialise + warm-up step
  const epochs = Array.from({ length: 5 }, () => { const p = permutation(10000, shuffleRng); return Array.from(p, (i) => data[i]); });
  const cw = cpuWindow();
  const t = now();
  for (const e of epochs) net.train(e, TRAIN);
  const dt = (now() - t) / 1000;
  const cpu = cw();
  let ok = 0;
  for (let i = 0; i < 10000; i++) ok += (net.run(data[i].input)[0] > 0.5 ? 1 : 0) === tab.y[i] ? 1 : 0;
  emit({ ...BASE, workload: 'W2', samples_per_s: 50000 / dt, seconds: dt, timed_samples: 50000, accuracy: ok / 10000, ...cpu });
}
