/**
 * Every node type as one discriminated union on `kind`: code that needs a dense layer's weights or a
 * batch-norm's statistics narrows with `n.kind === 'dense'`, never with a class test.
 */

import type { ActivationLayer } from './activation.js';
import type { BatchNorm } from './batchnorm.js';
import type { Dense } from './dense.js';
import type { Dropout } from './dropout.js';
import type { Add, Concat } from './merge.js';
import type { InputNode } from './node.js';
import type { GaussianNoise } from './noise.js';

export type AnyNode = InputNode | Dense | ActivationLayer | Dropout | BatchNorm | GaussianNoise | Add | Concat;
