/** Text dump and check of the lower stage's artifact (onnx2mcu --dump-after lower). */
import { layoutShape } from '../cgen/layout.js';
import type { LoweredModel } from './lower.js';

const dims = (d: { h: number; w: number; c: number }) => `${d.h}x${d.w}x${d.c}`;

export function dumpLowered(m: LoweredModel): string {
  const lines = [`lowered model ${m.model.name}: prefix ${m.prefix}, input layout ${m.inputLayout}`, ''];
  m.layers.forEach((c, i) => {
    lines.push(`${i}: ${c.ident} kernel ${c.kernel} (${c.emitter.fn}) ${c.inputs.map((t, k) => `${t} ${dims(c.inDims[k])}`).join(', ')} -> ${c.output} ${dims(c.outDims)}; MACs ${c.macs}, params ${c.params}${c.inPlaceScratch !== undefined ? `; may run in place (${c.inPlaceScratch} scratch bytes)` : ''}`);
    if (c.data) lines.push(`   weights ${c.data.layout.name} [${layoutShape(c.data.layout).join('x')}], bias folded with zp ${c.data.biasZeroPoint}`);
  });
  lines.push('', 'steps:');
  m.steps.forEach((s, i) => lines.push(`  ${i}: ${s.name} ${s.inputs.join(', ')} -> ${s.outputs.join(', ')}`));
  return lines.join('\n') + '\n';
}

/** The lower stage's check: every layer's arrays agree with its channel count and layout. */
export function checkLowered(m: LoweredModel): void {
  const idents = new Set<string>();
  for (const c of m.layers) {
    if (idents.has(c.ident)) throw new Error(`lower: identifier '${c.ident}' used twice`);
    idents.add(c.ident);
    if (c.inputs.length !== c.inDims.length) throw new Error(`lower: layer '${c.ident}' has ${c.inputs.length} inputs but ${c.inDims.length} dims`);
    if (!c.data) continue;
    const O = c.data.bias.length;
    if (c.data.multiplier.length !== O || c.data.shift.length !== O || c.data.weights.length % O !== 0) throw new Error(`lower: layer '${c.ident}' arrays disagree on ${O} output channels`);
    if (layoutShape(c.data.layout).reduce((a, b) => a * b, 1) !== c.data.weights.length) throw new Error(`lower: layer '${c.ident}' layout ${c.data.layout.name} does not fit its ${c.data.weights.length} weights`);
  }
}
