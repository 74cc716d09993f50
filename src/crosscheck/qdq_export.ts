/**
 * A QuantizedModel written as an ONNX QDQ model (opset 13), so onnxruntime can execute the same
 * quantized network with its own float arithmetic — an independent check of our integer reference.
 *
 * The graph, for a model input `x` and each layer (NCHW throughout):
 *   x (float) ─QuantizeLinear(input q)→ q/x (int8) ─DequantizeLinear→ dq/x
 *   per layer:
 *     weights  int8 initializer ─DequantizeLinear(per-channel scale, axis 0)→ float
 *     bias     int32 initializer ─DequantizeLinear(scale s_in·s_w[c], axis 0)→ float
 *     conv2d → Conv; depthwise_conv2d → Conv with group = C_in; fully_connected → Flatten + Gemm(transB=1)
 *     → QuantizeLinear(output q) → [Clip in int8 to [actMin, actMax]] → q/out ─DequantizeLinear→ dq/out
 *   average_pool / global_average_pool read q/in directly (see poolInt8): the window mean of the
 *     int8 values by AveragePool / GlobalAveragePool, rounded half away from zero with
 *     Abs/Floor/Sign, clamped, Cast to int8 → q/out ─DequantizeLinear→ dq/out
 *   output: DequantizeLinear of the int8 logits, then Softmax when the model has one.
 *
 * The activation clamp (Relu / Relu6 folded into actMin/actMax) is an int8 Clip after QuantizeLinear:
 * QuantizeLinear itself only saturates at [−128, 127], and clamping the rounded integer is exactly
 * what the integer pipeline does (clamp(y + zp, actMin, actMax)), with no float boundary to round.
 *
 * Where onnxruntime and the integer reference legitimately differ: ORT requantizes the float32
 * result of Conv / Gemm with one rounding (QuantizeLinear: round(y / s), ties to even), while the
 * int8 model (TFLite) applies the fixed-point multiplier M0·2^(shift−31) with two roundings (SRDHM,
 * then a rounding right shift by −shift), so a value within 2^(shift−1) of a half step can round
 * to the other side. Measured on the five real models (each layer fed runInt8's input): this
 * accounts for over 99.8 % of the differing elements, typically 0.1–1 % of a layer (8 % in one
 * depthwise layer where constant channels sit 0.003 steps from a half), all within 0.12 steps of
 * a half; float32 rounding of the bias scale, of the other scales and of the accumulation together
 * flip about 4 elements per million. A layer fed the same int8 input therefore agrees within one output
 * step, and over 28 layers these single steps move the logits by a few steps. Average pooling has
 * no such difference: its rounding rule is part of the int8 op and is expressed in the graph
 * (poolInt8), so pools agree exactly.
 *
 * Graph input: the model input's name, float32; feed s·(q − zp) for the int8 input q (the
 * QuantizeLinear recovers q exactly). Graph outputs: model.output.floatOutput (float, softmax applied
 * when the model has one), QDQ_RAW_OUTPUT (the int8 logits) and, with `exposeTensors`, `q/<name>`
 * for every int8 tensor.
 */
import type { Tensor } from '../ir/tensor.js';
import { sizeOf } from '../ir/tensor.js';
import { tensorToProto } from '../onnx/proto/tensor_proto.js';
import type { AttributeProto, NodeProto, TensorProto, ValueInfoProto } from '../onnx/proto/proto.js';
import { AttributeType, DataType, onnx } from '../onnx/proto/proto.js';
import type { QuantizedLayer, QuantizedModel, QuantParams } from '../int8/types.js';

/** Opset 13: the first with per-channel (axis) QuantizeLinear / DequantizeLinear. */
export const QDQ_OPSET = 13;
/** Graph output holding the int8 output tensor (the logits). */
export const QDQ_RAW_OUTPUT = 'raw_int8_output';

export interface QdqExportOptions {
  /** Also make every int8 tensor a graph output, named qdqTensorName(t). */
  readonly exposeTensors?: boolean;
}

/** The QDQ graph's name for the int8 form of a model tensor. */
export function qdqTensorName(tensor: string): string {
  return `q/${tensor}`;
}
const dqName = (tensor: string) => `dq/${tensor}`;

type AttrValue = number | string | readonly number[];

function attr(name: string, v: AttrValue): AttributeProto {
  if (typeof v === 'string') return { name, type: AttributeType.STRING, s: new TextEncoder().encode(v) };
  if (typeof v === 'number') return { name, type: AttributeType.INT, i: v };
  return { name, type: AttributeType.INTS, ints: [...v] };
}

