/**
 * What an op file's quantization is given (QuantizeContext, implemented by src/quant/quantize.ts)
 * and the building blocks it builds a layer with, per DESIGN.md's per-channel int8 scheme:
 *
 * - Activations: asymmetric int8 per tensor from the observed range widened to include 0,
 *   scale = (max − min)/255, zero point = round(−128 − min/scale) (an integer, so real 0 is exact).
 * - Weights (quantizeWeighted): symmetric int8 in [−127, 127], one scale per output channel
 *   (max|w| / 127, or the mse-optimal α·max|w|/127).
 * - Bias: int32 at s_in·s_w[c]. Dead channels (max|w| ≈ 1e-14 in real models) would need a bias
 *   far beyond int32 at that scale; as TFLite's AdjustWeightsForBiasScale does, such a channel's
 *   weight scale is enlarged until |bias| / (s_in·s_w) ≤ 2^29 (headroom for bias correction and for
 *   emitters folding −zp_in·Σw into the bias).
 * - Bias correction: rounding the weights shifts each output channel's mean by Σ (w_q·s_w − w)·E[x]
 *   ('float': E[x] from the float calibration run; 'empirical': the int8 path's own mean input,
 *   measured by running the int8 layers so far on the calibration images, which also corrects
 *   upstream drift). The shift is subtracted from the float bias before it is quantized.
 * - Fused activations become int8 clamps (actClamps).
 * - The input: firmware feeds int8 = uint8 pixel − 128. With float scaling (p − mean)/std the
 *   exact zero point would be mean − 128 (−0.5 for x/127.5−1, not an integer); the model declares
 *   zp = round(mean − 128) and the residual δ = s·(zp − (mean − 128)) times Σ w is added to the
 *   float bias of every layer reading the input (exact for outputs whose window lies inside the
 *   image; outputs touching the zero padding are off by δ·Σ w over the padded taps). With empirical
 *   bias correction the residual is measured instead. x/255 and x are exact.
 */
import type { Graph, Node } from '../ir/graph.js';
import { attrFloat } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import { sizeOf } from '../ir/tensor.js';
import { parseScale, type PixelScale } from '../images/scale.js';
import { UserError } from '../util/errors.js';
import { clamp, quantizeMultiplier, roundHalfAway } from './arith.js';
import type { CalibrationStats, Int8CalibrationRequest, WindowSpec } from './calibration.js';
import { windowGeometry, windowValidCounts } from './calibration.js';
import type { LayerBase, QuantParams, Range, WeightedFields } from './types.js';

/** What an op's quantization may ask of the model being quantized (src/quant/quantize.ts implements it). */
export interface QuantizeContext {
  readonly graph: Graph;
  readonly stats: CalibrationStats;
  /** Quantization of a tensor already quantized: the model input or an earlier layer's output. */
  q(tensor: string): QuantParams;
  /** The quantization chosen for a node's output from its calibration range. */
  outputParams(tensor: string): QuantParams;
  readonly biasCorrection: 'none' | 'float' | 'empirical';
  readonly weightScale: 'max' | 'mse';
  /** How many int8 calibration inputs the empirical bias correction measures on. */
  readonly calibrationInputs: number;
  /** For the model input: how its int8 values map to the float input (inputQuantization); undefined for other tensors. */
  inputMapping(tensor: string): InputMapping | undefined;
}

/** The int8 input mapping for a float scaling (see the file comment). */
export interface InputMapping {
  readonly q: QuantParams;
  /** Per input channel, the real offset the declared zero point leaves (0 when exact). */
  readonly residual: readonly number[];
  readonly exact: boolean;
  readonly spec: string;
}

/** |bias| / (s_in·s_w) above this enlarges the channel's weight scale … */
const BIAS_LIMIT = 2 ** 30;
/** … down to this, leaving room for bias correction and zero-point folding. */
const BIAS_TARGET = 2 ** 29;

