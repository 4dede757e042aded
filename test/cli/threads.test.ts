// `mlpkit train --threads 2` splits large products over two threads and saves exactly the model that
// one thread trains.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = resolve(import.meta.dirname, '../..');
const tsx = pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href;

function mlpkit(cwd: string, ...args: string[]): void {
  const r = spawnSync(process.execPath, ['--import', tsx, join(root, 'cli/main.ts'), ...args], { cwd, encoding: 'utf8' });
  assert.equal(r.status, 0, `mlpkit ${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
}

test('--threads 2 trains bit for bit the weights of one thread', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlpkit-threads-'));
  mlpkit(dir, 'datasets', 'export', 'breast-cancer', '--out', 'data.csv');
  const weights = (threads: string): string => {
    mlpkit(dir, 'train', 'data.csv', '--target', 'diagnosis', '--hidden', '256,128', '--batch-size', '128', '--epochs', '3', '--quiet', '--threads', threads, '--out', `m${threads}.json`);
    return (JSON.parse(readFileSync(join(dir, `m${threads}.json`), 'utf8')) as { weights: { base64: string } }).weights.base64;
  };
  assert.equal(weights('2'), weights('1'));
});
