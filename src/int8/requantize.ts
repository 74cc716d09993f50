/** The common tail of every int8 layer with weights: int32 accumulator → int8 output. */
import { multiplyByQuantizedMultiplier } from './arith.js';

/** clamp(MBQM(acc, multiplier, shift) + zpOut, actMin, actMax); acc is an int32 value (a double holding one is fine). */
export function requantize(acc: number, multiplier: number, shift: number, zpOut: number, actMin: number, actMax: number): number {
  const v = multiplyByQuantizedMultiplier(acc, multiplier, shift) + zpOut;
  return v < actMin ? actMin : v > actMax ? actMax : v;
}
