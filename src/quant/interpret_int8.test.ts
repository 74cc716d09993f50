import { describe, expect, it } from 'vitest';
import { runLayerInt8 } from './interpret_int8.js';
import type { QuantizedLayer } from './types.js';
import { UserError } from '../util/errors.js';

describe('runLayerInt8', () => {
  it('refuses an op without an int8 reference, naming the layer', () => {
    const q = { scale: 0.1, zeroPoint: 0 };
    const layer = { name: 'probs', op: 'softmax', origin: [], input: 'x', output: 'y', inputShape: [1, 4], outputShape: [1, 4], inputQ: q, outputQ: q, actMin: -128, actMax: 127 } as unknown as QuantizedLayer;
    const run = () => runLayerInt8(layer, new Int8Array(4));
    expect(run).toThrow(UserError);
    expect(run).toThrow("int8: layer 'probs': op 'softmax' has no int8 reference");
  });
});
