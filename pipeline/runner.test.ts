import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GraphBuilder } from '../src/graph/builder.js';
import type { Graph } from '../src/ir/graph.js';
import { floatTensor } from '../src/ir/tensor.js';
import { fingerprint, floatDisagreement, randomTensor } from '../src/passes/testing.js';
import type { Pass } from '../src/passes/pass.js';
import { FLOAT_PASSES, runFloatPasses, runPasses } from './index.js';

/** Conv + BN + Clip(0,6) + GAP + Flatten + Gemm + Softmax: a miniature MobileNet head. */
function tiny(): Graph {
  return new GraphBuilder('tiny')
    .input('x', [1, 3, 8, 8])
    .constant('w', randomTensor([4, 3, 3, 3], 1))
    .node('Conv', ['x', 'w'], ['c'], { pads: [1, 1, 1, 1], strides: [2, 2] }, 'conv')
    .constant('g', randomTensor([4], 2, 0.5, 1.5))
    .constant('b', randomTensor([4], 3))
    .constant('m', randomTensor([4], 4))
    .constant('v', randomTensor([4], 5, 0.5, 1))
    .node('BatchNormalization', ['c', 'g', 'b', 'm', 'v'], ['bn'], { epsilon: 1e-3 }, 'bn')
    .node('Clip', ['bn'], ['r'], { min: 0, max: 6 }, 'relu6')
    .node('GlobalAveragePool', ['r'], ['p'], {}, 'gap')
    .node('Flatten', ['p'], ['f'], { axis: 1 }, 'flatten')
    .constant('fw', randomTensor([3, 4], 6))
    .constant('fb', floatTensor([3]))
    .node('Gemm', ['f', 'fw', 'fb'], ['z'], { transB: 1 }, 'dense')
    .node('Softmax', ['z'], ['y'], { axis: 1 }, 'softmax')
    .output('y')
    .build();
}

describe('runPasses', () => {
  it('runs the float passes to the canonical graph', () => {
    const g = runFloatPasses(tiny());
    expect(g.nodes.map((n) => `${n.op}:${n.name}`)).toEqual(['conv2d:conv', 'global_average_pool:gap', 'fully_connected:dense', 'softmax:softmax']);
    expect(g.nodes[0].attrs.act_max).toBe(6);
    expect(floatDisagreement(tiny(), g)).toBeLessThan(1e-5);
  });

  it('stops at the first pass that produces an invalid graph, naming it', () => {
    const reverse: Pass = { name: 'reverse', run: (g) => ({ ...g, nodes: [...g.nodes].reverse() }) };
    const never: Pass = { name: 'never', run: () => { throw new Error('must not run'); } };
    expect(() => runPasses(tiny(), [reverse, never])).toThrow(/^pass 'reverse' produced an invalid graph: .+/);
  });

  it('a pass may not change the graph outputs the model promised', () => {
    const swap: Pass = { name: 'swap_output', run: (g) => ({ ...g, outputs: ['p'] }) };
    expect(() => runPasses(tiny(), [swap])).toThrow(/pass 'swap_output' produced an invalid graph: graph outputs changed from y \[1, 3\] to p \[1, 4, 1, 1\]/);
  });

  it('dumps after the named pass, or after all of them, as <NN>_<pass>.txt', () => {
    const dir = mkdtempSync(join(tmpdir(), 'onnx2mcu-dump-'));
    try {
      runFloatPasses(tiny(), { dumpAfter: 'fold_batchnorm', dumpDir: join(dir, 'one') });
      const k = FLOAT_PASSES.findIndex((p) => p.name === 'fold_batchnorm') + 1;
      const file = `${String(k).padStart(2, '0')}_fold_batchnorm.txt`;
      expect(readdirSync(join(dir, 'one'))).toEqual([file]);
      const text = readFileSync(join(dir, 'one', file), 'utf8');
      expect(text).toContain('conv.weight_folded');
      expect(text).not.toContain('BatchNormalization');

      runFloatPasses(tiny(), { dumpAfter: 'all', dumpDir: join(dir, 'all') });
      expect(readdirSync(join(dir, 'all')).sort()).toEqual(FLOAT_PASSES.map((p, i) => `${String(i + 1).padStart(2, '0')}_${p.name}.txt`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an unknown --dump-after name is a UserError listing the passes', () => {
    expect(() => runFloatPasses(tiny(), { dumpAfter: 'fold_bn' })).toThrow(/--dump-after 'fold_bn': no such pass \(passes: remove_identity, .*fold_batchnorm/);
  });

  it('no pass mutates its input graph (deep-frozen nodes, fingerprint of everything else)', () => {
    let g = deepFreeze(tiny());
    for (const pass of FLOAT_PASSES) {
      const before = fingerprint(g);
      const next = pass.run(g);
      expect(fingerprint(g), pass.name).toBe(before);
      g = deepFreeze(next);
    }
  });

  it('pass names are unique (so --dump-after is unambiguous)', () => {
    expect(new Set(FLOAT_PASSES.map((p) => p.name)).size).toBe(FLOAT_PASSES.length);
  });
});

/** Freezes nodes, their arrays and attributes, and the graph's arrays (Maps and typed arrays cannot be frozen). */
function deepFreeze(g: Graph): Graph {
  for (const n of g.nodes) {
    for (const v of Object.values(n.attrs)) if (Array.isArray(v)) Object.freeze(v);
    Object.freeze(n.attrs);
    Object.freeze(n.inputs);
    Object.freeze(n.outputs);
    if (n.origin) Object.freeze(n.origin);
    Object.freeze(n);
  }
  for (const v of g.values.values()) Object.freeze(v.shape);
  Object.freeze(g.nodes);
  Object.freeze(g.inputs);
  Object.freeze(g.outputs);
  Object.freeze(g.meta);
  return Object.freeze(g);
}
