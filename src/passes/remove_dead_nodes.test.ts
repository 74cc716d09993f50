import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../graph/builder.js';
import { removeDeadNodes } from './remove_dead_nodes.js';
import { floatDisagreement, randomTensor, runPure } from './testing.js';

describe('remove_dead_nodes', () => {
  it('drops nodes that reach no output, and their constants', () => {
    const g = new GraphBuilder('t')
      .input('x', [1, 2, 3, 3])
      .constant('w', randomTensor([2, 2, 1, 1], 1))
      .node('Conv', ['x', 'w'], ['dead1'], {}, 'dead_conv')
      .node('Relu', ['dead1'], ['dead2'], {}, 'dead_relu')
      .node('Relu', ['x'], ['y'], {}, 'live')
      .output('y')
      .build();
    const h = runPure(removeDeadNodes, g);
    expect(h.nodes.map((n) => n.name)).toEqual(['live']);
    expect(h.constants.size).toBe(0);
    expect(h.values.has('dead1')).toBe(false);
    expect(floatDisagreement(g, h)).toBeLessThan(1e-5);
  });
});
