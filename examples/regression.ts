// Regression: the diabetes table (442 patients, 10 features, disease progression after a year), an
// MLPRegressor (Adam; training stops when the loss no longer improves), and R² and mean absolute error on a held-out quarter.
// Run: npx tsx examples/regression.ts
import { MLPRegressor, Rng, mae, r2, takeRows, trainTestSplit } from 'mlpkit';
import { loadDataset } from 'mlpkit/datasets';

const data = await loadDataset('diabetes');
const y = data.y.map(Number);
const split = trainTestSplit(data.x.length, new Rng(0), { testSize: 0.25 });
const reg = new MLPRegressor({ hiddenLayerSizes: [16], learningRateInit: 0.05, maxIter: 1000, randomState: 0 });
await reg.fit(takeRows(data.x, split.train), takeRows(y, split.train));

const yTest = takeRows(y, split.test);
const predicted = reg.predict(takeRows(data.x, split.test));
if (!predicted.every((v) => typeof v === 'number')) throw new Error('one target column gives one prediction per row');
console.log(`diabetes: ${data.x.length} rows, features ${data.featureNames.join(', ')}`);
console.log(`trained for ${reg.history?.epochs.length ?? 0} epochs (${reg.history?.stopReason ?? 'done'})`);
console.log(`test R² ${r2(yTest, predicted).toFixed(3)}, mean absolute error ${mae(yTest, predicted).toFixed(1)} on ${yTest.length} rows`);
