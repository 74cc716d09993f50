/**
 * Lowering a QuantizedModel (NCHW, src/quant/types.ts) to what the C runner executes: one kernel
 * call per layer on channels-last buffers, weights in the kernels' layouts (conv OHWI, depthwise
 * 1HWC, fully connected (O, K) with K in the order the C buffer holds it), biases with the
 * −zp_in·Σw term folded in, and the execution steps the memory planner sees.
 *
 * A fully connected layer reads its input flattened in NCHW order (the contract); when that input
 * has a spatial extent its weight columns are permuted to the NHWC order of the C buffer.
 */
import type { QuantizedLayer, QuantizedModel } from '../quant/types.js';
import { UserError } from '../util/errors.js';
import type { Step } from '../memory/lifetimes.js';
import { uniqueIdents } from './c_writer.js';

export interface CDims {
  readonly h: number;
  readonly w: number;
  readonly c: number;
}

export type CKernel = 'conv' | 'conv_1x1' | 'dw_conv' | 'dw_conv_3x3' | 'fc' | 'avg_pool' | 'global_avg_pool';

export interface CLayer {
  /** The QuantizedLayer this came from. */
  readonly layer: QuantizedLayer;
  /** C identifier (unique, ≤ 36 characters so blob names fit). */
  readonly ident: string;
  readonly kernel: CKernel;
  readonly input: string;
  readonly output: string;
  readonly inDims: CDims;
  readonly outDims: CDims;
  /** Kernel-layout weights, folded bias, requantization (conv, depthwise, fc). */
  readonly weights?: Int8Array;
  readonly bias?: Int32Array;
  readonly multiplier?: Int32Array;
  readonly shift?: Int32Array;
  readonly macs: number;
  readonly params: number;
  /** dw_conv_3x3 that may run in place (stride 1, same shape): scratch bytes for two rows. */
  readonly inPlaceScratch?: number;
}

export interface LoweredModel {
  readonly model: QuantizedModel;
  readonly layers: readonly CLayer[];
  readonly inputLayout: 'nhwc' | 'nchw';
  /** The tensor the first layers read: the caller's buffer (nhwc) or its NHWC copy in the arena (nchw). */
  readonly inputTensor: string;
  /** The caller's NCHW input when inputLayout is 'nchw' (a transpose step copies it into the arena). */
  readonly inputNchwTensor?: string;
  readonly outputTensor: string;
  /** Bytes of every arena-candidate tensor. */
  readonly tensorBytes: ReadonlyMap<string, number>;
  readonly tensorDims: ReadonlyMap<string, CDims>;
  readonly steps: readonly Step[];
}

const product = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** Channels-last dims of an NCHW (or [N, K]) shape, batch 1. */
export function cDims(shape: readonly number[], where: string): CDims {
  if (shape.length === 0 || shape[0] !== 1) throw new UserError(`${where}: batch must be 1, shape is [${shape.join(', ')}]`);
  if (shape.length === 4) return { h: shape[2], w: shape[3], c: shape[1] };
  if (shape.length === 2) return { h: 1, w: 1, c: shape[1] };
  if (shape.length === 3) return { h: 1, w: shape[2], c: shape[1] };
  throw new UserError(`${where}: unsupported rank ${shape.length} (shape [${shape.join(', ')}])`);
}

/** True when the tensor's bytes are in the same order in NCHW and NHWC. */
const layoutFree = (shape: readonly number[]) => shape.length < 3 || product(shape.slice(2)) === 1 || shape[1] === 1;

/** The model as C layers: kernel choice (1×1 and depthwise 3×3 fast paths where they apply), dims, buffers. */
export function lowerModel(model: QuantizedModel, inputLayout: 'nhwc' | 'nchw' = 'nhwc'): LoweredModel {
  const tensorBytes = new Map<string, number>();
  const tensorDims = new Map<string, CDims>();
  const noteTensor = (name: string, shape: readonly number[], where: string) => {
    tensorBytes.set(name, product(shape));
    tensorDims.set(name, cDims(shape, where));
  };
  noteTensor(model.input.name, model.input.shape, `model input '${model.input.name}'`);

  const idents = uniqueIdents(model.layers.map((l) => l.name));
  const layers: CLayer[] = model.layers.map((l, i) => {
    const where = `layer '${l.name}' (${l.op})`;
    noteTensor(l.output, l.outputShape, where);
    return lowerLayer(l, idents[i], l.input, cDims(l.inputShape, where), cDims(l.outputShape, where), where);
  });
  const outputTensor = model.output.name;
  const inputTensor = model.input.name;

  const steps: Step[] = [];
  let inputNchwTensor: string | undefined;
  if (inputLayout === 'nchw') {
    inputNchwTensor = `${inputTensor}:nchw`;
    tensorBytes.set(inputNchwTensor, product(model.input.shape));
    steps.push({ name: 'input_nchw_to_nhwc', inputs: [inputNchwTensor], outputs: [inputTensor] });
  }
  for (const c of layers) {
    const inPlace = c.inPlaceScratch !== undefined ? { input: c.input, output: c.output, scratchBytes: c.inPlaceScratch } : undefined;
    steps.push({ name: c.ident, inputs: [c.input], outputs: [c.output], ...(inPlace ? { inPlace } : {}) });
  }
  return { model, layers, inputLayout, inputTensor, inputNchwTensor, outputTensor, tensorBytes, tensorDims, steps };
}

