/**
 * The weighted TF ops → ONNX-style IR ops (see ops.ts for the table):
 *   Conv2D, _FusedConv2D                         → Conv (OIHW weights; group = C / I for grouped convs)
 *   DepthwiseConv2dNative, FusedDepthwiseConv2dNative → Conv with group = C ([C·m, 1, kh, kw] weights)
 *   MatMul, _FusedMatMul                         → Gemm (transA/transB from transpose_a/_b; B kept [K, N])
 *   fused_ops of the fused forms, in order: BiasAdd → the Conv/Gemm bias, FusedBatchNorm →
 *     BatchNormalization, then Relu → Relu, Relu6 → Clip(0, 6)
 *   BiasAdd → taken into the Conv / Gemm before it when it is that node's only reader (what the
 *     ONNX exporters write, so BatchNormalization folding sees the same graph), else Add
 *   FusedBatchNorm, V2, V3 (is_training false) → BatchNormalization
 * Padding 'SAME' / 'VALID' / 'EXPLICIT' becomes explicit pads (TF's rule, layout.ts).
 */
import type { Node } from '../ir/graph.js';
import { UserError } from '../util/errors.js';
import { attrBool, attrFloat, attrInt, attrInts, attrString, attrStrings } from './attributes.js';
import type { ConvertContext } from './context.js';
import type { Step } from './emit_helpers.js';
import { emitChain, requireNhwc, runtimeOfRank, spatialPair, tfShape } from './emit_helpers.js';
import { broadcastOperandToNchw, depthwiseToOihw, explicitPads, hwioToOihw } from './layout.js';

/** TF's FusedBatchNorm default epsilon. */
const TF_BN_EPSILON = 0.0001;

/** The ops that may follow a fused conv / matmul, and what they become. */
interface FusedTail {
  /** IR name of the bias constant (BiasAdd), if any. */
  readonly bias?: string;
  readonly steps: Step[];
}

/**
 * Reads fused_ops / num_args of a _FusedConv2D, FusedDepthwiseConv2dNative or _FusedMatMul. Its
 * extra inputs start at `argStart`: BiasAdd takes 1 (the bias), FusedBatchNorm 4 (scale, offset,
 * mean, variance, TF's remapper order), activations none.
 */
function fusedTail(c: ConvertContext, argStart: number, channels: number): FusedTail {
  const ops = attrStrings(c.node.attr, 'fused_ops', c.where, []);
  const numArgs = attrInt(c.node.attr, 'num_args', c.where, 0);
  if (c.node.inputs.length !== argStart + numArgs) {
    throw new UserError(`${c.where}: ${c.node.inputs.length} inputs, but num_args ${numArgs} needs ${argStart + numArgs}`);
  }
  let k = argStart;
  let bias: string | undefined;
  const steps: Step[] = [];
  ops.forEach((op, i) => {
    const misplaced = (): UserError => new UserError(`${c.where}: fused op '${op}' at position ${i} of [${ops.join(', ')}] is not supported there`);
    switch (op) {
      case 'BiasAdd':
        if (i !== 0) throw misplaced();
        bias = perChannel(c, k++, 'bias', channels);
        break;
      case 'FusedBatchNorm':
        if (i !== 0) throw misplaced();
        steps.push({
          op: 'BatchNormalization',
          extra: ['scale', 'offset', 'mean', 'variance'].map((what) => perChannel(c, k++, what, channels)),
          attrs: { epsilon: attrFloat(c.node.attr, 'epsilon', c.where, TF_BN_EPSILON) },
          suffix: 'batchnorm',
        });
        break;
      case 'Relu':
      case 'Relu6':
        if (i !== ops.length - 1) throw misplaced();
        steps.push(activationStep(op));
        break;
      default:
        throw new UserError(`${c.where}: fused op '${op}' is not supported (supported: BiasAdd, FusedBatchNorm, Relu, Relu6)`);
    }
  });
  if (k !== argStart + numArgs) throw new UserError(`${c.where}: num_args ${numArgs}, but fused_ops [${ops.join(', ')}] take ${k - argStart} arguments`);
  return { bias, steps };
}

