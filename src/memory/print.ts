/** plan.txt: the arena plan as a table, one buffer per line, and the layer that sets the peak. */
import type { Step } from './lifetimes.js';
import type { ArenaPlan } from './plan.js';
import type { StreamPlan } from './stream.js';

export function printPlan(plan: ArenaPlan, order: readonly Step[], title = 'arena plan', stream?: StreamPlan & { readonly streamOffset: number }): string {
  const rows = [...plan.buffers].sort((a, b) => plan.offsets.get(a.name)! - plan.offsets.get(b.name)! || a.first - b.first || (a.name < b.name ? -1 : 1));
  const stepName = (i: number) => order[i]?.name ?? `#${i}`;
  const lines: string[] = [];
  lines.push(`# ${title}`);
  lines.push(`arena bytes: ${plan.peakBytes} (every activation, ${stream ? 'the input rows' : 'the input'} and the kernels' scratch)`);
  lines.push(`peak set by layer: ${stepName(plan.peakLayer)} (step ${plan.peakLayer})`);
  lines.push(`largest single buffer (the floor of any plan${stream ? ' with these layers streamed' : ''}): ${plan.largestBuffer}`);
  lines.push(`largest live total at one step (the floor without overlaps): ${plan.liveBytesMax}`);
  lines.push('');
  if (stream) {
    const extra = stream.layers.filter((l) => l.rowsComputed > l.rows.outH).length;
    lines.push(`streamed row by row (step ${order[0].name}): the first ${stream.layers.length} layers, up to ${stream.band} output row${stream.band > 1 ? 's' : ''} per kernel call; the input (${stream.input}) is read a row at a time and is not in the arena; rows computed twice: ${extra === 0 ? 'none, so no extra MACs' : extra}`);
    for (const l of stream.layers) {
      const at = stream.streamOffset + l.windowOffset;
      lines.push(`  ${l.name}: window of ${l.windowRows} input rows x ${l.rows.inRowBytes} bytes at [${at}, ${at + l.windowBytes}), ${l.rowsComputed} of ${l.rows.outH} output rows of ${l.rows.outRowBytes} bytes computed`);
    }
    const sc = stream.streamOffset + stream.scratchOffset;
    lines.push(`  kernel scratch (one layer at a time) at [${sc}, ${sc + stream.scratchBytes}); output ${stream.output} written whole, a row at a time`);
    lines.push('');
  }
  if (plan.overlaps.length) {
    lines.push('outputs over consumed input (output offset - input offset; each kernel order replayed byte by byte):');
    for (const o of plan.overlaps) {
      const inOff = plan.offsets.get(o.from)!, outOff = plan.offsets.get(o.to)!;
      const a = plan.buffers.find((b) => b.name === o.from)!, b = plan.buffers.find((x) => x.name === o.to)!;
      const shared = Math.max(0, Math.min(inOff + a.size, outOff + b.size) - Math.max(inOff, outOff));
      lines.push(`  ${stepName(o.step)}: ${o.to} over ${o.from}, shift ${o.shift}, ${shared} bytes shared`);
    }
    lines.push('');
  }
  const header = ['offset', 'end', 'bytes', 'steps', 'tensors'];
  const table = rows.map((b) => {
    const o = plan.offsets.get(b.name)!;
    return [String(o), String(o + b.size), String(b.size), `${b.first}-${b.last} (${stepName(b.first)} .. ${stepName(b.last)})`, b.members.join(' = ')];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i].length)));
  const fmt = (r: string[]) => r.map((c, i) => (i < 3 ? c.padStart(widths[i]) : i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
  lines.push(fmt(header));
  for (const r of table) lines.push(fmt(r));
  lines.push('');
  lines.push('steps:');
  order.forEach((s, i) => lines.push(`  ${i}: ${s.name}  ${s.inputs.join(', ')} -> ${s.outputs.join(', ')}`));
  return lines.join('\n') + '\n';
}
