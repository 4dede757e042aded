// A model trained by the command, exported to ONNX, gives in ONNX Runtime what `mlpkit predict` gives:
// on raw CSV features, with the stored preprocessing (and, for regression, the target's scaling) inside.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
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
