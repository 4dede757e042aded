// Regression with prediction intervals: the diabetes table (442 patients, 10 features, disease progression
// after a year), an MLPRegressor (Adam; training stops when the loss no longer improves), R² and mean
// absolute error on a held-out quarter, and split-conformal 90% intervals calibrated on rows the network
// never trained on — whose coverage on the held-out quarter is printed beside their width.
// Run: npx tsx examples/regression.ts
import { MLPRegressor, Rng, calibrateSplit, intervalCoverage, mae, r2, splitIntervals, takeRows, trainTestSplit } from 'mlpkit';
import { loadDataset } from 'mlpkit/datasets';

const data = await loadDataset('diabetes');
const y = data.y.map(Number);
const split = trainTestSplit(data.x.length, new Rng(0), { testSize: 0.25 });
// A fifth of the training rows calibrates the intervals; the network trains on the rest.
const inner = trainTestSplit(split.train.length, new Rng(1), { testSize: 0.2 });
const fitRows = takeRows(split.train, inner.train);
const calRows = takeRows(split.train, inner.test);
const reg = new MLPRegressor({ hiddenLayerSizes: [16], learningRateInit: 0.05, maxIter: 1000, randomState: 0 });
await reg.fit(takeRows(data.x, fitRows), takeRows(y, fitRows));

const asVector = (p: number[] | number[][]): number[] => p.map((v) => {
  if (typeof v !== 'number') throw new Error('one target column gives one prediction per row');
  return v;
});
const yTest = takeRows(y, split.test);
const predicted = asVector(reg.predict(takeRows(data.x, split.test)));
console.log(`diabetes: ${data.x.length} rows, features ${data.featureNames.join(', ')}`);
console.log(`trained for ${reg.history?.epochs.length ?? 0} epochs (${reg.history?.stopReason ?? 'done'})`);
console.log(`test R² ${r2(yTest, predicted).toFixed(3)}, mean absolute error ${mae(yTest, predicted).toFixed(1)} on ${yTest.length} rows`);

const calibration = calibrateSplit(asVector(reg.predict(takeRows(data.x, calRows))), takeRows(y, calRows), { alpha: 0.1 });
const intervals = splitIntervals(calibration, predicted);
const { coverage, meanWidth } = intervalCoverage(intervals, yTest);
console.log(`90% intervals (calibrated on ${calRows.length} rows): coverage ${coverage.toFixed(3)} on the test rows, mean width ${meanWidth.toFixed(1)}`);
