/** The common tail of every int8 layer with weights: int32 accumulators → int8 outputs. */
import { multiplyByQuantizedMultiplier } from '../arith.js';

/**
 * out[outOffset + p] = clamp(MBQM(acc[p], multiplier, shift) + zpOut, actMin, actMax) for p < count.
 */
export function requantizeInto(
  acc: Int32Array,
  count: number,
  multiplier: number,
  shift: number,
  zpOut: number,
  actMin: number,
  actMax: number,
  out: Int8Array,
  outOffset: number,
): void {
  for (let p = 0; p < count; p++) {
    let v = multiplyByQuantizedMultiplier(acc[p], multiplier, shift) + zpOut;
    if (v < actMin) v = actMin;
    else if (v > actMax) v = actMax;
    out[outOffset + p] = v;
  }
}

/** x − zp as int16 (the values every multiply-accumulate reads; padding reads 0 here). */
export function subtractZeroPoint(x: Int8Array, zp: number): Int16Array {
  const out = new Int16Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i] - zp;
  return out;
}
