// Every JavaScript and TypeScript block of the README runs against the sources ('mlpkit' resolves to src/
// through tsconfig's paths) and prints exactly the output block that follows it. The conventions for
// README authors, and what is skipped, are in test/helpers/readme.ts; the shell and HTML blocks run in
// test/package/pack.test.ts against the packed package.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { readmeBlocks } from './helpers/readme.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const run = promisify(execFile);
const blocks = readmeBlocks();

test('every README block has a known language, and the blocks the tests cannot run say what they need', () => {
  const skipped = blocks.filter((b) => b.kind !== 'output' && b.needs !== null).map((b) => `line ${b.line}: ${b.needs}`);
  assert.ok(blocks.some((b) => b.kind === 'program'));
  assert.ok(blocks.some((b) => b.kind === 'shell' && b.needs === null));
  assert.ok(blocks.some((b) => b.kind === 'page'));
  assert.ok(skipped.every((s) => /: \S/.test(s)));
});

test('the README keeps the fresh-machine commands and the install line', () => {
  const shell = blocks.filter((b) => b.kind === 'shell').map((b) => b.code);
  for (const cmd of ['npm ci && npm run demo', 'npm ci && npm test', 'npm install mlpkit']) {
    assert.ok(shell.some((c) => c.split('\n').includes(cmd)), `a shell block runs '${cmd}'`);
  }
});

for (const b of blocks.filter((x) => x.kind === 'program')) {
  test(`README block at line ${b.line} (${b.lang}) runs${b.output === null ? '' : ' and prints the block after it'}`, { skip: b.needs ?? false, timeout: 60000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mlpkit-readme-'));
    try {
      const file = join(dir, `block.${b.lang.startsWith('t') ? 'ts' : 'mjs'}`);
      await writeFile(file, b.code);
      const { stdout } = await run(process.execPath, ['--import', 'tsx', file], { cwd: root });
      if (b.output !== null) assert.equal(stdout.trimEnd(), b.output.trimEnd());
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
}
