import { describe, expect, it } from 'vitest';
import { runLayerInt8 } from './interpret_int8.js';
import type { QuantizedLayer } from '../int8/types.js';
import type { Conv2dLayer } from '../ops/conv2d.js';
import { UserError } from '../util/errors.js';

describe('runLayerInt8', () => {
  it('refuses an op without an int8 reference, naming the layer', () => {
    const q = { scale: 0.1, zeroPoint: 0 };
    const layer = { name: 'probs', op: 'softmax', origin: [], inputs: ['x'], output: 'y', inputShapes: [[1, 4]], outputShape: [1, 4], inputQ: [q], outputQ: q, actMin: -128, actMax: 127 } as unknown as QuantizedLayer;
    const run = () => runLayerInt8(layer, [new Int8Array(4)]);
    expect(run).toThrow(UserError);
    expect(run).toThrow("int8: layer 'probs': op 'softmax' has no int8 reference");
  });
  it('refuses a layer whose weights, bias or kernel do not fit its shapes, naming the layer', () => {
    const q = { scale: 0.1, zeroPoint: 0 };
    const conv: Conv2dLayer = {
      name: 'c', op: 'conv2d', origin: [], inputs: ['x'], output: 'y', inputShapes: [[1, 1, 2, 2]], outputShape: [1, 2, 2, 2],
      inputQ: [q], outputQ: q, actMin: -128, actMax: 127, weights: Int8Array.of(1, 2), weightShape: [2, 1, 1, 1], weightScales: Float64Array.of(1, 1),
      bias: Int32Array.of(0, 0), multiplier: Int32Array.of(2 ** 30, 2 ** 30), shift: Int32Array.of(0, 0), kernel: [1, 1], strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1],
    };
    const x = [Int8Array.of(1, 2, 3, 4)];
    // The good layer runs: y = x·w/2 rounded (M0 = 2^30 is a multiplier of 1/2).
    expect(Array.from(runLayerInt8(conv, x))).toEqual([1, 1, 2, 2, 1, 2, 3, 4]);
    expect(() => runLayerInt8({ ...conv, weights: Int8Array.of(1) }, x)).toThrow("int8: layer 'c' (conv2d): weights of shape [2,1,1,1] (1 values) do not fit 2 output channels");
    expect(() => runLayerInt8({ ...conv, shift: Int32Array.of(0) }, x)).toThrow("int8: layer 'c' (conv2d): shift has 1 values for 2 output channels");
    const { kernel: _k, ...noKernel } = conv;
    expect(() => runLayerInt8({ ...noKernel, kernel: [1] } as QuantizedLayer, x)).toThrow(UserError);
    expect(() => runLayerInt8(conv, [...x, ...x])).toThrow("int8: layer 'c' reads 1 tensors, got 2");
  });
});
