/**
 * quantizeGraph: the canonical float graph + calibration statistics → QuantizedModel (types.ts),
 * with the TFLite per-channel int8 scheme of DESIGN.md:
 *
 * - Weights: symmetric int8 in [−127, 127], one scale per output channel (max|w| / 127).
 * - Activations: asymmetric int8 per tensor from the observed range widened to include 0,
 *   scale = (max − min)/255, zero point = round(−128 − min/scale) (an integer, so real 0 is exact).
 * - Bias: int32 at s_in·s_w[c]. Dead channels (max|w| ≈ 1e-14 in real models) would need a bias
 *   far beyond int32 at that scale; as TFLite's AdjustWeightsForBiasScale does, such a channel's
 *   weight scale is enlarged until |bias| / (s_in·s_w) ≤ 2^29 (headroom for bias correction and for
 *   emitters folding −zp_in·Σw into the bias).
 * - Bias correction (on by default): rounding the weights shifts each output channel's mean by
 *   E[Σ (w_q·s_w − w)·x] = Σ Δw · (window mean of x), measured on the calibration inputs in float
 *   (calibrate.ts); that shift is subtracted from the float bias before it is quantized.
 * - Fused activations become int8 clamps; average pools keep their input's scale and zero point
 *   (TFLite's requirement) and round the mean; a final softmax is left to the host in float
 *   (output.softmax in the model), since the int8 runner's job ends at the logits.
 * - The input: firmware feeds int8 = uint8 pixel − 128. With float scaling (p − mean)/std the
 *   exact zero point would be mean − 128 (−0.5 for x/127.5−1, not an integer); the model declares
 *   zp = round(mean − 128) and adds the residual δ = s·(zp − (mean − 128)) times Σ w to the float
 *   bias of every layer reading the input. That is exact for outputs whose window lies inside the
 *   image; outputs touching the padding (bottom row and right column of MobileNet's conv1, TF SAME
 *   padding) are off by δ·Σ w over the padded taps (δ = 0.5/127.5 ≈ 0.004). x/255 and x are exact.
 */
import type { Graph, Node } from '../ir/graph.js';
import { attrFloat, attrInt, attrInts } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import { floatTensor, sizeOf } from '../ir/tensor.js';
import { parseScale, type PixelScale } from '../images/scale.js';
import { UserError } from '../util/errors.js';
import { clamp, quantizeMultiplier, roundHalfAway } from '../int8/arith.js';
import { addWindowSums, convKernel, windowGeometry, windowValidCounts, type CalibrationStats, type WindowGeometry } from './calibrate.js';
import { runLayerInt8 } from './interpret_int8.js';
import type { Range } from './observers/index.js';
import type { QuantizedLayer, QuantizedModel, QuantParams } from '../int8/types.js';

