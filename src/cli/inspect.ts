/**
 * `inspect`: a per-layer table of a graph — name, op, output shape, MACs and params from each
 * op's `cost` in the registry (conv: Ho·Wo·Cout·(Cin/group)·Kh·Kw MACs; fully connected: in·out;
 * params as after BN folding: weights plus one bias per output channel) — and the totals.
 */
import type { Graph } from '../ir/graph.js';
import { getOp } from '../ops/registry.js';

export interface LayerRow {
  readonly name: string;
  readonly op: string;
  readonly outputShape: readonly number[];
  readonly macs: number;
  readonly params: number;
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
    return { name: node.name, op: node.op, outputShape: [...(outInfos[0]?.shape ?? [])], macs: cost.macs, params: cost.params };
  });
  const totals = layers.reduce((t, l) => ({ macs: t.macs + l.macs, params: t.params + l.params }), { macs: 0, params: 0 });
  return { layers, totals };
}

/** The JSON of `inspect --json`: exactly {"layers":[{name,op,outputShape,macs,params}],"totals":{macs,params}}. */
export function inspectJson(r: InspectReport): string {
  return JSON.stringify({
    layers: r.layers.map((l) => ({ name: l.name, op: l.op, outputShape: l.outputShape, macs: l.macs, params: l.params })),
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

/** The human-readable table. */
export function inspectTable(r: InspectReport, title?: string): string {
  const header = ['name', 'op', 'output shape', 'MACs', 'params'];
  const rows = r.layers.map((l) => [l.name, l.op, `[${l.outputShape.join(', ')}]`, thousands(l.macs), thousands(l.params)]);
  const total = ['total', '', '', thousands(r.totals.macs), thousands(r.totals.params)];
  const all = [header, ...rows, total];
  const widths = header.map((_, c) => Math.max(...all.map((row) => row[c].length)));
  const right = [false, false, false, true, true];
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