/** int8 activation parameters for a real range (widened to include 0). */
export function chooseActivationParams(range: Range): QuantParams {
  const lo = Math.min(range.min, 0);
  const hi = Math.max(range.max, 0);
  if (!(hi > lo)) return { scale: 1 / 255, zeroPoint: -128 }; // an all-zero tensor: any scale is exact
  const scale = (hi - lo) / 255;
  const zeroPoint = clamp(roundHalfAway(-128 - lo / scale), -128, 127);
  return { scale, zeroPoint };
}

/** The int8 input mapping for a float scaling (see the file comment). */
export function inputQuantization(scaling: string | PixelScale): InputMapping {
  const s = typeof scaling === 'string' ? parseScale(scaling) : scaling;
  if (!s.std.every((v) => v === s.std[0])) {
    throw new UserError(`input scaling '${s.spec}': the int8 path needs one std for all channels (per-tensor input scale)`);
  }
  const scale = 1 / s.std[0];
  const exactZp = s.mean.map((m) => m - 128);
  const avg = (exactZp[0] + exactZp[1] + exactZp[2]) / 3;
  const zeroPoint = clamp(Math.floor(avg + 0.5), -128, 127) + 0; // + 0 turns −0 into 0
  const residual = exactZp.map((z) => scale * (zeroPoint - z));
  return { q: { scale, zeroPoint }, residual, exact: residual.every((r) => r === 0), spec: s.spec };
}

/** The fused activation [act_min, act_max] of a canonical node as int8 clamps at `q`. */
export function actClamps(node: Node, q: QuantParams): [number, number] {
  const lo = attrFloat(node, 'act_min', -Infinity);
  const hi = attrFloat(node, 'act_max', Infinity);
  const qmin = lo === -Infinity ? -128 : clamp(q.zeroPoint + roundHalfAway(lo / q.scale), -128, 127);
  const qmax = hi === Infinity ? 127 : clamp(q.zeroPoint + roundHalfAway(hi / q.scale), -128, 127);
  return [qmin, qmax];
}

export function shapeOf(g: Graph, name: string): number[] {
  const v = g.values.get(name);
  if (!v) throw new Error(`tensor '${name}' has no shape`);
  return [...v.shape];
}

/**
 * The fields every layer has, for a node reading its first `activations` inputs (the rest are
 * constants): names, shapes, the inputs' quantization, and the output quantization `outputQ`
 * clamped to the node's fused activation.
 */
export function layerBase<Op extends string>(node: Node, ctx: QuantizeContext, op: Op, outputQ: QuantParams, activations = 1): LayerBase<Op> {
  const inputs = node.inputs.slice(0, activations);
  const [actMin, actMax] = actClamps(node, outputQ);
  return {
    name: node.name,
    op,
    origin: node.origin && node.origin.length > 0 ? [...node.origin] : [node.name],
    inputs,
    output: node.outputs[0],
    inputShapes: inputs.map((t) => shapeOf(ctx.graph, t)),
    outputShape: shapeOf(ctx.graph, node.outputs[0]),
    inputQ: inputs.map((t) => ctx.q(t)),
    outputQ,
    actMin,
    actMax,
  };
}

/** A float32 constant input of a node, or a UserError naming it. */
export function constantInput(g: Graph, node: Node, i: number, what: string): Tensor {
  const t = g.constants.get(node.inputs[i]);
  if (!t || t.dtype !== 'float32') throw new UserError(`node '${node.name}' (${node.op}): ${what} '${node.inputs[i]}' must be a float32 constant for int8`);
  return t;
}

