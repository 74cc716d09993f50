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
 *   average_pool / global_average_pool read q/in directly (see poolQdq in src/ops/average_pool.ts): the window mean of the
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
 * (poolQdq), so pools agree exactly.
 *
 * Each layer's nodes come from its op file (Int8LayerDef.qdq, building blocks in
 * src/onnx/proto/qdq_builder.ts); this file writes the model around them.
 *
 * Graph input: the model input's name, float32; feed s·(q − zp) for the int8 input q (the
 * QuantizeLinear recovers q exactly). Graph outputs: model.output.floatOutput (float, softmax applied
 * when the model has one), QDQ_RAW_OUTPUT (the int8 logits) and, with `exposeTensors`, `q/<name>`
 * for every int8 tensor.
 */
import type { ValueInfoProto } from '../onnx/proto/proto.js';
import { DataType, onnx } from '../onnx/proto/proto.js';
import { QdqBuilder, valueInfo } from '../onnx/proto/qdq_builder.js';
import type { QuantizedModel, QuantParams } from '../int8/types.js';
import { getOp } from '../ops/registry.js';

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
  return new QdqBuilder().int8(tensor);
}

/** The QuantizedModel as an ONNX QDQ ModelProto (encoded). */
export function quantizedModelToQdqOnnx(m: QuantizedModel, opts: QdqExportOptions = {}): Uint8Array {
  const b = new QdqBuilder();
  const inputName = m.input.name;
  const exposed: ValueInfoProto[] = [];

  // Input: float → int8 with the model's input q, then back to float for the first layer.
  const [inScale, inZp] = b.tensorQ(inputName, m.input.q);
  b.node('QuantizeLinear', `${inputName}.quantize`, [inputName, inScale, inZp], [b.int8(inputName)]);
  b.node('DequantizeLinear', `${inputName}.dequantize`, [b.int8(inputName), inScale, inZp], [b.float(inputName)]);
  if (opts.exposeTensors) exposed.push(valueInfo(b.int8(inputName), DataType.INT8, m.input.shape));
  const available = new Set([inputName]);

  for (const l of m.layers) {
    for (const t of l.inputs) if (!available.has(t)) throw new Error(`qdq export: layer '${l.name}' reads '${t}', which no earlier layer writes`);
    const def = getOp(l.op)?.int8;
    if (!def) throw new Error(`qdq export: layer '${l.name}': op '${l.op}' has no int8 form`);
    def.qdq(l, b);
    const [sOut, zOut] = b.tensorQ(l.output, l.outputQ);
    b.node('DequantizeLinear', `${l.name}.dequantize`, [b.int8(l.output), sOut, zOut], [b.float(l.output)]);
    available.add(l.output);
    if (opts.exposeTensors) exposed.push(valueInfo(b.int8(l.output), DataType.INT8, l.outputShape));
  }

  const out = m.output;
  if (!available.has(out.name) || out.name === inputName) throw new Error(`qdq export: output '${out.name}' is not written by any layer`);
  const logits = b.float(out.name);
  const floatOut = out.floatOutput;
  if (out.softmax) {
    b.node('Softmax', 'softmax', [logits], [floatOut], { axis: out.softmax.axis });
  } else {
    b.node('Identity', 'output', [logits], [floatOut]);
  }
  b.node('Identity', 'raw_output', [b.int8(out.name)], [QDQ_RAW_OUTPUT]);

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
