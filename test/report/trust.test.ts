// What a reader of the training report relies on: every hyperparameter and the version in the header,
// held-out metrics first beside the training ones, the best epoch on the curves, the inputs by name,
// colours that do not depend on the data, a fine decision grid, and one renderer for every picture.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Model } from '../../src/graph/model.js';
import { mlp } from '../../src/graph/builders.js';
import { fit } from '../../src/train/fit.js';
import { VERSION } from '../../src/version.js';
import { BOUNDARY_GRID, buildReport, heatmapSvg, lineChartSvg, type ReportInput } from '../../src/report/report.js';
import { nodeColor, SERIES_COLORS } from '../../src/report/charts.js';
import type { History } from '../../src/train/types.js';
import type { Matrix } from '../../src/matrix.js';
import { blobs } from '../helpers/train.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');


const classOf = (p: ArrayLike<number>, i: number): number => (p[2 * i + 1]! > p[2 * i]! ? 1 : 0);

/** Accuracy of one-hot predictions, as an epoch metric. */
const accuracy = (t: Matrix, p: Matrix): number => {
  let right = 0;
  for (let i = 0; i < t.rows; i++) right += classOf(t.data, i) === classOf(p.data, i) ? 1 : 0;
  return right / t.rows;
};

async function trained(n: number, seed: number, activation: 'tanh' | 'relu' = 'tanh'): Promise<{ model: Model; history: History; d: ReturnType<typeof blobs> }> {
  const d = blobs(n, seed);
  const model = new Model(mlp({ inputSize: 2, outputSize: 2, task: 'multiclass', hidden: [5, 3], activation }), { seed });
  const history = await fit(model, { x: d.x, y: d.y }, { epochs: 12, batchSize: 16, optimizer: { kind: 'adam', learningRate: 0.05 }, validation: { fraction: 0.25 }, metrics: { accuracy }, seed });
  return { model, history, d };
}

function input(t: Awaited<ReturnType<typeof trained>>, extra: Partial<ReportInput> = {}): ReportInput {
  const { model, history, d } = t;
  const pred = model.predict(d.x).data;
  return {
    title: 'blobs', model, history, task: 'multiclass', classes: ['a', 'b'], x: { rows: d.x.length, cols: 2, data: d.x.flat() },
    evaluation: { setName: 'test rows', actual: d.labels, predicted: d.labels.map((_, i) => classOf(pred, i)), metrics: { accuracy: 0.8, logLoss: 0.4 } },
    ...extra,
  };
}

const plot = (html: string, kind: string): string[] => [...html.matchAll(new RegExp(`data-plot="${kind}">([\\s\\S]*?)</figure>`, 'g'))].map((m) => m[1]!);
const groups = (svg: string, mark: string): string[] => [...svg.matchAll(new RegExp(`<g class="mark-${mark} role-mark[^"]*"[^>]*>([\\s\\S]*?)</g>`, 'g'))].map((m) => m[1]!);

test('the header shows the version and a table of every hyperparameter the model was trained with', async () => {
  const hyperparameters = { target: 'species', hidden: [16, 8], activation: 'tanh', optimizer: 'adam', learningRate: 0.01, batchSize: 16, epochs: 150, validation: 0.2, earlyStopping: 20, seed: 0, l2: 1e-5, restarts: 1 };
  const html = await buildReport(input(await trained(60, 1), { hyperparameters, version: VERSION }));
  assert.match(html, new RegExp(`<h1>blobs</h1><p class="version">written by mlpkit ${VERSION.replace(/\./g, '\\.')}</p>`));
  const table = /<table class="hyperparameters">([\s\S]*?)<\/table>/.exec(html)?.[1];
  assert.ok(table !== undefined, 'no hyperparameter table');
  const rows = [...table.matchAll(/<tr><th>([^<]*)<\/th><td>([^<]*)<\/td><\/tr>/g)].map((m) => [m[1]!, m[2]!]);
  assert.deepEqual(rows.map((r) => r[0]), Object.keys(hyperparameters));
  assert.deepEqual(Object.fromEntries(rows), {
    target: 'species', hidden: '16, 8', activation: 'tanh', optimizer: 'adam', learningRate: '0.01', batchSize: '16', epochs: '150',
    validation: '0.2', earlyStopping: '20', seed: '0', l2: '0.00001', restarts: '1',
  });
  // The summary comes before any picture.
  assert.ok(html.indexOf('class="hyperparameters"') < html.indexOf('data-plot='));
});

