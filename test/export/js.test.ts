// The JavaScript export, imported by Node as an ES module, predicts every training row as the pipeline does:
// the same labels, and probabilities or values within 1e-6 relative (or the engine's own float32 rounding).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { exportJs } from '../../src/export/js.js';
import { cases, expected, maxRelative, tolerance } from './models.js';

const dir = mkdtempSync(join(tmpdir(), 'mlpkit-export-js-'));
const all = await cases();

for (const c of all) {
  test(`the JavaScript export of the ${c.name} case predicts every row as pipeline.predict does`, async (t) => {
    const file = join(dir, `${c.name}.mjs`);
    writeFileSync(file, exportJs(c.pipeline));
    const m = await import(pathToFileURL(file).href) as Record<string, (row: unknown) => unknown>;
    const e = expected(c);
    const classifier = e.labels !== null;
    const got = c.rows.map((r) => (classifier ? m.predictProba!(r) : [m.predict!(r)].flat()) as number[]);
    if (classifier) assert.deepEqual(c.rows.map((r) => m.predict!(r)), e.labels);
    const worst = maxRelative(got, e.numbers);
    const { tolerance: tol, engineRounding } = tolerance(c);
    t.diagnostic(`max relative difference ${worst.toExponential(2)} (engine's own float32 rounding ${engineRounding.toExponential(2)})`);
    assert.ok(worst <= tol, `max relative difference ${worst} > ${tol}`);
  });
}

test('the JavaScript module reads raw rows as the preprocessor does: missing cells imputed, unseen levels refused or ignored', async () => {
  const [cls, bin] = [all.find((c) => c.name === 'classifier')!, all.find((c) => c.name === 'binary-batchnorm')!];
  const load = async (c: typeof cls): Promise<Record<string, (row: unknown) => unknown>> => {
    const file = join(dir, `${c.name}-rows.mjs`);
    writeFileSync(file, exportJs(JSON.stringify(c.pipeline.toFile())));
    return await import(pathToFileURL(file).href) as Record<string, (row: unknown) => unknown>;
  };
  const m = await load(cls);
  const row = { size: 2.5, colour: 'red', weight: 20, age: 40 };
  // A missing key, undefined, null and NaN are all a missing cell (imputed: this model has fill values).
  assert.deepEqual(m.features!({ ...row, weight: undefined }), m.features!({ size: 2.5, colour: 'red', age: 40 }));
  assert.deepEqual(m.features!({ ...row, weight: null }), m.features!({ ...row, weight: Number.NaN }));
  assert.throws(() => m.predict!({ ...row, colour: 'purple' }), /^Error: column 'colour': category "purple" was not in the training data; known: 'amber', 'blue', 'green', 'red'$/);
  assert.throws(() => m.predict!({ ...row, size: 'big' }), /column 'size': "big" is not a number/);
  // age had no missing cell in training, so it has no fill value: refused, as `mlpkit predict` refuses it.
  assert.throws(() => m.predict!({ ...row, age: null }), /column 'age': missing value/);
  // Levels rarer than minFrequency are pooled into '(other)', which also takes a level never seen.
  const ens = await load(all.find((c) => c.name === 'ensemble')!);
  const colours = ens.features!({ size: 1, colour: 'amber', age: 30 });
  assert.deepEqual(ens.features!({ size: 1, colour: 'purple', age: 30 }), colours);
  assert.notDeepEqual(ens.features!({ size: 1, colour: 'red', age: 30 }), colours);
  // unknown: 'ignore' gives an unseen level all zeros.
  const b = await load(bin);
  const f = b.features!({ size: 1, colour: 'purple', weight: 9 }) as Float32Array;
  assert.deepEqual(Array.from(f.subarray(1, 5)), [0, 0, 0, 0]);
});
