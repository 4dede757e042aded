// TensorFlow.js harness of mlpkit's benchmark (tfjs-core + tfjs-layers 4.22, backend cpu or wasm) for W1, W1acc, W2, W3.
//
//   node bench/peers/tfjs.mjs --backend wasm|cpu [--workloads W1,W3,W2] [--w1-samples 60000] [--seed 0]
//
// Training uses the Layers API as users do: model.compile + model.fit(shuffle: true). fit shuffles with
// Math.random, and layer initialisers draw their seeds from Math.random, so Math.random is replaced by a
// seeded mulberry32 before anything runs: runs are repeatable. The wasm backend loads its SIMD binary
// (tfjs-backend-wasm-simd.wasm) in Node; its multithreaded binary is refused in Node (BENCHMARKS.md).
// --w1-samples N times W1 on the first N training samples (one shuffled pass) when a full epoch is too slow.
import { args, peerRequire, loadFmnist, loadTabular, mulberry32, emit, now, latencyUs, throughput,
  argmaxAccuracy, cpuWindow } from './common.mjs';

const a = args({ backend: 'wasm', workloads: 'W1,W3,W2', seed: 0, epochs: 5, 'w1-samples': 60000, run: 0, threads: 1 });
Math.random = mulberry32(a.seed + 1);
console.log = (...x) => console.error(...x); // keep stdout for JSON records (tfjs prints a hint about tfjs-node)
const workloads = String(a.workloads).split(',');

const tf = peerRequire('@tensorflow/tfjs-core');
const tfl = peerRequire('@tensorflow/tfjs-layers');
peerRequire('@tensorflow/tfjs-backend-cpu');
let wasmInfo = {};
if (a.backend === 'wasm') {
  const wasm = peerRequire('@tensorflow/tfjs-backend-wasm');
  await tf.setBackend('wasm');
  await tf.ready();
  wasmInfo = {
    wasm_simd: await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'),
    wasm_multithread: await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'),
    wasm_threads: wasm.getThreadsCount(),
  };
} else {
  await tf.setBackend(a.backend);
  await tf.ready();
}
if (tf.getBackend() !== a.backend) throw new Error(`backend ${a.backend} did not start (got ${tf.getBackend()})`);

const BASE = { framework: `tfjs-${a.backend}`, version: tf.version_core, layers_version: tfl.version_layers,
  threads: 1, run: a.run, seed: a.seed, backend: tf.getBackend(), ...wasmInfo };

function w1Model() {
  // tfjs-layers defaults: glorot-uniform kernels, zero biases.
  const m = tfl.sequential({ layers: [
    tfl.layers.dense({ inputShape: [784], units: 256, activation: 'relu' }),
    tfl.layers.dense({ units: 128, activation: 'relu' }),
    tfl.layers.dense({ units: 10, activation: 'softmax' }),
  ] });
  m.compile({ optimizer: tf.train.adam(1e-3, 0.9, 0.999, 1e-8), loss: 'categoricalCrossentropy' });
  return m;
}

let fm, X, Y, model;
if (workloads.some((w) => ['W1', 'W1acc', 'W3'].includes(w))) {
  fm = loadFmnist();
  X = tf.tensor2d(fm.xTrain, [60000, 784]);
  Y = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(Int32Array.from(fm.yTrain), 'int32'), 10), 'float32'));
}
// tfjs-core alone has no chained ops (t.slice): use the functional forms.
const rows = (t, n) => tf.slice(t, 0, n);
const fit1 = (m, x, y) => m.fit(x, y, { batchSize: 128, epochs: 1, shuffle: false, verbose: 0 }); // warm-up step

if (workloads.includes('W1')) {
  model = w1Model();
  const n = Math.min(60000, a['w1-samples']);
  const xs = rows(X, n), ys = rows(Y, n);
  await fit1(model, rows(X, 128), rows(Y, 128));
  const cw = cpuWindow();
  const t = now();
  const h = await model.fit(xs, ys, { batchSize: 128, epochs: 1, shuffle: true, verbose: 0 });
  const dt = (now() - t) / 1000;
  emit({ ...BASE, workload: 'W1', samples_per_s: n / dt, seconds: dt, timed_samples: n,
    full_epoch: n === 60000, final_loss: h.history.loss[0], ...cw() });
  xs.dispose(); ys.dispose();
}

if (workloads.includes('W1acc')) {
  const m = w1Model();
  await fit1(m, rows(X, 128), rows(Y, 128));
  const cw = cpuWindow();
  const t = now();
  await m.fit(X, Y, { batchSize: 128, epochs: a.epochs, shuffle: true, verbose: 0 });
  const dt = (now() - t) / 1000;
  const cpu = cw();
  const probs = tf.tidy(() => m.predict(tf.tensor2d(fm.xTest, [10000, 784])).dataSync());
  emit({ ...BASE, workload: 'W1acc', epochs: a.epochs, accuracy: argmaxAccuracy(probs, fm.yTest, 10000, 10),
    samples_per_s: (60000 * a.epochs) / dt, seconds: dt, ...cpu });
}

if (workloads.includes('W3')) {
  const m = model ?? w1Model();
  const x1 = tf.tensor2d(fm.xTest.subarray(0, 784), [1, 784]);
  const xb = tf.tensor2d(fm.xTest.subarray(0, 1024 * 784), [1024, 784]);
  const cw = cpuWindow();
  const lat = await latencyUs(() => tf.tidy(() => m.predict(x1).dataSync()));
  const thr = await throughput(() => tf.tidy(() => m.predict(xb).dataSync()), 1024);
  emit({ ...BASE, workload: 'W3', trained: !!model, ...lat, ...thr, ...cw() });
}

if (workloads.includes('W2')) {
  const tab = loadTabular();
  const x = tf.tensor2d(tab.x, [10000, 20]);
  const y = tf.tensor2d(Float32Array.from(tab.y), [10000, 1]);
  const m = tfl.sequential({ layers: [
    tfl.layers.dense({ inputShape: [20], units: 32, activation: 'tanh' }),
    tfl.layers.dense({ units: 32, activation: 'tanh' }),
    tfl.layers.dense({ units: 1, activation: 'sigmoid' }),
  ] });
  // tf.train.momentum: accum = 0.9 accum + g; p -= 0.1 accum (PyTorch's form), no Nesterov
  m.compile({ optimizer: tf.train.momentum(0.1, 0.9, false), loss: 'binaryCrossentropy' });
  await m.fit(rows(x, 32), rows(y, 32), { batchSize: 32, epochs: 1, shuffle: false, verbose: 0 }); // warm-up
  const cw = cpuWindow();
  const t = now();
  await m.fit(x, y, { batchSize: 32, epochs: 5, shuffle: true, verbose: 0 });
  const dt = (now() - t) / 1000;
  const cpu = cw();
  const p = tf.tidy(() => m.predict(x).dataSync());
  let ok = 0;
  for (let i = 0; i < 10000; i++) ok += (p[i] > 0.5 ? 1 : 0) === tab.y[i] ? 1 : 0;
  emit({ ...BASE, workload: 'W2', samples_per_s: 50000 / dt, seconds: dt, timed_samples: 50000, accuracy: ok / 10000, ...cpu });
}
