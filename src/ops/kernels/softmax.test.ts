import { describe, expect, it } from 'vitest';
import { softmaxFloat } from './softmax.js';

describe('softmaxFloat', () => {
  it('rows of [0, ln 3] give [1/4, 3/4]; large logits do not overflow', () => {
    const x = Float32Array.from([0, Math.log(3), 1000, 1001]);
    const y = softmaxFloat(x, 2, 2, 1);
    for (const [i, v] of [0.25, 0.75].entries()) expect(y[i]).toBeCloseTo(v, 6);
    // exp(1000) overflows a double; the max-subtracted form gives 1/(1+e), e/(1+e).
    expect(y[2]).toBeCloseTo(1 / (1 + Math.E), 6);
    expect(y[3]).toBeCloseTo(Math.E / (1 + Math.E), 6);
  });
  it('strided axis (inner > 1)', () => {
    // [1, 2, 2] softmax over axis 1: pairs (x[0], x[2]) and (x[1], x[3])
    const y = softmaxFloat(Float32Array.from([0, 5, Math.log(3), 5]), 1, 2, 2);
    expect(y[0]).toBeCloseTo(0.25, 6);
    expect(y[2]).toBeCloseTo(0.75, 6);
    expect(y[1]).toBeCloseTo(0.5, 6);
    expect(y[3]).toBeCloseTo(0.5, 6);
  });
});
