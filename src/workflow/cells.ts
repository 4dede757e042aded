/** Places and values of cells as messages show them. */

import type { Column, Table } from '../table/types.js';

/** A cell's value as it appears in a message: quoted, cut to a readable length, an empty cell said so. */
export function showCell(value: string, max = 40): string {
  if (value === '') return "'' (an empty cell)";
  const cut = value.length > max ? `${value.slice(0, max)}… (${value.length} characters)` : value;
  return `'${cut.replace(/[\r\n]/g, ' ')}'`;
}

/** Where a cell is, as a user looks it up: the source, the line as an editor numbers it, the column. */
export function cellPlace(table: Table, line: number | null, c: Column): string {
  return `${table.source}${line === null ? '' : `, line ${line}`}, column '${c.name}' (column ${c.index + 1})`;
}
