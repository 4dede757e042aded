// onnxruntime-node harness of mlpkit's benchmark, W3 only: the W1 network trained by mlpkit's own W1 run,
// exported with mlpkit's exportOnnx (`bench/mlpkit.ts --onnx bench/out/w1.onnx`, softmax included).
//
//   node bench/peers/ort.mjs --model bench/out/w1.onnx --threads 1|2
//
// Session: CPU execution provider, intraOpNumThreads = --threads, interOpNumThreads 1, sequential, all graph
// optimisations. Each call is `await session.run(...)` and reads the output's data. The record carries the
// largest difference from mlpkit's own outputs on 16 test samples (the .ref.json written beside the model).
import { readFileSync, existsSync } from 'node:fs';
import { args, peerRequire, loadFmnist, emit, latencyUs, throughput, cpuWindow } from './common.mjs';

const a = args({ model: 'bench/out/w1.onnx', threads: 1, run: 0 });
const ort = peerRequire('onnxruntime-node');
if (!existsSync(a.model)) { console.error(`no ${a.model}: run  npx tsx bench/mlpkit.ts --workloads W1 --onnx ${a.model}  first`); process.exit(2); }

const session = await ort.InferenceSession.create(a.model, {
  executionProviders: ['cpu'], intraOpNumThreads: a.threads, interOpNumThreads: 1,
  executionMode: 'sequential', graphOptimizationLevel: 'all',
});
const [inName] = session.inputNames, [outName] = session.outputNames;
const fm = loadFmnist();
const x1 = new ort.Tensor('float32', fm.xTest.slice(0, 784), [1, 784]);
const xb = new ort.Tensor('float32', fm.xTest.slice(0, 1024 * 784), [1024, 784]);
const call = async (t) => (await session.run({ [inName]: t }))[outName].data;

let maxAbsDiff = null;
if (existsSync(a.model + '.ref.json')) {
  const ref = JSON.parse(readFileSync(a.model + '.ref.json', 'utf8'));
  const got = await call(new ort.Tensor('float32', fm.xTest.slice(0, 16 * 784), [16, 784]));
  maxAbsDiff = 0;
  for (let i = 0; i < ref.length; i++) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(ref[i] - got[i]));
}

const cw = cpuWindow();
const lat = await latencyUs(() => call(x1));
const thr = await throughput(() => call(xb), 1024);
emit({ framework: 'onnxruntime-node', version: peerRequire('onnxruntime-node/package.json').version, threads: a.threads,
  run: a.run, workload: 'W3', trained: true, model: 'mlpkit W1 network, exportOnnx (softmax included)',
  max_abs_diff_vs_mlpkit: maxAbsDiff, ...lat, ...thr, ...cw() });
process.exit(0);
