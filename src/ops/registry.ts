/** Every op the tool knows, by op type. Adding an op: its file, plus one line here. */
import type { OpDef } from './common/op.js';
import { Conv } from './onnx/conv.js';
import { BatchNormalization } from './onnx/batch_normalization.js';
import { Relu } from './onnx/relu.js';
import { Clip } from './onnx/clip.js';
import { GlobalAveragePool } from './onnx/global_average_pool.js';
import { AveragePool } from './onnx/average_pool.js';
import { MaxPool } from './onnx/max_pool.js';
import { Flatten } from './onnx/flatten.js';
import { Reshape } from './onnx/reshape.js';
import { Squeeze } from './onnx/squeeze.js';
import { Unsqueeze } from './onnx/unsqueeze.js';
import { Transpose } from './onnx/transpose.js';
import { Pad } from './onnx/pad.js';
import { Gemm } from './onnx/gemm.js';
import { MatMul } from './onnx/matmul.js';
import { Add } from './onnx/add.js';
import { Mul } from './onnx/mul.js';
import { Softmax } from './onnx/softmax.js';
import { Identity } from './onnx/identity.js';
import { Dropout } from './onnx/dropout.js';
import { conv2d } from './conv2d.js';
import { depthwise_conv2d } from './depthwise_conv2d.js';
import { fully_connected } from './fully_connected.js';
import { average_pool } from './average_pool.js';
import { global_average_pool } from './global_average_pool.js';
import { softmax } from './softmax.js';
import { channel_affine } from './channel_affine.js';
import { max_pool } from './max_pool.js';
import { add } from './add.js';

/** ONNX ops accepted by the importer (Constant nodes become constants at import). */
export const ONNX_OPS: readonly OpDef[] = [
  Conv,
  BatchNormalization,
  Relu,
  Clip,
  GlobalAveragePool,
  AveragePool,
  MaxPool,
  Flatten,
  Reshape,
  Squeeze,
  Unsqueeze,
  Transpose,
  Pad,
  Gemm,
  MatMul,
  Add,
  Mul,
  Softmax,
  Identity,
  Dropout,
];

/** The canonical vocabulary the passes produce and the quantizer and C emitter consume. */
export const CANONICAL_OPS: readonly OpDef[] = [
  conv2d,
  depthwise_conv2d,
  fully_connected,
  average_pool,
  global_average_pool,
  softmax,
  channel_affine,
  max_pool,
  add,
];

const REGISTRY: ReadonlyMap<string, OpDef> = new Map([...ONNX_OPS, ...CANONICAL_OPS].map((d) => [d.op, d]));

/** The definition of an op type, or undefined when the tool does not support it. */
export function getOp(op: string): OpDef | undefined {
  return REGISTRY.get(op);
}

export function isSupportedOnnxOp(op: string): boolean {
  return ONNX_OPS.some((d) => d.op === op) || op === 'Constant';
}