function int8Tensor(shape: readonly number[], data: Int8Array): Tensor {
  return { dtype: 'int8', shape: [...shape], data };
}

/** Collects nodes and initializers; names are checked for uniqueness as they are made. */
class QdqBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  private readonly names = new Set<string>();

  private claim(name: string): string {
    if (this.names.has(name)) throw new Error(`qdq export: tensor name '${name}' used twice`);
    this.names.add(name);
    return name;
  }

  init(name: string, t: Tensor): string {
    this.initializers.push(tensorToProto(this.claim(name), t));
    return name;
  }

  node(op: string, name: string, inputs: readonly string[], outputs: readonly string[], attrs: Record<string, AttrValue> = {}): void {
    for (const o of outputs) this.claim(o);
    this.nodes.push({ opType: op, name, input: [...inputs], output: [...outputs], attribute: Object.entries(attrs).map(([k, v]) => attr(k, v)) });
  }

  /** Per-tensor scale (float32 scalar) and int8 zero point (scalar) initializers. */
  perTensorQ(prefix: string, q: QuantParams): [string, string] {
    checkZeroPoint(q, prefix);
    return [
      this.init(`${prefix}.scale`, { dtype: 'float32', shape: [], data: Float32Array.of(q.scale) }),
      this.init(`${prefix}.zero_point`, int8Tensor([], Int8Array.of(q.zeroPoint))),
    ];
  }
}

function checkZeroPoint(q: QuantParams, where: string): void {
  if (!Number.isInteger(q.zeroPoint) || q.zeroPoint < -128 || q.zeroPoint > 127) throw new Error(`qdq export: ${where}: zero point ${q.zeroPoint} is not an int8`);
  if (!(q.scale > 0) || !Number.isFinite(q.scale)) throw new Error(`qdq export: ${where}: scale ${q.scale} is not a positive number`);
}

function valueInfo(name: string, elemType: number, shape: readonly number[]): ValueInfoProto {
  return { name, type: { tensorType: { elemType, shape: { dim: shape.map((d) => ({ dimValue: d })) } } } };
}

/** Weights and bias as int8 / int32 initializers behind per-channel DequantizeLinear nodes. */
function weightAndBias(b: QdqBuilder, l: QuantizedLayer): [string, string] {
  const w = l.weights, ws = l.weightShape, sw = l.weightScales, bias = l.bias;
  if (!w || !ws || !sw || !bias) throw new Error(`qdq export: layer '${l.name}' (${l.op}) lacks weights, weightShape, weightScales or bias`);
  const O = ws[0];
  if (sw.length !== O || bias.length !== O || w.length !== sizeOf(ws)) throw new Error(`qdq export: layer '${l.name}': ${O} output channels but ${sw.length} scales, ${bias.length} biases, ${w.length} weights for [${ws}]`);
  const wq = b.init(`${l.name}.weight_q`, int8Tensor(ws, w));
  const wScale = b.init(`${l.name}.weight_scale`, { dtype: 'float32', shape: [O], data: Float32Array.from(sw) });
  const wZp = b.init(`${l.name}.weight_zero_point`, int8Tensor([O], new Int8Array(O)));
  const wf = `${l.name}.weight`;
  b.node('DequantizeLinear', `${l.name}.weight_dq`, [wq, wScale, wZp], [wf], { axis: 0 });
  // The bias scale is s_in·s_w[c] computed in double, then stored as float32 like every ONNX scale.
  const bq = b.init(`${l.name}.bias_q`, { dtype: 'int32', shape: [O], data: Int32Array.from(bias) });
  const bScale = b.init(`${l.name}.bias_scale`, { dtype: 'float32', shape: [O], data: Float32Array.from(sw, (s) => l.inputQ.scale * s) });
  const bZp = b.init(`${l.name}.bias_zero_point`, { dtype: 'int32', shape: [O], data: new Int32Array(O) });
  const bf = `${l.name}.bias`;
  b.node('DequantizeLinear', `${l.name}.bias_dq`, [bq, bScale, bZp], [bf], { axis: 0 });
  return [wf, bf];
}

