/**
 * Step mode's words: the panel that says which phase ran (with the lecture's equations) and which runs
 * next, and the inspector of one neuron — its activation, I_j, O_j, δ_j, its incoming weights and,
 * after the backward pass, their gradients.
 */

import { fmt } from './draw.js';
import { h } from './dom.js';
import type { Frame, ProblemInfo, StepInfo, StepPhase } from './protocol.js';
import { HIDDEN_ACTIVATIONS, type HiddenActivation, type PlaygroundState } from './state.js';

// Static markup (no user data): the lecture's equations with real subscripts.
const SAYS: Record<StepPhase, string> = {
  forward: '<b>Forward pass.</b> Every neuron <i>j</i> computed <i>I<sub>j</sub></i> = Σ<sub><i>k</i>∈inc(<i>j</i>)</sub> <i>w<sub>kj</sub> O<sub>k</sub></i> + <i>w</i><sub>0<i>j</i></sub> and <i>O<sub>j</sub></i> = <i>f<sub>j</sub></i>(<i>I<sub>j</sub></i>).',
  backward: '<b>Backward pass.</b> At the output <i>δ<sub>j</sub></i> = ∂<i>L</i>/∂<i>O<sub>j</sub></i> · <i>f′</i>(<i>I<sub>j</sub></i>) (1); below it <i>δ<sub>j</sub></i> = Σ<sub><i>k</i>∈out(<i>j</i>)</sub> <i>δ<sub>k</sub> w<sub>jk</sub></i> · <i>f′</i>(<i>I<sub>j</sub></i>) (2); and ∂<i>L</i>/∂<i>w<sub>ij</sub></i> = <i>δ<sub>j</sub> O<sub>i</sub></i> (3).',
  update: '<b>Update.</b> The optimizer moved every weight against its gradient: for SGD <i>w<sub>ij</sub></i> ← <i>w<sub>ij</sub></i> − <i>η</i> ∂<i>L</i>/∂<i>w<sub>ij</sub></i>.',
};

/** The step panel for the phase that ran (hidden outside step mode). */
export function renderStepPanel(panel: HTMLDivElement, s: StepInfo | null, next: StepPhase): void {
  if (s === null) { panel.hidden = true; return; }
  const eq = h('p', { class: 'eq' });
  eq.innerHTML = SAYS[s.phase];
  const rows = s.batchSize === 1 ? 'the batch’s one row' : `the first of the ${s.batchSize} rows in the batch`;
  const gradients = s.layers[0]?.dW === null ? '' : ' and their gradients (summed over the batch)';
  panel.hidden = false;
  panel.replaceChildren(
    h('div', { class: 'phase' }, ...(['forward', 'backward', 'update'] as const).map((ph) => h('span', { class: `ph${ph === s.phase ? ' done' : ''}${ph === next ? ' next' : ''}` }, ph))),
    eq,
    h('p', { class: 'hint' }, `Values shown for ${rows}: inputs (${s.input.map((v) => fmt(v, 2)).join(', ')}), target ${s.target.map((v) => fmt(v, 2)).join(', ')}; batch loss L = ${fmt(s.loss, 4)}. δ is ∂L/∂I for the batch's mean loss. Click a neuron for its weights${gradients}. Press step for the ${next} pass.`),
  );
}

export interface InspectorContext {
  readonly problem: ProblemInfo;
  readonly state: PlaygroundState;
  readonly layer: number;
  readonly unit: number;
  readonly step: StepInfo | null;
  readonly frame: Frame | null;
  /** Give the neuron its own activation (null: the layer's). */
  setActivation(a: HiddenActivation | null): void;
  close(): void;
}

/** The clicked neuron's card. */
export function renderInspector(box: HTMLDivElement, c: InspectorContext): void {
  const { problem: p, layer, unit } = c;
  const l = p.layers[layer];
  if (l === undefined) { box.hidden = true; return; }
  const isOut = layer === p.layers.length - 1;
  const close = h('button', { class: 'round tiny close', 'aria-label': 'close' }, '×');
  close.addEventListener('click', () => c.close());
  const rows: (Node | string)[] = [close, h('h3', {}, isOut ? `Output neuron ${unit + 1}` : `Hidden layer ${layer + 1}, neuron ${unit + 1}`)];
  if (!isOut) {
    const hl = c.state.layers[layer]!;
    const act = h('select', { 'data-testid': 'neuron-activation' }, h('option', { value: '' }, `layer’s (${hl.activation})`), ...HIDDEN_ACTIVATIONS.map((a) => h('option', { value: a }, a)));
    act.value = hl.perNeuron[unit] ?? '';
    act.addEventListener('change', () => c.setActivation(act.value === '' ? null : (act.value as HiddenActivation)));
    rows.push(h('label', { class: 'row' }, h('span', {}, 'Activation f_j'), act));
  }
  const st = c.step?.layers[layer];
  if (st !== undefined) {
    rows.push(h('p', { class: 'mono' }, `I_j = ${fmt(st.I[unit]!, 5)}\nO_j = ${fmt(st.O[unit]!, 5)}${st.delta === null ? '' : `\nδ_j = ${fmt(st.delta[unit]!, 6)}`}`));
  }
  /** Column `unit` of a rows × units matrix: the neuron's incoming weights (or their gradients). */
  const column = (m: ArrayLike<number>, digits: number): string =>
    Array.from({ length: m.length / l.units }, (_, r) => fmt(m[r * l.units + unit]!, digits)).join(', ');
  const wts = c.frame?.weights?.[layer];
  if (wts !== undefined) {
    const after = c.step?.phase === 'update' ? ' (after the update)' : '';
    rows.push(h('p', { class: 'mono small' }, `w_kj = ${column(wts.W, 3)}${wts.b === null ? '' : `\nw_0j = ${fmt(wts.b[unit]!, 3)}`}${after}`));
  }
  if (st?.dW !== null && st?.dW !== undefined) {
    // The weights' gradient also carries the penalty's (the biases are not penalized).
    const s = c.state;
    const penalty = s.regularization === 'none' || s.regRate === 0 ? '' : s.regularization === 'l1' ? ' + λ sign(w)' : ' + 2λw';
    const db = st.db?.[unit];
    rows.push(h('p', { class: 'mono small', 'data-testid': 'weight-gradients' },
      `∂L/∂w_kj = Σ δ_j O_k${penalty} = ${column(st.dW, 4)}${db === undefined ? '' : `\n∂L/∂w_0j = Σ δ_j = ${fmt(db, 4)}`}`));
  }
  box.replaceChildren(...rows);
  box.hidden = false;
}
