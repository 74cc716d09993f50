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
import type { LayerBase, WeightedFields } from '../int8/types.js';
import { requantize } from '../int8/requantize.js';
import { constantInput, layerBase, quantizeWeighted } from '../int8/quantize_layer.js';
import type { CKernelEmitter, CLayer, LowerContext } from '../cgen/c_layer.js';
import { designated, kernelCall } from '../cgen/c_layer.js';
import { cInt } from '../cgen/c_writer.js';
import type { WeightLayout } from '../cgen/layout.js';
import type { OpDef } from './common/op.js';
import { gemmFloat } from './kernels/gemm.js';
import { floatInput, needFloat, needRank, nodeError } from './common/checks.js';
import { withActivation } from './common/onnx_form.js';
import { clampToActRange, weightedCLayer } from './conv2d.js';

/** The int8 fully connected layer: per-output-channel weights (O, K). */
export interface FullyConnectedLayer extends LayerBase<'fully_connected'>, WeightedFields {}

declare module '../int8/types.js' {
  interface QuantizedLayers {
    fully_connected: FullyConnectedLayer;
  }
}

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
  // Flatten to [N, K], then Gemm with the weights transposed.
  toOnnx(n) {
    const flat = `${n.outputs[0]}__flat`;
    return {
      nodes: [
        { name: `${n.name}__flatten`, op: 'Flatten', inputs: [n.inputs[0]], outputs: [flat], attrs: { axis: 1 } },
        ...withActivation(n, 'Gemm', [flat, n.inputs[1], n.inputs[2]], { alpha: 1, beta: 1, transA: 0, transB: 1 }),
      ],
    };
  },
  quantize: {
    *layer(node, ctx) {
      const w = constantInput(ctx.graph, node, 1, 'weight');
      const base = layerBase(node, ctx, 'fully_connected', ctx.outputParams(node.outputs[0]));
      const weighted = yield* quantizeWeighted(node, ctx, base.inputQ[0], base.outputQ, {
        weights: w.data as Float32Array,
        weightShape: w.shape,
        bias: constantInput(ctx.graph, node, 2, 'bias').data as Float32Array,
        window: { kind: 'features' },
        meanIndex: (_o, k) => k,
      });
      return { ...base, ...weighted } satisfies FullyConnectedLayer;
    },
    calibrationWindow: () => ({ kind: 'features' }),
  },
  int8: {
    run: (l, [x]) => fullyConnectedInt8(l as FullyConnectedLayer, x),
    qdq(layer, b) {
      const l = layer as FullyConnectedLayer;
      const [wf, bf] = b.weightAndBias(l);
      const flat = `${l.name}.flat`;
      const y = `${l.name}.float_out`;
      b.node('Flatten', `${l.name}.flatten`, [b.float(l.inputs[0])], [flat], { axis: 1 });
      b.node('Gemm', l.name, [flat, wf, bf], [y], { transA: 0, transB: 1 });
      b.quantizeOutput(l, y);
    },
    lower: (l, ctx) => lowerFullyConnected(l as FullyConnectedLayer, ctx),
  },
};

function fullyConnectedInt8(layer: FullyConnectedLayer, x: Int8Array): Int8Array {
  const N = layer.inputShapes[0][0];
  const [O, K] = layer.weightShape;
  const w = layer.weights;
  const zp = layer.inputQ[0].zeroPoint;
  const out = new Int8Array(N * O);
  const xc = new Float64Array(K);
  for (let n = 0; n < N; n++) {
    for (let k = 0; k < K; k++) xc[k] = x[n * K + k] - zp;
    for (let o = 0; o < O; o++) {
      // Exact in doubles: see src/int8/conv_common.ts.
      let s = layer.bias[o];
      const wBase = o * K;
      for (let k = 0; k < K; k++) s += w[wBase + k] * xc[k];
      out[n * O + o] = requantize(s, layer.multiplier[o], layer.shift[o], layer.outputQ.zeroPoint, layer.actMin, layer.actMax);
    }
  }
  return out;
}

/**
 * The contract flattens the input in NCHW order; the C buffer is NHWC, so K is permuted to match
 * (an identity when the input has one channel or a 1×1 plane).
 */
function fcLayout(inputShape: readonly number[], O: number, K: number): WeightLayout {
  const s = inputShape;
  if (s.length < 3 || sizeOf(s.slice(2)) === 1 || s[1] === 1) return { name: '(O, K)', view: [O, K], perm: [0, 1] };
  const [, C, H, W] = s;
  return { name: '(O, H·W·C)', view: [O, C, H, W], perm: [0, 2, 3, 1] };
}

function lowerFullyConnected(l: FullyConnectedLayer, ctx: LowerContext): CLayer {
  const O = ctx.outDims.c;
  const K = sizeOf(l.inputShapes[0]) / l.inputShapes[0][0];
  return weightedCLayer(l, { ...ctx, inDims: [{ h: 1, w: 1, c: K }] }, FC, fcLayout(l.inputShapes[0], O, K));
}

const FC: CKernelEmitter = {
  kernel: 'fc',
  fn: 'onnx2mcu_fc_s8',
  paramsBytes: 24,
  runtime: { header: 'onnx2mcu_fc_s8.h', sources: ['onnx2mcu_fc_s8.c'] },
  describe: (c) => `fully connected ${c.inDims[0].c} -> ${c.outDims.c}`,
  params(c) {
    const l = c.layer;
    return {
      type: 'onnx2mcu_fc_params',
      init: designated([
        ['in_features', c.inDims[0].c],
        ['out_features', c.outDims.c],
        ['input_zero_point', cInt(l.inputQ[0].zeroPoint)],
        ['output_zero_point', cInt(l.outputQ.zeroPoint)],
        ['act_min', cInt(l.actMin)],
        ['act_max', cInt(l.actMax)],
      ]),
    };
  },
  call: (c, io) => kernelCall(FC.fn, c, io),
};
