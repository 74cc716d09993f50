/**
 * One layer as the C runner executes it (CLayer), what an op file's int8 part is given to lower a
 * QuantizedLayer (LowerContext) and what it attaches to print the layer (CKernelEmitter), plus the
 * small helpers those op files share: channels-last dims, the folded bias, the call line.
 *
 * Kept apart from lower.ts on purpose: lower.ts dispatches through src/ops/registry.ts, so an op
 * file importing lower.ts would close the cycle lower.ts → registry → op file → lower.ts.
 */
import type { QuantizedLayer } from '../int8/types.js';
import { UserError } from '../util/errors.js';

export interface CDims {
  readonly h: number;
  readonly w: number;
  readonly c: number;
}

/** Short name of a C kernel variant, as the report and manifest show it ('conv_1x1', 'dw_conv_3x3', …). */
export type CKernel = string;

/** Pointer expressions for one kernel call (C source text). */
export interface CBuffers {
  readonly input: string;
  /** The input pointer again when the layer runs in place. */
  readonly output: string;
  /** The two saved input rows of an in-place layer (absent otherwise). */
  readonly scratch?: string;
}

/** How one C kernel variant is printed into model.c (and described in weights.c and the manifest). */
export interface CKernelEmitter {
  readonly kernel: CKernel;
  /** The runtime function (src/runtime), e.g. 'onnx2mcu_conv_1x1_s8'. */
  readonly fn: string;
  /** sizeof the params struct in onnx2mcu_kernels.h (int32 fields only: the same on every target). */
  readonly paramsBytes: number;
  /** One-line description for the layer's comment, e.g. 'conv 3x3 stride 2x2 pads t0 l0 b1 r1'. */
  describe(c: CLayer): string;
  /** The `static const` params struct: its C type and initializer. */
  params(c: CLayer): { type: string; init: string };
  /** The call statement in run_layers (no indentation), e.g. 'onnx2mcu_fc_s8(&fc_params, &w->fc, in, out);'. */
  call(c: CLayer, io: CBuffers): string;
  /** Layers with weights: their kernel layout for the weights.c comment, e.g. 'OHWI 8x3x3x3'. */
  weightLayout?(c: CLayer): string;
}

export interface CLayer {
  /** The QuantizedLayer this came from. */
  readonly layer: QuantizedLayer;
  /** C identifier (unique, ≤ 36 characters so blob names fit). */
  readonly ident: string;
  readonly kernel: CKernel;
  readonly emitter: CKernelEmitter;
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

/** What lowerModel knows of a layer before its op lowers it. */
export interface LowerContext {
  /** The layer's unique C identifier. */
  readonly ident: string;
  /** The tensor the layer reads. */
  readonly input: string;
  /** Channels-last dims of the input and output tensors (batch 1). */
  readonly inDims: CDims;
  readonly outDims: CDims;
  /** "layer 'name' (op)", to start error messages. */
  readonly where: string;
}

/** The fields every CLayer has: what the layer is, where it reads and writes, which kernel prints it. */
export function cLayerBase(l: QuantizedLayer, ctx: LowerContext, emitter: CKernelEmitter) {
  return { layer: l, ident: ctx.ident, input: ctx.input, output: l.output, inDims: ctx.inDims, outDims: ctx.outDims, kernel: emitter.kernel, emitter };
}

/** Channels-last dims of an NCHW (or [N, K]) shape, batch 1. */
export function cDims(shape: readonly number[], where: string): CDims {
  if (shape.length === 0 || shape[0] !== 1) throw new UserError(`${where}: batch must be 1, shape is [${shape.join(', ')}]`);
  if (shape.length === 4) return { h: shape[2], w: shape[3], c: shape[1] };
  if (shape.length === 2) return { h: 1, w: 1, c: shape[1] };
  if (shape.length === 3) return { h: 1, w: shape[2], c: shape[1] };
  throw new UserError(`${where}: unsupported rank ${shape.length} (shape [${shape.join(', ')}])`);
}

/** A C initializer of an onnx2mcu_dims. */
export const dimsInit = (d: CDims) => `{ ${d.h}, ${d.w}, ${d.c} }`;

/** A field the op's lowering needs, or a UserError naming the layer. */
export function need<T>(v: T | undefined, what: string, where: string): T {
  if (v === undefined) throw new UserError(`${where}: missing ${what}`);
  return v;
}

/**
 * bias'[c] = bias[c] − zp_in·Σw[c]. Also checks the int32 accumulator bound the kernels rely on:
 * |bias'| plus the largest Σ|w·x| (|x| ≤ 128) stays below 2^31.
 */
export function foldedBias(l: QuantizedLayer, w: Int8Array, O: number, perOut: number, where: string) {
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

/**
 * The kernel call: `fn(&<ident>_params, [&w-><ident>,] input, output[, extra…]);` — the weights
 * argument for kernels with constant data, extra arguments after the buffers.
 */
export function kernelCall(fn: string, c: CLayer, io: CBuffers, withWeights: boolean, extra: readonly string[] = []): string {
  const args = [`&${c.ident}_params`, ...(withWeights ? [`&w->${c.ident}`] : []), io.input, io.output, ...extra];
  return `${fn}(${args.join(', ')});`;
}

/** The window of a conv or pool layer as text: kernel 'KHxKW', ' stride SHxSW', ' pads tT lL bB rR' ('' where absent). */
export function windowText(l: QuantizedLayer): { kernel: string; stride: string; pads: string } {
  return {
    kernel: l.kernel ? `${l.kernel[0]}x${l.kernel[1]}` : '',
    stride: l.strides ? ` stride ${l.strides[0]}x${l.strides[1]}` : '',
    pads: l.pads ? ` pads t${l.pads[0]} l${l.pads[1]} b${l.pads[2]} r${l.pads[3]}` : '',
  };
}
