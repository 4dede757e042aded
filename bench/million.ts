/**
 * Real sizes through the workflow floor: `mlpkit train` on a generated 1,000,000-row mixed CSV (numbers,
 * a category, missing cells; the default validation split and early stopping), then `mlpkit predict` on it,
 * then library `fit` with a validation fraction on 2,000,000 rows. Prints seconds and peak resident memory
 * of each (from /usr/bin/time -v when present) and the foreign CPU load of the machine during the run.
 *
 *   npx tsx bench/million.ts [--rows 1000000] [--epochs 1]
 */

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Rng } from '../src/rng.js';
import { Model } from '../src/graph/model.js';
import { mlp } from '../src/graph/builders.js';
import { fit } from '../src/train/fit.js';

const arg = (name: string, d: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? d : Number(process.argv[i + 1]);
};
const rows = arg('rows', 1_000_000);
const epochs = arg('epochs', 1);
const root = resolve(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'mlpkit-million-'));
const tsxLoader = pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href;

function csv(n: number): string {
  const rng = new Rng(1);
  const colours = ['red', 'green', 'blue', 'black'];
  const out: string[] = ['a,b,c,d,colour,label'];
  for (let i = 0; i < n; i++) {
    const a = rng.normal(); const b = rng.uniform() * 10; const c = 5 + 2 * rng.normal(); const d = rng.uniform();
    const col = colours[rng.int(4)]!;
    const y = 2 * a - 0.3 * b + 0.5 * c + (col === 'red' ? 1 : 0);
    out.push(`${i % 97 === 3 ? '' : a.toFixed(4)},${b.toFixed(3)},${c.toFixed(3)},${d.toFixed(4)},${col},${y > 2 ? 'yes' : 'no'}`);
  }
  return `${out.join('\n')}\n`;
}

function timed(what: string, args: string[]): void {
  const time = existsSync('/usr/bin/time') ? ['/usr/bin/time', '-v'] : [];
  const t0 = performance.now();
  const load0 = loadavg()[0]!;
  const r = spawnSync(time[0] ?? process.execPath, [...time.slice(1), ...(time.length > 0 ? [process.execPath] : []), '--import', tsxLoader, join(root, 'cli/main.ts'), ...args], { cwd: dir, encoding: 'utf8' });
  const seconds = (performance.now() - t0) / 1000;
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1];
  console.log(JSON.stringify({ what, exit: r.status, seconds: Number(seconds.toFixed(1)), peakRssMB: rss === undefined ? null : Math.round(Number(rss) / 1024), load1: [load0, loadavg()[0]] }));
  if (r.status !== 0) console.log(r.stderr.split('\n').filter((l) => l.startsWith('mlpkit')).join('\n'));
}

writeFileSync(join(dir, 'big.csv'), csv(rows));
timed(`mlpkit train, ${rows} rows, ${epochs} epoch(s), default validation split`, ['train', 'big.csv', '--target', 'label', '--impute', 'mean', '--epochs', String(epochs), '--batch-size', '256', '--out', 'model.json', '--quiet']);
timed(`mlpkit predict, ${rows} rows`, ['predict', 'model.json', 'big.csv', '--out', 'pred.csv', '--quiet']);

const n = 2 * rows;
const rng = new Rng(2);
const x = new Float32Array(n * 4);
const y = new Float32Array(n);
for (let i = 0; i < n; i++) {
  let s = 0;
  for (let j = 0; j < 4; j++) { const v = rng.normal(); x[i * 4 + j] = v; s += v; }
  y[i] = s > 0 ? 1 : 0;
}
const model = new Model(mlp({ inputSize: 4, outputSize: 1, task: 'binary', hidden: [8] }), { seed: 0 });
const t0 = performance.now();
const h = await fit(model, { x: { rows: n, cols: 4, data: x }, y: { rows: n, cols: 1, data: y } }, { epochs: 1, batchSize: 4096, validation: { fraction: 0.2 } });
console.log(JSON.stringify({ what: `library fit, ${n} rows, validation 0.2, 1 epoch`, seconds: Number(((performance.now() - t0) / 1000).toFixed(1)), valLoss: h.epochs[0]!.valLoss, heapMB: Math.round(process.memoryUsage().rss / 2 ** 20) }));
