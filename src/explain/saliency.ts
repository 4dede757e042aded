/**
 * Input-gradient saliency: ∂ŷ_c/∂x for each sample, by backpropagation. Instead of the loss
 * gradient (equation (1)), the output layer receives the one-hot row e_c as ∂(·)/∂O; equations (2)
 * carry it down to the inputs, where Σ_k δ_k w_ik is the derivative of ŷ_c with respect to x_i.
 * Rows are independent in evaluation mode (dropout off, batch norm on running statistics), so one
 * batched backward pass gives every row's own gradient.
 */

import type { Model } from '../graph/model.js';
import type { MatrixInput, NumericMatrix } from '../data/matrix-input.js';
import { rowArgmax, tableOf } from './predictor.js';

/** Which output the saliency differentiates, and the input scale that turns it into raw units. */
export interface SaliencyOptions {
  /**
   * The output whose derivative is taken: an output index for every row, or 'predicted' for the
   * row's arg-max class. Default 'predicted' for several outputs, 0 for one.
   */
  readonly output?: number | 'predicted';
  /**
   * dz/dx per feature when the model sees transformed inputs z (e.g. 1/σ of a standard scaler):
   * the chain rule then gives ∂ŷ/∂x in the raw units.
   */
  readonly inputScale?: ArrayLike<number>;
}

/** Input saliency: the gradient of each output with respect to each input, per row, and its mean magnitude per feature. */
export interface Saliency {
  /** ∂ŷ_c/∂x_i, rows × inputs. */
  readonly gradients: NumericMatrix;
  /** The output c differentiated for each row. */
  readonly outputs: Int32Array;
  /** The network's outputs for the rows (rows × outputs). */
  readonly predictions: NumericMatrix;
  /** Mean |∂ŷ_c/∂x_i| over the rows, per feature: a global sensitivity. */
  readonly meanAbs: number[];
}

/** Per-sample input gradients of one output of a trainable model (the model's gradient buffer is left as it was). */
export function saliency(model: Model, x: MatrixInput, options: SaliencyOptions = {}): Saliency {
  const X = tableOf(x, 'saliency: x', model.inputSize);
  const k = model.outputSize;
  const d = model.inputSize;
  const scale = options.inputScale;
  if (scale !== undefined && scale.length !== d) throw new Error(`saliency: inputScale has ${scale.length} values for ${d} inputs`);
  const choice = options.output ?? (k > 1 ? 'predicted' : 0);
  if (choice !== 'predicted' && !(Number.isInteger(choice) && choice >= 0 && choice < k)) {
    throw new Error(`saliency: output must be 'predicted' or an integer in [0, ${k - 1}], got ${choice}`);
  }
  const savedGrads = model.gradBuffer.a.slice();
  const grads = new Float64Array(X.rows * d);
  const preds = new Float64Array(X.rows * k);
  const outputs = new Int32Array(X.rows);
  const step = Math.max(1, model.maxBatch);
  try {
    for (let start = 0; start < X.rows; start += step) {
      const m = Math.min(step, X.rows - start);
      const batch: NumericMatrix = { rows: m, cols: d, data: X.data.subarray(start * d, (start + m) * d) };
      const out = model.forward(batch, { mode: 'eval' });
      const pred: NumericMatrix = { rows: m, cols: k, data: Float64Array.from(out.data.subarray(0, m * k)) };
      preds.set(pred.data, start * k);
      const cls = choice === 'predicted' ? rowArgmax(pred) : null;
      const seed = model.dtype === 'float64' ? new Float64Array(m * k) : new Float32Array(m * k);
      for (let i = 0; i < m; i++) {
        const c = cls === null ? (choice as number) : (k === 1 ? 0 : cls[i]!);
        outputs[start + i] = c;
        seed[i * k + c] = 1;
      }
      model.zeroGrad();
      model.backwardFrom(seed, { inputGradient: true });
      const g = model.inputGradient();
      for (let i = 0; i < m * d; i++) grads[start * d + i] = g.data[i]! * (scale === undefined ? 1 : scale[i % d]!);
    }
  } finally {
    model.gradBuffer.a.set(savedGrads);
  }
  const meanAbs = new Array<number>(d).fill(0);
  for (let i = 0; i < X.rows; i++) for (let j = 0; j < d; j++) meanAbs[j]! += Math.abs(grads[i * d + j]!) / X.rows;
  return { gradients: { rows: X.rows, cols: d, data: grads }, outputs, predictions: { rows: X.rows, cols: k, data: preds }, meanAbs };
}
