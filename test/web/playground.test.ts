// The playground end to end in headless Chromium: served by `startPlayground`, driven like a user.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { modelFromFile } from '../../src/index.js';
import { startPlayground, type PlaygroundServer } from '../../cli/playground.js';
import type {} from '../../web/hooks.js';
import { buildWeb } from '../../web/build.mjs';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} is absent (install Debian's chromium package to run the playground tests)`;
const root = fileURLToPath(new URL('../../', import.meta.url));
const shots = join(root, '.artifacts/playground');

interface Env { server: PlaygroundServer; context: BrowserContext; profile: string; page: Page; errors: string[] }
const env: Partial<Env> = {};

async function openPage(hash = ''): Promise<{ page: Page; errors: string[] }> {
  const page = await env.context!.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  await page.goto(env.server!.url + hash);
  await page.waitForFunction(() => document.querySelector('[data-testid="test-loss"]')?.textContent?.match(/^\d/) !== null, undefined, { timeout: 20000 });
  return { page, errors };
}

const testLoss = async (page: Page): Promise<number> => Number(await page.textContent('[data-testid="test-loss"]'));

/** Press play, train for `ms`, pause, and return the test loss shown once the pause's frame arrived. */
async function train(page: Page, ms: number): Promise<number> {
  await page.click('[data-testid="play"]');
  await page.waitForTimeout(ms);
  await page.click('[data-testid="play"]');
  await page.waitForFunction(() => document.querySelector('[data-testid="play"]')?.getAttribute('aria-label') === 'play');
  await page.waitForTimeout(150);
  return testLoss(page);
}

before(async () => {
  if (skip !== false) return;
  await mkdir(shots, { recursive: true });
  // Always from the current sources, so a stale dist/web is never what is tested.
  await buildWeb();
  env.server = await startPlayground({ port: 0, open: false });
  env.profile = await mkdtemp(join(tmpdir(), 'mlpkit-playground-'));
  env.context = await chromium.launchPersistentContext(env.profile, {
    executablePath: CHROMIUM, headless: true, acceptDownloads: true, viewport: { width: 1400, height: 900 },
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});

after(async () => {
  await env.context?.close();
  await env.server?.close();
  if (env.profile !== undefined) await rm(env.profile, { recursive: true, force: true });
});

test('the page loads with no console errors and shows the circle set, the network and a test loss', { skip, timeout: 30000 }, async () => {
  const { page, errors } = await openPage();
  assert.equal(await page.locator('.dataset.selected').getAttribute('data-name'), 'circle');
  assert.equal(await page.locator('.neuron[data-layer="0"]').count(), 4, 'first hidden layer has the default 4 neurons');
  const loss = await testLoss(page);
  assert.ok(loss > 0.5 && loss < 1, `untrained cross-entropy near ln 2, got ${loss}`);
  assert.match(await page.textContent('#backend') ?? '', /wasm|ts/);
  await page.screenshot({ path: join(shots, '1-loaded.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test('training for a few seconds lowers the test loss on the circle set', { skip, timeout: 30000 }, async () => {
  const { page, errors } = await openPage();
  const before = await testLoss(page);
  const afterTraining = await train(page, 3000);
  await page.screenshot({ path: join(shots, '2-trained-circle.png'), fullPage: true });
  assert.ok(afterTraining < 0.5 * before, `test loss ${before} → ${afterTraining}`);
  assert.ok(Number(await page.textContent('#epoch')) > 5, 'several epochs ran');
  assert.deepEqual(errors, []);
  await page.close();
});

test('step mode runs forward, then backward, and shows I, O and δ on every neuron', { skip, timeout: 30000 }, async () => {
  const { page, errors } = await openPage();
  await page.click('[data-testid="step"]');
  await page.waitForSelector('[data-testid="step-panel"]:not([hidden])');
  assert.equal(await page.locator('[data-testid="delta"]').count(), 0, 'no δ before the backward pass');
  await page.click('[data-testid="step"]');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="delta"]').length === 7);
  const deltas = (await page.locator('[data-testid="delta"]').allTextContents()).map((t) => Number(t.replace('δ', '')));
  assert.ok(deltas.every(Number.isFinite), `deltas are numbers: ${deltas.join(', ')}`);
  assert.ok(deltas.some((d) => d !== 0), 'some δ is non-zero');
  assert.match(await page.textContent('[data-testid="step-panel"]') ?? '', /Backward pass/);
  await page.screenshot({ path: join(shots, '3-step-backward.png'), fullPage: true });
  const stepsBefore = await page.textContent('#steps');
  await page.click('[data-testid="step"]');
  await page.waitForFunction((s) => document.querySelector('#steps')?.textContent !== s, stepsBefore);
  assert.equal(await page.textContent('#steps'), '1 steps');
  assert.deepEqual(errors, []);
  await page.close();
});

test('an exported model JSON loads in the library and predicts exactly what the page predicts, and its ONNX export the same in ONNX Runtime', { skip, timeout: 30000 }, async () => {
  const { page, errors } = await openPage('#layers=3r,2t:1=s&data=xor&features=x1.x2.x1x2');
  await train(page, 1000);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-json"]')]);
  const text = await readFile(await download.path(), 'utf8');
  const model = modelFromFile(JSON.parse(text));
  assert.equal(model.inputSize, 3);
  const rows = [[0.5, -0.5, -0.25], [-0.9, -0.8, 0.72], [0.1, 0.2, 0.02], [0, 0, 0]];
  const inPage = await page.evaluate((x) => window.mlpkitPlayground!.predict(x), rows);
  const inNode = Array.from(model.predict(rows).data);
  assert.deepEqual(inNode, inPage);
  const [onnx] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-onnx"]')]);
  const session = await InferenceSession.create(await readFile(await onnx.path()));
  const out = await session.run({ [session.inputNames[0]!]: new Tensor('float32', Float32Array.from(rows.flat()), [rows.length, 3]) });
  await session.release();
  // A binary classifier's ONNX outputs: 'probabilities' [1 − p, p] and 'label' (the larger one's index).
  const pairs = Array.from(out['probabilities']!.data as Float32Array);
  const labels = Array.from(out['label']!.data as BigInt64Array, Number);
  assert.equal(pairs.length, 2 * inPage.length);
  inPage.forEach((p, i) => {
    assert.ok(Math.abs(pairs[2 * i + 1]! - p) <= 1e-5 && Math.abs(pairs[2 * i]! - (1 - p)) <= 1e-5, `row ${i}: ONNX Runtime [${pairs[2 * i]}, ${pairs[2 * i + 1]}], page p = ${p}`);
    if (Math.abs(p - 0.5) > 1e-5) assert.equal(labels[i], p > 0.5 ? 1 : 0, `row ${i}: label`);
  });
  await page.screenshot({ path: join(shots, '4-xor-per-neuron-activation.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test('a dropped CSV with four features, three text labels and a trailing note column trains', { skip, timeout: 30000 }, async () => {
  const { page, errors } = await openPage();
  const lines = ['a,b,c,d,label,note'];
  for (let i = 0; i < 240; i++) {
    const a = Math.sin(i * 1.7), b = Math.cos(i * 2.3), c = Math.sin(i * 0.37) * 3, d = (i % 7) / 7;
    const r = a * a + b * b;
    lines.push([a, b, c, d].map((v) => v.toFixed(4)).join(',') + ',' + (r < 0.4 ? 'inner' : r < 0.9 ? 'middle' : 'outer') + `,"sample ${i}"`);
  }
  const csv = lines.join('\n');
  const data = await page.evaluateHandle((t) => {
    const dt = new DataTransfer();
    dt.items.add(new File([t], 'rings.csv', { type: 'text/csv' }));
    return dt;
  }, csv);
  await page.dispatchEvent('[data-testid="dropzone"]', 'drop', { dataTransfer: data });
  await page.waitForFunction(() => document.querySelectorAll('.neuron.input').length === 4);
  assert.deepEqual(await page.locator('.neuron.input .iname').allTextContents(), ['a', 'b', 'c', 'd']);
  // The note column (free text, a value per row) is neither a feature nor the target.
  assert.match(await page.textContent('#csvNote') ?? '', /240 rows, 4 feature columns, target 'label' \(3 classes\)\. Left out \(not numeric\): note\./);
  assert.equal(await page.locator('.layer.out .neuron').count(), 3, 'one output neuron per class');
  const before = await testLoss(page);
  const afterTraining = await train(page, 2500);
  await page.screenshot({ path: join(shots, '5-csv-trained.png'), fullPage: true });
  assert.ok(afterTraining < 0.7 * before, `test loss ${before} → ${afterTraining}`);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a neuron gets its own activation from the inspector, and the link records it', { skip, timeout: 30000 }, async () => {
  const { page, errors } = await openPage();
  await page.click('.neuron[data-layer="0"][data-unit="2"]');
  await page.selectOption('[data-testid="neuron-activation"]', 'relu');
  await page.waitForSelector('.neuron.custom[data-layer="0"][data-unit="2"] .badge');
  assert.match(decodeURIComponent(new URL(page.url()).hash), /layers=4t:2=r,2t/);
  await page.screenshot({ path: join(shots, '6-neuron-inspector.png'), fullPage: true });
  const reloaded = await openPage(new URL(page.url()).hash);
  assert.equal(await reloaded.page.textContent('.neuron.custom[data-layer="0"][data-unit="2"] .badge'), 'relu');
  assert.deepEqual([...errors, ...reloaded.errors], []);
  await reloaded.page.close();
  await page.close();
});

test('with a batch of one row, a neuron\'s weight gradients in step mode are δ_j O_k and δ_j (equation (3))', { skip, timeout: 30000 }, async () => {
  const { page, errors } = await openPage('#batch=1');
  await page.click('[data-testid="step"]');
  await page.click('[data-testid="step"]');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="delta"]').length === 7);
  // Hidden layer 2, neuron 1: its inputs O_k are hidden layer 1's four outputs.
  const valuesOf = async (layer: number, unit: number): Promise<{ O: number; delta: number }> => {
    const t = (await page.textContent(`.neuron[data-layer="${layer}"][data-unit="${unit}"] .vals`)) ?? '';
    return { O: Number(/O(-?[\d.e+-]+)/.exec(t)?.[1]), delta: Number(/δ(-?[\d.e+-]+)/.exec(t)?.[1]) };
  };
  const O = await Promise.all([0, 1, 2, 3].map(async (u) => (await valuesOf(0, u)).O));
  const { delta } = await valuesOf(1, 0);
  await page.click('.neuron[data-layer="1"][data-unit="0"]');
  const text = (await page.textContent('[data-testid="weight-gradients"]')) ?? '';
  const dW = (/∂L\/∂w_kj = Σ δ_j O_k = ([^\n]+)/.exec(text)?.[1] ?? '').split(', ').map(Number);
  const db = Number(/∂L\/∂w_0j = Σ δ_j = (\S+)/.exec(text)?.[1]);
  assert.equal(dW.length, 4, text);
  assert.ok(Number.isFinite(delta) && delta !== 0, `δ = ${delta}`);
  // The page rounds what it shows (O to 3 decimals, δ and gradients to 4 or 3 significant digits).
  const close = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-4 + 0.01 * Math.abs(b);
  dW.forEach((g, k) => assert.ok(close(g, delta * O[k]!), `∂L/∂w_${k}j = ${g}, δ_j O_k = ${delta} × ${O[k]}`));
  assert.ok(close(db, delta), `∂L/∂w_0j = ${db}, δ_j = ${delta}`);
  await page.screenshot({ path: join(shots, '7-step-gradients.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test('a link pasted into the open page rebuilds the network it names', { skip, timeout: 30000 }, async () => {
  const { page, errors } = await openPage();
  await page.evaluate(() => { location.hash = 'data=xor&layers=3r,3r,2r'; });
  await page.waitForFunction(() => document.querySelectorAll('.neuron[data-layer="2"]').length === 2);
  assert.equal(await page.locator('.dataset.selected').getAttribute('data-name'), 'xor');
  assert.equal(await page.locator('.neuron[data-layer="0"]').count(), 3);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a regression surface trains: the test loss on the bumps set falls, drawn on the value scale', { skip, timeout: 30000 }, async () => {
  const { page, errors } = await openPage('#data=bumps&layers=6t,4t');
  assert.match(await page.textContent('#status') ?? '', /regression/);
  assert.deepEqual(await page.locator('#legend span').allTextContents(), ['−1', '', '+1']);
  const before = await testLoss(page);
  const afterTraining = await train(page, 2500);
  await page.screenshot({ path: join(shots, '8-regression-bumps.png'), fullPage: true });
  assert.ok(afterTraining < 0.5 * before, `test loss ${before} → ${afterTraining}`);
  assert.deepEqual(errors, []);
  await page.close();
});