export interface QuantizeOptions {
  /** The model's float input scaling, as images/scale.ts parses it ('x/127.5-1', 'x/255', …). */
  readonly inputScaling: string | PixelScale;
  /**
   * Bias correction (default true: 'empirical' when calibrationInt8 is given, else 'float'):
   * - 'float': subtract Σ (w_q·s_w − w)·E[x] with E[x] the float window means (DESIGN.md);
   * - 'empirical': layer by layer, run the int8 layers so far on the calibration inputs
   *   (`calibrationInt8`) and set the bias so that each channel's mean pre-activation output on
   *   the int8 path equals float's: b' = b + Σ w·E[x_float] − Σ w_q·s_w·E[x_int8 dequantized].
   *   Corrects upstream drift as well as this layer's weight rounding; needs calibrationInt8.
   * - false: none.
   */
  readonly biasCorrection?: boolean | 'float' | 'empirical';
  /** The calibration inputs as the int8 path sees them (int8 = pixel − 128, NCHW), same order as calibrated. */
  readonly calibrationInt8?: readonly Int8Array[];
  /**
   * Per-channel weight scale: 'max' (default, max|w|/127) or 'mse' (the α·max|w|/127, α ∈ [0.5, 1],
   * with the least squared rounding + clipping error over the channel's weights).
   */
  readonly weightScale?: 'max' | 'mse';
  /** Model name (default: the graph's). */
  readonly name?: string;
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
export function inputQuantization(scaling: string | PixelScale): { q: QuantParams; residual: number[]; exact: boolean; spec: string } {
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

/**
 * What the empirical bias correction asks of the int8 calibration tensors, layer by layer: the
 * window sums of a tensor over every calibration input (raw int8 values; exact integer sums, so the
 * result does not depend on how the inputs are split), running a quantized layer on every input,
 * and dropping a tensor after its last reader. Answered in this thread (quantizeGraph) or by
 * worker threads holding shares of the inputs (quantizeGraphParallel, parallel.ts).
 */
export type Int8CalibrationRequest =
  | { readonly kind: 'sums'; readonly tensor: string; readonly geometry: WindowGeometry }
  | { readonly kind: 'run'; readonly layer: QuantizedLayer }
  | { readonly kind: 'drop'; readonly tensor: string };

/** Answers Int8CalibrationRequests in this thread, on all calibration inputs. */
export class Int8CalibrationTensors {
  private readonly current = new Map<string, Int8Array[]>();
  constructor(inputName: string, inputs: readonly Int8Array[]) {
    this.current.set(inputName, [...inputs]);
  }
  answer(req: Int8CalibrationRequest): Float64Array | undefined {
    if (req.kind === 'sums') {
      const sums = new Float64Array(req.geometry.taps);
      for (const x of this.tensor(req.tensor)) addWindowSums(x, req.geometry, sums);
      return sums;
    }
    if (req.kind === 'run') {
      const layer = req.layer;
      this.current.set(layer.output, this.tensor(layer.input).map((t) => runLayerInt8(layer, t)));
      return undefined;
    }
    this.current.delete(req.tensor);
    return undefined;
  }
  private tensor(name: string): Int8Array[] {
    const t = this.current.get(name);
    if (!t) throw new Error(`bias correction: int8 tensor '${name}' is not computed`);
    return t;
  }
}

export function quantizeGraph(g: Graph, stats: CalibrationStats, opts: QuantizeOptions): QuantizedModel {
  const steps = quantizeSteps(g, stats, opts);
  const inputs = opts.calibrationInt8;
  const tensors = inputs?.length ? new Int8CalibrationTensors(g.inputs[0], inputs) : undefined;
  let step = steps.next();
  while (!step.done) {
    if (!tensors) throw new Error('quantizeGraph: int8 request without calibration inputs');
    step = steps.next(tensors.answer(step.value));
  }
  return step.value;
}

/**
 * The quantizer as a generator: yields what the empirical bias correction needs of the int8
 * calibration tensors (nothing in the other modes) and returns the model.
 */
export function* quantizeSteps(
  g: Graph,
  stats: CalibrationStats,
  opts: QuantizeOptions,
): Generator<Int8CalibrationRequest, QuantizedModel, Float64Array | undefined> {
  if (g.inputs.length !== 1 || g.outputs.length !== 1) {
    throw new UserError(`graph '${g.name}': int8 quantization needs one input and one output (has ${g.inputs.length} and ${g.outputs.length})`);
  }
  // Default: empirical when the int8 calibration inputs are at hand (measured better on
  // MobileNet 0.25/224, see src/quant/README.md), else float.
  const mode = opts.biasCorrection === undefined || opts.biasCorrection === true
    ? (opts.calibrationInt8?.length ? 'empirical' : 'float')
    : opts.biasCorrection;
  const empirical = mode === 'empirical';
  if (empirical && !opts.calibrationInt8?.length) throw new UserError('empirical bias correction needs the int8 calibration inputs');
  const lastReader = new Map<string, number>();
  g.nodes.forEach((n, i) => n.inputs.forEach((t) => t && lastReader.set(t, i)));
  const inputName = g.inputs[0];
  const inputShape = shapeOf(g, inputName);
  const inq = inputQuantization(opts.inputScaling);
  if (inputShape.length !== 4 || inputShape[1] !== 3) {
    if (!inq.exact) throw new UserError(`input '${inputName}': the pixel mapping needs an NCHW input with 3 channels`);
  }

  const tensors: Record<string, { shape: readonly number[]; q: QuantParams }> = {};
  tensors[inputName] = { shape: inputShape, q: inq.q };
  const layers: QuantizedLayer[] = [];
  let output: QuantizedModel['output'] | undefined;

  const qOf = (name: string): QuantParams => {
    const t = tensors[name];
    if (!t) throw new UserError(`tensor '${name}' is read before any int8 layer writes it`);
    return t.q;
  };
  const rangeOf = (node: Node, name: string): Range => {
    const r = stats.ranges.get(name);
    if (!r) throw new Error(`no calibration range for tensor '${name}' (output of '${node.name}')`);
    return r;
  };

  for (const [index, node] of g.nodes.entries()) {
    const x = node.inputs[0];
    const y = node.outputs[0];
    const origin = node.origin && node.origin.length > 0 ? [...node.origin] : [node.name];
    switch (node.op) {
      case 'conv2d':
      case 'depthwise_conv2d':
      case 'fully_connected':
      case 'channel_affine': {
        const inQ = qOf(x);
        const outQ = chooseActivationParams(rangeOf(node, y));
        const readsInput = x === inputName;
        const layer = quantizeConvLike(g, node, inQ, outQ, {
          // The empirical correction measures the input's offset itself (padding included).
          residual: readsInput && !inq.exact && !empirical ? inq.residual : undefined,
          windowMeans: mode !== false ? stats.windowMeans.get(node.name) : undefined,
          quantMeans: empirical ? yield* int8WindowMeans(g, node, inQ, opts.calibrationInt8!.length) : undefined,
          weightScale: opts.weightScale,
          origin,
        });
        tensors[y] = { shape: shapeOf(g, y), q: outQ };
        layers.push(layer);
        if (empirical) yield { kind: 'run', layer };
        break;
      }
      case 'average_pool':
      case 'global_average_pool': {
        if (x === inputName && !inq.exact) throw new UserError(`node '${node.name}': a pool cannot read the input directly when its pixel mapping is inexact`);
        const q = qOf(x);
        const xShape = shapeOf(g, x);
        const global = node.op === 'global_average_pool';
        const [actMin, actMax] = actClamps(node, q);
        layers.push({
          name: node.name,
          op: node.op,
          origin,
          input: x,
          output: y,
          inputShape: xShape,
          outputShape: shapeOf(g, y),
          inputQ: q,
          outputQ: q,
          actMin,
          actMax,
          kernel: global ? [xShape[2], xShape[3]] : [...attrInts(node, 'kernel')],
          strides: global ? [1, 1] : [...attrInts(node, 'strides', [1, 1])],
          pads: global ? [0, 0, 0, 0] : [...attrInts(node, 'pads', [0, 0, 0, 0])],
          countIncludePad: global ? 1 : attrInt(node, 'count_include_pad', 0),
        });
        tensors[y] = { shape: shapeOf(g, y), q };
        if (empirical) yield { kind: 'run', layer: layers[layers.length - 1] };
        break;
      }
      case 'softmax': {
        if (index !== g.nodes.length - 1 || y !== g.outputs[0]) {
          throw new UserError(`node '${node.name}': softmax is only supported as the graph's last node (it runs in float on the dequantized logits)`);
        }
        const shape = shapeOf(g, x);
        const axis = attrInt(node, 'axis', -1);
        output = {
          name: x,
          shape,
          q: qOf(x),
          softmax: { axis: axis < 0 ? axis + shape.length : axis },
          floatOutput: y,
        };
        break;
      }
      default:
        throw new UserError(`node '${node.name}': op '${node.op}' has no int8 implementation (run the float passes first)`);
    }
    if (empirical) for (const t of node.inputs) if (t && lastReader.get(t) === index && !g.constants.has(t)) yield { kind: 'drop', tensor: t };
  }

  if (!output) {
    const name = g.outputs[0];
    output = { name, shape: shapeOf(g, name), q: qOf(name), floatOutput: name };
  }
  return {
    name: opts.name ?? g.name,
    input: {
      name: inputName,
      shape: inputShape,
      q: inq.q,
      pixelOffset: 128,
      pixelMapping: 'int8 = uint8 pixel - 128',
      floatScaling: inq.spec,
      note: inq.exact
        ? `exact: real = ${fmt(inq.q.scale)} * (int8 - (${inq.q.zeroPoint})) equals ${inq.spec} of the pixel`
        : `the float scaling ${inq.spec} would need zero point ${inq.residual.map((r) => fmt(inq.q.zeroPoint - r / inq.q.scale)).join('/')}; ` +
          `declared ${inq.q.zeroPoint}, and the difference (${inq.residual.map(fmt).join('/')} in real units) is ` +
          (empirical
            ? 'absorbed by empirical bias correction in the layers reading the input (measured on the calibration images)'
            : 'folded into the bias of the layers reading the input (exact away from the zero padding)'),
    },
    output,
    layers,
    tensors,
  };
}

function fmt(v: number): string {
  return Number(v.toPrecision(6)).toString();
}

function shapeOf(g: Graph, name: string): number[] {
  const v = g.values.get(name);
  if (!v) throw new Error(`tensor '${name}' has no shape`);
  return [...v.shape];
}

/** The fused activation [act_min, act_max] as int8 clamps at `q`. */
export function actClamps(node: Node, q: QuantParams): [number, number] {
  const lo = attrFloat(node, 'act_min', -Infinity);
  const hi = attrFloat(node, 'act_max', Infinity);
  const qmin = lo === -Infinity ? -128 : clamp(q.zeroPoint + roundHalfAway(lo / q.scale), -128, 127);
  const qmax = hi === Infinity ? 127 : clamp(q.zeroPoint + roundHalfAway(hi / q.scale), -128, 127);
  return [qmin, qmax];
}

interface ConvExtras {
  /** Per input channel real offset to fold into the bias (input zero point residual). */
  readonly residual?: readonly number[];
  /** Calibration window means (float graph) for bias correction. */
  readonly windowMeans?: Float64Array;
  /** Window means of the dequantized int8 input (empirical bias correction). */
  readonly quantMeans?: Float64Array;
  readonly weightScale?: 'max' | 'mse';
  readonly origin: string[];
}

function constant(g: Graph, node: Node, i: number, what: string): Tensor {
  const t = g.constants.get(node.inputs[i]);
  if (!t || t.dtype !== 'float32') throw new UserError(`node '${node.name}' (${node.op}): ${what} '${node.inputs[i]}' must be a float32 constant for int8`);
  return t;
}

/** conv2d / depthwise_conv2d / fully_connected / channel_affine (as a 1×1 depthwise conv). */
function quantizeConvLike(g: Graph, node: Node, inQ: QuantParams, outQ: QuantParams, extra: ConvExtras): QuantizedLayer {
  const x = node.inputs[0];
  const y = node.outputs[0];
  const xShape = shapeOf(g, x);
  const affine = node.op === 'channel_affine';
  if (affine && xShape.length !== 4) throw new UserError(`node '${node.name}' (channel_affine): int8 supports it on NCHW tensors only`);
  const wT = constant(g, node, 1, affine ? 'scale' : 'weight');
  const bT = constant(g, node, 2, 'bias');
  const weightShape = affine ? [wT.shape[0], 1, 1, 1] : [...wT.shape];
  const O = weightShape[0];
  const perChannel = sizeOf(weightShape) / O;
  const w = wT.data as Float32Array;
  const bias = Float64Array.from(bT.data as Float32Array);
  const op: QuantizedLayer['op'] = affine ? 'depthwise_conv2d' : (node.op as QuantizedLayer['op']);
  const mult = op === 'depthwise_conv2d' ? (affine ? 1 : attrInt(node, 'depth_multiplier', 1)) : 1;

  // Input channel of weight element (o, k) — k indexes the per-channel block [Cin/group, kh, kw] or [K].
  const taps = op === 'fully_connected' ? 0 : weightShape[2] * weightShape[3];
  const inChannel = (o: number, k: number): number => {
    if (op === 'conv2d') return Math.floor(k / taps);
    if (op === 'depthwise_conv2d') return Math.floor(o / mult);
    return -1; // fully connected: per feature, handled below
  };

  // Fold the input zero point residual (real units, per input channel) into the float bias.
  if (extra.residual) {
    if (op === 'fully_connected') throw new UserError(`node '${node.name}': a fully-connected layer cannot read the image input directly`);
    for (let o = 0; o < O; o++) {
      let s = 0;
      for (let k = 0; k < perChannel; k++) s += w[o * perChannel + k] * extra.residual[inChannel(o, k)];
      bias[o] += s;
    }
  }

  const weightScales = new Float64Array(O);
  for (let o = 0; o < O; o++) {
    let m = 0;
    for (let k = 0; k < perChannel; k++) m = Math.max(m, Math.abs(w[o * perChannel + k]));
    let s = m > 0 ? m / 127 : 1;
    if (m > 0 && extra.weightScale === 'mse') s = mseWeightScale(w, o * perChannel, perChannel, m);
    // Dead channel: enlarge the weight scale so the bias fits int32 with headroom (TFLite does the same).
    if (Math.abs(bias[o]) / (inQ.scale * s) > BIAS_LIMIT) s = Math.abs(bias[o]) / (inQ.scale * BIAS_TARGET);
    weightScales[o] = s;
  }
  const weights = new Int8Array(O * perChannel);
  for (let o = 0; o < O; o++) {
    const s = weightScales[o];
    for (let k = 0; k < perChannel; k++) weights[o * perChannel + k] = clamp(roundHalfAway(w[o * perChannel + k] / s), -127, 127);
  }

  // Bias correction. float: subtract the mean output shift Σ (w_q·s_w − w)·E[x]. empirical: make
  // the int8 path's mean pre-activation Σ w_q·s_w·E[x_q] + b' equal float's Σ w·E[x] + b.
  const means = extra.windowMeans;
  if (means) {
    const expected = op === 'conv2d' ? weightShape[1] * taps : op === 'depthwise_conv2d' ? (O / mult) * taps : perChannel;
    if (means.length !== expected) throw new Error(`bias correction: node '${node.name}' window means have ${means.length} values, expected ${expected}`);
    const qMeans = extra.quantMeans ?? means;
    if (qMeans.length !== expected) throw new Error(`bias correction: node '${node.name}' int8 window means have ${qMeans.length} values, expected ${expected}`);
    for (let o = 0; o < O; o++) {
      let shift = 0;
      for (let k = 0; k < perChannel; k++) {
        const mi = op === 'depthwise_conv2d' ? Math.floor(o / mult) * taps + k : k;
        shift += weights[o * perChannel + k] * weightScales[o] * qMeans[mi] - w[o * perChannel + k] * means[mi];
      }
      bias[o] -= shift;
    }
  }

  const biasQ = new Int32Array(O);
  const multiplier = new Int32Array(O);
  const shift = new Int32Array(O);
  for (let o = 0; o < O; o++) {
    const bs = inQ.scale * weightScales[o];
    const bq = roundHalfAway(bias[o] / bs);
    if (Math.abs(bq) > BIAS_LIMIT) throw new Error(`node '${node.name}' channel ${o}: bias ${bias[o]} does not fit int32 at scale ${bs}`);
    biasQ[o] = bq;
    const m = quantizeMultiplier((inQ.scale * weightScales[o]) / outQ.scale);
    multiplier[o] = m.multiplier;
    shift[o] = m.shift;
  }
  const [actMin, actMax] = actClamps(node, outQ);
  const layer: QuantizedLayer = {
    name: node.name,
    op,
    origin: extra.origin,
    input: x,
    output: y,
    inputShape: xShape,
    outputShape: shapeOf(g, y),
    inputQ: inQ,
    outputQ: outQ,
    actMin,
    actMax,
    weights,
    weightShape,
    weightScales,
    bias: biasQ,
    multiplier,
    shift,
  };
  if (op === 'fully_connected') return layer;
  return {
    ...layer,
    kernel: [weightShape[2], weightShape[3]],
    strides: [...attrInts(node, 'strides', [1, 1])],
    pads: [...attrInts(node, 'pads', [0, 0, 0, 0])],
    dilations: [...attrInts(node, 'dilations', [1, 1])],
    ...(op === 'depthwise_conv2d' ? { depthMultiplier: mult } : {}),
  };
}

/** The window geometry a node's bias correction measures its input with. */
function nodeWindow(g: Graph, node: Node): WindowGeometry {
  const kernel: [number, number] = node.op === 'conv2d' || node.op === 'depthwise_conv2d' ? convKernel(g, node) : [1, 1];
  return windowGeometry(node, shapeOf(g, node.inputs[0]), kernel);
}

/**
 * Window means (as calibrate.ts computes them) of a node's int8 input over `images` calibration
 * inputs, dequantized from the raw sums it asks for: taps reading padding count as real 0, so
 *   mean[c, i, j] = s·(Σ raw − zp·(valid positions of tap (i, j))) / (images·Ho·Wo).
 */
function* int8WindowMeans(g: Graph, node: Node, q: QuantParams, images: number): Generator<Int8CalibrationRequest, Float64Array, Float64Array | undefined> {
  const w = nodeWindow(g, node);
  const sums = yield { kind: 'sums', tensor: node.inputs[0], geometry: w };
  if (!sums) throw new Error(`bias correction: no window sums for '${node.inputs[0]}'`);
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
