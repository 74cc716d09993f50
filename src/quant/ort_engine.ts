/**
 * onnxruntime-node as a fast float engine for calibration and evaluation: the canonical float
 * graph is written back as plain ONNX (conv2d → Conv [+ Clip], depthwise_conv2d → Conv group = C,
 * fully_connected → Flatten + Gemm, pools, Softmax, channel_affine → Mul + Add) with every
 * canonical tensor as a graph output, so one session run yields every activation under its
 * canonical name. Graph optimizations are disabled so the values are the plain op semantics (the
 * same numbers as the TypeScript interpreter within float rounding; tested).
 */
import * as ort from 'onnxruntime-node';
import type { Graph, Node } from '../ir/graph.js';
import { attrFloat, attrInt, attrInts } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import { floatTensor, int64Tensor } from '../ir/tensor.js';
import { inferShapes } from '../graph/infer.js';
import { exportOnnx } from '../onnx/export.js';
import { UserError } from '../util/errors.js';

/** The canonical graph as standard ONNX ops; outputs = every canonical node output. */
export function canonicalToOnnxGraph(g: Graph): Graph {
  const nodes: Node[] = [];
  const constants = new Map(g.constants);
  const push = (op: string, inputs: string[], outputs: string[], attrs: Node['attrs'], name: string) =>
    nodes.push({ name, op, inputs, outputs, attrs });
  const withAct = (n: Node, op: string, inputs: string[], attrs: Node['attrs']) => {
    const lo = attrFloat(n, 'act_min', -Infinity);
    const hi = attrFloat(n, 'act_max', Infinity);
    const y = n.outputs[0];
    if (lo === -Infinity && hi === Infinity) { push(op, inputs, [y], attrs, n.name); return; }
    push(op, inputs, [`${y}__preact`], attrs, n.name);
    push('Clip', [`${y}__preact`], [y], { min: lo, max: hi }, `${n.name}__act`);
  };
  for (const n of g.nodes) {
    switch (n.op) {
      case 'conv2d':
      case 'depthwise_conv2d': {
        const w = g.values.get(n.inputs[1])!;
        const group = n.op === 'depthwise_conv2d' ? g.values.get(n.inputs[0])!.shape[1] : 1;
        withAct(n, 'Conv', [...n.inputs], {
          kernel_shape: [w.shape[2], w.shape[3]],
          strides: [...attrInts(n, 'strides', [1, 1])],
          pads: [...attrInts(n, 'pads', [0, 0, 0, 0])],
          dilations: [...attrInts(n, 'dilations', [1, 1])],
          group,
          auto_pad: 'NOTSET',
        });
        break;
      }
      case 'fully_connected': {
        const flat = `${n.outputs[0]}__flat`;
        push('Flatten', [n.inputs[0]], [flat], { axis: 1 }, `${n.name}__flatten`);
        withAct(n, 'Gemm', [flat, n.inputs[1], n.inputs[2]], { alpha: 1, beta: 1, transA: 0, transB: 1 });
        break;
      }
      case 'global_average_pool':
        withAct(n, 'GlobalAveragePool', [n.inputs[0]], {});
        break;
      case 'average_pool': {
        const kernel = attrInts(n, 'kernel');
        let pads = [...attrInts(n, 'pads', [0, 0, 0, 0])];
        const counted = attrInt(n, 'count_include_pad', 0);
        let x = n.inputs[0];
        // ONNX requires pads < kernel; a Pad merged by the passes can exceed it. With the padding
        // counted, an explicit zero Pad before an unpadded pool computes the same windows.
        if (counted === 1 && pads.some((p, i) => p >= kernel[i % 2])) {
          x = `${n.outputs[0]}__padded`;
          push('Pad', [n.inputs[0]], [x], { pads: [0, 0, pads[0], pads[1], 0, 0, pads[2], pads[3]], mode: 'constant', value: 0 }, `${n.name}__pad`);
          pads = [0, 0, 0, 0];
        }
        withAct(n, 'AveragePool', [x], {
          kernel_shape: [...kernel],
          strides: [...attrInts(n, 'strides', [1, 1])],
          pads,
          count_include_pad: counted,
          auto_pad: 'NOTSET',
          ceil_mode: 0,
        });
        break;
      }
      case 'softmax':
        push('Softmax', [n.inputs[0]], [n.outputs[0]], { axis: attrInt(n, 'axis', -1) }, n.name);
        break;
      case 'channel_affine': {
        const rank = g.values.get(n.inputs[0])!.shape.length;
        const shape = [1, g.values.get(n.inputs[1])!.shape[0], ...new Array(rank - 2).fill(1)];
        const s = `${n.name}__scale`;
        const b = `${n.name}__bias`;
        constants.set(`${s}_shape`, int64Tensor(shape));
        constants.set(`${b}_shape`, int64Tensor(shape));
        push('Reshape', [n.inputs[1], `${s}_shape`], [s], {}, `${n.name}__reshape_scale`);
        push('Reshape', [n.inputs[2], `${b}_shape`], [b], {}, `${n.name}__reshape_bias`);
        push('Mul', [n.inputs[0], s], [`${n.outputs[0]}__scaled`], {}, `${n.name}__mul`);
        withAct(n, 'Add', [`${n.outputs[0]}__scaled`, b], {});
        break;
      }
      default:
        throw new UserError(`node '${n.name}': op '${n.op}' cannot be exported for the onnxruntime engine`);
    }
  }
  const outputs = g.nodes.flatMap((n) => n.outputs.filter((o) => o !== ''));
  const values = new Map([...g.values].filter(([k]) => g.inputs.includes(k)));
  return inferShapes({ ...g, nodes, constants, outputs, values, meta: { ...g.meta, opset: 13 } });
}

/** A float engine: every canonical activation of one input, by tensor name. */
export interface FloatEngine {
  run(input: Tensor): Promise<Map<string, Tensor>>;
  release(): Promise<void>;
}

export async function createOrtEngine(g: Graph): Promise<FloatEngine> {
  const onnxGraph = canonicalToOnnxGraph(g);
  const bytes = exportOnnx(onnxGraph, { opset: 13 });
  const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'disabled', intraOpNumThreads: 1 });
  const inputName = g.inputs[0];
  return {
    async run(input: Tensor): Promise<Map<string, Tensor>> {
      const result = await session.run({ [inputName]: new ort.Tensor('float32', input.data as Float32Array, [...input.shape]) });
      const out = new Map<string, Tensor>([[inputName, input]]);
      for (const name of onnxGraph.outputs) {
        const t = result[name];
        out.set(name, floatTensor([...t.dims], t.data as Float32Array));
      }
      return out;
    },
    release: () => session.release(),
  };
}
