// The lecture's network, neuron by neuron: XOR from one hidden neuron and two skip edges. Each neuron j
// lists inc(j), the neurons with an edge into it; the graph compiles to masked dense layers, so it trains
// like any model. Then one sample's backpropagation in the lecture's notation: I_j, O_j, δ_j, and each
// weight's ∂L/∂w_ij = δ_j·O_i beside a finite difference.
// Run: npx tsx examples/neuron-graph.ts
import { Model, fit, formatTraceText, neuronGraph, traceSample } from 'mlpkit';

const g = neuronGraph({
  inputs: ['x1', 'x2'],
  neurons: [
    { id: 'h', from: ['x1', 'x2'], activation: 'sigmoid' },
    // The output sees the hidden neuron and, through skip edges, both inputs.
    { id: 'o', from: ['h', 'x1', 'x2'], activation: 'sigmoid' },
  ],
  outputs: ['o'],
  loss: 'binaryCrossEntropy',
});
const model = new Model(g.spec, { seed: 3 });
console.log(model.summary());

const x = [[0, 0], [0, 1], [1, 0], [1, 1]];
const y = [0, 1, 1, 0];
const history = await fit(model, { x, y }, { epochs: 2000, batchSize: 4, optimizer: { kind: 'adam', learningRate: 0.05 } });
const out = Array.from(model.predict(x).data, (v) => v.toFixed(3));
console.log(`after ${history.epochs.length} epochs: loss ${history.epochs.at(-1)!.trainLoss.toExponential(2)}, outputs ${out.join(' ')} for targets ${y.join(' ')}`);

// The spec keeps the neurons' ids, so the trace names them h and o (from any saved copy too).
console.log(formatTraceText(traceSample(model, [1, 0], [1])));
