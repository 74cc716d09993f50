/**
 * The quantize stage's check: a QuantizedModel every later stage can rely on — each layer reads
 * tensors written before it, shapes and quantization agree with the tensors' table, zero points
 * and clamps are int8, scales positive and finite, weights in [−127, 127], multipliers and shifts
 * in the ranges the kernels' arithmetic assumes.
 */
import { sizeOf } from '../ir/tensor.js';
import type { QuantizedModel, QuantParams, WeightedFields } from '../int8/types.js';

const INT32_MAX = 2147483647;

function checkQ(q: QuantParams, where: string): void {
  if (!Number.isInteger(q.zeroPoint) || q.zeroPoint < -128 || q.zeroPoint > 127) throw new Error(`${where}: zero point ${q.zeroPoint} is not an int8`);
  if (!(q.scale > 0) || !Number.isFinite(q.scale)) throw new Error(`${where}: scale ${q.scale} is not a positive finite number`);
}

export function checkQuantizedModel(m: QuantizedModel): void {
  const written = new Set([m.input.name]);
  checkQ(m.input.q, `model input '${m.input.name}'`);
  for (const l of m.layers) {
    const where = `layer '${l.name}' (${l.op})`;
    if (l.inputs.length === 0 || l.inputs.length !== l.inputShapes.length || l.inputs.length !== l.inputQ.length) throw new Error(`${where}: ${l.inputs.length} inputs, ${l.inputShapes.length} shapes, ${l.inputQ.length} quantizations`);
    l.inputs.forEach((t, i) => {
      if (!written.has(t)) throw new Error(`${where}: reads '${t}' before any layer writes it`);
      const entry = m.tensors[t];
      if (!entry || entry.shape.join() !== l.inputShapes[i].join() || entry.q.scale !== l.inputQ[i].scale || entry.q.zeroPoint !== l.inputQ[i].zeroPoint) {
        throw new Error(`${where}: input '${t}' differs from the tensors table`);
      }
    });
    if (written.has(l.output)) throw new Error(`${where}: writes '${l.output}' a second time`);
    written.add(l.output);
    checkQ(l.outputQ, `${where} output`);
    if (!Number.isInteger(l.actMin) || !Number.isInteger(l.actMax) || l.actMin < -128 || l.actMax > 127 || l.actMin > l.actMax) {
      throw new Error(`${where}: clamp [${l.actMin}, ${l.actMax}] is not an int8 range`);
    }
    const w = l as Partial<WeightedFields>;
    if (w.weights) {
      const O = l.outputShape[1];
      if (!w.weightShape || sizeOf(w.weightShape) !== w.weights.length || w.weightShape[0] !== O) throw new Error(`${where}: weights [${w.weightShape}] do not fit ${O} output channels`);
      if (w.weights.some((v) => v < -127)) throw new Error(`${where}: weight −128 (symmetric int8 is [−127, 127])`);
      for (const [name, a] of [['bias', w.bias], ['multiplier', w.multiplier], ['shift', w.shift], ['weightScales', w.weightScales]] as const) {
        if (a?.length !== O) throw new Error(`${where}: ${name} has ${a?.length ?? 0} values for ${O} output channels`);
      }
      for (let o = 0; o < O; o++) {
        const mult = w.multiplier![o];
        const shift = w.shift![o];
        // quantizeMultiplier gives M0 in [2^30, 2^31) with a shift in [−31, 30], or 0 / 0 for a zero multiplier.
        if (!(mult === 0 && shift === 0) && (mult < 2 ** 30 || mult > INT32_MAX || shift < -31 || shift > 30)) {
          throw new Error(`${where}: channel ${o} multiplier ${mult} shift ${shift} out of range`);
        }
      }
    }
  }
  if (!written.has(m.output.name)) throw new Error(`model output '${m.output.name}' is not written by any layer`);
}
