// The C export, compiled by the system's cc (-std=c99 -O2, warnings as errors) with a driver that calls it
// on every training row, predicts as the pipeline does: the same class, and probabilities or values within
// 1e-6 relative (or the engine's own float32 rounding). Skipped where there is no cc.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportC } from '../../src/export/c.js';
import { cDriver, runs } from './drivers.js';
import { cases, expected, maxRelative, tolerance } from './models.js';

const skip = runs('cc', ['--version']) ? false : 'no C compiler: `cc --version` does not run';
const dir = mkdtempSync(join(tmpdir(), 'mlpkit-export-c-'));
const all = skip === false ? await cases() : [];

/** Compile the export and the driver; the driver's lines as [return value, outputs…]. */
function compileAndRun(name: string, files: Record<string, string>): number[][] {
  const d = join(dir, name);
  mkdirSync(d);
  for (const [f, text] of Object.entries(files)) writeFileSync(join(d, f), text);
  const cc = spawnSync('cc', ['-std=c99', '-O2', '-Wall', '-Wextra', '-pedantic', '-Werror', '-o', join(d, 'run'), join(d, 'main.c'), join(d, 'model.c'), '-lm'], { encoding: 'utf8' });
  assert.equal(cc.status, 0, `cc failed:\n${cc.stderr}`);
  const r = spawnSync(join(d, 'run'), { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim().split('\n').map((l) => l.split(' ').map(Number));
}

for (const name of ['classifier', 'binary-batchnorm', 'regression-2', 'ensemble', 'graph']) {
  test(`the C export of the ${name} case predicts every row as pipeline.predict does`, { skip }, (t) => {
    const c = all.find((x) => x.name === name)!;
    const { source, header } = exportC(c.pipeline, { prefix: 'model' });
    const lines = compileAndRun(name, { 'model.c': source, 'model.h': header, 'main.c': cDriver(c, 'model.h', 'model') });
    const e = expected(c);
    const target = c.pipeline.preprocessor.target;
    if (target.task === 'regression') assert.ok(lines.every((l) => l[0] === 0));
    else assert.deepEqual(lines.map((l) => target.classes[l[0]!]), e.labels);
    const worst = maxRelative(lines.map((l) => l.slice(1)), e.numbers);
    const { tolerance: tol, engineRounding } = tolerance(c);
    t.diagnostic(`max relative difference ${worst.toExponential(2)} (engine's own float32 rounding ${engineRounding.toExponential(2)})`);
    assert.ok(worst <= tol, `max relative difference ${worst} > ${tol}`);
  });
}

test('the C function refuses what the model refuses: a missing cell with no fill value, an unseen level; the header says the layout', { skip }, () => {
  const c = all.find((x) => x.name === 'classifier')!;
  const { source, header } = exportC(c.pipeline, { prefix: 'grades', header: 'grades.h' });
  assert.match(header, /int grades_predict\(const double \*numbers, const int \*levels, double \*out\);/);
  assert.match(header, /\[0\] size\n \*\s+\[1\] weight\n \*\s+\[2\] age\n/);
  assert.match(header, /\[0\] colour: 0 "amber", 1 "blue", 2 "green", 3 "red"/);
  const main = [
    '#include <math.h>', '#include <stdio.h>', '#include "grades.h"',
    'int main(void) {',
    '  double out[GRADES_OUTPUTS];',
    '  double ok[] = { 2.5, NAN, 40 }, no_age[] = { 2.5, 20, NAN };',
    '  int red[] = { 0 }, purple[] = { 0 }, missing[] = { GRADES_MISSING };',
    '  red[0] = grades_level(0, "red"); purple[0] = grades_level(0, "purple");',
    '  printf("%d %d %d\\n", red[0], purple[0], grades_level(0, NULL));',
    '  printf("%d %d %d %d\\n", grades_predict(ok, red, out) >= 0, grades_predict(no_age, red, out), grades_predict(ok, purple, out), grades_predict(ok, missing, out) >= 0);',
    '  return 0;',
    '}', '',
  ].join('\n');
  const d = join(dir, 'refusals');
  mkdirSync(d);
  writeFileSync(join(d, 'grades.c'), source);
  writeFileSync(join(d, 'grades.h'), header);
  writeFileSync(join(d, 'main.c'), main);
  const cc = spawnSync('cc', ['-std=c99', '-O2', '-Wall', '-Werror', '-o', join(d, 'run'), join(d, 'main.c'), join(d, 'grades.c'), '-lm'], { encoding: 'utf8' });
  assert.equal(cc.status, 0, cc.stderr);
  // red is level 3, purple unknown (-2), NULL missing (-1); age has no fill (-1), purple is refused (-2),
  // weight and colour were imputed in training, so their missing cells are filled.
  assert.equal(spawnSync(join(d, 'run'), { encoding: 'utf8' }).stdout, '3 -2 -1\n1 -1 -2 1\n');
});

test('exportC refuses a prefix that is not a C identifier', { skip }, () => {
  assert.throws(() => exportC(all[0]!.pipeline, { prefix: 'my-model' }), /^Error: exportC: prefix "my-model" is not a C identifier$/);
});
