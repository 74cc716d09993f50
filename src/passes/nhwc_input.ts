/**
 * nhwc_input: tf2onnx exports keep TensorFlow's NHWC input and put Transpose(perm 0,3,1,2) right
 * after it. The Transpose is dropped and the graph input becomes the NCHW tensor the rest of the
 * graph reads; meta.inputLayout = 'nhwc' records that the real model input (what a user of the
 * original model feeds) is channels-last, so the runtime side knows the input layout.
 */
import type { Pass } from './pass.js';
import { GraphEditor } from './edit.js';
import { attrInts } from '../ir/graph.js';

const NHWC_TO_NCHW = [0, 3, 1, 2];

export const nhwcInput: Pass = {
  name: 'nhwc_input',
  run(g) {
    const ed = new GraphEditor(g);
    let changed = false;
    for (const input of g.inputs) {
      const info = ed.info(input);
      if (!info || info.shape.length !== 4 || ed.isGraphOutput(input)) continue;
      const readers = ed.consumerIndices(input);
      if (readers.length !== 1) continue;
      const t = ed.nodes[readers[0]]!;
      if (t.op !== 'Transpose' || !sameList(attrInts(t, 'perm', []), NHWC_TO_NCHW) || ed.isGraphOutput(t.outputs[0])) continue;
      const [n, h, w, c] = info.shape;
      ed.inputValues.set(input, { dtype: info.dtype, shape: [n, c, h, w] });
      // Readers of the transposed tensor now read the input itself (now NCHW).
      ed.remove(readers[0]);
      ed.redirectReaders(t.outputs[0], input);
      changed = true;
    }
    if (changed) ed.meta = { ...ed.meta, inputLayout: 'nhwc' };
    return ed.finish();
  },
};

function sameList(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
