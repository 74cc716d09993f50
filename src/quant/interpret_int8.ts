/**
 * The integer reference: runs a QuantizedModel with exactly the arithmetic the generated C uses
 * (each op's int8 reference in its op file src/ops/<op>.ts, their shared building blocks in
 * src/quant/kernels, primitives in arith.ts). The C output must equal `raw` byte for byte.
 *
 * Layouts: `input` is the int8 input tensor in NCHW order (model.input.shape), i.e.
 * int8 = uint8 pixel − 128 (see pixelsToInt8Nchw). `raw` is the int8 output tensor
 * (model.output.shape, row-major; [N, K] for MobileNet, where NCHW and NHWC agree). Kept
 * intermediate tensors are NCHW.
 */
import { softmaxFloat } from '../ops/kernels/softmax.js';
import { sizeOf } from '../ir/tensor.js';
import { UserError } from '../util/errors.js';
import { getOp } from '../ops/registry.js';
import type { QuantizedLayer, QuantizedModel, QuantParams, WeightedFields, WindowFields } from '../int8/types.js';

export interface Int8RunOptions {
  /** 'all': also return every intermediate int8 tensor by name. */
  readonly keep?: 'outputs' | 'all';
}

export interface Int8RunResult {
  /** The int8 output tensor (model.output), row-major. */
  readonly raw: Int8Array;
  /** raw dequantized: scale × (raw − zero point). */
  readonly dequantized: Float32Array;
  /** The model's float output: softmax of `dequantized` when model.output.softmax is set, else `dequantized`. */
  readonly output: Float32Array;
  /** With keep: 'all', every int8 tensor (input included), NCHW. */
  readonly tensors?: ReadonlyMap<string, Int8Array>;
}

/** Runs one layer on its int8 inputs (the op's int8 reference, through the op registry). */
export function runLayerInt8(layer: QuantizedLayer, inputs: readonly Int8Array[]): Int8Array {
  if (inputs.length !== layer.inputs.length) throw new Error(`int8: layer '${layer.name}' reads ${layer.inputs.length} tensors, got ${inputs.length}`);
  inputs.forEach((x, i) => {
    const n = sizeOf(layer.inputShapes[i]);
    if (x.length !== n) throw new Error(`int8: layer '${layer.name}' input ${i} has ${n} values ([${layer.inputShapes[i]}]), got ${x.length}`);
  });
  const int8 = getOp(layer.op)?.int8;
  if (!int8) throw new UserError(`int8: layer '${layer.name}': op '${layer.op}' has no int8 reference`);
  checkLayerData(layer);
  return int8.run(layer, inputs);
}

/**
 * The arrays a layer's kernel indexes, against its shapes: a layer is plain data (it may come from
 * a caller), and the kernels would read past a short array as 0 instead of failing.
 */
function checkLayerData(layer: QuantizedLayer): void {
  const l = layer as Partial<WeightedFields & WindowFields> & QuantizedLayer;
  const bad = (what: string) => new UserError(`int8: layer '${l.name}' (${l.op}): ${what}`);
  if (l.kernel !== undefined && l.kernel.length !== 2) throw bad('needs a kernel [h, w]');
  if (l.weights !== undefined) {
    const O = l.outputShape[1];
    if (!l.weightShape || l.weightShape[0] !== O || l.weights.length !== sizeOf(l.weightShape)) {
      throw bad(`weights of shape [${l.weightShape ?? ''}] (${l.weights.length} values) do not fit ${O} output channels`);
    }
    for (const [name, a] of [['bias', l.bias], ['multiplier', l.multiplier], ['shift', l.shift]] as const) {
      if (a?.length !== O) throw bad(`${name} has ${a?.length ?? 0} values for ${O} output channels`);
    }
  }
}

export function runInt8(model: QuantizedModel, input: Int8Array, opts: Int8RunOptions = {}): Int8RunResult {
  const expected = sizeOf(model.input.shape);
  if (input.length !== expected) throw new UserError(`int8 input: ${input.length} values, model '${model.name}' expects ${expected} ([${model.input.shape}])`);
  const keepAll = opts.keep === 'all';
  const live = new Map<string, Int8Array>([[model.input.name, input]]);
  // Last reader of each tensor, so intermediates are dropped as soon as possible.
  const lastUse = new Map<string, number>();
  model.layers.forEach((l, i) => l.inputs.forEach((t) => lastUse.set(t, i)));
  model.layers.forEach((layer, i) => {
    const xs = layer.inputs.map((t) => {
      const x = live.get(t);
      if (!x) throw new Error(`int8: layer '${layer.name}' reads '${t}', which is not computed`);
      return x;
    });
    live.set(layer.output, runLayerInt8(layer, xs));
    if (!keepAll) for (const t of layer.inputs) if (lastUse.get(t) === i && t !== model.output.name) live.delete(t);
  });
  const raw = live.get(model.output.name);
  if (!raw) throw new Error(`int8: output '${model.output.name}' was not computed`);
  return { ...int8Outputs(model, raw), ...(keepAll ? { tensors: live } : {}) };
}

/** The model's int8 output and its float forms: dequantized, and with the final softmax in float when the model has one. */
export function int8Outputs(model: QuantizedModel, raw: Int8Array): Omit<Int8RunResult, 'tensors'> {
  const dequantized = dequantize(raw, model.output.q);
  let output = dequantized;
  const sm = model.output.softmax;
  if (sm) {
    const shape = model.output.shape;
    output = softmaxFloat(dequantized, sizeOf(shape.slice(0, sm.axis)), shape[sm.axis], sizeOf(shape.slice(sm.axis + 1)));
  }
  return { raw, dequantized, output };
}

export function dequantize(q: Int8Array, p: QuantParams): Float32Array {
  const out = new Float32Array(q.length);
  for (let i = 0; i < q.length; i++) out[i] = p.scale * (q[i] - p.zeroPoint);
  return out;
}

/**
 * HWC uint8 RGB pixels (as loadPixelsUint8 returns them) → the model's int8 NCHW input:
 * int8 = pixel − 128, what firmware feeds.
 */
export function pixelsToInt8Nchw(pixels: Uint8Array, h: number, w: number, offset = 128): Int8Array {
  const plane = h * w;
  const out = new Int8Array(3 * plane);
  for (let p = 0; p < plane; p++) for (let c = 0; c < 3; c++) out[c * plane + p] = pixels[p * 3 + c] - offset;
  return out;
}
