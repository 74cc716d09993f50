/**
 * The quantized-model contract: what the quantizer (src/quant) produces, what the integer
 * reference executes, what the C lowering (src/lower) and the QDQ export (src/crosscheck) read.
 * Plain data only (typed arrays, numbers, strings), so it can be dumped, compared and emitted.
 *
 * A layer is a discriminated union on `op`. Each int8 op declares its own layer type in its op
 * file (src/ops/<op>.ts) and adds it to `QuantizedLayers` by declaration merging:
 *
 *     declare module '../int8/types.js' { interface QuantizedLayers { my_op: MyOpLayer } }
 *
 * so adding an op touches its own file only, and code that switches on `layer.op` still narrows.
 *
 * Arithmetic (DESIGN.md, TFLite / CMSIS-NN "double rounding"): real = scale × (q − zeroPoint); a
 * layer with weights accumulates acc = bias[c] + Σ w × (x − zp_in) in int32 and requantizes per
 * output channel with multiplyByQuantizedMultiplier (arith.ts), then adds the output zero point and
 * clamps to [actMin, actMax]. Padded input positions read the input zero point (real 0). Each op
 * file states its own rule next to its integer reference.
 *
 * Layouts: every shape and every activation buffer in this contract is NCHW (the IR's layout). The
 * C runner works channels-last and transposes at its boundary; the final output of MobileNet is
 * [N, K] (or [N, K, 1, 1]) where both layouts agree.
 */

/** real = scale × (q − zeroPoint). zeroPoint is an integer in [−128, 127]. */
export interface QuantParams {
  readonly scale: number;
  readonly zeroPoint: number;
}

/** What every int8 layer has. `Op` is the canonical op name (the union's discriminant). */
export interface LayerBase<Op extends string = string> {
  /** Unique layer name (the canonical node's name), safe to turn into a C identifier after sanitizing. */
  readonly name: string;
  readonly op: Op;
  /** The source model's node names this layer was made from (for comments in generated C). */
  readonly origin: readonly string[];
  /** The activation tensors it reads, in the op's input order (keys of QuantizedModel.tensors). */
  readonly inputs: readonly string[];
  readonly output: string;
  /** NCHW shapes of `inputs` and of the output (fully_connected: input as its producer left it, output [N, O]). */
  readonly inputShapes: readonly (readonly number[])[];
  readonly outputShape: readonly number[];
  /** Quantization of each input (the producing tensor's) and of the output. */
  readonly inputQ: readonly QuantParams[];
  readonly outputQ: QuantParams;
  /** Output clamp in int8 units, fused activation included (e.g. Relu6 → [zp, zp + round(6/scale)]). */
  readonly actMin: number;
  readonly actMax: number;
}

/** A layer with per-output-channel int8 weights (conv2d, depthwise_conv2d, fully_connected). */
export interface WeightedFields {
  /** Symmetric int8 in [−127, 127], in the IR layout of the op (conv2d OIHW, depthwise (C·mult, 1, kh, kw), fc (O, K)). */
  readonly weights: Int8Array;
  readonly weightShape: readonly number[];
  /** Per output channel weight scale (zero point 0). */
  readonly weightScales: Float64Array;
  /** int32 at scale inputQ[0].scale × weightScales[c], zero point 0. The −zp_in·Σw term is NOT folded in. */
  readonly bias: Int32Array;
  /** Per output channel requantization: M_c = s_in·s_w[c]/s_out = multiplier[c] · 2^(shift[c] − 31). */
  readonly multiplier: Int32Array;
  /** frexp exponent e (DESIGN.md): positive = left shift of acc before SRDHM, negative = rounding right shift after. */
  readonly shift: Int32Array;
}

/** A sliding window over an NCHW input (convolutions and pools). */
export interface WindowFields {
  /** [kh, kw] */
  readonly kernel: readonly number[];
  /** [sh, sw] */
  readonly strides: readonly number[];
  /** [top, left, bottom, right] */
  readonly pads: readonly number[];
  /** [dh, dw] */
  readonly dilations: readonly number[];
}

/**
 * Every int8 layer type, by op name. Empty here: each op file adds its entry (see the file comment).
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface QuantizedLayers {}

/** Any int8 layer: the union of the op files' layer types, discriminated by `op`. */
export type QuantizedLayer = QuantizedLayers[keyof QuantizedLayers];

export interface QuantizedModel {
  readonly name: string;
  readonly input: {
    /** Tensor name (key of `tensors`). */
    readonly name: string;
    /** NCHW, e.g. [1, 3, 128, 128]. */
    readonly shape: readonly number[];
    readonly q: QuantParams;
    /**
     * What firmware feeds: int8 = uint8 pixel − pixelOffset (always 128 here, i.e. flip the top bit).
     * Human-readable form in `pixelMapping`, e.g. 'int8 = uint8 pixel - 128'.
     */
    readonly pixelOffset: number;
    readonly pixelMapping: string;
    /** The float preprocessing the model was trained with, e.g. 'x/127.5-1'. */
    readonly floatScaling: string;
    /**
     * How exactly the int8 input represents the float input: 'exact', or a sentence saying how a
     * residual half-step offset was folded into the first layers' biases (see src/quant/quantize.ts).
     */
    readonly note: string;
  };
  readonly output: {
    /** Tensor name (key of `tensors`) of the int8 output the runner writes (the logits for MobileNet). */
    readonly name: string;
    /** NCHW / [N, K] shape of that int8 tensor. */
    readonly shape: readonly number[];
    readonly q: QuantParams;
    /**
     * The float graph's softmax is not run in int8: the host (or firmware, if it wants
     * probabilities) computes softmax(q.scale × (raw − q.zeroPoint)) over `axis`. Absent when the
     * float graph ends without a softmax.
     */
    readonly softmax?: { readonly axis: number };
    /** The float graph's output tensor name this corresponds to (after the softmax, if any). */
    readonly floatOutput: string;
  };
  /** Layers in execution order; each reads tensors written by earlier layers or the input. */
  readonly layers: readonly QuantizedLayer[];
  /** Every int8 activation tensor (input, layer outputs): NCHW shape and quantization. */
  readonly tensors: Readonly<Record<string, { readonly shape: readonly number[]; readonly q: QuantParams }>>;
}

/** The observed real range of one activation tensor. */
export interface Range {
  readonly min: number;
  readonly max: number;
}

/** True when the layer carries per-channel weights (WeightedFields). */
export function hasWeights(l: QuantizedLayer): l is QuantizedLayer & WeightedFields {
  return (l as Partial<WeightedFields>).weights !== undefined;
}

/** The layer as a weighted layer, or an error naming it. */
export function weightedLayer(l: QuantizedLayer): QuantizedLayer & WeightedFields {
  if (!hasWeights(l)) throw new Error(`layer '${l.name}' (${l.op}) has no weights`);
  return l;
}
