/**
 * The Features panel: for the 2-D sets and two-column CSVs, the input features the playground offers as
 * functions of the two view coordinates (each in [−1, 1]); for a CSV with more columns, the file's own
 * columns, saying which two the 2-D views slice through and the value every other column is held at.
 */

import type { Problem } from './data.js';
import { h } from './dom.js';
import type { FeatureName } from './state.js';

export function featureValue(f: FeatureName, x1: number, x2: number): number {
  switch (f) {
    case 'x1': return x1;
    case 'x2': return x2;
    case 'x1sq': return x1 * x1;
    case 'x2sq': return x2 * x2;
    case 'x1x2': return x1 * x2;
    case 'sin1': return Math.sin(Math.PI * x1);
    case 'sin2': return Math.sin(Math.PI * x2);
    case 'cos1': return Math.cos(Math.PI * x1);
    case 'cos2': return Math.cos(Math.PI * x2);
  }
}

/** A CSV with more columns than the two the views show: its columns are the inputs, not transforms of two. */
export function slicesColumns(columns: readonly string[]): boolean {
  return columns.length > 2;
}

/**
 * Each column's value on the views' grid, in the file's units: the views vary their two columns and hold
 * every other one at its mean (the worker writes `means` into those inputs; X = (raw − centre)/half).
 */
export function heldValues(p: Problem): number[] {
  return Array.from(p.means, (m, j) => p.centre[j]! + p.half[j]! * m);
}

/** A number as a reader wants it in a caption: three significant digits, no exponent for everyday sizes. */
export function shortNumber(v: number): string {
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(2);
  return String(Number(v.toPrecision(3)));
}

/** What the views slice through, in one sentence: the two columns on the axes and the others' held values. */
export function sliceCaption(columns: readonly string[], viewX: number, viewY: number, held: readonly number[]): string {
  const others = columns.flatMap((c, j) => (j === viewX || j === viewY ? [] : [`${c} = ${shortNumber(held[j] ?? NaN)}`]));
  const axes = `${columns[viewX] ?? 'x₁'} (across) × ${columns[viewY] ?? 'x₂'} (up)`;
  if (others.length === 0) return `The output over ${axes}.`;
  return `A slice through ${axes}; the other ${others.length} feature${others.length === 1 ? ' is' : 's are'} held at their means: ${others.join(', ')}.`;
}

/** The Features panel for a CSV with more than two columns: one row per column, with its role in the views. */
export function columnRows(columns: readonly string[], viewX: number, viewY: number, held: readonly number[]): HTMLElement[] {
  return columns.map((c, j) => {
    const role = j === viewX ? 'x₁, across' : j === viewY ? 'x₂, up' : `held at ${shortNumber(held[j] ?? NaN)}`;
    return h('div', { class: `column${j === viewX || j === viewY ? ' on' : ''}`, 'data-testid': 'feature-column', title: `${c}: an input of the network` },
      h('span', { class: 'cname' }, c), h('span', { class: 'role' }, role));
  });
}
