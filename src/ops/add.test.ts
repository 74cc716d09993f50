import { describe, expect, it } from 'vitest';
import { floatTensor } from '../ir/tensor.js';
import { quantizeMultiplier } from '../int8/arith.js';
import { node } from '../passes/testing.js';
import { add, type AddLayer } from './add.js';

describe('add', () => {
  it('float: elementwise sum then the clamp; no broadcasting', () => {
    const n = node('add', ['a', 'b'], ['y'], { act_min: 0, act_max: 6 });
    const y = add.evalFloat(n, [floatTensor([1, 3], Float32Array.of(1, -4, 5)), floatTensor([1, 3], Float32Array.of(2, 1, 4))])[0];
    expect(Array.from(y.data as Float32Array)).toEqual([3, 0, 6]);
    expect(() => add.inferShapes(n, [{ dtype: 'float32', shape: [1, 3] }, { dtype: 'float32', shape: [1, 1] }], [])).toThrow(/inputs \[1, 3\] and \[1, 1\] differ/);
  });

  it("int8: TFLite's rescaling arithmetic (hand-computed, ties away from zero)", () => {
    // s_a = 0.5, s_b = 0.25, s_out = 1, zero points 0: twice the larger scale is 1, so
    // M_a = 0.5 (2^30, shift 0), M_b = 0.25 (2^30, shift −1), M_out = 2^−20 (2^30, shift −19).
    expect(quantizeMultiplier(0.5)).toEqual({ multiplier: 2 ** 30, shift: 0 });
    expect(quantizeMultiplier(0.25)).toEqual({ multiplier: 2 ** 30, shift: -1 });
    expect(quantizeMultiplier(2 ** -20)).toEqual({ multiplier: 2 ** 30, shift: -19 });
    const q = (scale: number) => ({ scale, zeroPoint: 0 });
    const l: AddLayer = {
      name: 'add', op: 'add', origin: [], inputs: ['a', 'b'], output: 'y', inputShapes: [[1, 4], [1, 4]], outputShape: [1, 4],
      inputQ: [q(0.5), q(0.25)], outputQ: q(1), actMin: -128, actMax: 127,
      leftShift: 20, inputMultipliers: [2 ** 30, 2 ** 30], inputShifts: [0, -1], outputMultiplier: 2 ** 30, outputShift: -19,
    };
    // reals: 2 + 2 = 4; 1.5 + 0.75 = 2.25 → 2; −0.5 + 0 = −0.5 → −1 (away from zero); 63.5 + 31.75 = 95.25 → 95
    expect(Array.from(add.int8!.run(l, [Int8Array.of(4, 3, -1, 127), Int8Array.of(8, 3, 0, 127)]))).toEqual([4, 2, -1, 95]);
    // with zero points and a clamp: a = 0.5·(x + 10), b = 0.25·(x − 20), out = 1·(y − 3) clamped to [3, 5]
    const lz: AddLayer = { ...l, inputQ: [{ scale: 0.5, zeroPoint: -10 }, { scale: 0.25, zeroPoint: 20 }], outputQ: { scale: 1, zeroPoint: 3 }, actMin: 3, actMax: 5 };
    // reals: 0.5·(−6) + 0.25·(−12) = −6 → −3 → clamp 3; 0.5·(−8) + 0.25·(28) = 3 → 6 → 5; 0.5·(−9) + 0.25·(24) = 1.5 → 4.5 → 5 (tie away from zero)
    expect(Array.from(add.int8!.run({ ...lz, inputShapes: [[1, 3], [1, 3]], outputShape: [1, 3] }, [Int8Array.of(-16, -18, -19), Int8Array.of(8, 48, 44)]))).toEqual([3, 5, 5]);
  });
});
