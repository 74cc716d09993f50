/**
 * fully_connected — y [N, O] = x' · wᵀ + b, where x' is x flattened to [N, K] (row-major, so any
 * Flatten/Reshape/Squeeze that keeps the batch dimension in front of it is a no-op). Inputs
 * [x (N, ...), w (O, K), b (O)]; attributes act_min / act_max.
 *
 * int8: x flattened row-major to [N, K] (NCHW order for a 4-D input),
 *   acc[n, o] = bias[o] + Σ_k w[o, k] · (x[n, k] − zp_in), requantized per output channel.
 * C kernel onnx2mcu_fc_s8 with weights (O, K), K in the order of the channels-last C buffer.
 */
import { shapeToString, sizeOf } from '../ir/tensor.js';
import type { Tensor } from '../ir/tensor.js';
import type { OpDef } from './common/op.js';
import { gemmFloat } from './kernels/gemm.js';
import { floatInput, needFloat, needRank, nodeError } from './common/checks.js';
import { clampToActRange } from './conv2d.js';
import type { QuantizedLayer } from '../int8/types.js';
import { requantize } from '../int8/requantize.js';
import type { CKernelEmitter, CLayer, LowerContext } from '../cgen/c_layer.js';
import { cLayerBase, foldedBias, kernelCall, need } from '../cgen/c_layer.js';
import { cInt } from '../cgen/c_writer.js';
import { UserError } from '../util/errors.js';

export const fully_connected: OpDef = {
  op: 'fully_connected',
  inferShapes(node, inputs) {
    const x = needFloat(node, inputs, 0, 'input');
    const w = needFloat(node, inputs, 1, 'weight');
    const b = needFloat(node, inputs, 2, 'bias');
    needRank(node, w, 1, 'weight', 2);
    if (x.shape.length < 1) throw nodeError(node, `input '${node.inputs[0]}' must have a batch dimension`);
    const [O, K] = w.shape;
    const k = sizeOf(x.shape.slice(1));
    if (k !== K) throw nodeError(node, `input '${node.inputs[0]}' ${shapeToString(x.shape)} has ${k} features per batch item, weight '${node.inputs[1]}' ${shapeToString(w.shape)} expects ${K}`);
    if (b.shape.length !== 1 || b.shape[0] !== O) throw nodeError(node, `bias '${node.inputs[2]}' has shape ${shapeToString(b.shape)}, expected [${O}]`);
    return [{ dtype: 'float32', shape: [x.shape[0], O] }];
  },
  evalFloat(node, inputs) {
    const x = inputs[0] as Tensor;
    const w = inputs[1] as Tensor;
    const N = x.shape[0];
    const [O, K] = w.shape;
    const data = gemmFloat(
      floatInput(node, inputs, 0, 'input'),
      [N, K],
      floatInput(node, inputs, 1, 'weight'),
      [O, K],
      floatInput(node, inputs, 2, 'bias'),
      [O],
      { alpha: 1, beta: 1, transA: false, transB: true },
    );
    return [{ dtype: 'float32', shape: [N, O], data: clampToActRange(node, data) }];
  },
  cost(_node, inputs) {
    // MACs = in · out (per batch item, times the batch); params = weights + one bias per output.
    const x = inputs[0];
    const w = inputs[1];
    if (!x || !w) return { macs: 0, params: 0 };
    return { macs: x.shape[0] * w.shape[0] * w.shape[1], params: sizeOf(w.shape) + w.shape[0] };
  },
  int8: { run: fullyConnectedInt8, lower: lowerFullyConnected },
};

function fullyConnectedInt8(layer: QuantizedLayer, x: Int8Array): Int8Array {
  const N = layer.inputShape[0];
  const [O, K] = layer.weightShape!;
  const w = layer.weights!;
  const zp = layer.inputQ.zeroPoint;
  const out = new Int8Array(N * O);
  const xc = new Float64Array(K);
  for (let n = 0; n < N; n++) {
    for (let k = 0; k < K; k++) xc[k] = x[n * K + k] - zp;
    for (let o = 0; o < O; o++) {
      // Exact in doubles: see src/quant/kernels/conv_common.ts.
      let s = layer.bias![o];
      const wBase = o * K;
      for (let k = 0; k < K; k++) s += w[wBase + k] * xc[k];
      out[n * O + o] = requantize(s, layer.multiplier![o], layer.shift![o], layer.outputQ.zeroPoint, layer.actMin, layer.actMax);
    }
  }
  return out;
}

/** True when the tensor's bytes are in the same order in NCHW and NHWC. */
const layoutFree = (shape: readonly number[]) => shape.length < 3 || sizeOf(shape.slice(2)) === 1 || shape[1] === 1;

function lowerFullyConnected(l: QuantizedLayer, ctx: LowerContext): CLayer {
  const w = need(l.weights, 'weights', ctx.where);
  const O = ctx.outDims.c;
  const K = sizeOf(l.inputShape) / l.inputShape[0];
  if (w.length !== O * K) throw new UserError(`${ctx.where}: ${w.length} weights, expected ${O}×${K}`);
  let weights = w;
  // The contract flattens the input in NCHW order; the C buffer is NHWC: permute K to match.
  if (!layoutFree(l.inputShape)) {
    const [, C, H, W] = l.inputShape;
    weights = new Int8Array(w.length);
    for (let o = 0; o < O; o++) for (let c = 0; c < C; c++) for (let p = 0; p < H * W; p++) weights[o * K + p * C + c] = w[o * K + c * H * W + p];
  }
  const { bias, multiplier, shift } = foldedBias(l, w, O, K, ctx.where);
  return { ...cLayerBase(l, ctx, FC), inDims: { h: 1, w: 1, c: K }, weights, bias, multiplier, shift, macs: O * K, params: w.length + O };
}

const FC: CKernelEmitter = {
  kernel: 'fc',
  fn: 'onnx2mcu_fc_s8',
  paramsBytes: 24,
  describe: (c) => `fully connected ${c.inDims.c} -> ${c.outDims.c}`,
  params(c) {
    const l = c.layer;
    return {
      type: 'onnx2mcu_fc_params',
      init: `{ ${c.inDims.c}, ${c.outDims.c}, ${cInt(l.inputQ.zeroPoint)}, ${cInt(l.outputQ.zeroPoint)}, ${cInt(l.actMin)}, ${cInt(l.actMax)} }`,
    };
  },
  call: (c, io) => kernelCall(FC.fn, c, io, true),
  weightLayout: (c) => `(O, K) ${c.outDims.c}x${c.inDims.c}`,
};
