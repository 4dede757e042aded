// The core runs in a browser: bundle it, serve it on 127.0.0.1 and train a small net in headless Chromium.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildBrowser } from '../../scripts/build-browser.js';
import { chromiumSkip, launchChromium, serve } from '../helpers/browser.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

// Trains XOR with the five calls and a plain gradient-descent loop, then round-trips the model through the
// model file and ONNX, all inside the page.
const PAGE = `<!doctype html><meta charset="utf-8"><title>mlpkit</title><script type="module">
import { Model, mlp } from '/mlpkit.js';
import { modelToFile, modelFromFile, exportOnnx, importOnnx } from '/io.js';
try {
const spec = mlp({ inputSize: 2, outputSize: 1, task: 'binary', hidden: [8], activation: 'tanh' });
const model = new Model(spec, { seed: 1 });
const x = [[0, 0], [0, 1], [1, 0], [1, 1]];
const y = [[0], [1], [1], [0]];
model.forward(x);
const first = model.loss(y);
for (let t = 0; t < 300; t++) {
  model.forward(x, { mode: 'train' });
  model.loss(y);
  model.zeroGrad();
  model.backward();
  const w = model.paramBuffer.a, g = model.gradBuffer.a;
  for (let i = 0; i < w.length; i++) w[i] -= 0.5 * g[i];
  model.applyConstraints();
}
model.forward(x);
const last = model.loss(y);
const p = Array.from(model.predict(x).data);
const loaded = modelFromFile(JSON.parse(JSON.stringify(modelToFile(model))));
const same = Array.from(loaded.predict(x).data).every((v, i) => Object.is(v, p[i]));
const onnx = exportOnnx(model);
const back = importOnnx(onnx);
window.result = { first, last, p, same, onnxBytes: onnx.length, importedLayers: back.spec.layers.length,
  hasProcess: typeof process !== 'undefined', hasBuffer: typeof Buffer !== 'undefined' };
} catch (e) {
  window.result = { error: String(e && e.stack || e) };
}
</script>`;

test('the bundled core trains a small net in headless Chromium and its loss falls', { skip: chromiumSkip, timeout: 120000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mlpkit-browser-'));
  const core = await buildBrowser(join(dir, 'mlpkit.js'));
  const io = await buildBrowser(join(dir, 'io.js'), join(root, 'test/browser/io-entry.ts'));
  const js = 'text/javascript';
  const { server, url } = await serve({
    '/': { type: 'text/html', body: PAGE },
    '/mlpkit.js': { type: js, body: await readFile(core, 'utf8') },
    '/io.js': { type: js, body: await readFile(io, 'utf8') },
  });
  const context = await launchChromium(join(dir, 'profile'));
  try {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    await page.waitForFunction('window.result !== undefined', undefined, { timeout: 60000 });
    assert.deepEqual(errors, []);
    const r = await page.evaluate('window.result') as {
      error?: string; first: number; last: number; p: number[]; same: boolean; onnxBytes: number; importedLayers: number; hasProcess: boolean; hasBuffer: boolean;
    };
    assert.equal(r.error, undefined);
    assert.ok(r.last < 0.25 * r.first, `loss ${r.first} → ${r.last}`);
    assert.deepEqual(r.p.map((v) => (v > 0.5 ? 1 : 0)), [0, 1, 1, 0]);
    assert.equal(r.same, true, 'model file round trip in the browser is bit-identical');
    assert.ok(r.onnxBytes > 100);
    assert.equal(r.importedLayers, 2);
    assert.equal(r.hasProcess, false);
    assert.equal(r.hasBuffer, false);
  } finally {
    await context.close();
    server.close();
    await rm(dir, { recursive: true, force: true });
  }
});
