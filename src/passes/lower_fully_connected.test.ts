import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../graph/builder.js';
import { floatTensor } from '../ir/tensor.js';
import { lowerFullyConnected } from './lower_fully_connected.js';
import { floatDisagreement, opsOf, randomTensor, runPure } from './testing.js';

const f = (...v: number[]): Float32Array => Float32Array.from(v);

describe('lower_fully_connected', () => {
  it('Gemm transB = 0 with alpha and beta: w = alpha·Bᵀ as (O, K), bias = beta·C (hand-computed)', () => {
    // B is (K=3, O=2).
    const g = new GraphBuilder('t')
      .input('x', [1, 3])
      .constant('B', floatTensor([3, 2], f(1, 2, 3, 4, 5, 6)))
      .constant('C', floatTensor([1, 2], f(10, 20)))
      .node('Gemm', ['x', 'B', 'C'], ['y'], { alpha: 0.5, beta: 2 }, 'dense')
      .output('y')
      .build();
    const h = runPure(lowerFullyConnected, g);
    expect(opsOf(h)).toEqual(['fully_connected']);
    const n = h.nodes[0];
    expect(n.attrs).toEqual({ act_min: -Infinity, act_max: Infinity });
    const w = h.constants.get(n.inputs[1])!;
    expect(w.shape).toEqual([2, 3]);
    expect(Array.from(w.data as Float32Array)).toEqual([0.5, 1.5, 2.5, 1, 2, 3]);
    expect(Array.from(h.constants.get(n.inputs[2])!.data as Float32Array)).toEqual([20, 40]);
    expect(floatDisagreement(g, h)).toBeLessThan(1e-5);
  });

  it('Gemm transB = 1 without alpha/beta keeps the model weight and bias constants; no C → zero bias', () => {
    const g = new GraphBuilder('t')
      .input('x', [1, 8])
      .constant('W', randomTensor([4, 8], 1))
      .constant('b', randomTensor([4], 2))
      .node('Gemm', ['x', 'W', 'b'], ['h'], { transB: 1 }, 'fc1')
      .constant('W2', randomTensor([4, 3], 3))
      .node('Gemm', ['h', 'W2'], ['y'], {}, 'fc2')
      .output('y')
      .build();
    const h = runPure(lowerFullyConnected, g);
    expect(h.nodes[0].inputs).toEqual(['x', 'W', 'b']);
    expect(Array.from(h.constants.get(h.nodes[1].inputs[2])!.data as Float32Array)).toEqual([0, 0, 0]);
    expect(floatDisagreement(g, h)).toBeLessThan(1e-5);
  });

  it('MatMul + Add(bias) → one fully_connected named after the MatMul, output of the Add', () => {
    const g = new GraphBuilder('t')
      .input('x', [1, 6])
      .constant('W', randomTensor([6, 4], 1))
      .constant('b', randomTensor([4], 2))
      .node('MatMul', ['x', 'W'], ['m'], {}, 'mm')
      .node('Add', ['b', 'm'], ['y'], {}, 'add')
      .output('y')
      .build();
    const h = runPure(lowerFullyConnected, g);
    expect(opsOf(h)).toEqual(['fully_connected']);
    expect(h.nodes[0].name).toBe('mm');
    expect(h.nodes[0].outputs).toEqual(['y']);
    expect(h.nodes[0].origin).toEqual(['mm', 'add']);
    expect(h.constants.get(h.nodes[0].inputs[1])!.shape).toEqual([4, 6]);
    expect(floatDisagreement(g, h)).toBeLessThan(1e-5);
  });

  it('MatMul alone gets a zero bias; an Add of a runtime tensor is not folded', () => {
    const g = new GraphBuilder('t')
      .input('x', [1, 6])
      .input('z', [1, 4])
      .constant('W', randomTensor([6, 4], 1))
      .node('MatMul', ['x', 'W'], ['m'], {}, 'mm')
      .node('Add', ['m', 'z'], ['y'], {}, 'add')
      .output('y')
      .build();
    const h = runPure(lowerFullyConnected, g);
    expect(opsOf(h)).toEqual(['fully_connected', 'Add']);
    expect(floatDisagreement(g, h)).toBeLessThan(1e-5);
  });

  it('refuses transA and non-constant weights', () => {
    const g = new GraphBuilder('t')
      .input('x', [3, 1])
      .constant('B', randomTensor([3, 2], 1))
      .node('Gemm', ['x', 'B'], ['y'], { transA: 1 }, 'ta')
      .output('y')
      .build();
    expect(() => lowerFullyConnected.run(g)).toThrow(/node 'ta' \(Gemm\): transA = 1 is not supported/);
    const g2 = new GraphBuilder('t').input('x', [1, 3]).input('B', [3, 2]).node('MatMul', ['x', 'B'], ['y'], {}, 'mm').output('y').build();
    expect(() => lowerFullyConnected.run(g2)).toThrow(/node 'mm' \(MatMul\)/);
  });
});
