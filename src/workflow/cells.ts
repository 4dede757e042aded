/** Places and values of cells as the preprocessor's messages show them (the table reader's wording). */

import { cellPlace as placeOf, showValue } from '../table/cells.js';
import type { Column, Table } from '../table/types.js';

/** A cell's value as it appears in a message: quoted, cut to a readable length, an empty cell said so. */
export const showCell = showValue;

/** Where a cell is, as a user looks it up: the source, the line as an editor numbers it, the column. */
export function cellPlace(table: Table, line: number | null, c: Column): string {
  return line === null ? `${table.source}, column ${showValue(c.name)} (column ${c.index + 1})` : placeOf(table.source, line, c.name, c.index);
}
