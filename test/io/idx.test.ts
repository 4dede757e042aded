// The idx reader (MNIST's format): dimensions and bytes of a file as it is or gzip-compressed, and errors that name the file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readIdxFile } from '../../src/node.js';

/** An idx3 file of 2 images of 2×3 bytes. */
function idx3(): Uint8Array {
  const head = new Uint8Array(16);
  const v = new DataView(head.buffer);
  v.setUint32(0, 0x0803); v.setUint32(4, 2); v.setUint32(8, 2); v.setUint32(12, 3);
  return Uint8Array.from([...head, ...Array.from({ length: 12 }, (_, i) => i * 20)]);
}

test('an idx file reads as its dimensions and bytes, gzip-compressed or not; a wrong one is refused by name', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlpkit-idx-'));
  writeFileSync(join(dir, 'a.idx'), idx3());
  writeFileSync(join(dir, 'a.idx.gz'), gzipSync(idx3()));
  for (const f of ['a.idx', 'a.idx.gz']) {
    const a = readIdxFile(join(dir, f));
    assert.deepEqual(a.dims, [2, 2, 3]);
    assert.deepEqual(Array.from(a.data), Array.from({ length: 12 }, (_, i) => i * 20));
  }
  writeFileSync(join(dir, 'short.idx'), idx3().subarray(0, 20));
  assert.throws(() => readIdxFile(join(dir, 'short.idx')), /short\.idx: the header gives 2 × 2 × 3 = 12 elements, the file holds 4/);
  const floats = idx3(); floats[2] = 0x0d;
  writeFileSync(join(dir, 'f.idx'), floats);
  assert.throws(() => readIdxFile(join(dir, 'f.idx')), /f\.idx: idx element type 0xd is not unsigned bytes/);
  assert.throws(() => readIdxFile(join(dir, 'none.idx')), /none\.idx: no such file/);
  writeFileSync(join(dir, 'text.idx'), 'a,b\n1,2\n');
  assert.throws(() => readIdxFile(join(dir, 'text.idx')), /text\.idx: not an idx file/);
});