function need<T>(v: T | undefined, what: string, where: string): T {
  if (v === undefined) throw new UserError(`${where}: missing ${what}`);
  return v;
}

function lowerLayer(l: QuantizedLayer, ident: string, input: string, inDims: CDims, outDims: CDims, where: string): CLayer {
  const base = { layer: l, ident, input, output: l.output, inDims, outDims };
  switch (l.op) {
    case 'conv2d':
    case 'depthwise_conv2d': {
      const w = need(l.weights, 'weights', where);
      const [kh, kw] = need(l.kernel, 'kernel', where);
      const strides = need(l.strides, 'strides', where);
      const pads = need(l.pads, 'pads', where);
      const dil = l.dilations ?? [1, 1];
      const O = outDims.c;
      let weights: Int8Array;
      let perOut: number;
      let kernel: CKernel;
      let inPlaceScratch: number | undefined;
      if (l.op === 'conv2d') {
        const I = inDims.c;
        perOut = I * kh * kw;
        weights = new Int8Array(O * perOut);
        for (let o = 0; o < O; o++) for (let i = 0; i < I; i++) for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) {
          weights[((o * kh + y) * kw + x) * I + i] = w[((o * I + i) * kh + y) * kw + x];
        }
        const pointwise = kh === 1 && kw === 1 && strides[0] === 1 && strides[1] === 1 && pads.every((p) => p === 0);
        kernel = pointwise ? 'conv_1x1' : 'conv';
      } else {
        perOut = kh * kw;
        weights = new Int8Array(O * perOut);
        for (let o = 0; o < O; o++) for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) {
          weights[(y * kw + x) * O + o] = w[(o * kh + y) * kw + x];
        }
        const mult = l.depthMultiplier ?? O / inDims.c;
        const fast = kh === 3 && kw === 3 && mult === 1 && dil[0] === 1 && dil[1] === 1 && pads.every((p) => p <= 1);
        kernel = fast ? 'dw_conv_3x3' : 'dw_conv';
        // In place only where the row-buffered kernel allows it: stride 1, output row y over input row y.
        if (fast && strides[0] === 1 && strides[1] === 1 && outDims.h === inDims.h && outDims.w === inDims.w && pads[0] <= 1) {
          inPlaceScratch = 2 * inDims.w * inDims.c;
        }
      }
      if (w.length !== O * perOut) throw new UserError(`${where}: ${w.length} weights, expected ${O * perOut}`);
      const { bias, multiplier, shift } = foldedBias(l, w, O, perOut, where);
      return {
        ...base, kernel, weights, bias, multiplier, shift,
        macs: outDims.h * outDims.w * O * perOut,
        params: w.length + O,
        ...(inPlaceScratch !== undefined ? { inPlaceScratch } : {}),
      };
    }
    case 'fully_connected': {
      const w = need(l.weights, 'weights', where);
      const O = outDims.c;
      const K = product(l.inputShape) / l.inputShape[0];
      if (w.length !== O * K) throw new UserError(`${where}: ${w.length} weights, expected ${O}×${K}`);
      let weights = w;
      // The contract flattens the input in NCHW order; the C buffer is NHWC: permute K to match.
      if (!layoutFree(l.inputShape)) {
        const [, C, H, W] = l.inputShape;
        weights = new Int8Array(w.length);
        for (let o = 0; o < O; o++) for (let c = 0; c < C; c++) for (let p = 0; p < H * W; p++) weights[o * K + p * C + c] = w[o * K + c * H * W + p];
      }
      const { bias, multiplier, shift } = foldedBias(l, w, O, K, where);
      return { ...base, inDims: { h: 1, w: 1, c: K }, kernel: 'fc', weights, bias, multiplier, shift, macs: O * K, params: w.length + O };
    }
    case 'average_pool':
      need(l.kernel, 'kernel', where);
      return { ...base, kernel: 'avg_pool', macs: 0, params: 0 };
    case 'global_average_pool':
      return { ...base, kernel: 'global_avg_pool', macs: 0, params: 0 };
    default:
      throw new UserError(`${where}: op not supported by the C emitter`);
  }
}

/**
 * bias'[c] = bias[c] − zp_in·Σw[c]. Also checks the int32 accumulator bound the kernels rely on:
 * |bias'| plus the largest Σ|w·x| (|x| ≤ 128) stays below 2^31.
 */
function foldedBias(l: QuantizedLayer, w: Int8Array, O: number, perOut: number, where: string) {
  const b = need(l.bias, 'bias', where);
  const multiplier = need(l.multiplier, 'multiplier', where);
  const shift = need(l.shift, 'shift', where);
  if (b.length !== O || multiplier.length !== O || shift.length !== O) throw new UserError(`${where}: bias/multiplier/shift length differs from ${O} output channels`);
  const zp = l.inputQ.zeroPoint;
  const bias = new Int32Array(O);
  for (let o = 0; o < O; o++) {
    let sum = 0;
    let abs = 0;
    for (let k = 0; k < perOut; k++) {
      sum += w[o * perOut + k];
      abs += Math.abs(w[o * perOut + k]);
    }
    const folded = b[o] - zp * sum;
    if (Math.abs(folded) + 128 * abs + Math.abs(zp) * abs > 2147483647) {
      throw new UserError(`${where}: channel ${o} accumulator may overflow int32 (bias ${b[o]}, Σ|w| ${abs})`);
    }
    bias[o] = folded;
  }
  return { bias, multiplier: Int32Array.from(multiplier), shift: Int32Array.from(shift) };
}
