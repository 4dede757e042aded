// mlpkit compare, run as a user runs it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnMlpkit as mlpkit } from '../helpers/mlpkit.js';
import { parseVary } from '../../cli/compare.js';
import { moons } from '../../src/data/generators.js';



function moonsCsv(dir: string): string {
  const d = moons({ n: 200, noise: 0.2, seed: 1 });
  const path = join(dir, 'moons.csv');
  writeFileSync(path, `a,b,label\n${d.x.map((r, i) => `${r[0]},${r[1]},${d.y[i] === 1 ? 'yes' : 'no'}`).join('\n')}\n`);
  return path;
}

test('--vary flags: command-line names, hidden sizes joined by x, numbers parsed', () => {
  assert.deepEqual(parseVary(['batchnorm=before,after', 'lr=0.01,0.001', 'hidden=16,32x32']), {
    batchNorm: ['before', 'after'], learningRate: [0.01, 0.001], hidden: [[16], [32, 32]],
  });
  assert.throws(() => parseVary(['batchnrom=before']), /--vary batchnrom=before: unknown option 'batchnrom' \(did you mean batchnorm\?\)/);
  assert.throws(() => parseVary(['lr=fast']), /--vary lr=fast: 'fast' is not a number/);
  assert.throws(() => parseVary(['batchnorm']), /expected OPTION=VALUE,VALUE/);
  assert.throws(() => parseVary([]), /--vary OPTION=VALUE,VALUE is required/);
});

test('mlpkit compare prints both configurations and the paired tests, --json has the curves, --report overlays them', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlpkit-compare-'));
  const csv = moonsCsv(dir);
  const r = await mlpkit(dir, 'compare', csv, '--target', 'label', '--vary', 'batchnorm=before,after', '--repeats', '3', '--epochs', '5', '--threads', '2', '--report', 'cmp.html');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^batchNorm=before +0\.\d{4} ± 0\.\d{4}/m);
  assert.match(r.stdout, /batchNorm=after − batchNorm=before: [+-]0\.\d{4} ± 0\.\d{4} over 3 paired seeds; paired t-test p = [\d.e-]+, Wilcoxon signed-rank p = [\d.]+/);
  const html = readFileSync(join(dir, 'cmp.html'), 'utf8');
  // One line mark per series: two configurations × (held-out, training) curves, each a drawn path.
  const lines = [...html.matchAll(/<g class="mark-line role-mark[^>]*>(<path [^>]*d="M[^"]+"[^>]*\/>)<\/g>/g)];
  assert.equal(lines.length, 4, 'two configurations × (held-out, training) curves');
  for (const label of ['batchNorm=before', 'batchNorm=after']) assert.equal((html.match(new RegExp(`>${label}</text>`, 'g')) ?? []).length, 2, `${label} in both legends`);
  const j = await mlpkit(dir, 'compare', csv, '--target', 'label', '--vary', 'lr=0.01,0.001', '--repeats', '2', '--epochs', '3', '--json');
  assert.equal(j.code, 0, j.stderr);
  const parsed = JSON.parse(j.stdout) as { score: string; configurations: { curve: { heldOutLoss: number[] } }[] };
  assert.equal(parsed.score, 'accuracy');
  assert.equal(parsed.configurations[1]!.curve.heldOutLoss.length, 3);
});

test('mlpkit compare refuses a bad --vary with exit code 2 and one line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlpkit-compare-'));
  const r = await mlpkit(dir, 'compare', moonsCsv(dir), '--target', 'label', '--vary', 'activation=relu,rleu');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^mlpkit: activation "rleu" is not one of identity, step, .* \(configuration activation=rleu\)\n$/);
});
