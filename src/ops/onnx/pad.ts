/**
 * ONNX Pad, constant mode, with the importer's normalized attributes: `pads` (all begins, then
 * all ends, one per input dim), `mode` and `value`. Negative pads (cropping) are rejected.
 */
import type { Node } from '../../ir/graph.js';
import { attrFloat, attrInts, attrString } from '../../ir/graph.js';
import { shapeToString } from '../../ir/tensor.js';
import type { OpDef } from '../common/op.js';
import { needFloat, nodeError, floatInput } from '../common/checks.js';

export function padsOf(node: Node, rank: number): number[] {
  const mode = attrString(node, 'mode', 'constant');
  if (mode !== 'constant') throw nodeError(node, `mode '${mode}' is not supported (only 'constant')`);
  const pads = [...attrInts(node, 'pads')];
  if (pads.length !== 2 * rank) throw nodeError(node, `pads ${shapeToString(pads)} need ${2 * rank} values for rank ${rank}`);
  if (pads.some((p) => p < 0 || !Number.isInteger(p))) throw nodeError(node, `negative pads ${shapeToString(pads)} are not supported`);
  return pads;
}

function padShape(shape: readonly number[], pads: readonly number[]): number[] {
  return shape.map((d, i) => d + pads[i] + pads[i + shape.length]);
}

export const Pad: OpDef = {
  op: 'Pad',
  inferShapes(node, inputs) {
    const x = needFloat(node, inputs, 0, 'input');
    return [{ dtype: 'float32', shape: padShape(x.shape, padsOf(node, x.shape.length)) }];
  },
  evalFloat(node, inputs) {
    const t = inputs[0]!;
    const x = floatInput(node, inputs, 0, 'input');
    const rank = t.shape.length;
    const pads = padsOf(node, rank);
    const outShape = padShape(t.shape, pads);
    const y = new Float32Array(outShape.reduce((a, b) => a * b, 1)).fill(attrFloat(node, 'value', 0));
    if (x.length === 0) return [{ dtype: 'float32', shape: outShape, data: y }];
    // Copy each innermost row of the input to its place in the output.
    const outStrides = new Array<number>(rank);
    let s = 1;
    for (let i = rank - 1; i >= 0; i--) {
      outStrides[i] = s;
      s *= outShape[i];
    }
    const rowLen = t.shape[rank - 1] ?? 1;
    const rows = x.length / rowLen;
    const idx = new Array<number>(Math.max(rank - 1, 0)).fill(0);
    for (let r = 0; r < rows; r++) {
      let dst = rank > 0 ? pads[rank - 1] : 0;
      for (let d = 0; d < rank - 1; d++) dst += (idx[d] + pads[d]) * outStrides[d];
      y.set(x.subarray(r * rowLen, (r + 1) * rowLen), dst);
      for (let d = rank - 2; d >= 0; d--) {
        if (++idx[d] < t.shape[d]) break;
        idx[d] = 0;
      }
    }
    return [{ dtype: 'float32', shape: outShape, data: y }];
  },
};
