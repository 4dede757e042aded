/**
 * Activations that ONNX spells as several operators, recognized and rewritten into one pseudo-operator of the
 * 'mlpkit' domain before the importer reads the graph:
 *
 *   gelu      x·½(1 + erf(x/√2)): Erf of Mul(x, 1/√2) or Div(x, √2), then Add 1, then the product of x, that and ½
 *             in any grouping (mlpkit's export and PyTorch's export before opset 20)
 *   gaussian  Exp(Neg(Mul(x, x)))
 *   step      Cast(GreaterOrEqual(x, 0)) to float
 *   perUnit   Gather(I, columns, axis 1) → one activation per group → Concat → Gather(order): the per-unit
 *             activation groups mlpkit exports, as one node carrying the activation of every unit
 *
 * A pattern is rewritten only when its inner tensors have no other reader, so nothing else loses an input.
 */

import { isActivationName, type ActivationName } from '../../activations.js';
import { AttrType, type NodeData } from './proto.js';

/** The values of a constant tensor (initializer or Constant node), or null. */
export type ConstantOf = (name: string) => ArrayLike<number> | null;

const near = (a: number | undefined, b: number): boolean => a !== undefined && Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b));

interface Graph {
  readonly producer: Map<string, NodeData>;
  readonly uses: Map<string, number>;
  readonly constant: ConstantOf;
}

function graphOf(nodes: readonly NodeData[], constant: ConstantOf): Graph {
  const producer = new Map<string, NodeData>();
  const uses = new Map<string, number>();
  for (const n of nodes) {
    for (const o of n.output) producer.set(o, n);
    for (const i of n.input) uses.set(i, (uses.get(i) ?? 0) + 1);
  }
  return { producer, uses, constant };
}

/** The scalar value of a one-element constant. */
function scalar(g: Graph, name: string | undefined): number | undefined {
  const v = name === undefined ? null : g.constant(name);
  return v !== null && v.length === 1 ? v[0]! : undefined;
}

/** The producer of `t` if it is an `op` node whose output nobody else reads. */
function only(g: Graph, t: string | undefined, op: string): NodeData | null {
  const p = t === undefined ? undefined : g.producer.get(t);
  return p !== undefined && p.opType === op && g.uses.get(t!) === 1 ? p : null;
}

/** For a two-input node, the input that is not the constant `c`, if the other one is. */
function otherThanScalar(g: Graph, n: NodeData, c: number): string | null {
  const [a, b] = n.input;
  if (near(scalar(g, b), c)) return a ?? null;
  if (near(scalar(g, a), c)) return b ?? null;
  return null;
}

const pseudo = (op: string, x: string, out: NodeData, extra: Partial<NodeData> = {}): NodeData =>
  ({ opType: op, domain: 'mlpkit', input: [x], output: out.output, name: out.name ?? '', ...extra });

/** gelu ending at Mul node m2: returns [the pseudo node, the nodes it replaces] or null. */
function matchGelu(g: Graph, m2: NodeData): [NodeData, NodeData[]] | null {
  if (m2.opType !== 'Mul' || m2.input.length !== 2) return null;
  for (const [inner, outer] of [[m2.input[0]!, m2.input[1]!], [m2.input[1]!, m2.input[0]!]] as const) {
    const m1 = only(g, inner, 'Mul');
    if (m1 === null) continue;
    // m1 is either x·(1 + erf) (outer = ½) or (1 + erf)·½ (outer = x).
    for (const [p, q] of [[m1.input[0]!, m1.input[1]!], [m1.input[1]!, m1.input[0]!]] as const) {
      const add = only(g, p, 'Add');
      const erf = add === null ? null : only(g, otherThanScalar(g, add, 1) ?? undefined, 'Erf');
      const scaled = erf === null ? undefined : g.producer.get(erf.input[0]!);
      if (erf === null || scaled === undefined || g.uses.get(erf.input[0]!) !== 1) continue;
      const x = scaled.opType === 'Mul' ? otherThanScalar(g, scaled, Math.SQRT1_2)
        : scaled.opType === 'Div' && near(scalar(g, scaled.input[1]), Math.SQRT2) ? scaled.input[0]! : null;
      if (x === null) continue;
      const ok = (q === x && near(scalar(g, outer), 0.5)) || (near(scalar(g, q), 0.5) && outer === x);
      if (ok) return [pseudo('gelu', x, m2), [m1, add!, erf, scaled]];
    }
  }
  return null;
}

