/**
 * lower_mul_add: Mul or Add of a runtime tensor x (NCHW or [N, C]) by a constant that varies at
 * most along the channel axis — a scalar, [C], [C,1,1], [1,C,1,1] as numpy broadcasting aligns
 * it — becomes channel_affine(x, scale, shift): Mul c → (c, 0), Add c → (1, c). Such pairs are
 * what some exporters write for an unfused BatchNormalization or a separate bias add;
 * fold_channel_affine then folds them into the conv or fully-connected before them. Other
 * Mul/Add (two runtime tensors, per-pixel constants, broadcasting that grows x) stay as they are
 * and check_canonical reports them.
 */
import type { Node } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import { floatTensor, sizeOf } from '../ir/tensor.js';
import type { Pass } from './pass.js';
import { GraphEditor, originOf } from './edit.js';

export const lowerMulAdd: Pass = {
  name: 'lower_mul_add',
  run(g) {
    const ed = new GraphEditor(g);
    ed.nodes.forEach((n, i) => {
      if (!n || (n.op !== 'Mul' && n.op !== 'Add') || n.inputs.length !== 2) return;
      const k = ed.constant(n.inputs[1]) ? 1 : ed.constant(n.inputs[0]) ? 0 : -1;
      if (k < 0 || ed.constant(n.inputs[1 - k])) return;
      const x = n.inputs[1 - k];
      const xShape = ed.info(x)!.shape;
      const perChannel = channelValues(ed.constant(n.inputs[k])!, xShape);
      if (!perChannel) return;
      const C = perChannel.length;
      const scale = n.op === 'Mul' ? perChannel : new Float32Array(C).fill(1);
      const shift = n.op === 'Add' ? perChannel : new Float32Array(C);
      ed.replace(i, affine(ed, n, x, scale, shift));
    });
    return ed.finish();
  },
};

function affine(ed: GraphEditor, n: Node, x: string, scale: Float32Array, shift: Float32Array): Node {
  const s = ed.addConstant(`${n.name}.scale`, floatTensor([scale.length], scale));
  const b = ed.addConstant(`${n.name}.shift`, floatTensor([shift.length], shift));
  return { name: n.name, op: 'channel_affine', inputs: [x, s, b], outputs: [n.outputs[0]], attrs: { act_min: -Infinity, act_max: Infinity }, origin: originOf(n) };
}

/**
 * The constant as one value per channel of x (axis 1), or undefined if it varies along another
 * axis, would broadcast x to a bigger shape, or is not float32.
 */
function channelValues(c: Tensor, xShape: readonly number[]): Float32Array | undefined {
  if (c.dtype !== 'float32' || xShape.length < 2 || c.shape.length > xShape.length) return undefined;
  const C = xShape[1];
  const data = c.data as Float32Array;
  if (sizeOf(c.shape) === 1) return new Float32Array(C).fill(data[0]);
  // Right-align c against x: the dim facing axis 1 may be C, every other dim must be 1.
  const offset = xShape.length - c.shape.length;
  for (let d = 0; d < c.shape.length; d++) {
    const axis = d + offset;
    if (c.shape[d] !== 1 && !(axis === 1 && c.shape[d] === C)) return undefined;
  }
  return data.slice();
}
