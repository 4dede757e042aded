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

/** The first Python here that imports torch ($MLPKIT_PYTHON, python3, /usr/bin/python3), or null. */
export function torchPython(): string | null {
  const candidates = [process.env.MLPKIT_PYTHON, 'python3', '/usr/bin/python3'].filter((p): p is string => p !== undefined && p !== '');
  return candidates.find((p) => runs(p, ['-c', 'import torch'])) ?? null;
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

/**
 * A Python program that trains the exported module further for a few steps on the case's rows (the network's
 * own loss on its outputs) and prints the loss before and after, whether masked weights stayed zero, and how
 * many tensors are shared (tied weights).
 */
export function pythonTrainer(c: Case, moduleName: string): string {
  const t = c.pipeline.preprocessor.target;
  const y = c.pipeline.preprocessor.transformTarget(c.table).y;
  const k = y.cols;
  const targets = Array.from({ length: y.rows }, (_, r) => Array.from(y.data.subarray(r * k, r * k + k)));
  const loss = t.task === 'regression' ? 'torch.mean((out - y) ** 2)' : t.task === 'binary' ? 'F.binary_cross_entropy(out, y)' : '-torch.mean(torch.sum(y * torch.log(out), dim=1))';
  return [
    'import json', 'import torch', 'import torch.nn.functional as F',
    `import ${moduleName} as m`,
    `rows = json.loads(${JSON.stringify(JSON.stringify(c.rows))})`,
    `y = torch.tensor(json.loads(${JSON.stringify(JSON.stringify(targets))}), dtype=torch.float32)`,
    'torch.manual_seed(0)',
    'model = m.Model()',
    'x = m.preprocess(rows)',
    'opt = torch.optim.Adam(model.parameters(), lr=0.01)',
    'def loss_now():',
    '    model.eval()',
    '    with torch.no_grad():',
    '        out = model(x)',
    `        return float(${loss})`,
    'before = loss_now()',
    'for step in range(30):',
    '    model.train()',
    '    opt.zero_grad()',
    '    out = model(x)',
    `    loss = ${loss}`,
    '    loss.backward()',
    '    opt.step()',
    'masks = [(n, b) for n, b in model.named_buffers() if n.endswith("_mask")]',
    'zero = all(bool(((dict(model.named_parameters())[n[:-5] + ".weight"] * (1 - b)) == 0).all()) for n, b in masks if not n.endswith("_bias_mask"))',
    'ids = [id(v) for v in model.state_dict(keep_vars=True).values()]',
    'print(json.dumps({"before": before, "after": loss_now(), "masks": len(masks), "maskedZero": zero, "tied": len(ids) - len(set(ids))}))',
    '',
  ].join('\n');
}