test('held-out metrics come first, beside the training metrics and their gap, and the headings name both sets', async () => {
  const t = await trained(60, 2);
  const html = await buildReport(input(t, {
    trainingEvaluation: { setName: 'training rows', actual: [0], predicted: [0], metrics: { accuracy: 0.95, logLoss: 0.1 } },
  }));
  const table = /<table class="metrics">([\s\S]*?)<\/table>/.exec(html)![1]!;
  const head = [...table.matchAll(/<th>([^<]*)<\/th>/g)].slice(0, 4).map((m) => m[1]);
  assert.deepEqual(head, ['metric', 'held-out: test rows', 'training: training rows', 'gap (training − held-out)']);
  const cells = (metric: string): string[] => [...new RegExp(`<tr><th>${metric}</th>((?:<td>[^<]*</td>)+)</tr>`).exec(table)![1]!.matchAll(/<td>([^<]*)<\/td>/g)].map((m) => m[1]!);
  assert.deepEqual(cells('accuracy'), ['0.8000', '0.9500', '0.1500']);
  assert.deepEqual(cells('logLoss'), ['0.4000', '0.1000', '-0.3000']);
  // The confusion matrix is of the held-out rows, and says so.
  assert.match(html, /<h2>Confusion matrix: test rows<\/h2>/);
});

test('the best epoch is a dashed rule at its epoch on the loss and on every metric chart, with its label', async () => {
  const t = await trained(60, 3);
  const epochs = t.history.epochs.map((e) => e.epoch);
  const best = epochs[Math.floor(epochs.length / 2)]!;
  const html = await buildReport(input(t, { history: { ...t.history, bestEpoch: best } }));
  const curves = plot(html, 'learning-curve');
  assert.equal(curves.length, 2, 'loss and accuracy');
  const first = epochs[0]!;
  const last = epochs.at(-1)!;
  for (const svg of curves) {
    const rules = groups(svg, 'rule');
    assert.equal(rules.length, 1, 'one rule');
    const x = Number(/transform="translate\(([\d.]+),0\)"/.exec(rules[0]!)![1]);
    // The plot is 420 px wide over the epochs run, first to last.
    assert.ok(Math.abs(x - ((best - first) / (last - first)) * 420) < 1e-6, `rule at ${x} px`);
    assert.match(rules[0]!, /stroke-dasharray/);
    assert.match(svg, new RegExp(`>best epoch ${best}</text>`));
  }
  // A best epoch outside the epochs shown (0: before the first) draws no rule.
  const none = await buildReport(input(t, { history: { ...t.history, bestEpoch: 0 } }));
  for (const svg of plot(none, 'learning-curve')) assert.equal(groups(svg, 'rule').length, 0);
});

test("the network's inputs are labelled with the feature names", async () => {
  const html = await buildReport(input(await trained(40, 4), { featureNames: ['color=red', 'petal length (cm)'] }));
  const svg = plot(html, 'network')[0]!;
  const texts = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!);
  assert.ok(texts.includes('color=red'), texts.join(' | '));
  assert.ok(texts.includes('petal length (cm)'), texts.join(' | '));
  assert.ok(!texts.includes('x1') && !texts.includes('x2'));
  const plain = plot(await buildReport(input(await trained(40, 4))), 'network')[0]!;
  assert.match(plain, />x1<\/text>/);
});

