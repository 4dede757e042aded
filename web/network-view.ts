/**
 * The network view: a column per layer (the inputs, every hidden layer with its editor, the output),
 * every neuron as a small heatmap of its output over the view, the weights as edges (blue positive,
 * orange negative, width by magnitude; skip edges dashed) and, in step mode, I_j, O_j, δ_j under each
 * neuron.
 */

import { css, diverging, fmt, heatmap } from './draw.js';
import { h } from './dom.js';
import type { LayerView } from './network.js';
import { NEURON_GRID, type Frame, type ProblemInfo, type StepInfo } from './protocol.js';
import { HIDDEN_ACTIVATIONS, MAX_UNITS, type HiddenActivation, type PlaygroundState } from './state.js';

export interface NetworkEvents {
  /** Edit the state (the network is rebuilt). */
  change(mut: (s: PlaygroundState) => void): void;
  /** A neuron was clicked. */
  select(layer: number, unit: number): void;
}

interface Place { readonly left: number; readonly right: number; readonly y: number }

export class NetworkView {
  /** Where every neuron's heatmap sits in the view (null: to be measured, after the neurons moved). */
  private positions: Map<string, Place> | null = null;
  /** Whether step values are on the neurons now. */
  private valuesShown = false;
  private shown: { readonly p: ProblemInfo; readonly frame: Frame | null } | null = null;

  constructor(private readonly net: HTMLDivElement, private readonly svg: SVGSVGElement) {}

  /** Build the columns for a new network; its first frame is painted by `paint`. */
  render(p: ProblemInfo, state: PlaygroundState, on: NetworkEvents): void {
    this.net.replaceChildren(this.svg);
    this.svg.replaceChildren();
    const inputs = h('div', { class: 'layer inputs' }, h('div', { class: 'layer-head' }, h('span', { class: 'title' }, 'inputs')));
    p.inputNames.forEach((name, j) => {
      inputs.append(h('div', { class: 'neuron input', 'data-layer': '-1', 'data-unit': String(j) }, h('span', { class: 'iname' }, name)));
    });
    this.net.append(inputs);
    p.layers.forEach((l, li) => this.net.append(this.column(l, li, li === p.layers.length - 1, state, on)));
    this.positions = null;
    this.valuesShown = false;
    this.shown = { p, frame: null };
    // Once more after the fonts and the first layout settle.
    requestAnimationFrame(() => this.relayout());
  }

  /** The window changed size: measure the neurons again. */
  relayout(): void {
    this.positions = null;
    if (this.shown !== null) this.edges(this.shown.p, this.shown.frame);
  }

  /** One frame: step values first (they move the neurons), then the heatmaps, then the edges to where the neurons are. */
  paint(p: ProblemInfo, frame: Frame | null, step: StepInfo | null): void {
    this.shown = { p, frame };
    this.values(step);
    this.neurons(p, frame);
    this.edges(p, frame);
  }

  private column(l: LayerView, li: number, isOutput: boolean, state: PlaygroundState, on: NetworkEvents): HTMLDivElement {
    const col = h('div', { class: `layer${isOutput ? ' out' : ''}` });
    const head = h('div', { class: 'layer-head' });
    if (!isOutput) {
      const hl = state.layers[li]!;
      const plus = h('button', { class: 'round tiny', title: 'Add a neuron', 'aria-label': 'add neuron' }, '+');
      const minus = h('button', { class: 'round tiny', title: 'Remove a neuron', 'aria-label': 'remove neuron' }, '−');
      plus.addEventListener('click', () => { if (hl.units < MAX_UNITS) on.change((s) => { s.layers[li]!.units++; }); });
      minus.addEventListener('click', () => { if (hl.units > 1) on.change((s) => { const x = s.layers[li]!; x.units--; delete x.perNeuron[x.units]; }); });
      const act = h('select', { class: 'layer-act', title: 'Activation of this layer' }, ...HIDDEN_ACTIVATIONS.map((a) => h('option', { value: a }, a)));
      act.value = hl.activation;
      act.addEventListener('change', () => on.change((s) => { const x = s.layers[li]!; x.activation = act.value as HiddenActivation; x.perNeuron = {}; }));
      head.append(h('div', { class: 'pm' }, plus, minus), h('span', { class: 'title' }, `${hl.units} neuron${hl.units === 1 ? '' : 's'}`), act);
      if (li >= 1) {
        const skip = h('input', { type: 'checkbox', title: `Also feed this layer the output of ${li === 1 ? 'the inputs' : `hidden layer ${li - 1}`}` });
        skip.checked = hl.skip;
        skip.addEventListener('change', () => on.change((s) => { s.layers[li]!.skip = skip.checked; }));
        head.append(h('label', { class: 'skip' }, skip, 'skip'));
      }
    } else {
      head.append(h('span', { class: 'title' }, 'output'));
    }
    col.append(head);
    for (let u = 0; u < l.units; u++) {
      const c = h('canvas', { width: String(NEURON_GRID), height: String(NEURON_GRID) });
      const own = isOutput ? undefined : state.layers[li]!.perNeuron[u];
      const n = h('div', { class: `neuron${own !== undefined ? ' custom' : ''}`, 'data-layer': String(li), 'data-unit': String(u), title: 'Click: this neuron’s activation and values' },
        c, h('div', { class: 'vals', 'data-testid': 'neuron-values' }));
      if (own !== undefined) n.append(h('span', { class: 'badge' }, own));
      n.addEventListener('click', () => on.select(li, u));
      col.append(n);
    }
    return col;
  }

