import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../../src/rng.js';
import { modelToFile } from '../../src/io/model-file.js';
import { loadNetwork, loadModelFile, saveModelFile, TEMP_PREFIX, writeFileAtomic } from '../../src/io/node/files.js';
import { bitsEqual, buildTrained, randomMatrix, zoo } from './zoo.js';

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'mlpkit-io-'));
}

test('writeFileAtomic replaces the content and leaves no temporary file', async () => {
  const dir = await tempDir();
  const p = join(dir, 'a.txt');
  await writeFile(p, 'old');
  await writeFileAtomic(p, 'new content');
  assert.equal(await readFile(p, 'utf8'), 'new content');
  assert.deepEqual(await readdir(dir), ['a.txt']);
  await rm(dir, { recursive: true });
});

test('a write that fails at the rename leaves neither the target nor a temporary file', async () => {
  const dir = await tempDir();
  // The target is a non-empty directory: the data is written and synced, then the rename over it fails.
  const target = join(dir, 'model.json');
  await mkdir(target);
  await writeFile(join(target, 'keep'), 'x');
  await assert.rejects(writeFileAtomic(target, 'data'), /model\.json: could not write the file/);
  assert.deepEqual((await readdir(dir)).sort(), ['model.json']);
  assert.deepEqual(await readdir(target), ['keep']);
  await rm(dir, { recursive: true });
});

test('a write into a missing directory fails naming the file and creates nothing', async () => {
  const dir = await tempDir();
  const p = join(dir, 'missing', 'm.json');
  await assert.rejects(writeFileAtomic(p, 'data'), (e: Error) => e.message.startsWith(`${p}: could not write the file`));
  assert.deepEqual(await readdir(dir), []);
  await rm(dir, { recursive: true });
});

test('a process killed while saving leaves the previous file whole', async () => {
  const dir = await tempDir();
  const target = join(dir, 'big.bin');
  await writeFile(target, 'previous');
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', `
    import('${new URL('../../src/io/node/files.ts', import.meta.url).pathname}').then(async (m) => {
      const data = new Uint8Array(64 * 1024 * 1024).fill(7);
      for (;;) await m.writeFileAtomic(${JSON.stringify(target)}, data);
    });`], { stdio: 'ignore' });
  // Kill it as soon as a temporary file exists, i.e. in the middle of a save.
  const deadline = Date.now() + 20000;
  let sawTemp = false;
  while (Date.now() < deadline && !sawTemp) {
    sawTemp = (await readdir(dir)).some((f) => f.startsWith(TEMP_PREFIX));
    if (!sawTemp) await new Promise((r) => setTimeout(r, 2));
  }
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  assert.ok(sawTemp, 'the child never started writing');
  const content = await readFile(target);
  // Either the old file, or a complete new one: never a prefix of the new data.
  assert.ok(content.toString() === 'previous' || (content.length === 64 * 1024 * 1024 && content.every((b) => b === 7)));
  await rm(dir, { recursive: true });
});

test('saveModelFile then loadNetwork gives a network that predicts bit-identically', async () => {
  const dir = await tempDir();
  const p = join(dir, 'model.json');
  const model = buildTrained(zoo()[4]!.spec);
  await saveModelFile(p, modelToFile(model, { task: 'multiclass', classes: [0, 1, 2] }));
  const loaded = await loadNetwork(p);
  const x = randomMatrix(7, 3, new Rng(4));
  assert.ok(bitsEqual(loaded.predict(x).data, model.predict(x).data));
  assert.deepEqual((await loadModelFile(p)).classes, [0, 1, 2]);
  await rm(dir, { recursive: true });
});

test('loading a damaged model file names the file and the field', async () => {
  const dir = await tempDir();
  const p = join(dir, 'broken.json');
  const file = modelToFile(buildTrained(zoo()[0]!.spec));
  await writeFile(p, JSON.stringify({ ...file, spec: { ...file.spec, inputSize: -1 } }));
  await assert.rejects(loadModelFile(p), (e: Error) => e.message === `${p}: $.spec.inputSize: expected an integer ≥ 1, got -1`);
  await assert.rejects(loadModelFile(join(dir, 'none.json')), /none\.json: could not read the model file/);
  await rm(dir, { recursive: true });
});
