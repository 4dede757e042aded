// Every script in examples/ runs as a user would start it and prints what its comment promises; the browser
// page trains in headless Chromium on the browser bundle. `mlpkit` resolves to src/ through tsconfig's paths
// (the pack test runs the same files against the installed package).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { buildBrowserEntries } from '../scripts/build-browser.js';
import { chromiumSkip, launchChromium, serve, textWhenDone } from './helpers/browser.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const run = promisify(execFile);

/** What each script must print; a new example without an entry here fails the first test. */
const EXPECT: Readonly<Record<string, readonly RegExp[]>> = {
  'classify-csv.ts': [/test accuracy 0\.(9\d|8\d)\d? on 38 rows/, /model written to .*\.json/],
  'regression.ts': [/diabetes: 442 rows/, /test R² 0\.[2-9]\d*/, /90% intervals \(calibrated on \d+ rows\): coverage 0\.(8[5-9]|9)\d* on the test rows/],
  'neuron-graph.ts': [/dense\(3 => 1, sigmoid, masked\)/, /outputs 0\.0\d+ 0\.9\d+ 0\.9\d+ 0\.0\d+/, /largest relative error, backprop vs finite difference: \d\.\d+e-(1\d|[7-9])/],
  'ensemble-workers.ts': [/run 7 \(seed 7\)/, /ensemble of 8: test accuracy 0\.9\d+/],
  'compare-batchnorm.ts': [
    /## iris \(150 rows, classification/, /batchNorm=before +0\.\d+ ± 0\.\d+ +0/,
    /batchNorm=none − batchNorm=after: [+-]0\.\d+ ± 0\.\d+ over 5 paired seeds; paired t-test p = .*, Wilcoxon signed-rank p = /, /## moons \(600 rows/,
  ],
};

test('every TypeScript example has its expected output listed', async () => {
  const scripts = (await readdir(join(root, 'examples'))).filter((f) => f.endsWith('.ts')).sort();
  assert.deepEqual(scripts, Object.keys(EXPECT).sort());
});

for (const [script, patterns] of Object.entries(EXPECT)) {
  test(`examples/${script} runs and prints its results`, { timeout: 120000 }, async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', join('examples', script)], { cwd: root });
    for (const p of patterns) assert.match(stdout, p);
  });
}

test('examples/browser.html trains on the browser bundle and reports its accuracy', { skip: chromiumSkip, timeout: 120000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mlpkit-example-page-'));
  const bundle = await buildBrowserEntries(join(dir, 'browser'));
  const { server, url } = await serve({}, { '/examples/': join(root, 'examples'), '/dist/browser/': bundle });
  const context = await launchChromium(join(dir, 'profile'));
  try {
    const { text, errors } = await textWhenDone(context, `${url}examples/browser.html`, '#status', /accuracy/);
    assert.deepEqual(errors, []);
    assert.match(text, /^wasm-(relaxed-)?simd: loss 0\.\d+ after 200 epochs, training accuracy (0\.9\d+|1\.000)$/);
  } finally {
    await context.close();
    server.close();
    await rm(dir, { recursive: true, force: true });
  }
});
