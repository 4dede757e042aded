// Restarts and an ensemble on worker threads: eight networks from different seeds train in parallel
// (one worker per core), each scored on the same held-out validation set. Keep the best run, or average
// all of them, which smooths out the unlucky seeds.
// Run: npx tsx examples/ensemble-workers.ts
import { accuracy, mlp, trainRestarts, twoSpirals } from 'mlpkit';
import { parallelRunner } from 'mlpkit/node';

const train = twoSpirals({ n: 400, seed: 1 });
const test = twoSpirals({ n: 400, seed: 2 });
const spec = mlp({ inputSize: 2, outputSize: 1, task: 'binary', hidden: [16, 16], activation: 'tanh' });

const outcome = await trainRestarts(spec, { x: train.x, y: train.y },
  { epochs: 150, batchSize: 32, optimizer: { kind: 'adam', learningRate: 0.01 } },
  { runs: 8, seed: 0, validation: { fraction: 0.2 }, runner: parallelRunner() });

const labels = (p: Float32Array | Float64Array): number[] => Array.from(p, (v) => (v > 0.5 ? 1 : 0));
for (const r of outcome.runs) console.log(`run ${r.index} (seed ${r.seed}): validation loss ${r.valLoss.toFixed(4)}`);
console.log(`best run ${outcome.best}: test accuracy ${accuracy(test.y, labels(outcome.model.predict(test.x).data)).toFixed(3)}`);
console.log(`ensemble of ${outcome.ensemble.members.length}: test accuracy ${accuracy(test.y, labels(outcome.ensemble.predict(test.x).data)).toFixed(3)}`);
