// Quantile regression through the one workflow and the command: option loss { name: 'quantile',
// quantiles } (mlpkit train --loss quantile --quantiles τ,…) trains one output per τ on one numeric
// target; the held-out coverage of each τ is τ, the model file round-trips and is checked on load, and
// mlpkit predict prints one column per τ.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMlpkit as run } from '../helpers/mlpkit.js';
import { readTableFile } from '../../src/io/node/read-table.js';
import { Rng } from '../../src/rng.js';
import { readTableSync } from '../../src/table/read.js';
import { trainHeldOut } from '../../src/workflow/holdout.js';
import { checkTrainOptions, type TrainOptions } from '../../src/workflow/options.js';
import { Pipeline } from '../../src/workflow/pipeline.js';
import { trainPipeline } from '../../src/workflow/train.js';

const dir = mkdtempSync(join(tmpdir(), 'mlpkit-quantiles-'));

/** y = x + (0.5 + |x|)·N(0, 1), x uniform in [−2, 2]: the spread of y grows with |x|. */
function heteroscedastic(rows: number, seed: number): string {
  const rng = new Rng(seed);
  const lines = ['x,y'];
  for (let i = 0; i < rows; i++) {
    const x = 4 * rng.uniform() - 2;
    lines.push(`${x.toFixed(5)},${(x + (0.5 + Math.abs(x)) * rng.normal()).toFixed(5)}`);
  }
  return `${lines.join('\n')}\n`;
}

const TAUS = [0.1, 0.5, 0.9];
const QUANTILE = { name: 'quantile', quantiles: TAUS } as const;