/** The layer's float computation on its dequantized input; returns the float output name. */
function layerFloat(b: QdqBuilder, l: QuantizedLayer, x: string): string {
  const y = `${l.name}.float_out`;
  switch (l.op) {
    case 'conv2d':
    case 'depthwise_conv2d': {
      const [wf, bf] = weightAndBias(b, l);
      const ws = l.weightShape!;
      const group = l.op === 'depthwise_conv2d' ? l.inputShape[1] : 1;
      if (l.op === 'depthwise_conv2d' && ws[0] !== group * (l.depthMultiplier ?? 1)) {
        throw new Error(`qdq export: depthwise layer '${l.name}': ${ws[0]} output channels for ${group} input channels × multiplier ${l.depthMultiplier ?? 1}`);
      }
      b.node('Conv', l.name, [x, wf, bf], [y], {
        kernel_shape: l.kernel ?? [ws[2], ws[3]],
        strides: l.strides ?? [1, 1],
        pads: l.pads ?? [0, 0, 0, 0],
        dilations: l.dilations ?? [1, 1],
        group,
      });
      return y;
    }
    case 'fully_connected': {
      const [wf, bf] = weightAndBias(b, l);
      const flat = `${l.name}.flat`;
      b.node('Flatten', `${l.name}.flatten`, [x], [flat], { axis: 1 });
      b.node('Gemm', l.name, [flat, wf, bf], [y], { transA: 0, transB: 1 });
      return y;
    }
    case 'average_pool':
    case 'global_average_pool':
      throw new Error(`qdq export: pooling layer '${l.name}' has no float form here (see poolInt8)`);
  }
}

/** A scalar float32 initializer. */
function floatScalar(b: QdqBuilder, name: string, v: number): string {
  return b.init(name, { dtype: 'float32', shape: [], data: Float32Array.of(v) });
}

/**
 * An int8 average pool (TFLite semantics: output q = input q, out = mean of the int8 values in the
 * window rounded half away from zero, then clamped) from standard ONNX ops, reading the int8
 * input `xq` and writing the int8 output `yq`:
 *   Cast(float) − zp → AveragePool / GlobalAveragePool → + zp → sign·floor(|m| + ½) → Clip → Cast(int8)
 * Why not DequantizeLinear → AveragePool → QuantizeLinear: QuantizeLinear rounds ties to even, so
 * a window mean of exactly k + ½ (frequent: a 4×4 global pool has denominator 16) lands on the
 * other integer than the int8 op defines, and the float mean of s·(q − zp) need not even be an
 * exact tie. Here onnxruntime still computes every window, padding and divisor itself; the export
 * only states the int8 op's rounding rule. Float32 is safe here: a window sum of int8 values is an
 * exact integer, its quotient by the count d is exact when it is a tie (k + ½ is representable,
 * given a correctly rounded division) and otherwise at least 1/(2d) from one, far beyond float32
 * error. The tests check ties on windows of 2, 4, 6 and 16 positions. Subtracting zp first makes
 * padded positions (count_include_pad = 1) read the zero point, i.e. real 0, as in the int8 model.
 */
function poolInt8(b: QdqBuilder, l: QuantizedLayer, xq: string, yq: string): void {
  const zp = l.inputQ.zeroPoint;
  if (l.outputQ.scale !== l.inputQ.scale || l.outputQ.zeroPoint !== zp) {
    throw new Error(`qdq export: pooling layer '${l.name}': output quantization (${l.outputQ.scale}, ${l.outputQ.zeroPoint}) differs from its input's (${l.inputQ.scale}, ${zp})`);
  }
  const t = (suffix: string) => `${l.name}.${suffix}`;
  const zpF = floatScalar(b, t('zero_point_float'), zp);
  b.node('Cast', t('to_float'), [xq], [t('int8_as_float')], { to: DataType.FLOAT });
  b.node('Sub', t('center'), [t('int8_as_float'), zpF], [t('centered')]);
  if (l.op === 'global_average_pool') {
    b.node('GlobalAveragePool', l.name, [t('centered')], [t('centered_mean')]);
  } else {
    b.node('AveragePool', l.name, [t('centered')], [t('centered_mean')], {
      kernel_shape: l.kernel!,
      strides: l.strides ?? [1, 1],
      pads: l.pads ?? [0, 0, 0, 0],
      count_include_pad: l.countIncludePad ?? 0,
    });
  }
  b.node('Add', t('uncenter'), [t('centered_mean'), zpF], [t('mean')]);
  // Round half away from zero: sign(m)·floor(|m| + ½) (ONNX Round rounds ties to even).
  b.node('Abs', t('abs'), [t('mean')], [t('mean_abs')]);
  b.node('Add', t('add_half'), [t('mean_abs'), floatScalar(b, t('half'), 0.5)], [t('mean_abs_half')]);
  b.node('Floor', t('floor'), [t('mean_abs_half')], [t('rounded_abs')]);
  b.node('Sign', t('sign'), [t('mean')], [t('mean_sign')]);
  b.node('Mul', t('apply_sign'), [t('mean_sign'), t('rounded_abs')], [t('rounded')]);
  const lo = floatScalar(b, t('act_min'), Math.max(l.actMin, -128));
  const hi = floatScalar(b, t('act_max'), Math.min(l.actMax, 127));
  b.node('Clip', t('clamp'), [t('rounded'), lo, hi], [t('clamped')]);
  b.node('Cast', t('to_int8'), [t('clamped')], [yq], { to: DataType.INT8 });
}

