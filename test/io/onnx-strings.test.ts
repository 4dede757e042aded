// Category columns enter the ONNX file as strings: a pipeline trained with missing category cells
// (most-frequent and constant imputation), a rare level pooled into '(other)' and levels never seen,
// run in ONNX Runtime on the raw rows, gives what `pipeline.predict` gives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { Rng } from '../../src/rng.js';
import { exportOnnx, importOnnx, onnxZeroedColumns } from '../../src/onnx.js';
import { decodeModel } from '../../src/io/onnx/proto.js';
import { tableFromColumns, tableFromRows, type CellValue } from '../../src/table/values.js';
import type { Pipeline } from '../../src/workflow/pipeline.js';
import type { TrainOptions } from '../../src/workflow/options.js';
import { trainPipeline } from '../../src/workflow/train.js';

type Row = Record<string, string | number | null>;

/** Training rows: two numbers, 'colour' (one rare level, 'violet', and missing cells) and 'shape' (missing cells). */
function trainingRows(n: number): Row[] {
  const rng = new Rng(5);
  const colours = ['red', 'green', 'blue'];
  return Array.from({ length: n }, (_, i) => {
    const size = rng.range(0, 4);
    const colour = i % 40 === 7 ? 'violet' : colours[rng.int(3)]!;
    const shape = rng.uniform() < 0.5 ? 'round' : 'square';
    const age = rng.range(18, 80);
    const score = size + colours.indexOf(colour) - (shape === 'round' ? 1 : 0) + 0.02 * age;
    return {
      size, colour: i % 9 === 4 ? null : colour, age, shape: i % 11 === 2 ? null : shape,
      label: score > 3 ? 'high' : score > 1.5 ? 'mid' : 'low', value: 2 * score + rng.normal() * 0.1,
    };
  });
}

async function train(options: TrainOptions, drop: string): Promise<Pipeline> {
  const rows = trainingRows(160);
  const names = Object.keys(rows[0]!).filter((k) => k !== drop);
  const table = tableFromColumns(Object.fromEntries(names.map((k) => [k, rows.map((r) => r[k] as CellValue)])), { source: 'train.csv' });
  return (await trainPipeline(table, { epochs: 20, validation: 0, seed: 1, hidden: [6], minFrequency: 5, ...options })).pipeline;
}

/** Rows to predict: known levels, the pooled rare one, missing cells (null and 'NA'), and levels never seen. */
const QUERY: Row[] = [
  { size: 1.5, colour: 'red', age: 30, shape: 'round' },
  { size: 3.1, colour: 'violet', age: 61, shape: 'square' },
  { size: 0.2, colour: null, age: 45, shape: 'square' },
  { size: 2.2, colour: 'green', age: 22, shape: null },
  { size: 2.7, colour: 'NA', age: 50, shape: 'round' },
  { size: 0.9, colour: 'teal', age: 70, shape: 'round' },
  { size: 1.1, colour: 'blue', age: 38, shape: 'hexagon' },
];

/** ONNX Runtime on raw rows: the numbers in 'input', each category column as its own string tensor ('' for missing). */
async function runRows(bytes: Uint8Array, rows: readonly Row[]): Promise<Record<string, Tensor>> {
  const session = await InferenceSession.create(bytes);
  const feeds: Record<string, Tensor> = {
    input: new Tensor('float32', Float32Array.from(rows.flatMap((r) => [r.size as number, r.age as number])), [rows.length, 2]),
  };
  for (const c of ['colour', 'shape']) feeds[c] = new Tensor('string', rows.map((r) => (r[c] === null ? '' : String(r[c]))), [rows.length, 1]);
  const out = await session.run(feeds);
  await session.release();
  return out;
}

function maxError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  assert.equal(actual.length, expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!) / Math.max(1, Math.abs(expected[i]!)));
  return worst;
}

