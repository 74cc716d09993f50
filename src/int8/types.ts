/**
 * The quantized-model contract: what `quantizeGraph` (src/quant/quantize.ts) produces, what the
 * integer reference (src/quant/interpret_int8.ts) executes and what the C emitter (src/emit) prints.
 * Plain data only (typed arrays, numbers, strings), so it can be dumped, compared and emitted.
 *
 * Arithmetic (DESIGN.md, TFLite / CMSIS-NN "double rounding"):
 *   real = scale × (q − zeroPoint)
 *   conv / depthwise / fully connected, per output channel c:
 *     acc   = bias[c] + Σ w[c,…] × (x − inputQ.zeroPoint)            (int32; never overflows here)
 *     y     = multiplyByQuantizedMultiplier(acc, multiplier[c], shift[c])   (src/quant/arith.ts)
 *     out   = clamp(y + outputQ.zeroPoint, actMin, actMax)
 *   Padded input positions read the value `inputQ.zeroPoint` (real 0), so they add nothing to acc.
 *   average_pool / global_average_pool (TFLite): outputQ equals inputQ (same scale and zero point);
 *     sum = Σ x over the counted window positions (int32), count = number counted,
 *     out = clamp(sum > 0 ? trunc((sum + floor(count/2)) / count) : trunc((sum − floor(count/2)) / count), actMin, actMax)
 *     (count_include_pad = 1: positions in the padding (not past it) count and contribute the zero
     point; = 0: they are skipped.)
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

export type QuantizedOp =
  | 'conv2d'
  | 'depthwise_conv2d'
  | 'fully_connected'
  | 'average_pool'
  | 'global_average_pool';

export interface QuantizedLayer {
  /** Unique layer name (the canonical node's name), safe to turn into a C identifier after sanitizing. */
  readonly name: string;
  readonly op: QuantizedOp;
  /** The ONNX node names this layer was made from (for comments in generated C). */
  readonly origin: readonly string[];
  /** Activation tensor names (keys of QuantizedModel.tensors). */
  readonly input: string;
  readonly output: string;
  /** NCHW shapes (fully_connected: input as the producer left it, output [N, O]). */
  readonly inputShape: readonly number[];
  readonly outputShape: readonly number[];
  readonly inputQ: QuantParams;
  readonly outputQ: QuantParams;
  /** Output clamp in int8 units, fused activation included (e.g. Relu6 → [zp, zp + round(6/scale)]). */
  readonly actMin: number;
  readonly actMax: number;

  // ---- conv2d, depthwise_conv2d, fully_connected ----
  /** Weights, symmetric int8 in [−127, 127], IR layout: conv2d OIHW, depthwise (C·mult, 1, kh, kw), fc (O, K). */
  readonly weights?: Int8Array;
  readonly weightShape?: readonly number[];
  /** Per output channel weight scale (zero point 0). */
  readonly weightScales?: Float64Array;
  /** int32 at scale inputQ.scale × weightScales[c], zero point 0. The −zp_in·Σw term is NOT folded in. */
  readonly bias?: Int32Array;
  /** Per output channel requantization: M_c = s_in·s_w[c]/s_out = multiplier[c] · 2^(shift[c] − 31). */
  readonly multiplier?: Int32Array;
  /** frexp exponent e (DESIGN.md): positive = left shift of acc before SRDHM, negative = rounding right shift after. */
  readonly shift?: Int32Array;

  // ---- conv2d, depthwise_conv2d, average_pool, global_average_pool ----
  // (global_average_pool: kernel [H, W], strides [1, 1], pads 0, countIncludePad 1)
  /** [kh, kw] */
  readonly kernel?: readonly number[];
  /** [sh, sw] */
  readonly strides?: readonly number[];
  /** [top, left, bottom, right] */
  readonly pads?: readonly number[];
  /** [dh, dw] (conv only) */
  readonly dilations?: readonly number[];
  /** depthwise_conv2d: output channel oc reads input channel floor(oc / depthMultiplier). */
  readonly depthMultiplier?: number;
  /** average_pool: 1 = padded positions count in the divisor (and read zeroPoint), 0 = they are skipped. */
  readonly countIncludePad?: number;
}

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
     * residual half-step offset was folded into the first layers' biases (see quantize.ts).
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
