import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../graph/builder.js';
import type { Tensor } from '../ir/tensor.js';
import { floatTensor } from '../ir/tensor.js';
import { nhwcInput } from './nhwc_input.js';
import { floatDisagreement, opsOf, randomTensor, runPure } from './testing.js';

/** NHWC → NCHW by index arithmetic (independent of the Transpose kernel). */
function toNchw(t: Tensor): Tensor {
  const [N, H, W, C] = t.shape;
  const src = t.data as Float32Array;
  const out = new Float32Array(src.length);
  for (let n = 0; n < N; n++) for (let h = 0; h < H; h++) for (let w = 0; w < W; w++) for (let c = 0; c < C; c++) out[((n * C + c) * H + h) * W + w] = src[((n * H + h) * W + w) * C + c];
  return floatTensor([N, C, H, W], out);
}

describe('nhwc_input', () => {
  it('NHWC input + Transpose(0,3,1,2) → NCHW input, no Transpose, meta.inputLayout = nhwc', () => {
    const g = new GraphBuilder('t')
      .input('x', [1, 5, 6, 3])
      .node('Transpose', ['x'], ['t'], { perm: [0, 3, 1, 2] }, 'to_nchw')
      .constant('w', randomTensor([4, 3, 3, 3], 1))
      .node('Conv', ['t', 'w'], ['y'], { pads: [1, 1, 1, 1] }, 'conv')
      .output('y')
      .build();
    const h = runPure(nhwcInput, g);
    expect(opsOf(h)).toEqual(['Conv']);
    expect(h.inputs).toEqual(['x']);
    expect(h.values.get('x')!.shape).toEqual([1, 3, 5, 6]);
    expect(h.nodes[0].inputs[0]).toBe('x');
    expect(h.meta.inputLayout).toBe('nhwc');
    expect(g.meta.inputLayout).toBeUndefined();
    expect(floatDisagreement(g, h, [1, 2], (f) => ({ x: toNchw(f.x) }))).toBeLessThan(1e-5);
  });

  it('leaves other permutations and inputs with several readers alone', () => {
    const g = new GraphBuilder('t')
      .input('x', [1, 5, 6, 3])
      .node('Transpose', ['x'], ['t'], { perm: [0, 3, 2, 1] }, 'other_perm')
      .input('z', [1, 5, 6, 3])
      .node('Transpose', ['z'], ['u'], { perm: [0, 3, 1, 2] }, 'tz')
      .node('Relu', ['z'], ['zr'], {}, 'second_reader')
      .output('t')
      .output('u')
      .output('zr')
      .build();
    const h = runPure(nhwcInput, g);
    expect(opsOf(h)).toEqual(['Transpose', 'Transpose', 'Relu']);
    expect(h.meta.inputLayout).toBeUndefined();
  });
});
