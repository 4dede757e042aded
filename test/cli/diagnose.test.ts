// mlpkit train says what went wrong in a run, from the history it recorded: on stderr in words, and in the
// --json final record as findings a script can read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMlpkit as run } from '../helpers/mlpkit.js';
import { Rng } from '../../src/rng.js';

function twoBlobs(rows: number): string {
  const rng = new Rng(3);
  const lines = ['a,b,label'];
  for (let i = 0; i < rows; i++) { const k = i % 2; lines.push(`${(rng.normal() + 2 * k).toFixed(4)},${(rng.normal() - k).toFixed(4)},${k === 1 ? 'yes' : 'no'}`); }
  return `${lines.join('\n')}\n`;
}

test('a learning rate far too high is found, said on stderr with the flag to change, and listed in the --json record', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlpkit-diagnose-'));
  writeFileSync(join(dir, 'd.csv'), twoBlobs(300));
  const argv = ['train', join(dir, 'd.csv'), '--target', 'label', '--optimizer', 'sgd', '--lr', '5', '--epochs', '30', '--early-stopping', '0', '--out', join(dir, 'm.json')];
  const words = await run(...argv);
  assert.equal(words.code, 0, words.err);
  assert.match(words.err, /^warning learningRateTooHigh: the training loss rose by .* — lower the learning rate \(learningRate, --lr\)/m);
  // The report opens with the same findings, before the summary.
  const withReport = await run(...argv, '--report', join(dir, 'r.html'), '--quiet');
  assert.equal(withReport.code, 0, withReport.err);
  const html = readFileSync(join(dir, 'r.html'), 'utf8');
  const at = html.indexOf('<section id="diagnosis">');
  assert.ok(at > 0 && at < html.indexOf('<section id="summary">'), 'the diagnosis comes first');
  assert.match(html.slice(at, html.indexOf('</section>', at)), /warning learningRateTooHigh<\/strong>: the training loss rose by/);
  const json = await run(...argv, '--json');
  const done = JSON.parse(json.out.trim().split('\n').at(-1)!) as { event: string; diagnosis: { code: string; option: string }[] };
  assert.equal(done.event, 'done');
  assert.ok(done.diagnosis.some((f) => f.code === 'learningRateTooHigh' && f.option === 'learningRate'), JSON.stringify(done.diagnosis));

  const calm = await run('train', join(dir, 'd.csv'), '--target', 'label', '--lr', '0.01', '--epochs', '20', '--out', join(dir, 'c.json'), '--json');
  const calmDone = JSON.parse(calm.out.trim().split('\n').at(-1)!) as { diagnosis: { code: string }[] };
  assert.ok(!calmDone.diagnosis.some((f) => f.code === 'learningRateTooHigh'), JSON.stringify(calmDone.diagnosis));
});
