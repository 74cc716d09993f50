import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../graph/builder.js';
import { lowerSoftmax } from './lower_softmax.js';
import { floatDisagreement, opsOf, runPure } from './testing.js';

describe('lower_softmax', () => {
  it('opset-13 softmax on the last axis and legacy (opset < 13) softmax at axis 1 of [N, C] → softmax axis -1', () => {
    const g = new GraphBuilder('t')
      .input('x', [2, 5])
      .node('Softmax', ['x'], ['a'], { axis: 1 }, 'sm13')
      .node('Softmax', ['a'], ['y'], { axis: 1, legacy_2d: 1 }, 'sm_legacy')
      .output('y')
      .build();
    const h = runPure(lowerSoftmax, g);
    expect(opsOf(h)).toEqual(['softmax', 'softmax']);
    expect(h.nodes.map((n) => n.attrs)).toEqual([{ axis: -1 }, { axis: -1 }]);
    expect(h.nodes[1].origin).toEqual(['sm_legacy']);
    expect(floatDisagreement(g, h)).toBeLessThan(1e-5);
  });

  it('refuses a softmax that is not over the last axis', () => {
    const g = new GraphBuilder('t').input('x', [1, 10, 1, 1]).node('Softmax', ['x'], ['y'], { axis: 1 }, 'sm').output('y').build();
    expect(() => lowerSoftmax.run(g)).toThrow(/node 'sm' \(Softmax\): softmax over axis 1 of \[1, 10, 1, 1\] is not over the last axis/);
  });
});