function activationStep(op: 'Relu' | 'Relu6'): Step {
  return op === 'Relu' ? { op: 'Relu', attrs: {}, suffix: 'relu' } : { op: 'Clip', attrs: { min: 0, max: 6 }, suffix: 'relu6' };
}

/** Input k must be a float constant of `channels` values (a bias, a BN parameter). */
function checkPerChannel(c: ConvertContext, k: number, what: string, channels: number): void {
  const t = c.constant(k, what);
  if (t.dtype !== 'float32' || t.shape.length !== 1 || t.shape[0] !== channels) {
    throw new UserError(`${c.where}: ${what} '${c.node.inputs[k]}' is ${t.dtype} [${t.shape.join(', ')}], expected float32 [${channels}]`);
  }
}

/** Input k: a float constant of `channels` values, as an IR constant. */
function perChannel(c: ConvertContext, k: number, what: string, channels: number): string {
  checkPerChannel(c, k, what, channels);
  return c.irConstant(k, what, 'as_is');
}

/** Conv2D, DepthwiseConv2dNative and their fused forms. */
export function convertConv(c: ConvertContext): void {
  const depthwise = c.node.op.includes('Depthwise');
  const fused = c.node.op.startsWith('_Fused') || c.node.op.startsWith('Fused');
  requireNhwc(c);
  const [x, [, H, W, C]] = runtimeOfRank(c, 0, 'input', 4);
  const filter = c.constant(1, 'filter');
  if (filter.dtype !== 'float32' || filter.shape.length !== 4) {
    throw new UserError(`${c.where}: filter '${c.node.inputs[1]}' is ${filter.dtype} [${filter.shape.join(', ')}], expected a float32 4-D filter`);
  }
  const [kh, kw, I, M] = filter.shape;
  let group: number;
  let outChannels: number;
  if (depthwise) {
    if (I !== C) throw new UserError(`${c.where}: depthwise filter [${filter.shape.join(', ')}] is for ${I} channels, the input has ${C}`);
    group = C;
    outChannels = C * M;
  } else {
    if (I < 1 || C % I !== 0) throw new UserError(`${c.where}: filter [${filter.shape.join(', ')}] expects ${I} input channels per group, the input has ${C}`);
    group = C / I;
    outChannels = M;
  }
  const strides = spatialPair(attrInts(c.node.attr, 'strides', c.where), c, 'strides');
  const dilations = spatialPair(attrInts(c.node.attr, 'dilations', c.where, [1, 1, 1, 1]), c, 'dilations');
  const padding = attrString(c.node.attr, 'padding', c.where);
  const pads = explicitPads(padding, [H, W], [kh, kw], strides, dilations, attrInts(c.node.attr, 'explicit_paddings', c.where, []));
  if (typeof pads === 'string') throw new UserError(`${c.where}: ${pads}`);
  const weight = c.irConstant(1, 'filter', depthwise ? 'depthwise_oihw' : 'oihw', depthwise ? depthwiseToOihw : hwioToOihw);
  const tail: FusedTail = fused ? fusedTail(c, 2, outChannels) : { steps: [] };
  if (!fused && c.node.inputs.length !== 2) throw new UserError(`${c.where}: ${c.node.inputs.length} inputs, expected 2 (input, filter)`);
  const conv: Step = {
    op: 'Conv',
    extra: [weight, ...(tail.bias ? [tail.bias] : [])],
    attrs: { group, auto_pad: 'NOTSET', kernel_shape: [kh, kw], strides, dilations, pads },
    suffix: depthwise ? 'depthwise' : 'conv',
  };
  emitChain(c, x, [conv, ...tail.steps]);
}

