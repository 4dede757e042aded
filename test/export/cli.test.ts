// `mlpkit export MODEL --js a.js --c b.c --torch c.py` run in this process: the files are written (the C
// header beside the source), the JavaScript module predicts what `mlpkit predict --proba` prints, and the
// errors a user can cause are one line that names the flag, with nothing written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { main } from '../../cli/main.js';

interface Run { code: number; stdout: string; stderr: string }

async function mlpkit(...args: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; } });
  return { code, stdout, stderr };
}

const dir = mkdtempSync(join(tmpdir(), 'mlpkit-export-cli-'));
const csv = ['size,colour,weight,grade', '1.2,red,10.5,ok', '3.4,blue,,bad', '2.2,red,12.1,ok', '0.8,green,9.7,ok',
  '3.9,blue,30.2,bad', '2.9,green,25.3,bad', '1.1,red,11.0,ok', '3.3,blue,28.9,bad', ''].join('\n');
writeFileSync(join(dir, 'grades.csv'), csv);
const trained = await mlpkit('train', join(dir, 'grades.csv'), '--target', 'grade', '--impute', 'median', '--hidden', '6', '--epochs', '40', '--validation', '0', '--out', join(dir, 'model.json'), '--quiet');

test('export writes every format asked for at once, and the JavaScript predicts as `mlpkit predict --proba`', async () => {
  assert.equal(trained.code, 0, trained.stderr);
  const out = ['a.js', 'b.c', 'c.py'].map((f) => join(dir, f));
  const r = await mlpkit('export', join(dir, 'model.json'), '--js', out[0]!, '--c', out[1]!, '--torch', out[2]!);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, [out[0], out[1], join(dir, 'b.h'), out[2]].map((p) => `${p}\n`).join(''));
  assert.match(readFileSync(join(dir, 'b.c'), 'utf8'), /#include "b\.h"/);
  assert.match(readFileSync(join(dir, 'b.h'), 'utf8'), /int b_predict\(const double \*numbers, const int \*levels, double \*out\);/);
  assert.match(readFileSync(join(dir, 'c.py'), 'utf8'), /^class Model\(nn\.Module\):$/m);
  const pred = await mlpkit('predict', join(dir, 'model.json'), join(dir, 'grades.csv'), '--proba', '--quiet');
  assert.equal(pred.code, 0, pred.stderr);
  const printed = pred.stdout.trim().split('\n').slice(1).map((l) => l.split(','));
  const m = await import(pathToFileURL(out[0]!).href) as { predict: (row: unknown) => string; predictProba: (row: unknown) => number[]; CLASSES: string[] };
  assert.deepEqual(m.CLASSES, ['bad', 'ok']);
  const rows = csv.trim().split('\n').slice(1).map((l) => l.split(','));
  rows.forEach((cells, i) => {
    const row = { size: Number(cells[0]), colour: cells[1], weight: cells[2] === '' ? null : Number(cells[2]) };
    assert.equal(m.predict(row), printed[i]![0]);
    // The command may run on other kernels (native) than the test's: agreement within float32 rounding.
    m.predictProba(row).forEach((p, j) => assert.ok(Math.abs(p - Number(printed[i]![j + 1])) <= 1e-5 * Math.max(Math.abs(p), 1e-3), `row ${i}: ${p} vs ${printed[i]![j + 1]}`));
  });
});

test('export with no format, or an unwritable path, says so in one line and writes nothing', async () => {
  assert.equal(trained.code, 0, trained.stderr);
  const none = await mlpkit('export', join(dir, 'model.json'));
  assert.equal(none.code, 2);
  assert.equal(none.stderr, 'mlpkit: export: say which format, e.g. --onnx model.onnx, --js model.js, --c model.c or --torch model.py\n');
  const before = readdirSync(dir).sort();
  const missing = join(dir, 'no-such-folder', 'b.c');
  const bad = await mlpkit('export', join(dir, 'model.json'), '--js', join(dir, 'fresh.js'), '--c', missing);
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr, `mlpkit: --c ${missing}: the folder ${join(dir, 'no-such-folder')} does not exist\n`);
  assert.equal(existsSync(join(dir, 'fresh.js')), false, 'no file is written when one of the outputs cannot be');
  const folder = await mlpkit('export', join(dir, 'model.json'), '--torch', dir);
  assert.equal(folder.code, 2);
  assert.equal(folder.stderr, `mlpkit: --torch ${dir}: is a folder; give a file name\n`);
  const same = await mlpkit('export', join(dir, 'model.json'), '--js', join(dir, 'm.h'), '--c', join(dir, 'm.c'));
  assert.equal(same.code, 2);
  assert.equal(same.stderr, `mlpkit: export: --c (its header) ${join(dir, 'm.h')}: another format writes the same file; give each its own name\n`);
  const model = await mlpkit('export', join(dir, 'nope.json'), '--js', join(dir, 'x.js'));
  assert.equal(model.stderr, `mlpkit: ${join(dir, 'nope.json')}: no such model file\n`);
  assert.deepEqual(readdirSync(dir).sort(), before);
});
