import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Model } from '../../src/graph/model.js';
import { mlp } from '../../src/graph/builders.js';
import { fit } from '../../src/train/fit.js';
import { Rng } from '../../src/rng.js';
import { blobs } from '../helpers/train.js';
import { binValues, buildReport } from '../../src/report/report.js';


test('the report of a two-feature classifier holds every plot as inline SVG and no script', async () => {
  const d = blobs(120);
  const model = new Model(mlp({ inputSize: 2, outputSize: 2, task: 'multiclass', hidden: [6, 4], activation: 'tanh' }), { seed: 1 });
  const history = await fit(model, { x: d.x, y: d.y }, { epochs: 8, batchSize: 16, optimizer: { kind: 'adam', learningRate: 0.05 }, validation: { fraction: 0.25 }, seed: 2 });
  const pred = Array.from(model.predict(d.x).data);
  const predicted = d.labels.map((_, i) => (pred[2 * i + 1]! > pred[2 * i]! ? 1 : 0));
  const html = await buildReport({
    title: 'blobs', model, history, task: 'multiclass', classes: ['a', 'b'],
    x: { rows: d.x.length, cols: 2, data: d.x.flat() },
    evaluation: { setName: 'training set', actual: d.labels, predicted, metrics: { accuracy: 0.9 } },
    boundary: {
      names: ['u', 'v'], x1: d.x.map((r) => r[0]!), x2: d.x.map((r) => r[1]!), labels: d.labels,
      predictClass: (rows) => { const p = model.predict(rows.map((r) => [...r])).data; return rows.map((_, i) => (p[2 * i + 1]! > p[2 * i]! ? 1 : 0)); },
    },
  });
  for (const kind of ['learning-curve', 'gradient-norms', 'confusion-matrix', 'weight-histograms', 'activation-histograms', 'network', 'activations', 'decision-boundary']) {
    const m = new RegExp(`<figure class="plot" data-plot="${kind}"><svg[^>]*>[\\s\\S]*?</svg></figure>`).exec(html);
    assert.ok(m !== null, `missing plot ${kind}`);
    assert.ok(m[0].includes('<path') || m[0].includes('<line') || m[0].includes('<rect'), `plot ${kind} draws nothing`);
  }
  assert.ok(!/<script/i.test(html));
  assert.ok(!/https?:\/\/(?!www\.w3\.org|vega\.github\.io)/.test(html), 'the report must not load anything');
  // Each hidden layer's gradient norm is a series of the gradient plot.
  const grad = /data-plot="gradient-norms">([\s\S]*?)<\/figure>/.exec(html)![1]!;
  assert.match(grad, /hidden1/);
  assert.match(grad, /hidden2/);
  assert.match(html, /f′/);
});

test('a regression report draws residuals instead of a confusion matrix', async () => {
  const rng = new Rng(1);
  const x = Array.from({ length: 40 }, () => [rng.normal(), rng.normal(), rng.normal()]);
  const y = x.map((r) => [r[0]! - 2 * r[1]!]);
  const model = new Model(mlp({ inputSize: 3, outputSize: 1, task: 'regression', hidden: [5] }), { seed: 3 });
  const history = await fit(model, { x, y }, { epochs: 3, optimizer: { kind: 'adam', learningRate: 0.01 }, seed: 1 });
  const html = await buildReport({
    title: 'reg', model, history, task: 'regression',
    evaluation: { setName: 'training set', actual: y.flat(), predicted: Array.from(model.predict(x).data), metrics: { r2: 0.5 } },
  });
  assert.match(html, /data-plot="residuals"><svg/);
  assert.ok(!html.includes('data-plot="confusion-matrix"'));
  assert.ok(!html.includes('data-plot="decision-boundary"'));
});

test('values are binned into equal-width bins that count every value', () => {
  const bins = binValues('l', [0, 0.1, 0.5, 0.99, 1], 4);
  assert.deepEqual(bins.map((b) => b.count), [2, 0, 1, 2]);
  assert.equal(bins[0]!.lo, 0);
  assert.equal(bins[3]!.hi, 1);
  assert.deepEqual(binValues('c', [3, 3, 3], 2).map((b) => [b.lo, b.hi, b.count]), [[2.5, 3, 0], [3, 3.5, 3]]);
});

test('weight and activation histograms are bars standing on the axis, side by side across each bin', async () => {
  const d = blobs(80);
  const model = new Model(mlp({ inputSize: 2, outputSize: 2, task: 'multiclass', hidden: [8], activation: 'tanh' }), { seed: 4 });
  const history = await fit(model, { x: d.x, y: d.y }, { epochs: 3, batchSize: 16, optimizer: { kind: 'adam', learningRate: 0.05 }, seed: 2 });
  const html = await buildReport({ title: 'bars', model, history, task: 'multiclass', classes: ['a', 'b'], x: { rows: d.x.length, cols: 2, data: d.x.flat() } });
  for (const kind of ['weight-histograms', 'activation-histograms']) {
    const svg = new RegExp(`data-plot="${kind}">([\\s\\S]*?)</figure>`).exec(html)![1]!;
    // One rect-mark group per layer panel; each bar is a path "M x,y h w v h h −w Z".
    const panels = [...svg.matchAll(/<g class="mark-rect[^>]*>([\s\S]*?)<\/g>/g)].map((m) => [...m[1]!.matchAll(/d="M([\d.e-]+),([\d.e-]+)h([\d.e-]+)v([\d.e-]+)h/g)].map((b) => b.slice(1, 5).map(Number)));
    assert.equal(panels.length, 2, `${kind}: one panel per layer`);
    for (const bars of panels) {
      assert.equal(bars.length, 30, `${kind}: 30 bins`);
      const bottom = bars[0]![1]! + bars[0]![3]!;
      let tallest = 0;
      bars.forEach(([x, y, w, h], k) => {
        assert.ok(w! > 3, `${kind}: bar ${k} is ${w} px wide`);
        assert.ok(Math.abs(y! + h! - bottom) < 1e-6, `${kind}: bar ${k} does not stand on the axis`);
        if (k > 0) { const [px, , pw] = bars[k - 1]!; assert.ok(Math.abs(px! + pw! - x!) < 1e-6, `${kind}: gap before bar ${k}`); }
        tallest = Math.max(tallest, h!);
      });
      assert.ok(tallest > 50, `${kind}: the tallest bar is ${tallest} px`);
    }
  }
});
