/**
 * global_average_pool — mean over each channel's H×W plane: x [N, C, H, W] → [N, C, 1, 1].
 * Attributes act_min / act_max. int8: average_pool's reference over one window of the whole
 * plane; C kernel onnx2mcu_global_avg_pool_s8.
 */
import type { Tensor } from '../ir/tensor.js';
import type { LayerBase } from '../int8/types.js';
import { layerBase } from '../int8/quantize_layer.js';
import type { CKernelEmitter } from '../cgen/c_layer.js';
import { cLayerBase, designated, dimsInit, kernelCall } from '../cgen/c_layer.js';
import { cInt } from '../cgen/c_writer.js';
import { UserError } from '../util/errors.js';
import type { OpDef } from './common/op.js';
import { globalAveragePoolFloat } from './kernels/pool.js';
import { floatInput, needFloat, needRank } from './common/checks.js';
import { withActivation } from './common/onnx_form.js';
import { clampToActRange } from './conv2d.js';
import { averagePoolInt8, poolQdq } from './average_pool.js';

/** The int8 global average pool: output quantization = input quantization (TFLite). */
export type GlobalAveragePoolLayer = LayerBase<'global_average_pool'>;

declare module '../int8/types.js' {
  interface QuantizedLayers {
    global_average_pool: GlobalAveragePoolLayer;
  }
}

export const global_average_pool: OpDef = {
  op: 'global_average_pool',
  inferShapes(node, inputs) {
    const x = needFloat(node, inputs, 0, 'input');
    needRank(node, x, 0, 'input', 4);
    return [{ dtype: 'float32', shape: [x.shape[0], x.shape[1], 1, 1] }];
  },
  evalFloat(node, inputs) {
    const [N, C, H, W] = (inputs[0] as Tensor).shape;
    const data = globalAveragePoolFloat(floatInput(node, inputs, 0, 'input'), N, C, H * W);
    return [{ dtype: 'float32', shape: [N, C, 1, 1], data: clampToActRange(node, data) }];
  },
  cost: () => ({ macs: 0, params: 0 }),
  toOnnx: (n) => ({ nodes: withActivation(n, 'GlobalAveragePool', [n.inputs[0]], {}) }),
  quantize: {
    *layer(node, ctx) {
      const x = node.inputs[0];
      if (ctx.inputMapping(x)?.exact === false) throw new UserError(`node '${node.name}': a pool cannot read the input directly when its pixel mapping is inexact`);
      const layer: GlobalAveragePoolLayer = layerBase(node, ctx, 'global_average_pool', ctx.q(x));
      return layer;
    },
  },
  int8: {
    // average_pool's reference over one window of the whole plane.
    run: (l, [x]) => {
      const [, , H, W] = l.inputShapes[0];
      return averagePoolInt8({ ...l, kernel: [H, W], strides: [1, 1], pads: [0, 0, 0, 0], countIncludePad: 1 }, x);
    },
    qdq: (l, b) => poolQdq(l, b, 'GlobalAveragePool', {}),
    lower: (l, ctx) => ({ ...cLayerBase(l, ctx, GLOBAL_AVG_POOL), macs: 0, params: 0 }),
  },
};

const GLOBAL_AVG_POOL: CKernelEmitter = {
  kernel: 'global_avg_pool',
  fn: 'onnx2mcu_global_avg_pool_s8',
  paramsBytes: 20,
  runtime: { header: 'onnx2mcu_avg_pool_s8.h', sources: ['onnx2mcu_global_avg_pool_s8.c'] },
  describe: () => 'global average pool',
  params: (c) => ({
    type: 'onnx2mcu_global_avg_pool_params',
    init: designated([['input', dimsInit(c.inDims[0])], ['act_min', cInt(c.layer.actMin)], ['act_max', cInt(c.layer.actMax)]]),
  }),
  call: (c, io) => kernelCall(GLOBAL_AVG_POOL.fn, c, io),
};
