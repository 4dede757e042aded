// The engine on three classic problems: XOR, two spirals and a sine regression.
// Run: npm run example
import { Model } from '../src/graph/model.js';
import { mlp } from '../src/graph/builders.js';
import { fit } from '../src/train/fit.js';
import { twoSpirals, sin } from '../src/data/generators.js';

function accuracy(model: Model, x: number[][], y: number[]): number {
  const p = model.predict(x).data;
  return y.filter((t, i) => (p[i]! > 0.5 ? 1 : 0) === t).length / y.length;
}

async function main(): Promise<void> {
  // XOR with the lecture's 2-2-1 sigmoid network and plain gradient descent on the full batch.
  const xorX = [[0, 0], [0, 1], [1, 0], [1, 1]];
  const xorY = [0, 1, 1, 0];
  const xorNet = new Model(mlp({ inputSize: 2, outputSize: 1, task: 'binary', hidden: [2], activation: 'sigmoid', init: 'xavierUniform' }), { seed: 0 });
  console.log(`XOR — ${xorNet.parameterCount} parameters, gradient descent (batch = N)`);
  const h1 = await fit(xorNet, { x: xorX, y: xorY }, {
    epochs: 3000, batchSize: 4, optimizer: { kind: 'sgd', learningRate: 2 },
    onEpochEnd: (r) => { if (r.epoch % 500 === 0) console.log(`  epoch ${String(r.epoch).padStart(4)}  loss ${r.trainLoss.toFixed(5)}`); },
  });
  console.log(`  final loss ${h1.epochs.at(-1)!.trainLoss.toFixed(5)}, outputs ${Array.from(xorNet.predict(xorX).data, (v) => v.toFixed(3)).join(' ')}`);

  // Two spirals: 2-16-16-1 tanh network with Adam on mini-batches.
  const train = twoSpirals({ n: 400, seed: 1 });
  const test = twoSpirals({ n: 400, seed: 2 });
  const spiralNet = new Model(mlp({ inputSize: 2, outputSize: 1, task: 'binary', hidden: [16, 16], activation: 'tanh' }), { seed: 0 });
  console.log(`\nTwo spirals — ${spiralNet.parameterCount} parameters, Adam, batch 32`);
  await fit(spiralNet, { x: train.x, y: train.y }, {
    epochs: 300, batchSize: 32, optimizer: { kind: 'adam', learningRate: 0.01 }, seed: 0,
    onEpochEnd: (r) => { if (r.epoch % 50 === 0) console.log(`  epoch ${String(r.epoch).padStart(4)}  loss ${r.trainLoss.toFixed(5)}`); },
  });
  console.log(`  train accuracy ${(100 * accuracy(spiralNet, train.x, train.y)).toFixed(1)}%, test accuracy ${(100 * accuracy(spiralNet, test.x, test.y)).toFixed(1)}%`);

  // sin on [−π, π]: 1-32-1 tanh network, mean squared error.
  const s = sin({ n: 200, noise: 0, seed: 0 });
  const sinNet = new Model(mlp({ inputSize: 1, outputSize: 1, task: 'regression', hidden: [32], activation: 'tanh' }), { seed: 0 });
  console.log(`\nsin(x) — ${sinNet.parameterCount} parameters, Adam with a cosine learning-rate schedule, batch 32`);
  const h3 = await fit(sinNet, { x: s.x, y: s.y }, {
    epochs: 1000, batchSize: 32, optimizer: { kind: 'adam', learningRate: 0.01 }, schedule: { kind: 'cosine', epochs: 1000 }, seed: 0,
    onEpochEnd: (r) => { if (r.epoch % 250 === 0) console.log(`  epoch ${String(r.epoch).padStart(4)}  MSE ${r.trainLoss.toExponential(3)}`); },
  });
  console.log(`  final MSE ${h3.epochs.at(-1)!.trainLoss.toExponential(3)}`);
}

main().catch((e: unknown) => { console.error(e instanceof Error ? e.message : e); process.exitCode = 1; });
