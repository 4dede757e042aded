// `--restarts K --ensemble`: all K runs kept in one model file; predict, evaluate and info use the
// mean of the networks; the ONNX export computes the same mean inside the graph.
import { test } from 'node:test';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = resolve(import.meta.dirname, '../..');
const tsx = pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href;

function mlpkit(cwd: string, ...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', tsx, join(root, 'cli/main.ts'), ...args], { cwd, encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

test('an ensemble of 3 restarts is saved whole, predicts with the mean of its networks, and exports that mean to ONNX', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlpkit-ensemble-'));
  assert.equal(mlpkit(dir, 'datasets', 'export', 'wine', '--out', 'wine.csv').code, 0);
  const trained = mlpkit(dir, 'train', 'wine.csv', '--target', 'cultivar', '--restarts', '3', '--ensemble', '--epochs', '30', '--seed', '4');
  assert.equal(trained.code, 0, trained.stderr);
  assert.match(trained.stdout + trained.stderr, /ensemble: kept all 3 runs/);
  const file = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as { training: { ensembleMembers: unknown[] } };
  assert.equal(file.training.ensembleMembers.length, 2);
  const info = mlpkit(dir, 'info', 'model.json', '--json');
  assert.equal((JSON.parse(info.stdout) as { networks: number }).networks, 3);
  const ev = mlpkit(dir, 'evaluate', 'model.json', 'wine.csv', '--target', 'cultivar', '--json');
  assert.equal(ev.code, 0, ev.stderr);
  assert.ok((JSON.parse(ev.stdout) as { accuracy: number }).accuracy > 0.9);
  const ex = mlpkit(dir, 'export', 'model.json', '--onnx', 'model.onnx');
  assert.equal(ex.code, 0, ex.stderr);
  assert.ok(existsSync(join(dir, 'model.onnx')));
  // ONNX Runtime on the raw rows gives the probabilities `mlpkit predict --proba` prints (printed to 6 digits).
  const pred = mlpkit(dir, 'predict', 'model.json', 'wine.csv', '--proba');
  const printed = pred.stdout.trim().split('\n').slice(1).map((l) => l.split(',').slice(1).map(Number));
  const raw = readFileSync(join(dir, 'wine.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').slice(0, -1).map(Number));
  const session = await InferenceSession.create(readFileSync(join(dir, 'model.onnx')));
  const out = await session.run({ [session.inputNames[0]!]: new Tensor('float32', Float32Array.from(raw.flat()), [raw.length, raw[0]!.length]) });
  const probs = out.probabilities!.data as Float32Array;
  printed.forEach((row, i) => row.forEach((p, c) => assert.ok(Math.abs(probs[i * 3 + c]! - p) < 2e-6, `row ${i} class ${c}: onnx ${probs[i * 3 + c]} vs predict ${p}`)));
  await session.release();
});

test('--ensemble without --restarts K ≥ 2 is a usage error', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlpkit-ensemble-'));
  assert.equal(mlpkit(dir, 'datasets', 'export', 'iris', '--out', 'iris.csv').code, 0);
  const r = mlpkit(dir, 'train', 'iris.csv', '--target', 'species', '--ensemble');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--ensemble keeps all the runs of --restarts K: give K ≥ 2/);
  assert.equal(existsSync(join(dir, 'model.json')), false);
});
