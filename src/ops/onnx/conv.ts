/** ONNX Conv (2-D only): regular, grouped/depthwise, pads, strides, dilations, auto_pad. */
import type { Node, ValueInfo } from '../../ir/graph.js';
import { attrInt, attrInts, attrString } from '../../ir/graph.js';
import type { Tensor } from '../../ir/tensor.js';
import { shapeToString, sizeOf } from '../../ir/tensor.js';
import type { OpDef } from '../common/op.js';
import type { ConvParams } from '../kernels/conv.js';
import { convFloat, convOutputShape, resolveAutoPad } from '../kernels/conv.js';
import { floatInput, needFloat, needRank, nodeError } from '../common/checks.js';

/** Conv attributes resolved against the input and weight shapes (auto_pad turned into pads). */
export function convParamsOf(node: Node, xShape: readonly number[], wShape: readonly number[]): ConvParams {
  const strides = attrInts(node, 'strides', [1, 1]);
  const dilations = attrInts(node, 'dilations', [1, 1]);
  const kernel = attrInts(node, 'kernel_shape', wShape.slice(2));
  const group = attrInt(node, 'group', 1);
  if (strides.length !== 2 || dilations.length !== 2 || kernel.length !== 2) {
    throw nodeError(node, 'only 2-D convolution is supported (strides, dilations and kernel_shape need 2 values)');
  }
  if (kernel[0] !== wShape[2] || kernel[1] !== wShape[3]) {
    throw nodeError(node, `kernel_shape ${shapeToString(kernel)} does not match weight '${node.inputs[1]}' ${shapeToString(wShape)}`);
  }
  if ([...strides, ...dilations].some((v) => !Number.isInteger(v) || v < 1)) throw nodeError(node, 'strides and dilations must be positive integers');
  const autoPad = attrString(node, 'auto_pad', 'NOTSET');
  let pads: [number, number, number, number];
  try {
    pads = resolveAutoPad(autoPad, xShape.slice(2), kernel, strides, dilations) ?? (attrInts(node, 'pads', [0, 0, 0, 0]) as [number, number, number, number]);
  } catch (e) {
    throw nodeError(node, (e as Error).message);
  }
  if (pads.length !== 4 || pads.some((v) => !Number.isInteger(v) || v < 0)) throw nodeError(node, `pads ${shapeToString(pads)} must be 4 non-negative integers`);
  return { strides: [strides[0], strides[1]], pads: [pads[0], pads[1], pads[2], pads[3]], dilations: [dilations[0], dilations[1]], group };
}

function checkConv(node: Node, inputs: readonly (ValueInfo | undefined)[]): { x: ValueInfo; w: ValueInfo; p: ConvParams; out: number[] } {
  const x = needFloat(node, inputs, 0, 'input');
  const w = needFloat(node, inputs, 1, 'weight');
  if (x.shape.length !== 4) throw nodeError(node, `input '${node.inputs[0]}' has shape ${shapeToString(x.shape)}; only 2-D convolution (rank-4 NCHW input) is supported`);
  needRank(node, w, 1, 'weight', 4);
  const p = convParamsOf(node, x.shape, w.shape);
  const C = x.shape[1];
  const [O, Cg] = w.shape;
  if (p.group < 1 || C % p.group !== 0 || O % p.group !== 0) {
    throw nodeError(node, `group ${p.group} does not divide input channels ${C} and output channels ${O}`);
  }
  if (Cg * p.group !== C) {
    throw nodeError(node, `weight '${node.inputs[1]}' ${shapeToString(w.shape)} expects ${Cg * p.group} input channels, input '${node.inputs[0]}' has ${C}`);
  }
  const b = inputs[2];
  if (b) {
    if (b.dtype !== 'float32') throw nodeError(node, `bias '${node.inputs[2]}' is ${b.dtype}, expected float32`);
    if (b.shape.length !== 1 || b.shape[0] !== O) throw nodeError(node, `bias '${node.inputs[2]}' has shape ${shapeToString(b.shape)}, expected [${O}]`);
  }
  const out = convOutputShape(x.shape, w.shape, p);
  if (out[2] < 1 || out[3] < 1) throw nodeError(node, `output would be empty (${shapeToString(out)}): kernel larger than padded input`);
  return { x, w, p, out };
}

export const Conv: OpDef = {
  op: 'Conv',
  inferShapes(node, inputs) {
    return [{ dtype: 'float32', shape: checkConv(node, inputs).out }];
  },
  evalFloat(node, inputs) {
    const x = inputs[0] as Tensor;
    const w = inputs[1] as Tensor;
    const p = convParamsOf(node, x.shape, w.shape);
    const b = inputs[2] ? floatInput(node, inputs, 2, 'bias') : undefined;
    const data = convFloat(floatInput(node, inputs, 0, 'input'), x.shape, floatInput(node, inputs, 1, 'weight'), w.shape, b, p);
    return [{ dtype: 'float32', shape: convOutputShape(x.shape, w.shape, p), data }];
  },
  cost(node, inputs, outputs) {
    const w = inputs[1];
    const y = outputs[0];
    if (!w || !y) return { macs: 0, params: 0 };
    // Ho·Wo·Cout·(Cin/group)·Kh·Kw per image; params as after BN folding: weights + one bias per Cout.
    return { macs: sizeOf(y.shape) * w.shape[1] * w.shape[2] * w.shape[3], params: sizeOf(w.shape) + w.shape[0] };
  },
};
