/**
 * The idx format of MNIST and Fashion-MNIST (a magic number giving the element type and the number of
 * dimensions, the dimensions as big-endian uint32, then the elements), read from a file as it is or
 * gzip-compressed (as Debian's dataset-fashion-mnist ships it). Only unsigned bytes, the type those
 * sets use, are read; anything else is refused with the file's name.
 */

import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

/** An idx file's array: its dimensions (e.g. [60000, 28, 28]) and its elements, row-major. */
export interface IdxArray {
  readonly dims: readonly number[];
  readonly data: Uint8Array;
}

/** Read an idx file of unsigned bytes (gzip-compressed or not); every error names the file. */
export function readIdxFile(path: string): IdxArray {
  let raw: Uint8Array;
  try {
    raw = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `${path}: no such file` : `${path}: cannot read (${(e as Error).message})`);
  }
  const b = raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw;
  if (b.length < 4 || b[0] !== 0 || b[1] !== 0) throw new Error(`${path}: not an idx file (it does not start with two zero bytes)`);
  if (b[2] !== 0x08) throw new Error(`${path}: idx element type 0x${b[2]!.toString(16)} is not unsigned bytes (0x08), the only type read`);
  const ndim = b[3]!;
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (ndim === 0 || b.length < 4 + 4 * ndim) throw new Error(`${path}: the idx header is cut short`);
  const dims = Array.from({ length: ndim }, (_, i) => view.getUint32(4 + 4 * i));
  const n = dims.reduce((a, d) => a * d, 1);
  const start = 4 + 4 * ndim;
  if (b.length !== start + n) throw new Error(`${path}: the header gives ${dims.join(' × ')} = ${n} elements, the file holds ${b.length - start}`);
  return { dims, data: b.subarray(start) };
}
