// `--restarts K --ensemble`: all K runs kept in one model file; predict, evaluate and info use the
// mean of the networks; ONNX export of an ensemble is refused clearly and writes nothing.
import { test } from 'node:test';
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

test('an ensemble of 3 restarts is saved whole and predicts with the mean of its networks', () => {
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
  assert.notEqual(ex.code, 0);
  assert.match(ex.stderr, /holds an ensemble of 3 networks/);
  assert.equal(existsSync(join(dir, 'model.onnx')), false);
});

test('--ensemble without --restarts K ≥ 2 is a usage error', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlpkit-ensemble-'));
  assert.equal(mlpkit(dir, 'datasets', 'export', 'iris', '--out', 'iris.csv').code, 0);
  const r = mlpkit(dir, 'train', 'iris.csv', '--target', 'species', '--ensemble');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--ensemble keeps all the runs of --restarts K: give K ≥ 2/);
  assert.equal(existsSync(join(dir, 'model.json')), false);
});
