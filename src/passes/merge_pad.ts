/**
 * merge_pad: an explicit constant-zero Pad of H and W (tf2onnx writes these for TF 'SAME') merges
 * into the pads of the conv2d / depthwise_conv2d / average_pool that read it. An average pool
 * takes it only when the padded zeros stay counted in the divisor: its own pads are zero (it then
 * becomes count_include_pad = 1) or it already counts padding. Negative pads (crops), padding of
 * N or C, non-zero values and other modes stay as Pad (and check_canonical reports them).
 */
import type { Node } from '../ir/graph.js';
import { attrFloat, attrInt, attrInts, attrString } from '../ir/graph.js';
import type { Pass } from './pass.js';
import { GraphEditor, originOf } from './edit.js';

const CONVS = new Set(['conv2d', 'depthwise_conv2d']);

export const mergePad: Pass = {
  name: 'merge_pad',
  run(g) {
    const ed = new GraphEditor(g);
    ed.nodes.forEach((pad, i) => {
      if (!pad || pad.op !== 'Pad') return;
      const hw = spatialPads(pad);
      const out = pad.outputs[0];
      if (!hw || ed.isGraphOutput(out)) return;
      const readers = ed.consumerIndices(out);
      const merged: Node[] = [];
      for (const r of readers) {
        const m = mergeInto(ed.nodes[r]!, out, hw, pad);
        if (!m) return;
        merged.push(m);
      }
      readers.forEach((r, k) => ed.replace(r, merged[k]));
      ed.remove(i);
    });
    return ed.finish();
  },
};

/** [top, left, bottom, right] of a 4-D zero Pad that pads only H and W, else undefined. */
function spatialPads(pad: Node): [number, number, number, number] | undefined {
  if (attrString(pad, 'mode', 'constant') !== 'constant' || attrFloat(pad, 'value', 0) !== 0) return undefined;
  const p = attrInts(pad, 'pads');
  if (p.length !== 8 || p.some((v) => v < 0)) return undefined;
  // ONNX order: begins of N, C, H, W then ends of N, C, H, W.
  if (p[0] !== 0 || p[1] !== 0 || p[4] !== 0 || p[5] !== 0) return undefined;
  return [p[2], p[3], p[6], p[7]];
}

function mergeInto(reader: Node, padded: string, hw: readonly number[], pad: Node): Node | undefined {
  if (reader.inputs[0] !== padded || reader.inputs.slice(1).includes(padded)) return undefined;
  let attrs = reader.attrs;
  const own = attrInts(reader, 'pads', [0, 0, 0, 0]);
  if (reader.op === 'average_pool') {
    const counted = attrInt(reader, 'count_include_pad', 0) === 1;
    if (!counted && own.some((v) => v !== 0)) return undefined;
    attrs = { ...attrs, count_include_pad: 1 };
  } else if (!CONVS.has(reader.op)) {
    return undefined;
  }
  return {
    ...reader,
    inputs: [pad.inputs[0], ...reader.inputs.slice(1)],
    attrs: { ...attrs, pads: own.map((v, k) => v + hw[k]) },
    origin: [...originOf(pad), ...originOf(reader)],
  };
}
