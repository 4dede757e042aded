/**
 * Checks for untrusted JSON, each naming the offending field by its JSON path (`$.spec.layers[2].units`).
 */

export type JsonValue = null | boolean | number | string | readonly JsonValue[] | JsonObject;
/** A JSON object. */
export interface JsonObject { readonly [key: string]: JsonValue }

export function fail(path: string, msg: string): never {
  throw new Error(`${path}: ${msg}`);
}

/** How a value looks in an error message (short). */
export function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'object' && v !== null) return 'an object';
  return String(v);
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function childPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

/** Keys that would reach the prototype machinery of the object a section is copied into. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export function checkKeys(v: object, path: string): void {
  for (const k of Object.keys(v)) if (FORBIDDEN_KEYS.has(k)) fail(childPath(path, k), `the key '${k}' is not allowed`);
}

export function checkObject(v: unknown, path: string, known?: readonly string[]): Record<string, unknown> {
  if (!isPlainObject(v)) fail(path, `expected an object, got ${show(v)}`);
  checkKeys(v, path);
  if (known !== undefined) {
    for (const k of Object.keys(v)) {
      if (!known.includes(k)) fail(childPath(path, k), `unknown field; expected one of ${known.join(', ')}`);
    }
  }
  return v;
}

export function checkString(v: unknown, path: string, nonEmpty = true): string {
  if (typeof v !== 'string' || (nonEmpty && v.length === 0)) fail(path, `expected a${nonEmpty ? ' non-empty' : ''} string, got ${show(v)}`);
  return v;
}

export function checkBoolean(v: unknown, path: string): boolean {
  if (typeof v !== 'boolean') fail(path, `expected true or false, got ${show(v)}`);
  return v;
}

export function checkFinite(v: unknown, path: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(path, `expected a finite number, got ${show(v)}`);
  return v;
}

export function checkInt(v: unknown, path: string, min: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) fail(path, `expected an integer ≥ ${min}, got ${show(v)}`);
  return v;
}

export function checkOneOf<T extends string>(v: unknown, path: string, options: readonly T[]): T {
  if (typeof v !== 'string' || !(options as readonly string[]).includes(v)) {
    fail(path, `expected one of ${options.map((o) => JSON.stringify(o)).join(', ')}, got ${show(v)}`);
  }
  return v as T;
}

export function checkArray(v: unknown, path: string, nonEmpty = false): readonly unknown[] {
  if (!Array.isArray(v)) fail(path, `expected an array, got ${show(v)}`);
  if (nonEmpty && v.length === 0) fail(path, 'expected a non-empty array');
  return v;
}

export function checkNumberArray(v: unknown, path: string, length?: number): number[] {
  const a = checkArray(v, path);
  if (length !== undefined && a.length !== length) fail(path, `expected ${length} numbers, got ${a.length}`);
  return a.map((x, i) => checkFinite(x, childPath(path, i)));
}

/** Any JSON value: finite numbers, strings, booleans, null, arrays and plain objects, recursively. */
export function checkJson(v: unknown, path: string, depth = 0): JsonValue {
  if (depth > 64) fail(path, 'nested too deeply (more than 64 levels)');
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return checkFinite(v, path);
  if (Array.isArray(v)) return v.map((x, i) => checkJson(x, childPath(path, i), depth + 1));
  if (isPlainObject(v)) {
    checkKeys(v, path);
    const out: Record<string, JsonValue> = {};
    for (const [k, x] of Object.entries(v)) out[k] = checkJson(x, childPath(path, k), depth + 1);
    return out;
  }
  return fail(path, `expected a JSON value, got ${typeof v}`);
}

export function checkJsonObject(v: unknown, path: string): JsonObject {
  checkObject(v, path);
  const out = checkJson(v, path);
  return out as JsonObject;
}
