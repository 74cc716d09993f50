import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../graph/builder.js';
import { checkCanonical } from './check_canonical.js';
import { lowerPool } from './lower_pool.js';

describe('check_canonical', () => {
  it('lists every non-canonical node in one UserError', () => {
    const g = new GraphBuilder('t')
      .input('x', [1, 2, 4, 4])
      .node('MaxPool', ['x'], ['m'], { kernel_shape: [2, 2], strides: [2, 2] }, 'pool1')
      .node('GlobalAveragePool', ['m'], ['p'], {}, 'gap')
      .node('Relu', ['p'], ['y'], {}, 'act')
      .output('y')
      .build();
    const lowered = lowerPool.run(g);
    expect(() => checkCanonical.run(lowered)).toThrow(/2 node\(s\) have no canonical form after the float passes: MaxPool 'pool1', Relu 'act'/);
    let err: unknown;
    try {
      checkCanonical.run(lowered);
    } catch (e) {
      err = e;
    }
    expect((err as Error).name).toBe('UserError');
  });

  it('passes a canonical graph through unchanged', () => {
    const g = lowerPool.run(new GraphBuilder('t').input('x', [1, 2, 4, 4]).node('GlobalAveragePool', ['x'], ['y'], {}, 'gap').output('y').build());
    expect(checkCanonical.run(g)).toBe(g);
  });
});
