// A model trained by the command, exported to ONNX, gives in ONNX Runtime what `mlpkit predict` gives:
// on raw CSV features, with the stored preprocessing (and, for regression, the target's scaling) inside.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as ort from 'onnxruntime-node';

const root = resolve(import.meta.dirname, '../..');
const tsx = pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href;

function mlpkit(cwd: string, ...args: string[]): string {
  const r = spawnSync(process.execPath, ['--import', tsx, join(root, 'cli/main.ts'), ...args], { cwd, encoding: 'utf8' });
  assert.equal(r.status, 0, `mlpkit ${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
  return r.stdout;
}

function csvRows(path: string): string[][] {
  return readFileSync(path, 'utf8').trim().split('\n').map((l) => l.split(','));
}

for (const [dataset, target, task] of [['diabetes', 'progression', 'regression'], ['iris', 'species', 'classification']] as const) {
  test(`a ${task} model trained by the command exports to ONNX that ONNX Runtime runs as \`mlpkit predict\` does (${dataset})`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlpkit-onnx-'));
    mlpkit(dir, 'datasets', 'export', dataset, '--out', 'data.csv');
    mlpkit(dir, 'train', 'data.csv', '--target', target, '--epochs', '20', '--quiet', '--seed', '2');
    mlpkit(dir, 'export', 'model.json', '--onnx', 'model.onnx');
    mlpkit(dir, 'predict', 'model.json', 'data.csv', '--out', 'preds.csv', ...(task === 'classification' ? ['--proba'] : []));
    const data = csvRows(join(dir, 'data.csv'));
    const header = data[0]!;
    const t = header.indexOf(target);
    const x = data.slice(1).map((r) => r.filter((_, j) => j !== t).map(Number));
    const preds = csvRows(join(dir, 'preds.csv')).slice(1);
    const session = await ort.InferenceSession.create(join(dir, 'model.onnx'));
    const input = new ort.Tensor('float32', Float32Array.from(x.flat()), [x.length, x[0]!.length]);
    const out = await session.run({ [session.inputNames[0]!]: input });
    const y = out[session.outputNames[0]!]!.data as Float32Array;
    const k = y.length / x.length;
    let worst = 0;
    for (let i = 0; i < x.length; i++) {
      const expected = task === 'regression' ? [Number(preds[i]![0])] : preds[i]!.slice(1).map(Number);
      assert.equal(expected.length, k);
      for (let j = 0; j < k; j++) {
        const e = expected[j]!;
        worst = Math.max(worst, Math.abs(y[i * k + j]! - e) / Math.max(1, Math.abs(e)));
      }
    }
    assert.ok(worst < 1e-4, `largest relative difference ${worst}`);
  });
}

test('a model with a category column exports string inputs: ONNX Runtime on the raw CSV cells gives `mlpkit predict --proba`, and the command notes what it cannot refuse', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlpkit-onnx-'));
  const lines = ['x,colour,z,y'];
  for (let i = 0; i < 120; i++) {
    const colour = i % 10 === 3 ? '' : i === 50 ? 'violet' : ['red', 'green', 'blue'][i % 3]!;
    const x = ((i * 37) % 50) / 10;
    lines.push(`${x},${colour},${(i % 7) - 3},${x + (i % 3) > 3 ? 'yes' : 'no'}`);
  }
  writeFileSync(join(dir, 'data.csv'), `${lines.join('\n')}\n`);
  mlpkit(dir, 'train', 'data.csv', '--target', 'y', '--epochs', '20', '--quiet', '--seed', '2', '--impute', 'most-frequent', '--min-frequency', '3', '--test-size', '0');
  const r = spawnSync(process.execPath, ['--import', tsx, join(root, 'cli/main.ts'), 'export', 'model.json', '--onnx', 'model.onnx'], { cwd: dir, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  // The rare 'violet' is pooled into '(other)', which takes unseen levels too: nothing is zeroed, no note.
  assert.equal(r.stderr, '');
  mlpkit(dir, 'predict', 'model.json', 'data.csv', '--out', 'preds.csv', '--proba');
  const rows = csvRows(join(dir, 'data.csv')).slice(1);
  const preds = csvRows(join(dir, 'preds.csv')).slice(1).map((p) => p.slice(1).map(Number));
  const session = await ort.InferenceSession.create(join(dir, 'model.onnx'));
  assert.deepEqual(session.inputNames, ['input', 'colour']);
  const out = await session.run({
    input: new ort.Tensor('float32', Float32Array.from(rows.flatMap((c) => [Number(c[0]), Number(c[2])])), [rows.length, 2]),
    colour: new ort.Tensor('string', rows.map((c) => c[1]!), [rows.length, 1]),
  });
  const probs = out.probabilities!.data as Float32Array;
  const worst = Math.max(...preds.flatMap((p, i) => p.map((e, j) => Math.abs(probs[i * 2 + j]! - e))));
  assert.ok(worst < 1e-5, `largest difference ${worst}`);

  mlpkit(dir, 'train', 'data.csv', '--target', 'y', '--epochs', '5', '--quiet', '--impute', 'most-frequent', '--test-size', '0', '--out', 'strict.json');
  const s = spawnSync(process.execPath, ['--import', tsx, join(root, 'cli/main.ts'), 'export', 'strict.json', '--onnx', 'strict.onnx'], { cwd: dir, encoding: 'utf8' });
  assert.equal(s.status, 0, s.stderr);
  assert.equal(s.stderr, 'export: note: ONNX cannot raise, so in strict.onnx a level never seen in training (colour) gives all zeros where mlpkit predict refuses it\n');
});
