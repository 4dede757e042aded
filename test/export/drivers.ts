// Programs that run an exported model on a case's rows and print one line per row: the C function's return
// value (the class index, or 0) and the outputs; the Python module's predictions and outputs as JSON.
import { spawnSync } from 'node:child_process';
import type { Case } from './models.js';

/** Whether a command runs here (`cc --version`, `python3 -c 'import torch'`). */
export function runs(cmd: string, args: readonly string[]): boolean {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return r.status === 0;
}

/** A C program that predicts every row of the case with `model_predict` and prints "rc out0 out1 …". */
export function cDriver(c: Case, header: string, prefix: string): string {
  const cols = c.pipeline.preprocessor.columns;
  const nums = cols.filter((x) => x.type === 'number').map((x) => x.name);
  const cats = cols.filter((x) => x.type === 'category').map((x) => x.name);
  const P = prefix.toUpperCase();
  const numRows = c.rows.map((r) => `{ ${[...nums.map((n) => (r[n] === null || r[n] === undefined ? 'NAN' : Number(r[n]).toPrecision(17))), '0'].join(', ')} }`);
  const catRows = c.rows.map((r) => `{ ${[...cats.map((n) => (r[n] === null || r[n] === undefined ? 'NULL' : JSON.stringify(String(r[n])))), 'NULL'].join(', ')} }`);
  return [
    '#include <math.h>', '#include <stdio.h>', `#include ${JSON.stringify(header)}`,
    `static const double numbers[${c.rows.length}][${nums.length + 1}] = {\n  ${numRows.join(',\n  ')}\n};`,
    `static const char *const texts[${c.rows.length}][${cats.length + 1}] = {\n  ${catRows.join(',\n  ')}\n};`,
    'int main(void) {',
    `  for (int r = 0; r < ${c.rows.length}; r++) {`,
    `    int levels[${cats.length + 1}];`,
    `    double out[${P}_OUTPUTS];`,
    `    for (int k = 0; k < ${P}_CATEGORIES; k++) levels[k] = ${prefix}_level(k, texts[r][k]);`,
    `    int rc = ${prefix}_predict(numbers[r], levels, out);`,
    '    printf("%d", rc);',
    `    for (int j = 0; j < ${P}_OUTPUTS; j++) printf(" %.17g", out[j]);`,
    '    printf("\\n");',
    '  }',
    '  return 0;',
    '}', '',
  ].join('\n');
}

/** A Python program that imports the exported module and prints, per row, [prediction, outputs] as JSON. */
export function pythonDriver(c: Case, moduleName: string, classifier: boolean): string {
  return [
    'import json, sys',
    `import ${moduleName} as m`,
    `rows = json.loads(${JSON.stringify(JSON.stringify(c.rows))})`,
    'x = m.preprocess(rows)',
    'pred = m.predict(rows)',
    classifier ? 'nums = m.predict_proba(rows)' : 'nums = [v if isinstance(v, list) else [v] for v in pred]',
    'for p, n in zip(pred, nums):',
    '    print(json.dumps([p, n]))',
    '',
  ].join('\n');
}