describe('three quantiles of a heteroscedastic regression (20 000 rows, a quarter held out)', async () => {
  const table = readTableSync(heteroscedastic(20_000, 3), { source: 'hetero.csv' });
  // A cosine schedule lets the last epochs settle (a constant rate leaves the median a few points off).
  const out = await trainHeldOut(table, {
    target: 'y', loss: QUANTILE, hidden: [16], epochs: 30, batchSize: 128, learningRate: 0.01, schedule: { kind: 'cosine', epochs: 30 }, validation: 0,
  }, { testSize: 0.25 });
  const held = out.heldOut!;
  const m = held.evaluation.metrics;

  test('each τ covers τ of the held-out rows within 3 points', () => {
    assert.equal(held.table.rows, 5000);
    for (const tau of TAUS) {
      const c = m[`coverage_q${tau}`]!;
      assert.ok(Math.abs(c - tau) <= 0.03, `τ ${tau}: coverage ${c}`);
    }
  });

  test('the evaluation reports the pinball loss of each τ, their mean, and the median\'s MAE', () => {
    assert.deepEqual(Object.keys(m), ['pinball', 'mae', 'pinball_q0.1', 'coverage_q0.1', 'pinball_q0.5', 'coverage_q0.5', 'pinball_q0.9', 'coverage_q0.9']);
    const v = held.evaluation.predictions.values!;
    const y = held.evaluation.truth.values!;
    let abs = 0;
    for (let r = 0; r < held.table.rows; r++) abs += Math.abs(y[r * 3 + 1]! - v[r * 3 + 1]!);
    assert.ok(Math.abs(m.mae! - abs / held.table.rows) < 1e-9);
    assert.ok(Math.abs(m.pinball! - (m['pinball_q0.1']! + m['pinball_q0.5']! + m['pinball_q0.9']!) / 3) < 1e-12);
  });

  test('the quantiles are ordered for most rows, and the band widens with |x|', () => {
    const v = held.evaluation.predictions.values!;
    const x = held.table.columns.find((c) => c.name === 'x')! as { values: Float64Array };
    let ordered = 0;
    const width = { centre: [0, 0], edge: [0, 0] };
    for (let r = 0; r < held.table.rows; r++) {
      if (v[r * 3]! <= v[r * 3 + 1]! && v[r * 3 + 1]! <= v[r * 3 + 2]!) ordered++;
      const w = Math.abs(x.values[r]!) < 0.5 ? width.centre : Math.abs(x.values[r]!) > 1.5 ? width.edge : null;
      if (w !== null) { w[0] = w[0]! + v[r * 3 + 2]! - v[r * 3]!; w[1] = w[1]! + 1; }
    }
    assert.ok(ordered / held.table.rows >= 0.95, `${ordered} of ${held.table.rows} rows ordered`);
    // The true 10–90% band is 2.563·(0.5 + |x|): about 1.9 near 0 and 5.1 near |x| = 2.
    const centre = width.centre[0]! / width.centre[1]!;
    const edge = width.edge[0]! / width.edge[1]!;
    assert.ok(edge > 1.8 * centre, `band ${centre.toFixed(2)} for |x| < 0.5, ${edge.toFixed(2)} for |x| > 1.5`);
  });

  test('the model file gives the target once per τ and round-trips', () => {
    const file = out.pipeline.toFile();
    const target = (file.preprocessing as { target: Record<string, unknown> }).target;
    const t = out.pipeline.preprocessor.target as { readonly mean: readonly number[]; readonly scale: readonly number[] };
    assert.deepEqual(target, { task: 'regression', names: ['y', 'y', 'y'], mean: [t.mean[0], t.mean[0], t.mean[0]], scale: [t.scale[0], t.scale[0], t.scale[0]], quantiles: TAUS });
    assert.equal(file.spec.loss, 'quantile');
    assert.deepEqual(file.spec.quantiles, TAUS);
    const back = Pipeline.fromFile(JSON.parse(JSON.stringify(file)));
    assert.deepEqual(back.predict(held.table).values, out.pipeline.predict(held.table).values);
    assert.equal(JSON.stringify(back.toFile()), JSON.stringify(file));
  });

  test('a stored quantile target is checked on load, naming the field', () => {
    const tampered = (edit: (t: Record<string, unknown>, spec: Record<string, unknown>) => void): unknown => {
      const f = JSON.parse(JSON.stringify(out.pipeline.toFile())) as { preprocessing: { target: Record<string, unknown> }; spec: Record<string, unknown> };
      edit(f.preprocessing.target, f.spec);
      return f;
    };
    const refused: [(t: Record<string, unknown>, spec: Record<string, unknown>) => void, RegExp][] = [
      [(t) => { t.quantiles = [0.1, 0.5, 1]; }, /m\.json: \$\.preprocessing\.target\.quantiles\[2\]: expected a number strictly between 0 and 1, got 1/],
      [(t) => { t.quantiles = [0.1, 0.5, 0.5]; }, /\$\.preprocessing\.target\.quantiles\[2\]: τ 0\.5 is listed twice/],
      [(t) => { t.quantiles = [0.1, 0.5]; }, /\$\.preprocessing\.target\.quantiles: expected 3 numbers, got 2/],
      [(t) => { t.names = ['y', 'y', 'z']; }, /\$\.preprocessing\.target\.names\[2\]: a quantile target is one column given once per τ, but "z" differs from "y"/],
      [(t) => { (t.mean as number[])[1] = 7; }, /\$\.preprocessing\.target\.mean\[1\]: a quantile target is one column/],
      [(t) => { t.quantiles = [0.1, 0.5, 0.8]; }, /\$\.preprocessing\.target\.quantiles\[2\]: is 0\.8, but the network's output 2 is trained for τ = 0\.9/],
      [(t, spec) => { spec.loss = 'mae'; delete spec.quantiles; }, /\$\.preprocessing\.target\.quantiles: give the τ of a quantile loss, but the network's loss is 'mae'/],
    ];
    for (const [edit, message] of refused) assert.throws(() => Pipeline.fromFile(tampered(edit), 'm.json'), message);
  });
});

describe('the command', () => {
  const data = join(dir, 'small.csv');
  writeFileSync(data, heteroscedastic(200, 5));
  const base = ['--hidden', '4', '--epochs', '3', '--batch-size', '32', '--validation', '0', '--test-size', '0', '--seed', '2', '--quiet'];
  const model = join(dir, 'q.json');

  test('mlpkit train --loss quantile --quantiles writes the bytes trainPipeline writes', async () => {
    const r = await run('train', data, '--target', 'y', '--loss', 'quantile', '--quantiles', '0.05,0.5,0.95', ...base, '--out', model);
    assert.equal(r.code, 0, r.err);
    const options: TrainOptions = { target: 'y', loss: { name: 'quantile', quantiles: [0.05, 0.5, 0.95] }, hidden: [4], epochs: 3, batchSize: 32, validation: 0, seed: 2 };
    const lib = await trainPipeline(await readTableFile(data), options);
    assert.equal(readFileSync(model, 'utf8'), `${JSON.stringify(lib.pipeline.toFile(), null, 1)}\n`);
  });

  test('mlpkit predict prints one column per τ', async () => {
    const r = await run('predict', model, data);
    assert.equal(r.code, 0, r.err);
    const lines = r.out.trim().split('\n');
    assert.equal(lines[0], 'y_q0.05,y_q0.5,y_q0.95');
    assert.equal(lines.length, 201);
    const pipeline = Pipeline.fromFile(JSON.parse(readFileSync(model, 'utf8')));
    const v = pipeline.predict(await readTableFile(data)).values!;
    assert.deepEqual(lines[1]!.split(',').map(Number).map((x) => x.toPrecision(5)), [v[0]!, v[1]!, v[2]!].map((x) => x.toPrecision(5)));
  });

  test('mlpkit evaluate reports the coverage of each τ', async () => {
    const r = await run('evaluate', model, data, '--json');
    assert.equal(r.code, 0, r.err);
    const m = JSON.parse(r.out) as Record<string, number>;
    assert.deepEqual(Object.keys(m), ['pinball', 'mae', 'pinball_q0.05', 'coverage_q0.05', 'pinball_q0.5', 'coverage_q0.5', 'pinball_q0.95', 'coverage_q0.95']);
    const pipeline = Pipeline.fromFile(JSON.parse(readFileSync(model, 'utf8')));
    assert.deepEqual(m, pipeline.evaluate(await readTableFile(data)).metrics);
    assert.ok(Math.abs(m.mae! - 2 * m['pinball_q0.5']!) < 1e-12);
  });

  test('mlpkit train says the held-out pinball loss and coverage of each τ; mlpkit info names the τ', async () => {
    const r = await run('train', data, '--target', 'y', '--loss', 'quantile', '--quantiles', '0.1,0.9', '--hidden', '4', '--epochs', '2', '--out', join(dir, 'said.json'));
    assert.equal(r.code, 0, r.err);
    const file = JSON.parse(readFileSync(join(dir, 'said.json'), 'utf8')) as { training: { summary: { heldOut: { metrics: Record<string, number> } } } };
    const m = file.training.summary.heldOut.metrics;
    assert.match(r.out, new RegExp(`trained 2 epochs \\(maxEpochs\\); pinball ${m.pinball!.toFixed(4)} on 40 held-out rows of small\\.csv`));
    assert.ok(r.out.includes(`quantile coverage on those rows (the share with y ≤ ŷ_τ): τ 0.1 ${m['coverage_q0.1']!.toFixed(3)}, τ 0.9 ${m['coverage_q0.9']!.toFixed(3)}\n`), r.out);
    assert.ok(!/\br2\b/.test(r.out), 'no R² of quantile outputs');
    const info = await run('info', join(dir, 'said.json'));
    assert.match(info.out, /^task: regression; target column 'y', quantiles 0\.1, 0\.9$/m);
  });

  const labelled = join(dir, 'labelled.csv');
  writeFileSync(labelled, 'x,y,y2,label\n1,2,3,a\n2,3,4,b\n3,4,5,a\n4,5,6,b\n5,6,7,a\n');
  const refusals: readonly [readonly string[], RegExp][] = [
    [['--quantiles', '0.1,0.9'], /^mlpkit: --quantiles is the quantile loss's τ: give --loss quantile$/],
    [['--loss', 'mae', '--quantiles', '0.1,0.9'], /^mlpkit: --quantiles is the quantile loss's τ: give --loss quantile \(not --loss mae\)$/],
    [['--loss', 'quantile', '--quantiles', '0,0.5'], /--quantiles: each τ must be a number strictly between 0 and 1, got '0'/],
    [['--loss', 'quantile', '--quantiles', '0.5,1.5'], /--quantiles: each τ must be a number strictly between 0 and 1, got '1\.5'/],
    [['--loss', 'quantile', '--quantiles', '0.1,0.5,0.1'], /--quantiles lists τ 0\.1 twice/],
    [['--loss', 'quantile', '--quantiles', '0.1,0.9', '--target', 'y2'], /^mlpkit: --loss quantile --quantiles predicts quantiles of one --target column, got 2 \(y, y2\)$/],
    [['--loss', 'quantile', '--quantiles', '0.1,0.9', '--intervals', '0.9'], /^mlpkit: --intervals calibrates one prediction per target; a quantile loss already predicts its own band/],
  ];
  for (const [flags, message] of refusals) {
    test(`refused in one line: ${flags.join(' ')}`, async () => {
      const r = await run('train', labelled, '--target', 'y', '--drop', 'label', '--epochs', '1', '--quiet', '--out', join(dir, 'refused.json'), ...flags);
      assert.equal(r.code, 2, r.err);
      assert.match(r.err.split('\n')[0]!, message);
      assert.equal(r.err.trim().split('\n').filter((l) => !l.startsWith('(run with --help')).length, 1, r.err);
    });
  }

  test('a category target, or --task classification, is refused in one line', async () => {
    const args = ['--drop', 'y2', '--loss', 'quantile', '--quantiles', '0.1,0.9', '--epochs', '1', '--quiet', '--out', join(dir, 'refused.json')];
    const category = await run('train', labelled, '--target', 'label', ...args);
    assert.equal(category.code, 1, category.err);
    assert.match(category.err, /^mlpkit: labelled\.csv, line 2, column 'label' \(column 4\): regression needs a numeric target, but 'a' is not a number\n$/);
    const classifier = await run('train', labelled, '--target', 'y', '--drop', 'label', '--task', 'classification', ...args);
    assert.equal(classifier.code, 2, classifier.err);
    assert.match(classifier.err, /^mlpkit: --loss quantile predicts quantiles of a number: it needs task 'regression' \(--task regression\), not a classifier of 'y'\n$/);
  });

  test('a target of a few integers is a number to a quantile loss, not classes', async () => {
    const counts = join(dir, 'counts.csv');
    writeFileSync(counts, `x,y\n${Array.from({ length: 40 }, (_, i) => `${i},${i % 4}`).join('\n')}\n`);
    const r = await run('train', counts, '--target', 'y', '--loss', 'quantile', '--quantiles', '0.25,0.75', '--epochs', '1', '--quiet', '--out', join(dir, 'counts.json'));
    assert.equal(r.code, 0, r.err);
    assert.deepEqual((JSON.parse(readFileSync(join(dir, 'counts.json'), 'utf8')) as { preprocessing: { target: { quantiles: number[] } } }).preprocessing.target.quantiles, [0.25, 0.75]);
  });
});

test('the library options refuse an empty, out-of-range or repeated list of τ, and other options', () => {
  const bad = (loss: unknown): TrainOptions => ({ target: 'y', loss: loss as NonNullable<TrainOptions['loss']> });
  assert.throws(() => checkTrainOptions(bad({ name: 'quantile', quantiles: [] })), /^Error: train: option loss: quantiles: expected a non-empty list of τ in \(0, 1\), got \[\]$/);
  assert.throws(() => checkTrainOptions(bad({ name: 'quantile', quantiles: [0.5, -0.1] })), /option loss: quantiles\[1\]: expected a number strictly between 0 and 1, got -0\.1/);
  assert.throws(() => checkTrainOptions(bad({ name: 'quantile', quantiles: [0.5, 0.5] })), /option loss: quantiles\[1\]: τ 0\.5 is listed twice/);
  assert.throws(() => checkTrainOptions(bad({ name: 'quantile', quantiles: [0.5], delta: 1 })), /option loss: loss 'quantile' has no option 'delta'; its options: quantiles/);
  checkTrainOptions(bad(QUANTILE));
});
