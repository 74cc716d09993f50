/**
 * lower_fully_connected: Gemm → fully_connected, and MatMul (+ a following Add of a constant
 * bias) → fully_connected. The canonical weight is (O, K), so Gemm's transB = 0 and MatMul's
 * (K, O) weight are transposed; Gemm's alpha is folded into the weight and beta into the bias
 * (float64 math, float32 storage). The first operand must be 2-D [N, K]: the Flatten / Reshape /
 * Squeeze that usually feeds it is removed later by remove_reshapes (fully_connected flattens).
 */
import type { Node } from '../ir/graph.js';
import { attrFloat, attrInt } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import { floatData, floatTensor, shapeToString, sizeOf } from '../ir/tensor.js';
import type { Pass } from './pass.js';
import { GraphEditor, originOf } from './edit.js';
import { UserError } from '../util/errors.js';

export const lowerFullyConnected: Pass = {
  name: 'lower_fully_connected',
  run(g) {
    const ed = new GraphEditor(g);
    ed.nodes.forEach((n, i) => {
      if (!n) return;
      if (n.op === 'Gemm') lowerGemm(ed, n, i);
      else if (n.op === 'MatMul') lowerMatMul(ed, n, i);
    });
    return ed.finish();
  },
};

function lowerGemm(ed: GraphEditor, n: Node, i: number): void {
  const where = `node '${n.name}' (Gemm)`;
  if (attrInt(n, 'transA', 0) !== 0) throw new UserError(`${where}: transA = 1 is not supported`);
  const b = ed.constant(n.inputs[1]);
  if (!b) throw new UserError(`${where}: weight '${n.inputs[1]}' is not a constant`);
  const c = n.inputs[2] ? ed.constant(n.inputs[2]) : undefined;
  if (n.inputs[2] && !c) throw new UserError(`${where}: bias '${n.inputs[2]}' is not a constant`);
  const M = ed.info(n.inputs[0])!.shape[0];
  const alpha = attrFloat(n, 'alpha', 1);
  const beta = attrFloat(n, 'beta', 1);
  const transB = attrInt(n, 'transB', 0) === 1;
  const O = transB ? b.shape[0] : b.shape[1];

  // Keep the model's own constants (and names) when no arithmetic is needed.
  const w = transB && alpha === 1 ? n.inputs[1] : ed.addConstant(`${n.name}.weight_fc`, weightOutByIn(b, transB, alpha));
  const biasValues = c ? biasRow(c, n.inputs[2], M, O, where) : new Float32Array(O);
  const reuseBias = c !== undefined && beta === 1 && c.shape.length === 1 && c.shape[0] === O;
  const bias = reuseBias ? n.inputs[2] : ed.addConstant(`${n.name}.bias_fc`, floatTensor([O], biasValues.map((v) => beta * v)));
  ed.replace(i, fc(n.name, n.inputs[0], w, bias, n.outputs[0], originOf(n)));
}

function lowerMatMul(ed: GraphEditor, n: Node, i: number): void {
  const where = `node '${n.name}' (MatMul)`;
  const a = ed.info(n.inputs[0])!;
  const b = ed.constant(n.inputs[1]);
  // Only x · W with a constant 2-D W and a 2-D x is a fully-connected layer.
  if (!b || b.shape.length !== 2 || a.shape.length !== 2) {
    throw new UserError(`${where}: only [N, K] × constant [K, O] is supported (got ${shapeToString(a.shape)} × '${n.inputs[1]}')`);
  }
  const O = b.shape[1];
  let bias: string | undefined;
  let out = n.outputs[0];
  let origin = originOf(n);
  // A following Add of a constant bias folds in.
  const readers = ed.consumerIndices(out);
  if (readers.length === 1 && !ed.isGraphOutput(out)) {
    const add = ed.nodes[readers[0]]!;
    const other = add.op === 'Add' ? add.inputs.find((x) => x !== out) : undefined;
    const c = other !== undefined ? ed.constant(other) : undefined;
    if (c && c.dtype === 'float32' && add.inputs.length === 2 && isRowBias(c, O)) {
      bias = ed.addConstant(`${n.name}.bias_fc`, floatTensor([O], biasRow(c, other!, 1, O, where)));
      out = add.outputs[0];
      origin = [...origin, ...originOf(add)];
      ed.remove(readers[0]);
    }
  }
  bias ??= ed.addConstant(`${n.name}.bias_fc`, floatTensor([O]));
  const w = ed.addConstant(`${n.name}.weight_fc`, weightOutByIn(b, false, 1));
  ed.replace(i, fc(n.name, n.inputs[0], w, bias, out, origin));
}

function fc(name: string, x: string, w: string, b: string, y: string, origin: string[]): Node {
  return { name, op: 'fully_connected', inputs: [x, w, b], outputs: [y], attrs: { act_min: -Infinity, act_max: Infinity }, origin };
}

/** The (O, K) weight alpha · (transB ? B : Bᵀ). */
function weightOutByIn(b: Tensor, transB: boolean, alpha: number): Tensor {
  const src = floatData(b, 'weight');
  const [R, C] = b.shape;
  if (transB) return floatTensor([R, C], src.map((v) => alpha * v));
  const out = new Float32Array(R * C);
  for (let r = 0; r < R; r++) for (let c = 0; c < C; c++) out[c * R + r] = alpha * src[r * C + c];
  return floatTensor([C, R], out);
}

/** A bias broadcastable to [1, O] along the rows: scalar, [O], [1, O] (or [1], [1, 1]). */
function isRowBias(c: Tensor, O: number): boolean {
  const s = c.shape;
  return s.length <= 2 && (sizeOf(s) === 1 || (sizeOf(s) === O && s[s.length - 1] === O));
}

/** The bias as [O] from a Gemm C (broadcastable to [M, O]); rows must not differ. */
function biasRow(c: Tensor, name: string, M: number, O: number, where: string): Float32Array {
  const data = floatData(c, 'bias');
  const s = c.shape;
  if (sizeOf(s) === 1) return new Float32Array(O).fill(data[0]);
  if (s.length >= 1 && s.length <= 2 && s[s.length - 1] === O && (s.length === 1 || s[0] === 1 || M === 1)) return data.slice(0, O);
  throw new UserError(`${where}: bias '${name}' ${shapeToString(s)} must hold one value per output (the same for every batch row)`);
}