/** The QuantizedModel as an ONNX QDQ ModelProto (encoded). */
export function quantizedModelToQdqOnnx(m: QuantizedModel, opts: QdqExportOptions = {}): Uint8Array {
  const b = new QdqBuilder();
  const inputName = m.input.name;
  const exposed: ValueInfoProto[] = [];

  // Input: float → int8 with the model's input q, then back to float for the first layer.
  const [inScale, inZp] = b.perTensorQ(`${inputName}.q`, m.input.q);
  b.node('QuantizeLinear', `${inputName}.quantize`, [inputName, inScale, inZp], [qdqTensorName(inputName)]);
  b.node('DequantizeLinear', `${inputName}.dequantize`, [qdqTensorName(inputName), inScale, inZp], [dqName(inputName)]);
  if (opts.exposeTensors) exposed.push(valueInfo(qdqTensorName(inputName), DataType.INT8, m.input.shape));
  const available = new Set([inputName]);

  for (const l of m.layers) {
    if (!available.has(l.input)) throw new Error(`qdq export: layer '${l.name}' reads '${l.input}', which no earlier layer writes`);
    const [sOut, zOut] = b.perTensorQ(`${l.output}.q`, l.outputQ);
    const q = qdqTensorName(l.output);
    if (l.op === 'average_pool' || l.op === 'global_average_pool') {
      poolInt8(b, l, qdqTensorName(l.input), q);
    } else if (l.actMin > -128 || l.actMax < 127) {
      const y = layerFloat(b, l, dqName(l.input));
      const unclamped = `${q}.unclamped`;
      b.node('QuantizeLinear', `${l.name}.quantize`, [y, sOut, zOut], [unclamped]);
      const lo = b.init(`${l.name}.act_min`, int8Tensor([], Int8Array.of(l.actMin)));
      const hi = b.init(`${l.name}.act_max`, int8Tensor([], Int8Array.of(l.actMax)));
      b.node('Clip', `${l.name}.clamp`, [unclamped, lo, hi], [q]);
    } else {
      b.node('QuantizeLinear', `${l.name}.quantize`, [layerFloat(b, l, dqName(l.input)), sOut, zOut], [q]);
    }
    b.node('DequantizeLinear', `${l.name}.dequantize`, [q, sOut, zOut], [dqName(l.output)]);
    available.add(l.output);
    if (opts.exposeTensors) exposed.push(valueInfo(q, DataType.INT8, l.outputShape));
  }

  const out = m.output;
  if (!available.has(out.name) || out.name === inputName) throw new Error(`qdq export: output '${out.name}' is not written by any layer`);
  const logits = dqName(out.name);
  const floatOut = out.floatOutput;
  if (out.softmax) {
    b.node('Softmax', 'softmax', [logits], [floatOut], { axis: out.softmax.axis });
  } else {
    b.node('Identity', 'output', [logits], [floatOut]);
  }
  b.node('Identity', 'raw_output', [qdqTensorName(out.name)], [QDQ_RAW_OUTPUT]);

  const outputs = [valueInfo(floatOut, DataType.FLOAT, out.shape), valueInfo(QDQ_RAW_OUTPUT, DataType.INT8, out.shape)];
  if (opts.exposeTensors) outputs.push(...exposed.filter((v) => v.name !== floatOut));
  const model = {
    irVersion: 7,
    producerName: 'onnx2mcu qdq_export',
    opsetImport: [{ domain: '', version: QDQ_OPSET }],
    graph: {
      name: `${m.name}_qdq`,
      node: b.nodes,
      initializer: b.initializers,
      input: [valueInfo(inputName, DataType.FLOAT, m.input.shape)],
      output: outputs,
    },
  };
  return onnx.ModelProto.encode(model).finish();
}

/** The float input the QDQ graph expects for an int8 input: s·(q − zp), float32. */
export function int8ToQdqFeed(q: Int8Array, p: QuantParams): Float32Array {
  const out = new Float32Array(q.length);
  for (let i = 0; i < q.length; i++) out[i] = p.scale * (q[i] - p.zeroPoint);
  return out;
}
