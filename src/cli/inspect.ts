/**
 * `inspect`: a per-layer table of a graph — name, op, output shape, MACs and params from each
 * op's `cost` in the registry (conv: Ho·Wo·Cout·(Cin/group)·Kh·Kw MACs; fully connected: in·out;
 * params as after BN folding: weights plus one bias per output channel) — and the totals.
 * Layers in the canonical vocabulary (`--stage folded`) also show their fused activation range.
 */
import type { Graph, Node } from '../ir/graph.js';
import { attrFloat } from '../ir/graph.js';
import { CANONICAL_OPS, getOp } from '../ops/registry.js';

/** A fused activation range; null for an unbounded end (JSON has no Infinity). */
export interface ActivationRange {
  readonly min: number | null;
  readonly max: number | null;
}

export interface LayerRow {
  readonly name: string;
  readonly op: string;
  readonly outputShape: readonly number[];
  readonly macs: number;
  readonly params: number;
  /**
   * Canonical layers only (absent for ONNX ops): the fused activation range (act_min / act_max),
   * or null when the layer clamps nothing (unbounded both ways, or softmax).
   */
  readonly activation?: ActivationRange | null;
}

const CANONICAL = new Set(CANONICAL_OPS.map((d) => d.op));

/** The fused activation of a canonical node: {min, max} with null for an unbounded end, or null for none. */
export function activationOf(node: Node): ActivationRange | null {
  const lo = attrFloat(node, 'act_min', -Infinity);
  const hi = attrFloat(node, 'act_max', Infinity);
  if (lo === -Infinity && hi === Infinity) return null;
  return { min: lo === -Infinity ? null : lo, max: hi === Infinity ? null : hi };
}

export interface InspectReport {
  readonly layers: readonly LayerRow[];
  readonly totals: { readonly macs: number; readonly params: number };
}

/** One row per node, in execution order. */
export function inspectGraph(g: Graph): InspectReport {
  const layers = g.nodes.map((node): LayerRow => {
    const def = getOp(node.op);
    const outInfos = node.outputs.map((o) => g.values.get(o)!);
    const cost = def?.cost?.(node, node.inputs.map((i) => (i ? g.values.get(i) : undefined)), outInfos) ?? { macs: 0, params: 0 };
    const row = { name: node.name, op: node.op, outputShape: [...(outInfos[0]?.shape ?? [])], macs: cost.macs, params: cost.params };
    return CANONICAL.has(node.op) ? { ...row, activation: activationOf(node) } : row;
  });
  const totals = layers.reduce((t, l) => ({ macs: t.macs + l.macs, params: t.params + l.params }), { macs: 0, params: 0 });
  return { layers, totals };
}

/**
 * The JSON of `inspect --json`: exactly {"layers":[{name,op,outputShape,macs,params}],"totals":{macs,params}};
 * canonical layers add "activation": {"min","max"} (null for an unbounded end) or null.
 */
export function inspectJson(r: InspectReport): string {
  return JSON.stringify({
    layers: r.layers.map((l) => ({
      name: l.name,
      op: l.op,
      outputShape: l.outputShape,
      macs: l.macs,
      params: l.params,
      ...(l.activation !== undefined ? { activation: l.activation === null ? null : { min: l.activation.min, max: l.activation.max } } : {}),
    })),
    totals: { macs: r.totals.macs, params: r.totals.params },
  });
}

const thousands = (n: number) => n.toLocaleString('en-US');

/** 568.7M, 4.22M, 13.5k — the short form used in summaries. */
export function shortCount(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(n >= 1e8 ? 1 : 2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return String(n);
}

/** '[0, 6]', '[0, inf)', '(-inf, 6]'; '' for no activation. */
export function activationText(a: ActivationRange | null | undefined): string {
  if (!a) return '';
  return `${a.min === null ? '(-inf' : `[${a.min}`}, ${a.max === null ? 'inf)' : `${a.max}]`}`;
}

/** The human-readable table; an 'activation' column when some layer is canonical. */
export function inspectTable(r: InspectReport, title?: string): string {
  const withAct = r.layers.some((l) => l.activation !== undefined);
  const header = ['name', 'op', 'output shape', 'MACs', 'params', ...(withAct ? ['activation'] : [])];
  const rows = r.layers.map((l) => [
    l.name, l.op, `[${l.outputShape.join(', ')}]`, thousands(l.macs), thousands(l.params), ...(withAct ? [activationText(l.activation)] : []),
  ]);
  const total = ['total', '', '', thousands(r.totals.macs), thousands(r.totals.params), ...(withAct ? [''] : [])];
  const all = [header, ...rows, total];
  const widths = header.map((_, c) => Math.max(...all.map((row) => row[c].length)));
  const right = [false, false, false, true, true, false];
  const fmt = (row: string[]) => row.map((cell, c) => (right[c] ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ').trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  const lines = [
    ...(title ? [title] : []),
    fmt(header),
    rule,
    ...rows.map(fmt),
    rule,
    fmt(total),
    `${r.layers.length} layers, ${shortCount(r.totals.macs)} MACs, ${shortCount(r.totals.params)} params`,
  ];
  return lines.join('\n') + '\n';
}