/** How a weighted op's float weights relate to its input, for bias correction and the input residual. */
export interface WeightedSpec {
  /** Float weights, O rows of sizeOf(weightShape)/O values, and the IR weight shape the layer keeps. */
  readonly weights: Float32Array;
  readonly weightShape: readonly number[];
  readonly bias: Float32Array;
  /** The window the node reads its input through (the same the calibration measured). */
  readonly window: WindowSpec;
  /** Index into the node's window means of weight element (o, k) (k within the output channel's row). */
  meanIndex(o: number, k: number): number;
  /** The input channel weight element (o, k) multiplies; undefined when that is not one channel (fully connected). */
  inputChannel?(o: number, k: number): number;
}

/**
 * Per-channel int8 weights, the bias (input residual folded in, bias-corrected, int32) and the
 * requantization multipliers of a weighted layer. A generator: with empirical bias correction it
 * asks (yields) for the window sums of its int8 input over the calibration inputs.
 */
export function* quantizeWeighted(
  node: Node,
  ctx: QuantizeContext,
  inQ: QuantParams,
  outQ: QuantParams,
  spec: WeightedSpec,
): Generator<Int8CalibrationRequest, WeightedFields, Float64Array | undefined> {
  const x = node.inputs[0];
  const { weights: w, weightShape } = spec;
  const O = weightShape[0];
  const perChannel = sizeOf(weightShape) / O;
  const bias = Float64Array.from(spec.bias);
  const mapping = ctx.inputMapping(x);
  const empirical = ctx.biasCorrection === 'empirical';

  // The input zero point residual (real units, per input channel) into the float bias; the
  // empirical correction measures the input's offset itself (padding included).
  if (mapping && !mapping.exact && !empirical) {
    if (!spec.inputChannel) throw new UserError(`node '${node.name}' (${node.op}): cannot read the image input directly`);
    for (let o = 0; o < O; o++) {
      let s = 0;
      for (let k = 0; k < perChannel; k++) s += w[o * perChannel + k] * mapping.residual[spec.inputChannel(o, k)];
      bias[o] += s;
    }
  }

  const weightScales = new Float64Array(O);
  for (let o = 0; o < O; o++) {
    let m = 0;
    for (let k = 0; k < perChannel; k++) m = Math.max(m, Math.abs(w[o * perChannel + k]));
    let s = m > 0 ? m / 127 : 1;
    if (m > 0 && ctx.weightScale === 'mse') s = mseWeightScale(w, o * perChannel, perChannel, m);
    // Dead channel: enlarge the weight scale so the bias fits int32 with headroom (TFLite does the same).
    if (Math.abs(bias[o]) / (inQ.scale * s) > BIAS_LIMIT) s = Math.abs(bias[o]) / (inQ.scale * BIAS_TARGET);
    weightScales[o] = s;
  }
  const weights = new Int8Array(O * perChannel);
  for (let o = 0; o < O; o++) {
    const s = weightScales[o];
    for (let k = 0; k < perChannel; k++) weights[o * perChannel + k] = clamp(roundHalfAway(w[o * perChannel + k] / s), -127, 127);
  }

  if (ctx.biasCorrection !== 'none') yield* correctBias(node, ctx, inQ, spec, weights, weightScales, bias);
  return { weights, weightShape: [...weightShape], weightScales, ...quantizedBias(node, inQ, outQ, weightScales, bias) };
}

/**
 * Bias correction, in place on the float `bias`. float: subtract the mean output shift
 * Σ (w_q·s_w − w)·E[x]. empirical: make the int8 path's mean pre-activation Σ w_q·s_w·E[x_q] + b'
 * equal float's Σ w·E[x] + b.
 */
