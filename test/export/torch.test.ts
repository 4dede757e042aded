// The PyTorch export, run by Python with torch, predicts every training row as the pipeline does (labels
// equal, probabilities or values within 1e-6 relative or the engine's own float32 rounding), and trains on
// further. Skipped where no Python here imports torch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportTorch } from '../../src/export/torch.js';
import { pythonDriver, pythonTrainer, torchPython } from './drivers.js';
import { cases, expected, maxRelative, tolerance } from './models.js';

const python = torchPython();
const skip = python === null ? 'no Python with torch here (python3 -c "import torch" fails; set MLPKIT_PYTHON)' : false;
const dir = mkdtempSync(join(tmpdir(), 'mlpkit-export-torch-'));
const all = skip === false ? await cases() : [];

function runPython(script: string, text: string): string {
  writeFileSync(join(dir, script), text);
  const r = spawnSync(python!, [script], { cwd: dir, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

const moduleName = (name: string): string => `model_${name.replace(/-/g, '_')}`;

for (const name of ['classifier', 'binary-batchnorm', 'regression-2', 'ensemble', 'graph']) {
  test(`the PyTorch export of the ${name} case predicts every row as pipeline.predict does`, { skip, timeout: 120000 }, (t) => {
    const c = all.find((x) => x.name === name)!;
    writeFileSync(join(dir, `${moduleName(name)}.py`), exportTorch(c.pipeline));
    const classifier = c.pipeline.task !== 'regression';
    const lines = runPython(`predict_${moduleName(name)}.py`, pythonDriver(c, moduleName(name), classifier))
      .trim().split('\n').map((l) => JSON.parse(l) as [string | number, number[]]);
    const e = expected(c);
    if (classifier) assert.deepEqual(lines.map((l) => l[0]), e.labels);
    const worst = maxRelative(lines.map((l) => l[1]), e.numbers);
    const { tolerance: tol, engineRounding } = tolerance(c);
    t.diagnostic(`max relative difference ${worst.toExponential(2)} (engine's own float32 rounding ${engineRounding.toExponential(2)})`);
    assert.ok(worst <= tol, `max relative difference ${worst} > ${tol}`);
  });
}

for (const name of ['binary-batchnorm', 'regression-2', 'graph']) {
  test(`the PyTorch module of the ${name} case trains further: its loss falls, masked weights stay zero, tied weights stay one`, { skip, timeout: 120000 }, () => {
    const c = all.find((x) => x.name === name)!;
    writeFileSync(join(dir, `${moduleName(name)}.py`), exportTorch(c.pipeline));
    const r = JSON.parse(runPython(`train_${moduleName(name)}.py`, pythonTrainer(c, moduleName(name)))) as { before: number; after: number; masks: number; maskedZero: boolean; tied: number };
    assert.ok(r.after < r.before, `loss ${r.before} → ${r.after}`);
    assert.equal(r.masks, name === 'graph' ? 2 : 0);
    assert.equal(r.maskedZero, true);
    assert.equal(r.tied, name === 'graph' ? 1 : 0);
  });
}
