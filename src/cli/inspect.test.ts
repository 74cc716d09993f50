import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../graph/builder.js';
import { floatTensor } from '../ir/tensor.js';
import { runFloatPasses } from '../../pipeline/index.js';
import { activationOf, activationText, inspectGraph, inspectJson, inspectTable, shortCount } from './inspect.js';

// Conv 3→4, 3×3, stride 1, pads 1 on 5×5 (no bias) → BN → Relu → GAP → Flatten → Gemm 4→2.
const g = new GraphBuilder('t')
  .input('x', [1, 3, 5, 5])
  .constant('w', floatTensor([4, 3, 3, 3]))
  .constant('s', floatTensor([4], Float32Array.from([1, 1, 1, 1])))
  .constant('b', floatTensor([4]))
  .constant('m', floatTensor([4]))
  .constant('v', floatTensor([4], Float32Array.from([1, 1, 1, 1])))
  .constant('fw', floatTensor([2, 4]))
  .constant('fb', floatTensor([2]))
  .node('Conv', ['x', 'w'], ['c'], { kernel_shape: [3, 3], strides: [1, 1], pads: [1, 1, 1, 1], dilations: [1, 1], group: 1, auto_pad: 'NOTSET' }, 'conv')
  .node('BatchNormalization', ['c', 's', 'b', 'm', 'v'], ['n'], { epsilon: 1e-5 }, 'bn')
  .node('Relu', ['n'], ['r'], {}, 'relu')
  .node('GlobalAveragePool', ['r'], ['p'], {}, 'gap')
  .node('Flatten', ['p'], ['f'], { axis: 1 }, 'flat')
  .node('Gemm', ['f', 'fw', 'fb'], ['y'], { alpha: 1, beta: 1, transA: 0, transB: 1 }, 'fc')
  .output('y')
  .build();

describe('inspectGraph', () => {
  it('has one row per node with hand-computed MACs and params', () => {
    const r = inspectGraph(g);
    expect(r.layers.map((l) => [l.name, l.op, l.outputShape, l.macs, l.params])).toEqual([
      ['conv', 'Conv', [1, 4, 5, 5], 5 * 5 * 4 * 3 * 9, 4 * 27 + 4],
      ['bn', 'BatchNormalization', [1, 4, 5, 5], 0, 0],
      ['relu', 'Relu', [1, 4, 5, 5], 0, 0],
      ['gap', 'GlobalAveragePool', [1, 4, 1, 1], 0, 0],
      ['flat', 'Flatten', [1, 4], 0, 0],
      ['fc', 'Gemm', [1, 2], 8, 10],
    ]);
    expect(r.totals).toEqual({ macs: 2700 + 8, params: 112 + 10 });
  });

  it('--json has exactly the documented keys', () => {
    const j = JSON.parse(inspectJson(inspectGraph(g)));
    expect(Object.keys(j)).toEqual(['layers', 'totals']);
    expect(j.layers[5]).toEqual({ name: 'fc', op: 'Gemm', outputShape: [1, 2], macs: 8, params: 10 });
    expect(j.totals).toEqual({ macs: 2708, params: 122 });
  });

  it('prints an aligned table with a total row and a summary', () => {
    const t = inspectTable(inspectGraph(g), 'title');
    const lines = t.trimEnd().split('\n');
    expect(lines[0]).toBe('title');
    expect(lines[1]).toMatch(/^name\s+op\s+output shape\s+MACs\s+params$/);
    expect(lines[3]).toMatch(/^conv\s+Conv\s+\[1, 4, 5, 5\]\s+2,700\s+112$/);
    expect(lines.at(-2)).toMatch(/^total\s+2,708\s+122$/);
    expect(lines.at(-1)).toBe('6 layers, 2.7k MACs, 122 params');
    // MACs column right-aligned: every row's MACs value ends at the same column
    const ends = lines.slice(3, 9).map((l) => l.search(/\S+\s+\S+$/) + l.match(/(\S+)\s+\S+$/)![1].length);
    expect(new Set(ends).size).toBe(1);
  });
});

describe('the fused activation range of canonical layers (--stage folded)', () => {
  // The same graph after the float passes: conv2d with the Relu fused, GAP, fully_connected.
  const folded = runFloatPasses(g);

  it('--json: canonical layers add "activation" ({min, max}, null ends; null for none), ONNX layers do not', () => {
    const j = JSON.parse(inspectJson(inspectGraph(folded))) as { layers: Record<string, unknown>[]; totals: unknown };
    expect(j.layers.map((l) => [l.op, l.activation])).toEqual([
      ['conv2d', { min: 0, max: null }],
      ['global_average_pool', null],
      ['fully_connected', null],
    ]);
    for (const l of j.layers) expect(Object.keys(l)).toEqual(['name', 'op', 'outputShape', 'macs', 'params', 'activation']);
    expect(j.totals).toEqual({ macs: 2708, params: 122 }); // folding keeps the totals
    const onnx = JSON.parse(inspectJson(inspectGraph(g))) as { layers: Record<string, unknown>[] };
    for (const l of onnx.layers) expect('activation' in l).toBe(false);
  });

  it('reads act_min / act_max: both ends, one end, none', () => {
    const node = (attrs: Record<string, number>) => ({ name: 'n', op: 'conv2d', inputs: [], outputs: [], attrs });
    expect(activationOf(node({ act_min: 0, act_max: 6 }))).toEqual({ min: 0, max: 6 });
    expect(activationOf(node({ act_min: -Infinity, act_max: 6 }))).toEqual({ min: null, max: 6 });
    expect(activationOf(node({ act_min: -Infinity, act_max: Infinity }))).toBeNull();
    expect(activationOf(node({}))).toBeNull();
    expect([activationText({ min: 0, max: 6 }), activationText({ min: 0, max: null }), activationText({ min: null, max: 6 }), activationText(null)])
      .toEqual(['[0, 6]', '[0, inf)', '(-inf, 6]', '']);
  });

  it('the table gets an activation column only for canonical graphs', () => {
    const lines = inspectTable(inspectGraph(folded)).trimEnd().split('\n');
    expect(lines[0]).toMatch(/^name\s+op\s+output shape\s+MACs\s+params\s+activation$/);
    expect(lines[2]).toMatch(/^conv\s+conv2d\s+\[1, 4, 5, 5\]\s+2,700\s+112\s+\[0, inf\)$/);
    expect(lines[3]).toMatch(/^gap\s+global_average_pool\s+\[1, 4, 1, 1\]\s+0\s+0$/);
    expect(inspectTable(inspectGraph(g))).not.toMatch(/activation/);
  });
});

describe('shortCount', () => {
  it('uses k, M, G', () => {
    expect([shortCount(999), shortCount(13_500), shortCount(4_221_032), shortCount(568_740_000), shortCount(2.5e9)]).toEqual(['999', '13.5k', '4.22M', '568.7M', '2.50G']);
  });
});
