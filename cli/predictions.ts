/** Predictions as CSV text. */

import type { Decoded, TargetPlan } from '../src/workflow/preprocessor.js';
import type { PredictionUncertainty } from '../src/workflow/intervals.js';
import { csvCell } from './model-io.js';

/**
 * Predictions as CSV: the predicted target(s), then (classification, with `proba`) one probability column
 * per class; with `uncertainty`, each regression target's `lower` and `upper` bounds (named `T_lower`,
 * `T_upper` for several targets), or a classifier's prediction set as labels joined by '|'.
 */
export function predictionsCsv(target: TargetPlan, pred: Decoded, proba = true, uncertainty?: PredictionUncertainty): string {
  const lines: string[] = [];
  const rows = pred.rows;
  if (target.task === 'regression') {
    const k = target.names.length;
    const iv = uncertainty?.kind === 'intervals' ? uncertainty : null;
    const bounds = iv === null ? [] : k === 1 ? ['lower', 'upper'] : target.names.flatMap((n) => [`${n}_lower`, `${n}_upper`]);
    lines.push([...target.names, ...bounds].map(csvCell).join(','));
    for (let r = 0; r < rows; r++) {
      const cells: string[] = [];
      for (let j = 0; j < k; j++) cells.push(String(pred.values![r * k + j]));
      if (iv !== null) for (let j = 0; j < k; j++) cells.push(String(iv.lower[r * k + j]), String(iv.upper[r * k + j]));
      lines.push(cells.join(','));
    }
  } else {
    const names = target.classes.map(String);
    const k = names.length;
    const sets = uncertainty?.kind === 'sets' ? uncertainty.sets : null;
    lines.push([target.name, ...(proba ? names : []), ...(sets === null ? [] : ['set'])].map(csvCell).join(','));
    for (let r = 0; r < rows; r++) {
      const cells = [csvCell(names[pred.classIndex![r]!]!)];
      if (proba) for (let j = 0; j < k; j++) cells.push(String(pred.proba![r * k + j]));
      if (sets !== null) cells.push(csvCell(sets[r]!.map(String).join('|')));
      lines.push(cells.join(','));
    }
  }
  return `${lines.join('\n')}\n`;
}
