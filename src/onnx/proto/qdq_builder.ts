/**
 * Building blocks of a QDQ ONNX graph (src/crosscheck/qdq_export.ts assembles the model; each int8
 * op file writes its own layer with these): nodes and initializers with names checked for
 * uniqueness, the int8 and dequantized names of a tensor, per-channel weight and bias
 * DequantizeLinear, and the output QuantizeLinear with the activation clamp.
 *
 * Names: `q/<tensor>` is a tensor's int8 form, `dq/<tensor>` its dequantized float form. A layer's
 * nodes read `q/<input>` or `dq/<input>` and must write `q/<output>`; the exporter adds the
 * DequantizeLinear to `dq/<output>`.
 */
import type { Tensor } from '../../ir/tensor.js';
import { sizeOf } from '../../ir/tensor.js';
import type { LayerBase, QuantParams, WeightedFields } from '../../int8/types.js';
import type { AttributeProto, NodeProto, TensorProto, ValueInfoProto } from './proto.js';
import { AttributeType } from './proto.js';
import { tensorToProto } from './tensor_proto.js';

type AttrValue = number | string | readonly number[];

function attr(name: string, v: AttrValue): AttributeProto {
  if (typeof v === 'string') return { name, type: AttributeType.STRING, s: new TextEncoder().encode(v) };
  if (typeof v === 'number') return { name, type: AttributeType.INT, i: v };
  return { name, type: AttributeType.INTS, ints: [...v] };
}

export function int8Tensor(shape: readonly number[], data: Int8Array): Tensor {
  return { dtype: 'int8', shape: [...shape], data };
}

export function valueInfo(name: string, elemType: number, shape: readonly number[]): ValueInfoProto {
  return { name, type: { tensorType: { elemType, shape: { dim: shape.map((d) => ({ dimValue: d })) } } } };
}

function checkQuantParams(q: QuantParams, where: string): void {
  if (!Number.isInteger(q.zeroPoint) || q.zeroPoint < -128 || q.zeroPoint > 127) throw new Error(`qdq export: ${where}: zero point ${q.zeroPoint} is not an int8`);
  if (!(q.scale > 0) || !Number.isFinite(q.scale)) throw new Error(`qdq export: ${where}: scale ${q.scale} is not a positive number`);
}

/** Collects nodes and initializers; names are checked for uniqueness as they are made. */
export class QdqBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  private readonly names = new Set<string>();
  private readonly quantParams = new Map<string, [string, string]>();

  /** The int8 form of a model tensor. */
  int8(tensor: string): string {
    return `q/${tensor}`;
  }

  /** The dequantized (float) form of a model tensor. */
  float(tensor: string): string {
    return `dq/${tensor}`;
  }

  private claim(name: string): string {
    if (this.names.has(name)) throw new Error(`qdq export: tensor name '${name}' used twice`);
    this.names.add(name);
    return name;
  }

  init(name: string, t: Tensor): string {
    this.initializers.push(tensorToProto(this.claim(name), t));
    return name;
  }

  /** A scalar float32 initializer. */
  floatScalar(name: string, v: number): string {
    return this.init(name, { dtype: 'float32', shape: [], data: Float32Array.of(v) });
  }

  node(op: string, name: string, inputs: readonly string[], outputs: readonly string[], attrs: Record<string, AttrValue> = {}): void {
    for (const o of outputs) this.claim(o);
    this.nodes.push({ opType: op, name, input: [...inputs], output: [...outputs], attribute: Object.entries(attrs).map(([k, v]) => attr(k, v)) });
  }

  /** Per-tensor scale (float32 scalar) and int8 zero point (scalar) initializers, made once per prefix. */
  perTensorQ(prefix: string, q: QuantParams): [string, string] {
    const made = this.quantParams.get(prefix);
    if (made) return made;
    checkQuantParams(q, prefix);
    const names: [string, string] = [
      this.init(`${prefix}.scale`, { dtype: 'float32', shape: [], data: Float32Array.of(q.scale) }),
      this.init(`${prefix}.zero_point`, int8Tensor([], Int8Array.of(q.zeroPoint))),
    ];
    this.quantParams.set(prefix, names);
    return names;
  }

  /** The scale and zero point initializers of a model tensor's quantization. */
  tensorQ(tensor: string, q: QuantParams): [string, string] {
    return this.perTensorQ(`${tensor}.q`, q);
  }

  /** Weights and bias as int8 / int32 initializers behind per-channel DequantizeLinear nodes; returns their float names. */
  weightAndBias(l: LayerBase & WeightedFields): [string, string] {
    const { weights: w, weightShape: ws, weightScales: sw, bias } = l;
    const O = ws[0];
    if (sw.length !== O || bias.length !== O || w.length !== sizeOf(ws)) throw new Error(`qdq export: layer '${l.name}': ${O} output channels but ${sw.length} scales, ${bias.length} biases, ${w.length} weights for [${ws}]`);
    const wq = this.init(`${l.name}.weight_q`, int8Tensor(ws, w));
    const wScale = this.init(`${l.name}.weight_scale`, { dtype: 'float32', shape: [O], data: Float32Array.from(sw) });
    const wZp = this.init(`${l.name}.weight_zero_point`, int8Tensor([O], new Int8Array(O)));
    const wf = `${l.name}.weight`;
    this.node('DequantizeLinear', `${l.name}.weight_dq`, [wq, wScale, wZp], [wf], { axis: 0 });
    // The bias scale is s_in·s_w[c] computed in double, then stored as float32 like every ONNX scale.
    const bq = this.init(`${l.name}.bias_q`, { dtype: 'int32', shape: [O], data: Int32Array.from(bias) });
    const bScale = this.init(`${l.name}.bias_scale`, { dtype: 'float32', shape: [O], data: Float32Array.from(sw, (s) => l.inputQ[0].scale * s) });
    const bZp = this.init(`${l.name}.bias_zero_point`, { dtype: 'int32', shape: [O], data: new Int32Array(O) });
    const bf = `${l.name}.bias`;
    this.node('DequantizeLinear', `${l.name}.bias_dq`, [bq, bScale, bZp], [bf], { axis: 0 });
    return [wf, bf];
  }

  /**
   * The layer's float result `y` to its int8 output q/<output>: QuantizeLinear at the output q, then
   * (when the layer clamps) an int8 Clip to [actMin, actMax]. QuantizeLinear itself only saturates
   * at [−128, 127]; clamping the rounded integer is exactly what the integer pipeline does.
   */
  quantizeOutput(l: LayerBase, y: string): void {
    const [sOut, zOut] = this.tensorQ(l.output, l.outputQ);
    const q = this.int8(l.output);
    if (l.actMin > -128 || l.actMax < 127) {
      const unclamped = `${q}.unclamped`;
      this.node('QuantizeLinear', `${l.name}.quantize`, [y, sOut, zOut], [unclamped]);
      const lo = this.init(`${l.name}.act_min`, int8Tensor([], Int8Array.of(l.actMin)));
      const hi = this.init(`${l.name}.act_max`, int8Tensor([], Int8Array.of(l.actMax)));
      this.node('Clip', `${l.name}.clamp`, [unclamped, lo, hi], [q]);
    } else {
      this.node('QuantizeLinear', `${l.name}.quantize`, [y, sOut, zOut], [q]);
    }
  }
}
