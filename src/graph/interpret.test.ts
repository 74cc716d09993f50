import { describe, expect, it } from 'vitest';
import { GraphBuilder } from './builder.js';
import { runFloat } from './interpret.js';
import { floatTensor, int64Tensor } from '../ir/tensor.js';
import { UserError } from '../util/errors.js';

function graph() {
  // y = softmax(flatten(gap(relu(conv1x1(x))))), conv weights [[1, -1], [0, 2]]
  return new GraphBuilder('g')
    .input('x', [1, 2, 1, 2])
    .constant('w', floatTensor([2, 2, 1, 1], Float32Array.from([1, -1, 0, 2])))
    .constant('shape', int64Tensor([1, 2]))
    .node('Conv', ['x', 'w'], ['c'], {}, 'conv')
    .node('Relu', ['c'], ['r'], {}, 'relu')
    .node('GlobalAveragePool', ['r'], ['p'], {}, 'gap')
    .node('Reshape', ['p', 'shape'], ['f'], {}, 'reshape')
    .node('Softmax', ['f'], ['y'], { axis: -1 }, 'softmax')
    .output('y')
    .build();
}

describe('runFloat', () => {
  // x: c0 = [1, 3], c1 = [2, 0] → conv o0 = c0 − c1 = [-1, 3], o1 = 2·c1 = [4, 0]
  // relu → [0, 3], [4, 0]; gap → 1.5, 2; softmax → [1/(1+e^0.5), e^0.5/(1+e^0.5)]
  const x = floatTensor([1, 2, 1, 2], Float32Array.from([1, 3, 2, 0]));

  it('computes the outputs and only the outputs by default', () => {
    const out = runFloat(graph(), { x });
    expect([...out.keys()]).toEqual(['y']);
    const y = out.get('y')!;
    expect(y.shape).toEqual([1, 2]);
    expect(y.data[0]).toBeCloseTo(1 / (1 + Math.exp(0.5)), 6);
    expect(y.data[1]).toBeCloseTo(Math.exp(0.5) / (1 + Math.exp(0.5)), 6);
  });

  it("keep 'all' returns intermediates; onNode sees every node in order", () => {
    const seen: string[] = [];
    const all = runFloat(graph(), { x }, { keep: 'all', onNode: (n, outs) => seen.push(`${n.name}:${outs[0].shape.join('x')}`) });
    expect(Array.from(all.get('c')!.data as Float32Array)).toEqual([-1, 3, 4, 0]);
    expect(Array.from(all.get('p')!.data as Float32Array)).toEqual([1.5, 2]);
    expect(seen).toEqual(['conv:1x2x1x2', 'relu:1x2x1x2', 'gap:1x2x1x1', 'reshape:1x2', 'softmax:1x2']);
  });

  it('feed problems are UserErrors naming the input', () => {
    expect(() => runFloat(graph(), {})).toThrow(UserError);
    expect(() => runFloat(graph(), {})).toThrow(/input 'x' was not fed/);
    expect(() => runFloat(graph(), { x: floatTensor([1, 2, 2, 1]) })).toThrow("input 'x': got float32 [1, 2, 2, 1], expected float32 [1, 2, 1, 2]");
    expect(() => runFloat(graph(), { x, extra: x })).toThrow(/feed 'extra' is not an input/);
  });

  it('a graph output that is also read by a later node is kept', () => {
    const g = new GraphBuilder('two').input('x', [2]).node('Relu', ['x'], ['a']).node('Add', ['a', 'a'], ['b']).output('a').output('b').build();
    const out = runFloat(g, { x: floatTensor([2], Float32Array.from([-1, 2])) });
    expect(Array.from(out.get('a')!.data as Float32Array)).toEqual([0, 2]);
    expect(Array.from(out.get('b')!.data as Float32Array)).toEqual([0, 4]);
  });
});
