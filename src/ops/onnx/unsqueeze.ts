/** ONNX Unsqueeze: inserts size-1 dims at attribute `axes` (negative axes count from the output's end). */
import type { Node } from '../../ir/graph.js';
import { attrInts } from '../../ir/graph.js';
import { shapeToString } from '../../ir/tensor.js';
import type { OpDef } from '../common/op.js';
import { needInput, nodeError, normalizeAxis, reshaped, tensorInput } from '../common/checks.js';

function unsqueezeShape(node: Node, shape: readonly number[]): number[] {
  const raw = attrInts(node, 'axes');
  const rank = shape.length + raw.length;
  const axes = new Set(raw.map((a) => normalizeAxis(node, a, rank, 'axes entry')));
  if (axes.size !== raw.length) throw nodeError(node, `axes ${shapeToString(raw)} has duplicates`);
  const out: number[] = [];
  let k = 0;
  for (let i = 0; i < rank; i++) out.push(axes.has(i) ? 1 : shape[k++]);
  return out;
}

export const Unsqueeze: OpDef = {
  op: 'Unsqueeze',
  inferShapes(node, inputs) {
    const x = needInput(node, inputs, 0, 'input');
    return [{ dtype: x.dtype, shape: unsqueezeShape(node, x.shape) }];
  },
  evalFloat(node, inputs) {
    const t = tensorInput(node, inputs, 0, 'input');
    return [reshaped(t, unsqueezeShape(node, t.shape))];
  },
};
