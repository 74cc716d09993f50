/** Text dumps of the calibrate and quantize stages' artifacts (onnx2mcu --dump-after calibrate|quantize). */
import type { CalibrationStats } from '../int8/calibration.js';
import type { QuantizedModel, QuantParams, WeightedFields } from '../int8/types.js';

const g = (x: number) => Number(x.toPrecision(6)).toString();
const q = (p: QuantParams) => `scale ${g(p.scale)} zp ${p.zeroPoint}`;

export function dumpCalibration(s: CalibrationStats): string {
  const lines = [`calibration: ${s.count} inputs, observer ${s.method}`, '', 'ranges:'];
  for (const [t, r] of [...s.ranges].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) lines.push(`  ${t}: [${g(r.min)}, ${g(r.max)}]`);
  lines.push('', 'window means (bias correction):');
  for (const [n, m] of [...s.windowMeans].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    let lo = Infinity, hi = -Infinity;
    for (const v of m) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    lines.push(`  ${n}: ${m.length} taps, mean in [${g(lo)}, ${g(hi)}]`);
  }
  return lines.join('\n') + '\n';
}

function range(a: ArrayLike<number>): string {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < a.length; i++) { lo = Math.min(lo, a[i]); hi = Math.max(hi, a[i]); }
  return a.length ? `[${g(lo)}, ${g(hi)}]` : '[]';
}

export function dumpQuantized(m: QuantizedModel): string {
  const lines = [
    `quantized model ${m.name}`,
    `input ${m.input.name} [${m.input.shape}] ${q(m.input.q)} (${m.input.pixelMapping}; float ${m.input.floatScaling})`,
    `output ${m.output.name} [${m.output.shape}] ${q(m.output.q)}${m.output.softmax ? ` then float softmax over axis ${m.output.softmax.axis} → ${m.output.floatOutput}` : ''}`,
    '',
  ];
  m.layers.forEach((l, i) => {
    lines.push(`${i}: ${l.name} (${l.op}) ${l.inputs.map((t, k) => `${t} [${l.inputShapes[k]}] ${q(l.inputQ[k])}`).join(', ')} -> ${l.output} [${l.outputShape}] ${q(l.outputQ)} clamp [${l.actMin}, ${l.actMax}]`);
    const extra = Object.entries(l).filter(([k, v]) => !ArrayBuffer.isView(v) && !['name', 'op', 'origin', 'inputs', 'output', 'inputShapes', 'outputShape', 'inputQ', 'outputQ', 'actMin', 'actMax'].includes(k));
    if (extra.length) lines.push(`   ${extra.map(([k, v]) => `${k} ${JSON.stringify(v)}`).join(', ')}`);
    const w = l as Partial<WeightedFields>;
    if (w.weights) {
      lines.push(`   weights [${w.weightShape}] int8 ${range(w.weights)}, weight scales ${range(w.weightScales!)}, bias ${range(w.bias!)}, multiplier ${range(w.multiplier!)}, shift ${range(w.shift!)}`);
    }
  });
  return lines.join('\n') + '\n';
}