  private neuron(layer: number, unit: number): HTMLElement | null {
    return this.net.querySelector<HTMLElement>(`.neuron[data-layer="${layer}"][data-unit="${unit}"]`);
  }

  /** I_j, O_j (and δ_j after the backward pass) under every neuron, or nothing outside step mode. */
  private values(step: StepInfo | null): void {
    // Clearing the values moves the neurons (and so the edges): only when some are shown.
    if (this.valuesShown) {
      this.net.querySelectorAll<HTMLElement>('.neuron .vals').forEach((v) => { v.replaceChildren(); });
      this.positions = null;
      this.valuesShown = false;
    }
    if (step === null) return;
    this.valuesShown = true;
    this.positions = null;
    step.layers.forEach((l, li) => {
      for (let u = 0; u < l.I.length; u++) {
        const box = this.neuron(li, u)?.querySelector('.vals');
        if (!(box instanceof HTMLElement)) continue;
        box.append(
          h('span', { class: 'v' }, h('i', {}, 'I'), fmt(l.I[u]!)),
          h('span', { class: 'v' }, h('i', {}, 'O'), fmt(l.O[u]!)),
        );
        if (l.delta !== null) box.append(h('span', { class: 'v d', 'data-testid': 'delta' }, h('i', {}, 'δ'), fmt(l.delta[u]!, 4)));
      }
    });
  }

  /** Every neuron's output over the view (an output unit's probability mapped to [−1, 1]). */
  private neurons(p: ProblemInfo, f: Frame | null): void {
    if (f === null || f.neurons === null) return;
    const cells = NEURON_GRID * NEURON_GRID;
    p.layers.forEach((l, li) => {
      const data = f.neurons?.[li];
      if (data === undefined || data.length !== cells * l.units) return;
      const isOut = li === p.layers.length - 1;
      for (let u = 0; u < l.units; u++) {
        const c = this.neuron(li, u)?.querySelector('canvas');
        if (!(c instanceof HTMLCanvasElement)) continue;
        heatmap(c, NEURON_GRID, (i) => {
          const v = data[u * cells + i]!;
          return diverging(isOut && p.task !== 'regression' ? 2 * v - 1 : v);
        });
      }
    });
  }

  /**
   * Weights as edges. The neurons' positions are read in one pass (reading forces a layout, the
   * frame's dearest step, so only after they may have moved); the paths are made once per shape of
   * network and updated in place each frame.
   */
  private edges(p: ProblemInfo, f: Frame | null): void {
    const net = this.net;
    const svg = this.svg;
    let at = this.positions;
    if (at === null) {
      const box = net.getBoundingClientRect();
      svg.setAttribute('width', String(net.scrollWidth));
      svg.setAttribute('height', String(net.scrollHeight));
      const found = new Map<string, Place>();
      net.querySelectorAll<HTMLElement>('.neuron').forEach((e) => {
        const r = (e.querySelector('canvas') ?? e.querySelector('.iname') ?? e).getBoundingClientRect();
        found.set(`${e.dataset['layer']}:${e.dataset['unit']}`, {
          left: r.left - box.left + net.scrollLeft, right: r.right - box.left + net.scrollLeft, y: r.top + r.height / 2 - box.top + net.scrollTop,
        });
      });
      at = found;
      this.positions = found;
    }
    const widthOf = (layer: number): number => (layer < 0 ? p.inputNames.length : p.layers[layer]?.units ?? 0);
    const edges: { d: string; w: number; skip: boolean; scale: number }[] = [];
    p.layers.forEach((l, li) => {
      const W = f?.weights?.[li]?.W;
      const rows = l.mainWidth + (l.skipFrom === null ? 0 : widthOf(l.skipFrom));
      if (W === undefined || W.length !== rows * l.units) return;
      let max = 1e-9;
      for (const w of W) max = Math.max(max, Math.abs(w));
      for (let r = 0; r < rows; r++) {
        const skip = r >= l.mainWidth;
        const a = at.get(`${skip ? (l.skipFrom ?? -1) : li - 1}:${skip ? r - l.mainWidth : r}`);
        for (let u = 0; u < l.units; u++) {
          const b = at.get(`${li}:${u}`);
          if (a === undefined || b === undefined) continue;
          const mx = (a.right + b.left) / 2;
          const d = skip
            ? `M${a.right},${a.y} C${a.right + 40},${a.y - 60} ${b.left - 40},${b.y - 60} ${b.left},${b.y}`
            : `M${a.right},${a.y} C${mx},${a.y} ${mx},${b.y} ${b.left},${b.y}`;
          edges.push({ d, w: W[r * l.units + u]!, skip, scale: Math.max(1, max) });
        }
      }
    });
    let paths = svg.querySelectorAll('path');
    if (paths.length !== edges.length) {
      svg.innerHTML = edges.map(() => '<path fill="none"><title></title></path>').join('');
      paths = svg.querySelectorAll('path');
    }
    edges.forEach((e, i) => {
      const path = paths[i]!;
      const w = e.w;
      if (path.getAttribute('d') !== e.d) path.setAttribute('d', e.d);
      path.setAttribute('stroke', css(diverging(w === 0 ? 0 : Math.sign(w) * Math.max(0.35, Math.min(1, Math.abs(w)))), 0.85));
      path.setAttribute('stroke-width', (0.4 + 4.5 * Math.min(1, Math.abs(w) / e.scale)).toFixed(2));
      path.setAttribute('stroke-dasharray', e.skip ? '5 3' : 'none');
      const title = path.firstChild;
      if (title !== null) title.textContent = `w = ${w.toPrecision(4)}`;
    });
  }
}
