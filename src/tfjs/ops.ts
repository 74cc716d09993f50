/**
 * TF op → IR ops: the table of every TF op the importer knows (the weighted ones live in
 * ops_conv.ts). The IR ops are the ONNX ones of src/ops/onnx with the attributes normalized as
 * src/onnx/import.ts leaves them (explicit pads, Clip min/max and Pad pads as attributes …).
 *   Identity                → Identity (a constant stays a constant)
 *   Relu / Relu6 / ClipByValue → Relu / Clip(0, 6) / Clip(min, max) (scalar constant bounds)
 *   Add, AddV2, Mul         → Add, Mul (a constant operand is laid out against NCHW)
 *   AvgPool                 → AveragePool (TF excludes padding from the mean: count_include_pad 0)
 *   Mean over H, W          → GlobalAveragePool (+ Reshape to [N, C] without keep_dims)
 *   Pad, PadV2              → Pad (pads reordered NHWC → NCHW)
 *   Reshape, Squeeze        → Reshape / Squeeze (with Transposes when the rank-4 element order matters)
 *   Softmax                 → Softmax over TF's last axis (axis 1 of a rank-4 NCHW tensor)
 *   Shape, StridedSlice, Pack → evaluated at import (static_shapes.ts)
 * Placeholder, Const and NoOp are handled by import.ts.
 */
import type { Tensor } from '../ir/tensor.js';
import { sizeOf, toNumbers } from '../ir/tensor.js';
import { UserError } from '../util/errors.js';
import { attrBool, attrInt, attrInts, attrString, attrType } from './attributes.js';
import type { ConvertContext, TfValue } from './context.js';
import type { Step } from './emit_helpers.js';
import { emitChain, emitTfReshape, requireNhwc, runtimeOfRank, spatialPair, tfShape } from './emit_helpers.js';
import { broadcastOperandToNchw, explicitPads } from './layout.js';
import { activationStep, convertBiasAdd, convertConv, convertFusedBatchNorm, convertMatMul } from './ops_conv.js';
import { intVector, pack, stridedSlice1d } from './static_shapes.js';

export type Converter = (c: ConvertContext) => void;

export const CONVERTERS: Readonly<Record<string, Converter>> = {
  Identity: convertIdentity,
  Conv2D: convertConv,
  _FusedConv2D: convertConv,
  DepthwiseConv2dNative: convertConv,
  FusedDepthwiseConv2dNative: convertConv,
  MatMul: convertMatMul,
  _FusedMatMul: convertMatMul,
  BiasAdd: convertBiasAdd,
  FusedBatchNorm: convertFusedBatchNorm,
  FusedBatchNormV2: convertFusedBatchNorm,
  FusedBatchNormV3: convertFusedBatchNorm,
  Add: binary('Add'),
  AddV2: binary('Add'),
  Mul: binary('Mul'),
  Relu: (c) => unary(c, activationStep('Relu')),
  Relu6: (c) => unary(c, activationStep('Relu6')),
  ClipByValue: convertClipByValue,
  AvgPool: convertAvgPool,
  Mean: convertMean,
  Pad: convertPad,
  PadV2: convertPad,
  Reshape: convertReshape,
  Squeeze: convertSqueeze,
  Softmax: convertSoftmax,
  Shape: convertShape,
  StridedSlice: convertStridedSlice,
  Pack: convertPack,
};

/** Ops import.ts handles itself. */
export const STRUCTURAL_OPS: ReadonlySet<string> = new Set(['Placeholder', 'Const', 'NoOp']);

export function isSupportedTfOp(op: string): boolean {
  return op in CONVERTERS || STRUCTURAL_OPS.has(op);
}

function convertIdentity(c: ConvertContext): void {
  const v = c.input(0, 'input');
  if (v.kind === 'const') return c.define(0, v);
  emitChain(c, v.name, [{ op: 'Identity', attrs: {}, suffix: 'identity' }]);
}

function unary(c: ConvertContext, step: Step): void {
  emitChain(c, c.runtime(0, 'features'), [step]);
}

function scalarOf(c: ConvertContext, k: number, what: string): number {
  const t = c.constant(k, what);
  if (sizeOf(t.shape) !== 1) throw new UserError(`${c.where}: ${what} '${c.node.inputs[k]}' has shape [${t.shape.join(', ')}]; only a scalar is supported`);
  return toNumbers(t)[0];
}

function convertClipByValue(c: ConvertContext): void {
  const x = c.runtime(0, 't');
  emitChain(c, x, [{ op: 'Clip', attrs: { min: scalarOf(c, 1, 'clip_value_min'), max: scalarOf(c, 2, 'clip_value_max') }, suffix: 'clip' }]);
}

/**
 * Add / Mul with numpy broadcasting. Two runtime operands must agree on whether they are rank 4
 * (held NCHW); a constant next to a rank-4 operand is laid out for NCHW.
 */