/** MatMul and _FusedMatMul → Gemm [+ activation]. */
export function convertMatMul(c: ConvertContext): void {
  const fused = c.node.op === '_FusedMatMul';
  const [a] = runtimeOfRank(c, 0, 'a', 2);
  const transA = attrBool(c.node.attr, 'transpose_a', c.where, false) ? 1 : 0;
  const transB = attrBool(c.node.attr, 'transpose_b', c.where, false) ? 1 : 0;
  const bValue = c.input(1, 'b');
  const b = bValue.kind === 'const' ? c.irConstant(1, 'b', 'as_is') : bValue.name;
  const bShape = bValue.kind === 'const' ? bValue.tensor.shape : tfShape(c, b);
  if (bShape.length !== 2) throw new UserError(`${c.where}: b '${c.node.inputs[1]}' has shape [${bShape.join(', ')}], expected rank 2`);
  const N = transB ? bShape[0] : bShape[1];
  const tail: FusedTail = fused ? fusedTail(c, 2, N) : { steps: [] };
  if (!fused && c.node.inputs.length !== 2) throw new UserError(`${c.where}: ${c.node.inputs.length} inputs, expected 2 (a, b)`);
  if (tail.steps.some((s) => s.op === 'BatchNormalization')) throw new UserError(`${c.where}: fused op 'FusedBatchNorm' is not supported after MatMul`);
  const gemm: Step = { op: 'Gemm', extra: [b, ...(tail.bias ? [tail.bias] : [])], attrs: { alpha: 1, beta: 1, transA, transB }, suffix: 'matmul' };
  emitChain(c, a, [gemm, ...tail.steps]);
}

/**
 * BiasAdd: value + bias along the last (channel) axis. When the value comes straight from a Conv
 * or Gemm without bias that nobody else reads, that node takes the bias (and this node's name).
 */
export function convertBiasAdd(c: ConvertContext): void {
  requireNhwc(c);
  const x = c.runtime(0, 'value');
  const shape = tfShape(c, x);
  const channels = shape[shape.length - 1];
  if (shape.length < 2) throw new UserError(`${c.where}: value '${c.node.inputs[0]}' has shape [${shape.join(', ')}], expected rank ≥ 2`);
  const p = c.b.producerIndex(x);
  const prod: Node | undefined = p >= 0 ? c.b.nodes[p] : undefined;
  if (prod && (prod.op === 'Conv' || prod.op === 'Gemm') && prod.inputs.length === 2 && c.inputHasOnlyThisReader(0)) {
    const bias = perChannel(c, 1, 'bias', channels);
    const out = c.outputName(0);
    c.b.replace(p, { ...prod, inputs: [...prod.inputs, bias], outputs: [out], origin: [...(prod.origin ?? [prod.name]), c.node.name] }, c.where);
    c.forgetInput(0);
    c.define(0, { kind: 'runtime', name: out });
    return;
  }
  checkPerChannel(c, 1, 'bias', channels);
  const bias = shape.length === 4 ? c.irConstant(1, 'bias', 'nchw_broadcast', broadcastOperandToNchw) : c.irConstant(1, 'bias', 'as_is');
  emitChain(c, x, [{ op: 'Add', extra: [bias], attrs: {}, suffix: 'add' }]);
}

/** FusedBatchNorm / V2 / V3 in inference mode → BatchNormalization (only output y may be read). */
export function convertFusedBatchNorm(c: ConvertContext): void {
  requireNhwc(c);
  if (attrBool(c.node.attr, 'is_training', c.where, true)) throw new UserError(`${c.where}: is_training is true; only inference-mode batch normalization is supported`);
  for (let k = 1; k < 6; k++) {
    if (c.isRead(k)) throw new UserError(`${c.where}: output ${k} (batch statistics) is used; only output 0 (y) is supported`);
  }
  const [x, shape] = runtimeOfRank(c, 0, 'x', 4);
  const params = ['scale', 'offset', 'mean', 'variance'].map((what, i) => perChannel(c, i + 1, what, shape[3]));
  const epsilon = attrFloat(c.node.attr, 'epsilon', c.where, TF_BN_EPSILON);
  emitChain(c, x, [{ op: 'BatchNormalization', extra: params, attrs: { epsilon }, suffix: 'batchnorm' }]);
}

export { activationStep };
