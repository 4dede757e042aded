/** Predictions as CSV text. */

import type { Preprocessing } from './features.js';
import { csvCell, type Prediction } from './model-io.js';

/** Predictions as CSV: the predicted target, then (classification) one probability column per class. */
export function predictionsCsv(prep: Preprocessing, pred: Prediction, rows: number, proba = true): string {
  const t = prep.target;
  const lines: string[] = [];
  if (t.task === 'regression') {
    lines.push(csvCell(t.name));
    for (let r = 0; r < rows; r++) lines.push(String(pred.values![r]));
  } else {
    const k = t.classes.length;
    lines.push([t.name, ...(proba ? t.classes : [])].map(csvCell).join(','));
    for (let r = 0; r < rows; r++) {
      const cells = [csvCell(t.classes[pred.labels![r]!]!)];
      if (proba) for (let j = 0; j < k; j++) cells.push(String(pred.proba![r * k + j]));
      lines.push(cells.join(','));
    }
  }
  return `${lines.join('\n')}\n`;
}