function binary(op: 'Add' | 'Mul'): Converter {
  return (c) => {
    const values: TfValue[] = [c.input(0, 'x'), c.input(1, 'y')];
    const runtimes = values.filter((v) => v.kind === 'runtime');
    if (runtimes.length === 0) throw new UserError(`${c.where}: both operands are constants (constant folding is not done here)`);
    const ranks = runtimes.map((v) => tfShape(c, v.name).length);
    if (ranks.length === 2 && ranks[0] !== ranks[1] && (ranks[0] === 4 || ranks[1] === 4)) {
      throw new UserError(`${c.where}: operands of rank ${ranks[0]} and ${ranks[1]}: broadcasting a runtime tensor against a rank-4 one is not supported`);
    }
    const rank4 = ranks.includes(4);
    const names = values.map((v, k) => {
      if (v.kind === 'runtime') return v.name;
      if (!rank4) return c.irConstant(k, 'operand', 'as_is');
      if (v.tensor.shape.length > 4) throw new UserError(`${c.where}: constant operand '${c.node.inputs[k]}' has rank ${v.tensor.shape.length} > 4`);
      return c.irConstant(k, 'operand', 'nchw_broadcast', broadcastOperandToNchw);
    });
    const first = names[0];
    const name = c.outputName(0);
    c.b.add({ op, name, inputs: [first, names[1]], output: name, attrs: {}, origin: [c.node.name] }, c.where);
    c.define(0, { kind: 'runtime', name });
  };
}

function convertAvgPool(c: ConvertContext): void {
  requireNhwc(c);
  const [x, [, H, W]] = runtimeOfRank(c, 0, 'value', 4);
  const kernel = spatialPair(attrInts(c.node.attr, 'ksize', c.where), c, 'ksize');
  const strides = spatialPair(attrInts(c.node.attr, 'strides', c.where), c, 'strides');
  const pads = explicitPads(attrString(c.node.attr, 'padding', c.where), [H, W], kernel, strides, [1, 1]);
  if (typeof pads === 'string') throw new UserError(`${c.where}: ${pads}`);
  emitChain(c, x, [{ op: 'AveragePool', attrs: { auto_pad: 'NOTSET', ceil_mode: 0, count_include_pad: 0, kernel_shape: kernel, strides, pads }, suffix: 'avgpool' }]);
}

/** The integer values of a constant input (axes, paddings, shapes). */
function intsOf(c: ConvertContext, k: number, what: string): { values: number[]; shape: readonly number[] } {
  const t = c.constant(k, what);
  if (t.dtype !== 'int32' && t.dtype !== 'int64') throw new UserError(`${c.where}: ${what} '${c.node.inputs[k]}' is ${t.dtype}, expected int32 or int64`);
  return { values: toNumbers(t), shape: t.shape };
}

/** Mean over H and W of an NHWC tensor: the global average pool (Keras GlobalAveragePooling2D). */
function convertMean(c: ConvertContext): void {
  const [x, [N, , , C]] = runtimeOfRank(c, 0, 'input', 4);
  const axes = intsOf(c, 1, 'reduction_indices').values.map((a) => (a < 0 ? a + 4 : a));
  const keepDims = attrBool(c.node.attr, 'keep_dims', c.where, false);
  const sorted = [...new Set(axes)].sort((a, b) => a - b);
  if (sorted.length !== 2 || sorted[0] !== 1 || sorted[1] !== 2) {
    throw new UserError(`${c.where}: Mean over axes [${axes.join(', ')}] is not supported (only over H and W, axes [1, 2], a global average pool)`);
  }
  if (keepDims) {
    emitChain(c, x, [{ op: 'GlobalAveragePool', attrs: {}, suffix: 'pool' }]);
    return;
  }
  const shape = c.b.constant(c.helperName('shape'), intVector([N, C], 'int64'));
  emitChain(c, x, [
    { op: 'GlobalAveragePool', attrs: {}, suffix: 'pool' },
    { op: 'Reshape', extra: [shape], attrs: {}, suffix: 'reshape' },
  ]);
}

/** Pad / PadV2 (constant mode): TF paddings [[before, after] per dim] → ONNX pads [begins…, ends…] in IR dim order. */
function convertPad(c: ConvertContext): void {
  const x = c.runtime(0, 'input');
  const rank = tfShape(c, x).length;
  const { values, shape } = intsOf(c, 1, 'paddings');
  if (shape.length !== 2 || shape[0] !== rank || shape[1] !== 2) {
    throw new UserError(`${c.where}: paddings '${c.node.inputs[1]}' has shape [${shape.join(', ')}], expected [${rank}, 2]`);
  }
  // Dim d of the IR tensor is TF dim order[d].
  const order = rank === 4 ? [0, 3, 1, 2] : Array.from({ length: rank }, (_, i) => i);
  const pads = [...order.map((d) => values[2 * d]), ...order.map((d) => values[2 * d + 1])];
  const value = c.node.op === 'PadV2' ? scalarOf(c, 2, 'constant_values') : 0;
  emitChain(c, x, [{ op: 'Pad', attrs: { pads, mode: 'constant', value }, suffix: 'pad' }]);
}

