/**
 * The network the editor describes, as the library's ModelSpec: per hidden layer a dense layer (one
 * activation, or one per neuron), batch norm before or after the non-linearity, dropout, and an optional
 * skip input from the layer two below (joined by a concat, so the dense layer sees both); then the output
 * layer and loss that fit the task. `layout` tells the views which layer holds which neurons.
 */

import type { ActivationSpec, InitName, LayerSpec, ModelSpec, StepRuleSpec } from '../src/index.js';
import type { ProblemTask } from './data.js';
import type { HiddenActivation, HiddenLayer, PlaygroundState } from './state.js';

export interface LayerView {
  /** The dense layer (its I, δ and weights). */
  readonly dense: string;
  /** The node whose O is the block's output (after batch norm / activation). */
  readonly out: string;
  readonly units: number;
  /** Index of the block whose output also feeds this one (−1: the inputs), or null. */
  readonly skipFrom: number | null;
  /** Width of the main input (the previous block); rows of W beyond it come from the skip source. */
  readonly mainWidth: number;
}

export interface NetworkLayout {
  readonly spec: ModelSpec;
  readonly inputWidth: number;
  /** Hidden blocks then the output layer (index = hidden.length). */
  readonly layers: readonly LayerView[];
}

function activationOf(l: HiddenLayer): ActivationSpec {
  const per = Object.keys(l.perNeuron).map(Number).filter((i) => i < l.units);
  if (per.length === 0) return l.activation;
  return Array.from({ length: l.units }, (_, j): HiddenActivation => l.perNeuron[j] ?? l.activation);
}

export function outputUnits(task: ProblemTask, classes: number): number {
  return task === 'multiclass' ? classes : 1;
}

export function buildNetwork(s: PlaygroundState, inputWidth: number, task: ProblemTask, classes: number): NetworkLayout {
  const layers: LayerSpec[] = [];
  const views: LayerView[] = [];
  const outs: string[] = [];
  const widths: number[] = [];
  const outOf = (i: number): string => (i < 0 ? 'input' : outs[i]!);
  const widthOf = (i: number): number => (i < 0 ? inputWidth : widths[i]!);
  const init = s.init === 'auto' ? {} : { init: s.init as InitName };
  s.layers.forEach((l, i) => {
    const name = `hidden${i + 1}`;
    const skipFrom = l.skip && i >= 1 ? i - 2 : null;
    let input = outOf(i - 1);
    if (skipFrom !== null) {
      layers.push({ kind: 'concat', name: `${name}_skip`, inputs: [input, outOf(skipFrom)] });
      input = `${name}_skip`;
    }
    const act = activationOf(l);
    let last: string;
    if (s.batchNorm === 'before') {
      layers.push({ kind: 'dense', name, units: l.units, activation: 'identity', inputs: [input], ...init });
      layers.push({ kind: 'batchNorm', name: `${name}_bn` });
      layers.push({ kind: 'activation', name: `${name}_f`, activation: act });
      last = `${name}_f`;
    } else {
      layers.push({ kind: 'dense', name, units: l.units, activation: act, inputs: [input], ...init });
      last = name;
      if (s.batchNorm === 'after') { layers.push({ kind: 'batchNorm', name: `${name}_bn` }); last = `${name}_bn`; }
    }
    if (s.dropout > 0) layers.push({ kind: 'dropout', name: `${name}_dropout`, rate: s.dropout });
    views.push({ dense: name, out: last, units: l.units, skipFrom, mainWidth: widthOf(i - 1) });
    // Dropout is the identity at inference, so the views read the block's output before it.
    outs.push(s.dropout > 0 ? `${name}_dropout` : last);
    widths.push(l.units);
  });
  const k = outputUnits(task, classes);
  const outAct: ActivationSpec = task === 'regression' ? 'identity' : task === 'binary' ? 'sigmoid' : 'softmax';
  layers.push({ kind: 'dense', name: 'output', units: k, activation: outAct, inputs: [outOf(s.layers.length - 1)] });
  views.push({ dense: 'output', out: 'output', units: k, skipFrom: null, mainWidth: widthOf(s.layers.length - 1) });
  const spec: ModelSpec = {
    inputSize: inputWidth, layers,
    loss: task === 'regression' ? 'mse' : task === 'binary' ? 'binaryCrossEntropy' : 'categoricalCrossEntropy',
    ...(s.regularization === 'l1' && s.regRate > 0 ? { l1: s.regRate } : {}),
    ...(s.regularization === 'l2' && s.regRate > 0 ? { l2: s.regRate } : {}),
  };
  return { spec, inputWidth, layers: views };
}

/** The optimizer rule the menu names. */
export function optimizerRule(s: PlaygroundState): StepRuleSpec {
  const learningRate = s.learningRate;
  switch (s.optimizer) {
    case 'sgd': return { kind: 'sgd', learningRate };
    case 'momentum': return { kind: 'sgd', learningRate, momentum: 0.9 };
    case 'nesterov': return { kind: 'sgd', learningRate, momentum: 0.9, nesterov: true };
    case 'adam': return { kind: 'adam', learningRate };
    case 'adamw': return { kind: 'adamw', learningRate };
    case 'rmsprop': return { kind: 'rmsprop', learningRate };
    case 'adagrad': return { kind: 'adagrad', learningRate };
  }
}
