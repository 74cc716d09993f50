/**
 * A readable text form of a graph (for `--dump-after` and test failures): a header with inputs,
 * outputs and constants, then one line per node:
 *   conv_1  Conv  x [1,3,8,8], w [4,3,3,3] → y [1,4,8,8]  {pads=[1,1,1,1], strides=[1,1]}  ← conv_1
 */
import type { Attr, Graph } from './graph.js';
import { sizeOf } from './tensor.js';

function shapeText(g: Graph, name: string): string {
  if (name === '') return '∅';
  const v = g.values.get(name);
  if (!v) return `${name} ?`;
  const dtype = v.dtype === 'float32' ? '' : `${v.dtype}`;
  return `${name} ${dtype}[${v.shape.join(',')}]`;
}

function attrText(a: Attr): string {
  // Float attributes were float32 in the file: 7 significant digits show them without noise.
  if (typeof a === 'number') return Number.isInteger(a) || !Number.isFinite(a) ? String(a) : String(+a.toPrecision(7));
  if (typeof a === 'string') return JSON.stringify(a);
  if (Array.isArray(a)) return `[${a.map((x) => (typeof x === 'string' ? JSON.stringify(x) : String(x))).join(',')}]`;
  const t = a as { dtype: string; shape: readonly number[] };
  return `<${t.dtype} tensor [${t.shape.join(',')}]>`;
}

export function dumpGraph(g: Graph): string {
  const lines: string[] = [];
  lines.push(`graph ${g.name}${g.meta.opset !== undefined ? ` (opset ${g.meta.opset})` : ''}`);
  lines.push(`  inputs:  ${g.inputs.map((i) => shapeText(g, i)).join(', ')}`);
  lines.push(`  outputs: ${g.outputs.map((o) => shapeText(g, o)).join(', ')}`);
  let params = 0;
  for (const t of g.constants.values()) params += sizeOf(t.shape);
  lines.push(`  constants: ${g.constants.size} tensors, ${params} values`);
  const nameWidth = Math.min(32, Math.max(0, ...g.nodes.map((n) => n.name.length)));
  const opWidth = Math.max(0, ...g.nodes.map((n) => n.op.length));
  for (const n of g.nodes) {
    const attrs = Object.keys(n.attrs)
      .sort()
      .map((k) => `${k}=${attrText(n.attrs[k])}`)
      .join(', ');
    const ins = n.inputs.map((i) => (g.constants.has(i) ? `${shapeText(g, i)}(const)` : shapeText(g, i))).join(', ');
    const outs = n.outputs.map((o) => shapeText(g, o)).join(', ');
    let line = `  ${n.name.padEnd(nameWidth)}  ${n.op.padEnd(opWidth)}  ${ins} → ${outs}`;
    if (attrs) line += `  {${attrs}}`;
    if (n.origin && n.origin.length && !(n.origin.length === 1 && n.origin[0] === n.name)) line += `  ← ${n.origin.join(', ')}`;
    lines.push(line);
  }
  return lines.join('\n') + '\n';
}