for (const impute of ['most-frequent', 'constant'] as const) {
  test(`category strings in ONNX Runtime give pipeline.predict's probabilities (impute ${impute}, '(other)' pooling, unknown: 'ignore')`, async () => {
    const pipeline = await train({ target: 'label', impute, unknown: 'ignore' }, 'value');
    const colour = pipeline.preprocessor.columns.find((c) => c.name === 'colour')!;
    assert.ok(colour.type === 'category' && colour.other && !colour.levels.includes('violet'), 'violet is pooled into (other)');
    const bytes = exportOnnx(pipeline.toFile());
    const graph = decodeModel(bytes);
    assert.deepEqual(graph.graph.input.map((v) => v.name), ['input', 'colour', 'shape']);
    assert.ok(graph.opsetImport.some((o) => o.domain === 'ai.onnx.ml'));
    assert.ok(graph.graph.node.some((n) => n.opType === 'LabelEncoder' && n.domain === 'ai.onnx.ml'));
    const expected = pipeline.predict(tableFromRows(QUERY)).proba!;
    const out = await runRows(bytes, QUERY);
    assert.deepEqual(out.probabilities!.dims, [QUERY.length, 3]);
    const worst = maxError(out.probabilities!.data as Float32Array, expected);
    assert.ok(worst < 1e-5, `largest difference ${worst}`);
    console.log(`# impute ${impute}: largest difference from pipeline.predict ${worst.toExponential(2)}`);
  });
}

test('a regression on category strings gives pipeline.predict\'s values in the target\'s units', async () => {
  const pipeline = await train({ target: 'value', impute: 'constant', unknown: 'ignore' }, 'label');
  const expected = pipeline.predict(tableFromRows(QUERY)).values!;
  const out = await runRows(exportOnnx(pipeline.toFile()), QUERY);
  const worst = maxError(out.output!.data as Float32Array, expected);
  assert.ok(worst < 1e-5, `largest relative difference ${worst}`);
  console.log(`# regression: largest relative difference from pipeline.predict ${worst.toExponential(2)}`);
});

test('with unknown: \'error\' an unseen level gives all zeros (ignore\'s encoding), and the columns are named', async () => {
  const pipeline = await train({ target: 'label', impute: 'most-frequent' }, 'value');
  const file = pipeline.toFile();
  assert.deepEqual(onnxZeroedColumns(file), { unseen: ['shape'], missing: [] });
  const ignoring = Object.assign(Object.create(Object.getPrototypeOf(pipeline) as object) as Pipeline, pipeline, { preprocessor: pipeline.preprocessor.withUnknown('ignore') });
  const expected = ignoring.predict(tableFromRows(QUERY)).proba!;
  const out = await runRows(exportOnnx(file), QUERY);
  assert.ok(maxError(out.probabilities!.data as Float32Array, expected) < 1e-5);
});

test("categories: 'codes' keeps the one float input of codes", async () => {
  const pipeline = await train({ target: 'label', impute: 'most-frequent', unknown: 'ignore' }, 'value');
  const bytes = exportOnnx(pipeline.toFile(), { categories: 'codes' });
  const graph = decodeModel(bytes);
  assert.deepEqual(graph.graph.input.map((v) => v.name), ['input']);
  assert.ok(!graph.opsetImport.some((o) => o.domain === 'ai.onnx.ml'));
  // The codes as the preprocessor's plan numbers them (pipeline columns: size, colour, age, shape).
  const plan = pipeline.preprocessor.columns;
  const codeOf = (name: string, v: string): number => {
    const c = plan.find((p) => p.name === name)!;
    // A level the plan does not keep is '(other)', the code after the levels.
    return c.type === 'category' ? (c.levels.includes(v) ? c.levels.indexOf(v) : c.levels.length) : NaN;
  };
  const rows = QUERY.slice(0, 2);
  const x = rows.flatMap((r) => [r.size as number, codeOf('colour', r.colour as string), r.age as number, codeOf('shape', r.shape as string)]);
  const session = await InferenceSession.create(bytes);
  const out = await session.run({ input: new Tensor('float32', Float32Array.from(x), [2, 4]) });
  await session.release();
  assert.ok(maxError(out.probabilities!.data as Float32Array, pipeline.predict(tableFromRows(rows)).proba!) < 1e-5);
});

test("categories: 'strings' on a bare model is refused, and importOnnx refuses the string inputs in one line", async () => {
  const pipeline = await train({ target: 'label', impute: 'constant', unknown: 'ignore' }, 'value');
  assert.throws(() => exportOnnx(pipeline.model, { categories: 'strings' }), /^Error: exportOnnx: categories: 'strings' needs a pipeline's model file/);
  assert.throws(() => importOnnx(exportOnnx(pipeline.toFile())), (e: Error) => /^importOnnx: input 'colour' is a string tensor/.test(e.message) && !e.message.includes('\n'));
});
