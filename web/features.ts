/** The input features the playground offers, as functions of the two view coordinates (each in [−1, 1]). */

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

