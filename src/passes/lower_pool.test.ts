import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../graph/builder.js';
import type { Graph } from '../ir/graph.js';
import { lowerPool } from './lower_pool.js';
import { averagePoolToGlobal } from './average_pool_to_global.js';
import { floatDisagreement, opsOf, runPure } from './testing.js';

describe('lower_pool', () => {
  it('GlobalAveragePool → global_average_pool; AveragePool → average_pool with auto_pad resolved', () => {
    const g = new GraphBuilder('t')
      .input('x', [1, 2, 7, 7])
      .node('AveragePool', ['x'], ['a'], { kernel_shape: [3, 3], strides: [2, 2], auto_pad: 'SAME_UPPER', count_include_pad: 0 }, 'avg')
      .node('GlobalAveragePool', ['a'], ['y'], {}, 'gap')
      .output('y')
      .build();
    const h = runPure(lowerPool, g);
    expect(opsOf(h)).toEqual(['average_pool', 'global_average_pool']);
    // in 7, stride 2, kernel 3: out 4, total pad 3·2+3−7 = 2 → 1 each side.
    expect(h.nodes[0].attrs).toEqual({ kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], count_include_pad: 0, act_min: -Infinity, act_max: Infinity });
    expect(h.nodes[1].attrs).toEqual({ act_min: -Infinity, act_max: Infinity });
    expect(floatDisagreement(g, h)).toBeLessThan(1e-5);
  });

  it('ceil_mode is accepted only when it does not change the output size', () => {
    const pool = (h: number): Graph =>
      new GraphBuilder('t').input('x', [1, 1, h, h]).node('AveragePool', ['x'], ['y'], { kernel_shape: [2, 2], strides: [2, 2], ceil_mode: 1 }, 'p').output('y').build();
    const even = pool(8);
    expect(floatDisagreement(even, runPure(lowerPool, even))).toBeLessThan(1e-5);
    expect(() => lowerPool.run(pool(7))).toThrow(/node 'p' \(AveragePool\): ceil_mode 1 gives output \[1, 1, 4, 4\] instead of \[1, 1, 3, 3\]/);
  });
});

describe('average_pool_to_global', () => {
  it('an unpadded average pool over the whole map becomes global_average_pool (VWW head), keeping its act range', () => {
    const g = new GraphBuilder('t')
      .input('x', [1, 4, 3, 3])
      .node('AveragePool', ['x'], ['y'], { kernel_shape: [3, 3], strides: [3, 3] }, 'avg')
      .output('y')
      .build();
    const lowered = runPure(lowerPool, g);
    const h = runPure(averagePoolToGlobal, lowered);
    expect(opsOf(h)).toEqual(['global_average_pool']);
    expect(h.nodes[0].name).toBe('avg');
    expect(h.values.get('y')!.shape).toEqual([1, 4, 1, 1]);
    expect(floatDisagreement(g, h)).toBeLessThan(1e-5);
  });

  it('a padded or partial window stays average_pool', () => {
    const g = new GraphBuilder('t')
      .input('x', [1, 4, 7, 7])
      .node('AveragePool', ['x'], ['a'], { kernel_shape: [3, 3], strides: [3, 3] }, 'partial')
      .node('AveragePool', ['a'], ['y'], { kernel_shape: [2, 2], pads: [1, 1, 1, 1], count_include_pad: 1 }, 'padded')
      .output('y')
      .build();
    expect(opsOf(runPure(averagePoolToGlobal, runPure(lowerPool, g)))).toEqual(['average_pool', 'average_pool']);
  });
});
