/**
 * An ensemble of models trained from different starting points (the lecture's answer to multiple
 * local optima: "average different obtained models"). Predictions are the mean of the members'
 * outputs — probabilities for classifiers, since their outputs are sigmoid / softmax.
 */

import type { Model } from '../graph/model.js';
import { toMatrix, type Matrix, type MatrixLike } from '../matrix.js';

/** Models of one architecture whose outputs are averaged. */
export class Ensemble {
  readonly members: readonly Model[];

  constructor(members: readonly Model[]) {
    if (members.length === 0) throw new Error('Ensemble: needs at least one member');
    const m0 = members[0]!;
    members.forEach((m, i) => {
      if (m.inputSize !== m0.inputSize || m.outputSize !== m0.outputSize) {
        throw new Error(`Ensemble: member ${i} maps ${m.inputSize} → ${m.outputSize}, but member 0 maps ${m0.inputSize} → ${m0.outputSize}`);
      }
    });
    this.members = members;
  }

  get inputSize(): number { return this.members[0]!.inputSize; }
  get outputSize(): number { return this.members[0]!.outputSize; }

  /** The mean of the members' outputs (N × outputs, float64). */
  predict(x: MatrixLike): Matrix {
    const X = toMatrix(x, 'float64', 'x', this.inputSize);
    const out = new Float64Array(X.rows * this.outputSize);
    for (const m of this.members) {
      const p = m.predict(X).data;
      for (let i = 0; i < out.length; i++) out[i]! += p[i]!;
    }
    for (let i = 0; i < out.length; i++) out[i]! /= this.members.length;
    return { rows: X.rows, cols: this.outputSize, data: out };
  }
}
