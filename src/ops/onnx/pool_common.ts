/** Attribute handling shared by AveragePool and MaxPool (2-D only). */
import type { Node, ValueInfo } from '../../ir/graph.js';
import { attrInt, attrInts, attrString } from '../../ir/graph.js';
import { shapeToString } from '../../ir/tensor.js';
import type { PoolParams } from '../kernels/pool.js';
import { poolOutputShape } from '../kernels/pool.js';
import { resolveAutoPad } from '../kernels/conv.js';
import { needFloat, nodeError } from '../common/checks.js';

export function poolParamsOf(node: Node, xShape: readonly number[]): PoolParams {
  const kernel = attrInts(node, 'kernel_shape');
  if (kernel.length !== 2) throw nodeError(node, `kernel_shape ${shapeToString(kernel)}: only 2-D pooling is supported`);
  const strides = attrInts(node, 'strides', [1, 1]);
  const dilations = attrInts(node, 'dilations', [1, 1]);
  if (strides.length !== 2) throw nodeError(node, `strides ${shapeToString(strides)} need 2 values`);
  if (dilations.some((d) => d !== 1)) throw nodeError(node, `dilations ${shapeToString(dilations)} are not supported for pooling`);
  if ([...kernel, ...strides].some((v) => !Number.isInteger(v) || v < 1)) throw nodeError(node, 'kernel_shape and strides must be positive integers');
  const ceilMode = attrInt(node, 'ceil_mode', 0) === 1;
  const autoPad = attrString(node, 'auto_pad', 'NOTSET');
  let pads: readonly number[];
  try {
    pads = resolveAutoPad(autoPad, xShape.slice(2), kernel, strides) ?? attrInts(node, 'pads', [0, 0, 0, 0]);
  } catch (e) {
    throw nodeError(node, (e as Error).message);
  }
  if (pads.length !== 4 || pads.some((v) => !Number.isInteger(v) || v < 0)) throw nodeError(node, `pads ${shapeToString(pads)} must be 4 non-negative integers`);
  if (pads[0] >= kernel[0] || pads[2] >= kernel[0] || pads[1] >= kernel[1] || pads[3] >= kernel[1]) {
    throw nodeError(node, `pads ${shapeToString(pads)} must be smaller than kernel_shape ${shapeToString(kernel)}`);
  }
  return {
    kernel: [kernel[0], kernel[1]],
    strides: [strides[0], strides[1]],
    pads: [pads[0], pads[1], pads[2], pads[3]],
    countIncludePad: attrInt(node, 'count_include_pad', 0) === 1,
    ceilMode,
  };
}

export function inferPool(node: Node, inputs: readonly (ValueInfo | undefined)[]): ValueInfo[] {
  if (node.outputs.length > 1 && node.outputs[1] !== '') throw nodeError(node, 'the Indices output of MaxPool is not supported');
  const x = needFloat(node, inputs, 0, 'input');
  if (x.shape.length !== 4) throw nodeError(node, `input '${node.inputs[0]}' has shape ${shapeToString(x.shape)}; only 2-D pooling (rank-4 NCHW input) is supported`);
  const out = poolOutputShape(x.shape, poolParamsOf(node, x.shape));
  if (out[2] < 1 || out[3] < 1) throw nodeError(node, `output would be empty (${shapeToString(out)}): kernel larger than padded input`);
  return [{ dtype: 'float32', shape: out }];
}
