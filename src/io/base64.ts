/**
 * Base64 of typed arrays, in plain TypeScript so that it runs in browsers and Node alike (no Buffer).
 *
 * Floats are written little-endian through a DataView, whatever the platform's byte order, so a file
 * written on one machine reads back bit for bit on any other.
 */

import type { DType } from '../kernels/backend.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const LOOKUP = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) LOOKUP[ALPHABET.charCodeAt(i)] = i;

/** Base64 (the standard alphabet) of some bytes, in any runtime. */
export function bytesToBase64(bytes: Uint8Array): string {
  const parts: string[] = [];
  let chunk = '';
  const n = bytes.length;
  for (let i = 0; i < n; i += 3) {
    const b0 = bytes[i]!;
    const b1 = i + 1 < n ? bytes[i + 1]! : 0;
    const b2 = i + 2 < n ? bytes[i + 2]! : 0;
    const v = (b0 << 16) | (b1 << 8) | b2;
    chunk += ALPHABET[(v >> 18) & 63]! + ALPHABET[(v >> 12) & 63]!
      + (i + 1 < n ? ALPHABET[(v >> 6) & 63]! : '=') + (i + 2 < n ? ALPHABET[v & 63]! : '=');
    // Join in pieces: one string grown by millions of += is slow in some engines.
    if (chunk.length >= 8192) { parts.push(chunk); chunk = ''; }
  }
  parts.push(chunk);
  return parts.join('');
}

/** Strict decoding: canonical padding only, no whitespace; `where` names the field in errors. */
export function base64ToBytes(s: string, where = 'base64'): Uint8Array {
  if (s.length % 4 !== 0) throw new Error(`${where}: base64 length must be a multiple of 4, got ${s.length}`);
  const pad = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((s.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < s.length; i += 4) {
    let v = 0;
    for (let k = 0; k < 4; k++) {
      const c = s.charCodeAt(i + k);
      const isPad = c === 61 && i + k >= s.length - pad;
      const d = isPad ? 0 : c < 128 ? LOOKUP[c]! : -1;
      if (d < 0) throw new Error(`${where}: invalid base64 character ${JSON.stringify(s[i + k])} at offset ${i + k}`);
      v = (v << 6) | d;
    }
    out[o++] = (v >> 16) & 255;
    if (o < out.length) out[o++] = (v >> 8) & 255;
    if (o < out.length) out[o++] = v & 255;
  }
  return out;
}

export function bytesPerValue(dtype: DType): number {
  return dtype === 'float64' ? 8 : 4;
}

/** The values as little-endian bytes of the given float type. */
export function floatsToBytes(a: ArrayLike<number>, dtype: DType): Uint8Array {
  const size = bytesPerValue(dtype);
  const bytes = new Uint8Array(a.length * size);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < a.length; i++) {
    if (dtype === 'float64') view.setFloat64(i * 8, a[i]!, true);
    else view.setFloat32(i * 4, a[i]!, true);
  }
  return bytes;
}

export function bytesToFloats(bytes: Uint8Array, dtype: DType, where = 'bytes'): Float32Array | Float64Array {
  const size = bytesPerValue(dtype);
  if (bytes.length % size !== 0) throw new Error(`${where}: ${bytes.length} bytes is not a whole number of ${dtype} values`);
  const n = bytes.length / size;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dtype === 'float64') {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = view.getFloat64(i * 8, true);
    return out;
  }
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

/** Floats as base64 of their little-endian float32 or float64 bytes. */
export function encodeFloats(a: ArrayLike<number>, dtype: DType): string {
  return bytesToBase64(floatsToBytes(a, dtype));
}

/** The floats of encodeFloats' output; `where` names the field in error messages. */
export function decodeFloats(s: string, dtype: DType, where = 'base64'): Float32Array | Float64Array {
  return bytesToFloats(base64ToBytes(s, where), dtype, where);
}
