/**
 * onnxruntime-node as a fast float engine for calibration and evaluation: the canonical float
 * graph is written back as plain ONNX (each op file's toOnnx: conv2d → Conv [+ Clip],
 * fully_connected → Flatten + Gemm, channel_affine → Mul + Add, …) with every
 * canonical tensor as a graph output, so one session run yields every activation under its
 * canonical name. Graph optimizations are disabled so the values are the plain op semantics (the
 * same numbers as the TypeScript interpreter within float rounding; tested).
 */
import * as ort from 'onnxruntime-node';
import type { Graph, Node } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import { floatTensor } from '../ir/tensor.js';
import { getOp } from '../ops/registry.js';
import { inferShapes } from '../graph/infer.js';
import { exportOnnx } from '../onnx/export.js';
import { createOrtSession, runOrtSession } from '../onnx/ort_session.js';
import { UserError } from '../util/errors.js';

/** The canonical graph as standard ONNX ops (each op file's toOnnx); outputs = every canonical node output. */
export function canonicalToOnnxGraph(g: Graph): Graph {
  const nodes: Node[] = [];
  const constants = new Map(g.constants);
  for (const n of g.nodes) {
    const toOnnx = getOp(n.op)?.toOnnx;
    if (!toOnnx) throw new UserError(`node '${n.name}': op '${n.op}' cannot be exported for the onnxruntime engine`);
    const form = toOnnx(n, g);
    nodes.push(...form.nodes);
    for (const [k, v] of form.constants ?? []) constants.set(k, v);
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
  const session = await createOrtSession(bytes, `the float graph of '${g.name}'`, { intraOpNumThreads: 1 });
  const inputName = g.inputs[0];
  return {
    async run(input: Tensor): Promise<Map<string, Tensor>> {
      const result = await runOrtSession(session, { [inputName]: new ort.Tensor('float32', input.data as Float32Array, [...input.shape]) }, `the float graph of '${g.name}'`);
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
