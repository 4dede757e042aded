/**
 * fit's full-batch loop for L-BFGS: one quasi-Newton iteration (with its line search) per epoch over
 * all training rows. The objective is the model's loss and gradient at a point θ; after the step the
 * constraints are applied and the gradient at the accepted point is kept for the diagnostics.
 */

import type { Model } from '../graph/model.js';
import type { Rng } from '../rng.js';
import { lbfgsStep, type LbfgsSpec, type LbfgsState } from '../optim/lbfgs.js';
import type { Prepared } from './prepare.js';
import { allFinite } from '../kernels/finite.js';

export interface LbfgsEpoch {
  /** The objective at the accepted point (data loss + penalties). */
  readonly loss: number;
  readonly converged: boolean;
}

/** One L-BFGS iteration on all of `train` (order: the identity permutation of its rows). */
export function lbfgsEpoch(model: Model, spec: LbfgsSpec, state: LbfgsState, train: Prepared, order: Int32Array, rng: Rng): LbfgsEpoch {
  const n = train.x.rows;
  const objective = (x: Float64Array, g: Float64Array): number => {
    model.paramBuffer.a.set(x);
    model.gatherInputRows(train.x.data, order, 0, n);
    model.gatherTargetRows(train.y.data, order, 0, n, train.w ?? undefined);
    model.forwardRows(n, { mode: 'train', rng });
    const loss = model.lossOnTargets(n, train.w !== null);
    model.zeroGrad();
    model.backward();
    const grads = model.gradBuffer.a;
    g.set(grads);
    return Number.isFinite(loss) && allFinite(grads) ? loss : Infinity;
  };
  const r = lbfgsStep(spec, state, objective);
  model.paramBuffer.a.set(state.x);
  if (!Number.isFinite(r.f)) return { loss: r.f, converged: false };
  // The gradient at the accepted point, for the diagnostics.
  objective(state.x, state.g);
  model.applyConstraints();
  state.x.set(model.paramBuffer.a);
  return { loss: r.f, converged: r.converged };
}
