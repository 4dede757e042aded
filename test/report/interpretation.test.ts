import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Model } from '../../src/graph/model.js';
import { mlp } from '../../src/graph/builders.js';
import { fit } from '../../src/train/fit.js';
import { Rng } from '../../src/rng.js';
import { interpretModel, outputNames } from '../../src/report/interpretation.js';
import { buildInterpretationReport, buildReport } from '../../src/report/report.js';

/** Regression y = 2·x1 + noise: x1 is informative, x2 and x3 are noise. Inputs standardized by (mean, scale). */
async function planted(): Promise<{ model: Model; x: { rows: number; cols: number; data: Float64Array }; y: { rows: number; cols: number; data: Float64Array }; mean: number[]; scale: number[] }> {
  const rng = new Rng(3);
  const n = 200;
  const x = new Float64Array(n * 3);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < 3; j++) x[i * 3 + j] = rng.normal();
    y[i] = 2 * x[i * 3]! + 0.05 * rng.normal();
  }
  const model = new Model(mlp({ inputSize: 3, outputSize: 1, task: 'regression', hidden: [8], activation: 'tanh' }), { seed: 1 });
  await fit(model, { x: { rows: n, cols: 3, data: x }, y: { rows: n, cols: 1, data: y } }, { epochs: 40, batchSize: 32, optimizer: { kind: 'adam', learningRate: 0.02 }, seed: 1 });
  // The raw features: x1 in units of 10 around 100, so the grid must come back on that scale.
  return { model, x: { rows: n, cols: 3, data: x }, y: { rows: n, cols: 1, data: y }, mean: [100, 0, 0], scale: [10, 1, 1] };
}

test('interpretModel ranks the planted feature first and draws its partial dependence on the raw feature and target scales', async () => {
  const d = await planted();
  const it = interpretModel(d.model, d.x, d.y, {
    // The model learned y standardized as (y − 50)/10: the curve and saliency come back in y's units.
    setName: 'planted', featureNames: ['a', 'b', 'c'], target: { name: 'y', task: 'regression', mean: 50, scale: 10 },
    features: [{ kind: 'standard', withMean: true, withStd: true, mean: d.mean, scale: d.scale }], repeats: 3, saliencyUnits: 'standardized',
  });
  assert.equal(it.importance.ranking[0], 0);
  assert.ok(it.importance.features[0]!.mean > 0.5, `drop of R² ${it.importance.features[0]!.mean}`);
  assert.ok(it.saliency![0]! > 5 * Math.max(it.saliency![1]!, it.saliency![2]!), `saliency ${it.saliency!.join(', ')}`);
  const pd = it.report.partialDependence!;
  assert.equal(pd.feature, 'a');
  // Standardized grid ≈ ±1.6 (5th–95th percentile) → raw 100 ± 16.
  assert.ok(pd.grid[0]! > 75 && pd.grid[0]! < 90 && pd.grid.at(-1)! > 110 && pd.grid.at(-1)! < 125, `grid ${pd.grid[0]} … ${pd.grid.at(-1)}`);
  const curve = pd.curves[0]!;
  assert.equal(curve.output, 'y');
  assert.ok(curve.values.at(-1)! - curve.values[0]! > 20, `y rises with a: ${curve.values[0]} → ${curve.values.at(-1)}`);
  assert.ok(Math.abs((curve.values[0]! + curve.values.at(-1)!) / 2 - 50) < 10, 'centred on the target\'s mean');
  assert.ok(it.report.saliency![0]!.meanAbs > 10, 'saliency in the target\'s units (about 2 · 10)');
  assert.match(it.report.saliencyInputs!, /^standardized inputs/);
});

test('saliency is per raw unit of each column by default: ∂ŷ/∂z divided by the column\'s scale, and labelled so', async () => {
  const d = await planted();
  const o = {
    setName: 'planted', featureNames: ['a', 'b', 'c'], target: { name: 'y', task: 'regression' as const, mean: 50, scale: 10 },
    features: [{ kind: 'standard' as const, withMean: true, withStd: true, mean: d.mean, scale: d.scale }], repeats: 1,
  };
  const raw = interpretModel(d.model, d.x, d.y, o);
  const std = interpretModel(d.model, d.x, d.y, { ...o, saliencyUnits: 'standardized' });
  raw.saliency!.forEach((v, j) => assert.ok(Math.abs(v - std.saliency![j]! / d.scale[j]!) < 1e-9, `column ${j}: ${v} vs ${std.saliency![j]! / d.scale[j]!}`));
  // y = 2·x1 in raw units (a in units of 10, so ∂y/∂a ≈ 20/10).
  assert.ok(Math.abs(raw.saliency![0]! - 2) < 0.5, `∂y/∂a ${raw.saliency![0]}`);
  assert.equal(raw.saliencyUnits, 'raw inputs: per unit of each column');
  assert.equal(raw.report.saliencyInputs, raw.saliencyUnits, 'the chart is labelled in the units of the numbers');
  assert.deepEqual(raw.report.saliency!.map((f) => f.meanAbs), raw.saliency);
});

test('the partial-dependence feature can be chosen, and outputs are named by class', async () => {
  const d = await planted();
  const it = interpretModel(d.model, d.x, d.y, { setName: 's', featureNames: ['a', 'b', 'c'], target: { name: 'y', task: 'regression' }, feature: 2, repeats: 1 });
  assert.equal(it.report.partialDependence!.feature, 'c');
  assert.deepEqual(outputNames({ name: 'k', task: 'multiclass', classes: ['u', 'v', 'w'] }), ['P(u)', 'P(v)', 'P(w)']);
  assert.deepEqual(outputNames({ name: 'k', task: 'binary', classes: ['no', 'yes'] }), ['P(yes)']);
});

test('the training report and the explain report both draw importance, saliency and partial dependence', async () => {
  const d = await planted();
  const it = interpretModel(d.model, d.x, d.y, { setName: 'planted rows', featureNames: ['a', 'b', 'c'], target: { name: 'y', task: 'regression' }, repeats: 2 });
  const history = { epochs: [{ epoch: 1, trainLoss: 1, metrics: {}, gradNorms: {} }, { epoch: 2, trainLoss: 0.5, metrics: {}, gradNorms: {} }] };
  const full = await buildReport({ title: 't', model: d.model, history, task: 'regression', interpretation: it.report });
  const alone = await buildInterpretationReport({ title: 'e', model: d.model, interpretation: it.report, facts: [['data', 'planted']] });
  for (const html of [full, alone]) {
    for (const kind of ['importance', 'saliency', 'partial-dependence']) {
      const m = new RegExp(`<figure class="plot" data-plot="${kind}"><svg[\\s\\S]*?</svg></figure>`).exec(html);
      assert.ok(m !== null && m[0].includes('<path'), `plot ${kind}`);
    }
    assert.match(html, /What the model relies on \(planted rows\)/);
    assert.match(html, /Partial dependence on a/);
    assert.ok(!/<script/i.test(html));
  }
  assert.ok(full.includes('data-plot="learning-curve"'));
  assert.ok(!alone.includes('data-plot="learning-curve"'), 'the explain report has no training to show');
});