/** TF Reshape semantics: one −1 is inferred; 0 is a zero-size dim (not ONNX's "copy"). */
function convertReshape(c: ConvertContext): void {
  const x = c.runtime(0, 'tensor');
  const src = tfShape(c, x);
  const { values: spec, shape } = intsOf(c, 1, 'shape');
  if (shape.length > 1) throw new UserError(`${c.where}: shape '${c.node.inputs[1]}' must be 1-D`);
  const total = sizeOf(src);
  const known = spec.filter((d) => d !== -1);
  if (spec.filter((d) => d === -1).length > 1 || known.some((d) => d < 0)) throw new UserError(`${c.where}: shape [${spec.join(', ')}] is not a valid reshape target`);
  const knownSize = sizeOf(known);
  const target = spec.map((d) => (d === -1 ? (knownSize === 0 ? 0 : total / knownSize) : d));
  if (sizeOf(target) !== total || !target.every(Number.isInteger)) {
    throw new UserError(`${c.where}: cannot reshape [${src.join(', ')}] (${total} values) to [${spec.join(', ')}]`);
  }
  emitTfReshape(c, x, target);
}

function convertSqueeze(c: ConvertContext): void {
  const x = c.runtime(0, 'input');
  const src = tfShape(c, x);
  const rank = src.length;
  const dims = attrInts(c.node.attr, 'squeeze_dims', c.where, []).map((a) => (a < 0 ? a + rank : a));
  if (dims.some((a) => a < 0 || a >= rank || src[a] !== 1)) throw new UserError(`${c.where}: cannot squeeze dims [${dims.join(', ')}] of [${src.join(', ')}]`);
  const drop = dims.length > 0 ? new Set(dims) : new Set(src.flatMap((d, i) => (d === 1 ? [i] : [])));
  const target = src.filter((_, i) => !drop.has(i));
  // A rank-4 input is held NCHW: squeezing it is a reshape in TF element order.
  if (rank === 4) emitTfReshape(c, x, target);
  else emitChain(c, x, [{ op: 'Squeeze', attrs: { axes: [...drop].sort((a, b) => a - b) }, suffix: 'squeeze' }]);
}

function convertSoftmax(c: ConvertContext): void {
  const x = c.runtime(0, 'logits');
  const rank = tfShape(c, x).length;
  emitChain(c, x, [{ op: 'Softmax', attrs: { axis: rank === 4 ? 1 : -1 }, suffix: 'softmax' }]);
}

// ---------------------------------------------------------------- evaluated at import

function constantResult(c: ConvertContext, t: Tensor | string): void {
  if (typeof t === 'string') throw new UserError(`${c.where}: ${t} (only the static shape arithmetic of tf.keras Reshape is supported)`);
  c.define(0, { kind: 'const', tensor: t, source: c.node.name });
}

/** Shape of a tensor: known statically (TF's NHWC shape, batch 1). */
function convertShape(c: ConvertContext): void {
  const v = c.input(0, 'input');
  const shape = v.kind === 'const' ? v.tensor.shape : tfShape(c, v.name);
  const outType = attrType(c.node.attr, 'out_type', c.where, 'DT_INT32');
  if (outType !== 'DT_INT32' && outType !== 'DT_INT64') throw new UserError(`${c.where}: out_type ${outType} is not supported`);
  constantResult(c, intVector(shape, outType === 'DT_INT64' ? 'int64' : 'int32'));
}

function convertStridedSlice(c: ConvertContext): void {
  const mask = (name: string): number => attrInt(c.node.attr, name, c.where, 0);
  const [input, begin, end, strides] = ['input', 'begin', 'end', 'strides'].map((what, k) => c.constant(k, what));
  constantResult(c, stridedSlice1d(input, begin, end, strides, {
    begin: mask('begin_mask'), end: mask('end_mask'), ellipsis: mask('ellipsis_mask'), newAxis: mask('new_axis_mask'), shrinkAxis: mask('shrink_axis_mask'),
  }));
}

function convertPack(c: ConvertContext): void {
  const parts = c.node.inputs.map((_, k) => c.constant(k, `values[${k}]`));
  const n = attrInt(c.node.attr, 'N', c.where, parts.length);
  if (n !== parts.length) throw new UserError(`${c.where}: N is ${n} but the node has ${parts.length} inputs`);
  constantResult(c, pack(parts, attrInt(c.node.attr, 'axis', c.where, 0)));
}
