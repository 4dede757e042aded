/**
 * Values through JSON without losing a bit. Trials, results and data bundles hold typed arrays and
 * numbers JSON cannot say (NaN, ±Infinity — a failed candidate scores −∞ — and −0), so they are
 * tagged: a typed array becomes `{ $ta: 'f32' | 'f64' | 'i32', … }` (where its bytes go is the
 * caller's choice: base64 inline, or an offset into a binary body), a number JSON would change
 * becomes `{ $num: 'NaN' | 'Infinity' | '-Infinity' | '-0' }`. Everything else is plain JSON.
 */

import { base64ToBytes, bytesToBase64 } from '../../io/base64.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type TypedArrayTag = 'f32' | 'f64' | 'i32';
export type Typed = Float32Array | Float64Array | Int32Array;

const tagOf = (a: Typed): TypedArrayTag => (a instanceof Float32Array ? 'f32' : a instanceof Float64Array ? 'f64' : 'i32');

/** The typed array of `tag` over a copy of `bytes` (the copy is aligned). */
export function typedFromBytes(tag: TypedArrayTag, bytes: Uint8Array, where: string): Typed {
  const size = tag === 'f64' ? 8 : 4;
  if (bytes.byteLength % size !== 0) throw new Error(`${where}: ${bytes.byteLength} bytes is not a whole number of ${tag} values`);
  const buf = bytes.slice().buffer;
  switch (tag) {
    case 'f32': return new Float32Array(buf);
    case 'f64': return new Float64Array(buf);
    case 'i32': return new Int32Array(buf);
  }
}

const isTag = (s: unknown): s is TypedArrayTag => s === 'f32' || s === 'f64' || s === 'i32';

function packNumber(v: number): Json {
  if (Number.isNaN(v)) return { $num: 'NaN' };
  if (v === Infinity) return { $num: 'Infinity' };
  if (v === -Infinity) return { $num: '-Infinity' };
  if (Object.is(v, -0)) return { $num: '-0' };
  return v;
}

const NUMBERS: Readonly<Record<string, number>> = { NaN, Infinity, '-Infinity': -Infinity, '-0': -0 };

/** `v` as JSON; `putArray` says what a typed array becomes (it receives the array and its tag). */
export function pack(v: unknown, putArray: (a: Typed, tag: TypedArrayTag) => Json): Json {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'number') return packNumber(v);
  if (v instanceof Float32Array || v instanceof Float64Array || v instanceof Int32Array) return putArray(v, tagOf(v));
  if (Array.isArray(v)) return v.map((e) => pack(e, putArray));
  if (typeof v === 'object') {
    const o: { [key: string]: Json } = {};
    for (const [k, e] of Object.entries(v)) if (e !== undefined) o[k] = pack(e, putArray);
    return o;
  }
  throw new Error(`wire: cannot send a ${typeof v}`);
}

/** The inverse of `pack`; `getArray` turns a `$ta` tag object back into its array. */
export function unpack(j: Json, getArray: (tag: TypedArrayTag, o: { readonly [key: string]: Json }) => Typed): unknown {
  if (j === null || typeof j !== 'object') return j;
  if (Array.isArray(j)) return j.map((e) => unpack(e, getArray));
  const num = j.$num;
  if (typeof num === 'string' && num in NUMBERS) return NUMBERS[num];
  if (isTag(j.$ta)) return getArray(j.$ta, j);
  const o: Record<string, unknown> = {};
  for (const [k, e] of Object.entries(j)) o[k] = unpack(e, getArray);
  return o;
}

/** Self-contained JSON: typed arrays inline as base64 of their bytes. */
export function toWire(v: unknown): Json {
  return pack(v, (a, tag) => ({ $ta: tag, b64: bytesToBase64(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)) }));
}

export function fromWire(j: Json, where = 'wire'): unknown {
  return unpack(j, (tag, o) => {
    if (typeof o.b64 !== 'string') throw new Error(`${where}: a ${tag} array without its bytes`);
    return typedFromBytes(tag, base64ToBytes(o.b64, where), where);
  });
}

/** Whether `v` is JSON as `pack` writes it (for values that arrive from outside). */
export function isJson(v: unknown): v is Json {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return true;
  if (typeof v === 'number') return Number.isFinite(v);
  if (Array.isArray(v)) return v.every(isJson);
  if (typeof v === 'object') return Object.getPrototypeOf(v) === Object.prototype && Object.values(v).every(isJson);
  return false;
}
