import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../graph/builder.js';
import { removeIdentity } from './remove_identity.js';
import { floatDisagreement, opsOf, runPure } from './testing.js';

describe('remove_identity', () => {
  it('drops Identity and Dropout; a graph output keeps its name', () => {
    const g = new GraphBuilder('t')
      .input('x', [1, 4])
      .node('Identity', ['x'], ['i'], {}, 'id')
      .node('Relu', ['i'], ['r'], {}, 'relu')
      .node('Dropout', ['r'], ['y', ''], {}, 'drop')
      .output('y')
      .build();
    const h = runPure(removeIdentity, g);
    expect(opsOf(h)).toEqual(['Relu']);
    expect(h.nodes[0].inputs).toEqual(['x']);
    expect(h.nodes[0].outputs).toEqual(['y']);
    expect(h.outputs).toEqual(['y']);
    expect(floatDisagreement(g, h)).toBeLessThan(1e-5);
  });

  it('an Identity from a graph input straight to a graph output stays (nothing else can carry the name)', () => {
    const g = new GraphBuilder('t').input('x', [1, 4]).node('Identity', ['x'], ['y'], {}, 'id').output('y').build();
    expect(opsOf(runPure(removeIdentity, g))).toEqual(['Identity']);
  });

  it('refuses a Dropout whose mask is used', () => {
    const g = new GraphBuilder('t')
      .input('x', [1, 4])
      .node('Dropout', ['x'], ['y', 'mask'], {}, 'drop')
      .output('y')
      .output('mask')
      .build();
    expect(() => removeIdentity.run(g)).toThrow(/node 'drop' \(Dropout\): its mask output 'mask' is used/);
  });
});
