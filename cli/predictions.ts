/** Predictions as CSV text. */

import type { Decoded, TargetPlan } from '../src/workflow/preprocessor.js';
import { csvCell } from './model-io.js';

/** Predictions as CSV: the predicted target(s), then (classification, with `proba`) one probability column per class. */
export function predictionsCsv(target: TargetPlan, pred: Decoded, proba = true): string {
  const lines: string[] = [];
  const rows = pred.rows;
  if (target.task === 'regression') {
    const k = target.names.length;
    lines.push(target.names.map(csvCell).join(','));
    for (let r = 0; r < rows; r++) {
      const cells: string[] = [];
      for (let j = 0; j < k; j++) cells.push(String(pred.values![r * k + j]));
      lines.push(cells.join(','));
    }
  } else {
    const names = target.classes.map(String);
    const k = names.length;
    lines.push([target.name, ...(proba ? names : [])].map(csvCell).join(','));
    for (let r = 0; r < rows; r++) {
      const cells = [csvCell(names[pred.classIndex![r]!]!)];
      if (proba) for (let j = 0; j < k; j++) cells.push(String(pred.proba![r * k + j]));
      lines.push(cells.join(','));
    }
  }
  return `${lines.join('\n')}\n`;
}