test('two reports of different data with the same architecture draw units and series in the same colours', async () => {
  const fills = (html: string): string[] => groups(plot(html, 'network')[0]!, 'symbol').flatMap((g) => [...g.matchAll(/fill="([^"]+)"/g)].map((m) => m[1]!));
  const strokes = (html: string): string[] => plot(html, 'learning-curve').flatMap((svg) => groups(svg, 'line').map((g) => /stroke="([^"]+)"/.exec(g)![1]!));
  const a = await buildReport(input(await trained(40, 5)));
  const b = await buildReport(input(await trained(90, 6)));
  // Units: 2 inputs, 5 + 3 tanh, 2 softmax, in the fixed colours of their kinds.
  const expected = [...Array(2).fill(nodeColor('input')), ...Array(8).fill(nodeColor('tanh')), ...Array(2).fill(nodeColor('softmax'))];
  assert.deepEqual(fills(a), expected);
  assert.deepEqual(fills(b), expected);
  assert.deepEqual(strokes(a), strokes(b));
  assert.deepEqual(strokes(a), [SERIES_COLORS.training, SERIES_COLORS.validation, SERIES_COLORS.training, SERIES_COLORS.validation]);
  // A kind keeps its colour in another architecture: relu hidden units, the output still softmax.
  const relu = fills(await buildReport(input(await trained(40, 5, 'relu'))));
  assert.deepEqual(relu, [...Array(2).fill(nodeColor('input')), ...Array(8).fill(nodeColor('relu')), ...Array(2).fill(nodeColor('softmax'))]);
  assert.notEqual(nodeColor('relu'), nodeColor('tanh'));
});

test('the decision boundary is predicted on a grid of at least 100 × 100 cells and the report stays small', async () => {
  const t = await trained(200, 7);
  const asked: (readonly [number, number])[] = [];
  const html = await buildReport(input(t, {
    boundary: {
      names: ['u', 'v'], x1: t.d.x.map((r) => r[0]!), x2: t.d.x.map((r) => r[1]!), labels: t.d.labels,
      predictClass: (rows) => { asked.push(...rows); const p = t.model.predict(rows.map((r) => [...r])).data; return rows.map((_, i) => classOf(p, i)); },
    },
  }));
  assert.ok(BOUNDARY_GRID >= 100);
  assert.equal(asked.length, BOUNDARY_GRID * BOUNDARY_GRID);
  assert.ok(new Set(asked.map((r) => r[0])).size >= 100 && new Set(asked.map((r) => r[1])).size >= 100);
  const svg = plot(html, 'decision-boundary')[0]!;
  const cells = groups(svg, 'rect')[0]!;
  const tops = new Set([...cells.matchAll(/d="M[-\d.e]+,([-\d.e]+)h/g)].map((m) => m[1]));
  assert.ok(tops.size >= 100, `${tops.size} rows of rectangles`);
  // Rows are merged into runs of one class: far fewer rectangles than cells, and a sane file.
  const rects = [...cells.matchAll(/<path /g)].length;
  assert.ok(rects < BOUNDARY_GRID * BOUNDARY_GRID / 10, `${rects} rectangles`);
  assert.ok(svg.length < 400_000, `boundary SVG ${svg.length} bytes`);
  assert.ok(!/<script/i.test(html));
});

test('the demo pictures are Vega-Lite charts with real axes, titles and a legend beside the plot', async () => {
  const xs = Array.from({ length: 21 }, (_, i) => -1 + i / 10);
  const grid = xs.flatMap((y) => xs.map((x) => (x + y + 2) / 4));
  const heat = await heatmapSvg(grid, xs, xs, {
    title: 'a heatmap', range: [0, 1], xLabel: 'x₁ (cm)', yLabel: 'x₂ (cm)', valueLabel: 'P(class 1)',
    polygons: [[[-0.5, -0.5], [0.5, -0.5], [0, 0.5]]], lines: [{ w1: 1, w2: -1, b: 0 }], points: { x: [[0, 0], [0.5, 0.5]], y: [0, 1] },
  });
  assert.ok(heat.startsWith('<svg'));
  for (const text of ['a heatmap', 'x₁ (cm)', 'x₂ (cm)', 'P(class 1)', 'class 0', 'class 1']) assert.ok(heat.includes(`>${text}</text>`), text);
  const ticks = (svg: string): number => [...svg.matchAll(/role-axis-label[\s\S]*?<\/g>/g)].map((m) => [...m[0].matchAll(/<text/g)].length).reduce((a, b) => Math.min(a, b), Infinity);
  assert.ok(ticks(heat) >= 4, `${ticks(heat)} tick labels on an axis`);
  assert.equal(groups(heat, 'line').length, 1, 'the polygon outline');
  assert.match(groups(heat, 'rule')[0]!, /stroke-dasharray/);
  // A row's cells of one colour step are one rectangle: a step across the square is two per row, coloured by the ends of the scale.
  const step = await heatmapSvg(xs.flatMap(() => xs.map((x) => (x < 0 ? 0 : 1))), xs, xs, { range: [0, 1] });
  const cells = groups(step, 'rect')[0]!;
  assert.equal([...cells.matchAll(/<path /g)].length, 2 * xs.length);
  assert.equal(new Set([...cells.matchAll(/fill="([^"]+)"/g)].map((m) => m[1])).size, 2);

  const rates = Array.from({ length: 30 }, (_, i) => 1e-5 * 10 ** (i / 6));
  const line = await lineChartSvg([{ name: 'loss', x: rates, y: rates.map((r) => 1 / (1 + r)) }, { name: 'a long series name: max err 0.0123', x: rates, y: rates.map(() => 0.5) }], {
    title: 'range test', logX: true, xLabel: 'learning rate (log scale)', yLabel: 'training loss', markX: 1e-3, markLabel: 'suggested 0.001',
  });
  for (const text of ['range test', 'learning rate (log scale)', 'training loss', 'suggested 0.001', 'a long series name: max err 0.0123']) assert.ok(line.includes(`>${text}</text>`), text);
  assert.ok(ticks(line) >= 4);
  assert.equal(groups(line, 'rule').length, 1, 'the marker');
  // The legend sits to the right of the 420 px plot, where no line can cross it.
  const legend = /<g class="mark-group role-legend"[^>]*><g transform="translate\(([\d.]+),/.exec(line);
  assert.ok(legend !== null && Number(legend[1]) > 420, `legend at ${legend?.[1]}`);
});

test('no file imports the removed hand-drawn SVG module, and the main entry does not load the renderer', () => {
  assert.equal(existsSync(join(root, 'src/demos/svg.ts')), false);
  const files = (dir: string): string[] => readdirSync(join(root, dir)).flatMap((f) => {
    const p = join(dir, f);
    return statSync(join(root, p)).isDirectory() ? files(p) : /\.(ts|mts|js|mjs)$/.test(f) ? [p] : [];
  });
  const sources = ['src', 'cli', 'test', 'web', 'examples', 'scripts', 'bench'].filter((d) => existsSync(join(root, d))).flatMap(files);
  assert.ok(sources.length > 100);
  for (const f of sources) assert.doesNotMatch(readFileSync(join(root, f), 'utf8'), /demos\/svg(\.js)?['"]/, f);
  // Every module the main entry reaches through static imports: none is the renderer or a vega package.
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const m of readFileSync(file, 'utf8').matchAll(/^(?:import|export)[^;'"]*?from '([^']+)'/gm)) {
      const spec = m[1]!;
      assert.doesNotMatch(spec, /^vega/, `${file} imports ${spec}`);
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
    }
  };
  visit(join(root, 'src/index.ts'));
  assert.ok(seen.size > 20);
  for (const f of seen) assert.ok(!/src\/report\/(render|pictures|charts)\.ts$/.test(f), `the main entry reaches ${f}`);
});
