/** The options every table reader takes, checked at the door: unknown keys and values out of range are refused. */

import { checkKeys } from '../options.js';
import type { ReadTableOptions } from './types.js';

export const READ_TABLE_OPTIONS: readonly string[] = [
  'source', 'delimiter', 'decimal', 'types', 'missing', 'columns', 'sampleRows', 'onProgress', 'format', 'maxColumns', 'maxFieldBytes', 'totalBytes',
];

/** Check the options (unknown keys and values out of range are refused). */
export function checkReadOptions(options: ReadTableOptions, where: string, extra: readonly string[] = []): void {
  checkKeys(options, [...READ_TABLE_OPTIONS, ...extra], where);
  const positive = (k: 'sampleRows' | 'maxColumns' | 'maxFieldBytes'): void => {
    const v = options[k];
    if (v !== undefined && !(Number.isInteger(v) && v >= 1)) throw new Error(`${where}: option ${k} must be a positive integer, got ${String(v)}`);
  };
  positive('sampleRows');
  positive('maxColumns');
  positive('maxFieldBytes');
  if (options.decimal !== undefined && options.decimal !== '.' && options.decimal !== ',') {
    throw new Error(`${where}: option decimal must be '.' or ',', got ${JSON.stringify(options.decimal)}`);
  }
  for (const [name, t] of Object.entries(options.types ?? {})) {
    if (t !== 'number' && t !== 'category') throw new Error(`${where}: option types: column '${name}' may be 'number' or 'category', got ${JSON.stringify(t)}`);
  }
}