function* correctBias(node: Node, ctx: QuantizeContext, inQ: QuantParams, spec: WeightedSpec, weights: Int8Array, weightScales: Float64Array, bias: Float64Array): Generator<Int8CalibrationRequest, void, Float64Array | undefined> {
  const w = spec.weights;
  const O = weightScales.length;
  const perChannel = weights.length / O;
  const means = ctx.stats.windowMeans.get(node.name);
  if (!means) throw new Error(`bias correction: no window means for node '${node.name}'`);
  const qMeans = ctx.biasCorrection === 'empirical' ? yield* int8WindowMeans(ctx, node.inputs[0], inQ, spec.window) : means;
  if (qMeans.length !== means.length) throw new Error(`bias correction: node '${node.name}' int8 window means have ${qMeans.length} values, expected ${means.length}`);
  for (let o = 0; o < O; o++) {
    let shift = 0;
    for (let k = 0; k < perChannel; k++) {
      const mi = spec.meanIndex(o, k);
      shift += weights[o * perChannel + k] * weightScales[o] * qMeans[mi] - w[o * perChannel + k] * means[mi];
    }
    bias[o] -= shift;
  }
}

/** The int32 bias at s_in·s_w[c] and the requantization multipliers M_c = s_in·s_w[c]/s_out. */
function quantizedBias(node: Node, inQ: QuantParams, outQ: QuantParams, weightScales: Float64Array, bias: Float64Array): Pick<WeightedFields, 'bias' | 'multiplier' | 'shift'> {
  const O = weightScales.length;
  const biasQ = new Int32Array(O);
  const multiplier = new Int32Array(O);
  const shift = new Int32Array(O);
  for (let o = 0; o < O; o++) {
    const bs = inQ.scale * weightScales[o];
    const bq = roundHalfAway(bias[o] / bs);
    // Both failures come from the model's values (absurd weights or ranges), so they name the node.
    if (!(Math.abs(bq) <= BIAS_LIMIT)) throw new UserError(`node '${node.name}' channel ${o}: bias ${bias[o]} does not fit int32 at scale ${bs}; check the layer's weights and bias`);
    biasQ[o] = bq;
    const real = (inQ.scale * weightScales[o]) / outQ.scale;
    if (!(Number.isFinite(real) && real < 2 ** 30)) {
      throw new UserError(`node '${node.name}' channel ${o}: requantization multiplier ${real} (input scale × weight scale / output scale) cannot be represented; check the layer's weights`);
    }
    const m = quantizeMultiplier(real);
    multiplier[o] = m.multiplier;
    shift[o] = m.shift;
  }
  return { bias: biasQ, multiplier, shift };
}

/**
 * Window means (as the calibration computes them) of a tensor's int8 values over the calibration
 * inputs, dequantized from the raw sums it asks for: taps reading padding count as real 0, so
 *   mean[c, i, j] = s·(Σ raw − zp·(valid positions of tap (i, j))) / (images·Ho·Wo).
 */
function* int8WindowMeans(ctx: QuantizeContext, tensor: string, q: QuantParams, window: WindowSpec): Generator<Int8CalibrationRequest, Float64Array, Float64Array | undefined> {
  const w = windowGeometry(window, shapeOf(ctx.graph, tensor));
  const sums = yield { kind: 'sums', tensor, geometry: w };
  if (!sums) throw new Error(`bias correction: no window sums for '${tensor}'`);
  const images = ctx.calibrationInputs;
  const valid = windowValidCounts(w);
  const samples = images * w.N * w.Ho * w.Wo;
  const tapsPerChannel = w.KH * w.KW;
  return sums.map((v, t) => (q.scale * (v - q.zeroPoint * images * w.N * valid[t % tapsPerChannel])) / samples);
}

/** The weight scale α·max/127 (α = 1, 0.99, …, 0.5) with the least Σ (w − s·clamp(round(w/s)))² over one channel. */
export function mseWeightScale(w: Float32Array, offset: number, count: number, maxAbs: number): number {
  let best = maxAbs / 127;
  let bestErr = Infinity;
  for (let k = 0; k <= 50; k++) {
    const s = ((1 - k / 100) * maxAbs) / 127;
    let err = 0;
    for (let i = 0; i < count; i++) {
      const v = w[offset + i];
      const d = v - s * clamp(roundHalfAway(v / s), -127, 127);
      err += d * d;
    }
    if (err < bestErr) { bestErr = err; best = s; }
  }
  return best;
}
