import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../graph/builder.js';
import { floatTensor } from '../ir/tensor.js';
import { GraphEditor, originOf } from './edit.js';
import { fingerprint } from './testing.js';

const chain = () =>
  new GraphBuilder('t')
    .input('x', [1, 4])
    .node('Relu', ['x'], ['a'], {}, 'r1')
    .node('Identity', ['a'], ['b'], {}, 'id')
    .node('Relu', ['b'], ['y'], {}, 'r2')
    .constant('unused', floatTensor([2]))
    .output('y')
    .build();

describe('GraphEditor', () => {
  it('bypass wires readers of the output to the input; finish drops holes and unread constants', () => {
    const g = chain();
    const before = fingerprint(g);
    const ed = new GraphEditor(g);
    expect(ed.bypass(1)).toBe(true);
    const h = ed.finish();
    expect(h.nodes.map((n) => [n.name, n.inputs, n.outputs])).toEqual([
      ['r1', ['x'], ['a']],
      ['r2', ['a'], ['y']],
    ]);
    expect(h.constants.has('unused')).toBe(false);
    expect(h.values.has('b')).toBe(false);
    expect(fingerprint(g)).toBe(before);
  });

  it('bypassing a node that writes a graph output renames the producer instead, keeping the output name', () => {
    const g = new GraphBuilder('t').input('x', [1, 4]).node('Relu', ['x'], ['a'], {}, 'r').node('Identity', ['a'], ['y'], {}, 'id').output('y').build();
    const ed = new GraphEditor(g);
    expect(ed.bypass(1)).toBe(true);
    const h = ed.finish();
    expect(h.nodes.map((n) => [n.name, n.outputs])).toEqual([['r', ['y']]]);
    expect(h.outputs).toEqual(['y']);
  });

  it('cannot bypass from a graph input to a graph output', () => {
    const g = new GraphBuilder('t').input('x', [1, 4]).node('Identity', ['x'], ['y'], {}, 'id').output('y').build();
    const ed = new GraphEditor(g);
    expect(ed.bypass(0)).toBe(false);
    expect(ed.finish().nodes.length).toBe(1);
  });

  it('uniqueName avoids tensor, constant and node names already used', () => {
    const ed = new GraphEditor(chain());
    expect(ed.uniqueName('r1')).toBe('r1_2');
    expect(ed.uniqueName('unused')).toBe('unused_2');
    expect(ed.uniqueName('unused')).toBe('unused_3');
    expect(ed.uniqueName('fresh')).toBe('fresh');
  });

  it('useCount counts node readers and graph outputs; originOf falls back to the node name', () => {
    const g = chain();
    const ed = new GraphEditor(g);
    expect(ed.useCount('a')).toBe(1);
    expect(ed.useCount('y')).toBe(1);
    expect(ed.producerIndex('b')).toBe(1);
    expect(ed.producerIndex('x')).toBe(-1);
    expect(originOf(g.nodes[0])).toEqual(['r1']);
    expect(originOf({ ...g.nodes[0], origin: ['a', 'b'] })).toEqual(['a', 'b']);
  });
});