function matchGaussian(g: Graph, e: NodeData): [NodeData, NodeData[]] | null {
  const neg = e.opType === 'Exp' ? only(g, e.input[0], 'Neg') : null;
  const sq = neg === null ? null : only(g, neg.input[0], 'Mul');
  return sq !== null && sq.input[0] === sq.input[1] ? [pseudo('gaussian', sq.input[0]!, e), [neg!, sq]] : null;
}

function matchStep(g: Graph, c: NodeData): [NodeData, NodeData[]] | null {
  const ge = c.opType === 'Cast' ? only(g, c.input[0], 'GreaterOrEqual') : null;
  return ge !== null && near(scalar(g, ge.input[1]), 0) ? [pseudo('step', ge.input[0]!, c), [ge]] : null;
}

/** Rewrite gelu, gaussian and step compositions; the rest of the graph is kept in order. */
export function fuseCompositions(nodes: readonly NodeData[], constant: ConstantOf): NodeData[] {
  const g = graphOf(nodes, constant);
  const drop = new Set<NodeData>();
  const replace = new Map<NodeData, NodeData>();
  for (const n of nodes) {
    const m = matchGelu(g, n) ?? matchGaussian(g, n) ?? matchStep(g, n);
    if (m === null || m[1].some((d) => drop.has(d) || replace.has(d))) continue;
    replace.set(n, m[0]);
    for (const d of m[1]) drop.add(d);
  }
  return nodes.filter((n) => !drop.has(n)).map((n) => replace.get(n) ?? n);
}

/** The activation a single-input node applies, for the per-unit groups; 'identity' when the part is the Gather itself. */
export type ActivationOfNode = (n: NodeData) => ActivationName | null;

/**
 * Per-unit groups: Gather(I, cols) per group, each through one activation, Concat, then Gather(order) back into
 * unit order, become one 'perUnit' node on I whose string attribute 'activations' lists every unit's f.
 */
export function fusePerUnit(nodes: readonly NodeData[], constant: ConstantOf, activationOfNode: ActivationOfNode): NodeData[] {
  const g = graphOf(nodes, constant);
  const drop = new Set<NodeData>();
  const replace = new Map<NodeData, NodeData>();
  for (const back of nodes) {
    if (back.opType !== 'Gather') continue;
    const concat = only(g, back.input[0], 'Concat');
    const order = constant(back.input[1] ?? '');
    if (concat === null || order === null) continue;
    const parts = concat.input.map((t) => {
      const p = g.producer.get(t);
      if (p === undefined || g.uses.get(t) !== 1) return null;
      const gather = p.opType === 'Gather' ? p : only(g, p.input[0], 'Gather');
      const f = p.opType === 'Gather' ? 'identity' : activationOfNode(p);
      const cols = gather === null ? null : constant(gather.input[1] ?? '');
      return gather === null || f === null || cols === null ? null : { f, cols, gather, act: p === gather ? null : p };
    });
    const source = parts[0]?.gather.input[0];
    if (parts.some((p) => p === null || p.gather.input[0] !== source) || source === undefined) continue;
    const cols = parts.flatMap((p) => Array.from(p!.cols).map((c) => ({ c, f: p!.f })));
    const units = new Array<ActivationName>(cols.length);
    // Concat position k holds unit cols[k].c; Gather(order) puts position order[u] at unit u.
    Array.from(order).forEach((k, u) => { if (cols[k]?.c === u) units[u] = cols[k]!.f; });
    if (order.length !== cols.length || units.some((f) => f === undefined) || units.length !== cols.length) continue;
    replace.set(back, pseudo('perUnit', source, back, {
      attribute: [{ name: 'activations', type: AttrType.STRING, s: new TextEncoder().encode(units.join(',')) }],
    }));
    drop.add(concat);
    for (const p of parts) { drop.add(p!.gather); if (p!.act !== null) drop.add(p!.act); }
  }
  return nodes.filter((n) => !drop.has(n)).map((n) => replace.get(n) ?? n);
}

/** The unit activations a 'perUnit' node carries. */
export function perUnitActivations(n: NodeData): ActivationName[] | null {
  const s = n.attribute?.find((a) => a.name === 'activations')?.s;
  const names = s === undefined ? [] : new TextDecoder().decode(s).split(',');
  return names.length > 0 && names.every(isActivationName) ? names : null;
}
