/**
 * One layer as the C runner executes it (CLayer), what an op file's int8 part is given to lower a
 * QuantizedLayer (LowerContext) and what it attaches to print the layer (CKernelEmitter), plus the
 * small helpers those op files share: channels-last dims, the folded bias, the call line.
 */
import type { QuantizedLayer } from '../int8/types.js';
import { UserError } from '../util/errors.js';
import type { WeightLayout } from './layout.js';
import type { AccessModel } from './access.js';

export interface CDims {
  readonly h: number;
  readonly w: number;
  readonly c: number;
}

/** Short name of a C kernel variant, as the report and manifest show it ('conv_1x1', 'dw_conv_3x3', …). */
export type CKernel = string;

/** Pointer expressions for one kernel call (C source text). */
export interface CBuffers {
  /** The params struct's address (default `&<ident>_params`; a streamed layer passes its row copy's). */
  readonly params?: string;
  /** One per layer input, in the layer's order. */
  readonly inputs: readonly string[];
  /** The input pointer again when the layer runs in place. */
  readonly output: string;
  /** The kernel's scratch: its own (scratchBytes) and, in place, the two saved input rows (absent when it has none). */
  readonly scratch?: string;
  /** Pointer to the layer's constant data (an onnx2mcu_layer_data), for layers with data. */
  readonly weights?: string;
}

/**
 * The hand-written C a kernel needs, as file names in src/runtime (all start with 'onnx2mcu_';
 * emitted with the model's prefix instead). The types and arithmetic headers come with every model.
 */
export interface CRuntime {
  /** Declares the kernel's params struct and function. */
  readonly header: string;
  /** The kernel's .c files and the internal headers they include. */
  readonly sources: readonly string[];
}

/** How one C kernel variant is printed into model.c (and described in weights.c and the manifest). */
export interface CKernelEmitter {
  readonly kernel: CKernel;
  /** The runtime function, with the 'onnx2mcu_' prefix of src/runtime (emitted with the model's), e.g. 'onnx2mcu_conv_1x1_s8'. */
  readonly fn: string;
  /** sizeof the params struct (int32 fields only: the same on every target); checked against the C compiler in a test. */
  readonly paramsBytes: number;
  readonly runtime: CRuntime;
  /** One-line description for the layer's comment, e.g. 'conv 3x3 stride 2x2 pads t0 l0 b1 r1'. */
  describe(c: CLayer): string;
  /** The `static const` params struct: its C type (with the 'onnx2mcu_' prefix) and a designated initializer. */
  params(c: CLayer): { type: string; init: string };
  /** The call statement in run_layers (no indentation), e.g. 'onnx2mcu_fc_s8(&fc_params, &w->layer[3], in, out);'. */
  call(c: CLayer, io: CBuffers): string;
}

export interface CLayer {
  /** The QuantizedLayer this came from. */
  readonly layer: QuantizedLayer;
  /** C identifier (unique, ≤ 36 characters so blob names fit). */
  readonly ident: string;
  readonly kernel: CKernel;
  readonly emitter: CKernelEmitter;
  readonly inputs: readonly string[];
  readonly output: string;
  readonly inDims: readonly CDims[];
  readonly outDims: CDims;
  /** Constant data (conv, depthwise, fc): weights in the kernel's layout, folded bias, requantization. */
  readonly data?: CLayerData;
  readonly macs: number;
  readonly params: number;
  /** dw_conv_3x3 that may run in place (stride 1, same shape): scratch bytes for two rows. */
  readonly inPlaceScratch?: number;
  /** Scratch the kernel needs while it runs (4-byte aligned, in the arena), e.g. widened inputs. */
  readonly scratchBytes?: number;
  /** The kernel's order of reads (input 0) and writes (output), where the op declares it (src/cgen/access.ts). */
  readonly access?: AccessModel;
  /** The same layer with a kernel variant that needs less scratch (slower), for the memory planner to pick. */
  readonly lowRam?: CLayer;
  /** The kernel computes any band of output rows from just the input rows under it (row streaming). */
  readonly rows?: RowWindow;
}

/**
 * A window kernel's reach along H, for running it a band of rows at a time on a window of input rows
 * (src/memory/stream.ts): the runner copies the layer's params, sets input.h to the rows it reads,
 * output.h to the band's rows and pad_top to the rows of the window above the image, and calls the
 * same kernel.
 */
export interface RowWindow {
  readonly kernelH: number;
  readonly strideH: number;
  readonly dilationH: number;
  readonly padTop: number;
  /** The onnx2mcu_conv_params inside the layer's params struct: '' (it is one) or 'conv.' (depthwise). */
  readonly convField: '' | 'conv.';
}

/** The RowWindow of a conv-like layer (kernel, strides, pads and dilations as the IR has them: H first). */
export function rowWindow(l: { kernel: readonly number[]; strides: readonly number[]; pads: readonly number[]; dilations: readonly number[] }, convField: '' | 'conv.'): RowWindow {
  return { kernelH: l.kernel[0], strideH: l.strides[0], dilationH: l.dilations[0], padTop: l.pads[0], convField };
}

/** A weighted layer's arrays as the C kernel reads them. */
export interface CLayerData {
  readonly weights: Int8Array;
  /** How `weights` is laid out from the layer's IR weights (inverted by the artifact reader). */
  readonly layout: WeightLayout;
  /** bias[c] − zeroPoint·Σw[c] (zeroPoint = the input zero point folded in). */
  readonly bias: Int32Array;
  readonly biasZeroPoint: number;
  readonly multiplier: Int32Array;
  readonly shift: Int32Array;
}

/** What lowerModel knows of a layer before its op lowers it. */
export interface LowerContext {
  /** The layer's unique C identifier. */
  readonly ident: string;
  /** The tensors the layer reads (a lowering may read a transposed copy of the model input). */
  readonly inputs: readonly string[];
  /** Channels-last dims of the input and output tensors (batch 1). */
  readonly inDims: readonly CDims[];
  readonly outDims: CDims;
  /** "layer 'name' (op)", to start error messages. */
  readonly where: string;
}

/** The fields every CLayer has: what the layer is, where it reads and writes, which kernel prints it. */
export function cLayerBase(l: QuantizedLayer, ctx: LowerContext, emitter: CKernelEmitter) {
  return { layer: l, ident: ctx.ident, inputs: ctx.inputs, output: l.output, inDims: ctx.inDims, outDims: ctx.outDims, kernel: emitter.kernel, emitter };
}

/** Channels-last dims of an NCHW (or [N, K]) shape, batch 1. */
export function cDims(shape: readonly number[], where: string): CDims {
  if (shape.length === 0 || shape[0] !== 1) throw new UserError(`${where}: batch must be 1, shape is [${shape.join(', ')}]`);
  if (shape.length === 4) return { h: shape[2], w: shape[3], c: shape[1] };
  if (shape.length === 2) return { h: 1, w: 1, c: shape[1] };
  if (shape.length === 3) return { h: 1, w: shape[2], c: shape[1] };
  throw new UserError(`${where}: unsupported rank ${shape.length} (shape [${shape.join(', ')}])`);
}

/** A C designated initializer of an onnx2mcu_dims. */
export const dimsInit = (d: CDims) => `{ .h = ${d.h}, .w = ${d.w}, .c = ${d.c} }`;

/** A field the op's lowering needs, or a UserError naming the layer. */
export function need<T>(v: T | undefined, what: string, where: string): T {
  if (v === undefined) throw new UserError(`${where}: missing ${what}`);
  return v;
}

/** The fast requantization's accumulator bound (onnx2mcu_requant: 2·acc must fit int32). */
export const FAST_ACC_LIMIT = 2 ** 30 - 1;
/** The largest shift the fast requantization takes (no left shift; n = −shift ≥ 0). */
export const FAST_SHIFT_MAX = 0;

/**
 * One output channel's part of fastRequant: |bias'| + 128·Σ|w| (inputs and padding are int8 values)
 * within FAST_ACC_LIMIT, and no left shift unless the multiplier is 0. Also what the blob loader's
 * bounds derive from (src/emit/blob_bounds.ts).
 */
export function fastChannel(bias: number, absWeightSum: number, multiplier: number, shift: number): boolean {
  return Math.abs(bias) + 128 * absWeightSum <= FAST_ACC_LIMIT && (multiplier === 0 || shift <= FAST_SHIFT_MAX);
}

/**
 * Whether a weighted layer's requantization may take the kernels' fast path (onnx2mcu_requant in
 * onnx2mcu_arith.h): fastChannel for every output channel (IR-layout weights, `w.length / O` each).
 */
export function fastRequant(folded: Int32Array, w: Int8Array, multiplier: Int32Array, shift: Int32Array): boolean {
  const O = folded.length;
  const perOut = w.length / O;
  for (let o = 0; o < O; o++) {
    let abs = 0;
    for (let k = 0; k < perOut; k++) abs += Math.abs(w[o * perOut + k]);
    if (!fastChannel(folded[o], abs, multiplier[o], shift[o])) return false;
  }
  return true;
}

/**
 * bias + sign·zp·Σw[c] per output channel (w: `perOut` values per channel, in any order): with
 * sign −1 the kernels' folded bias (bias' = bias − zp_in·Σw), with +1 its inverse.
 */
export function foldZeroPoint(bias: Int32Array, w: Int8Array, perOut: number, zp: number, sign: 1 | -1): Int32Array {
  const out = new Int32Array(bias.length);
  for (let o = 0; o < bias.length; o++) {
    let sum = 0;
    for (let k = 0; k < perOut; k++) sum += w[o * perOut + k];
    out[o] = bias[o] + sign * zp * sum;
  }
  return out;
}

/**
 * The folded bias of a weighted layer (IR-layout weights `w`, `perOut` per output channel), after
 * checking the int32 accumulator bound the kernels rely on: |bias'| plus the largest Σ|w·x|
 * (|x| ≤ 128, padding reading |zp|) stays below 2^31.
 */
export function foldedBias(bias: Int32Array, w: Int8Array, perOut: number, zp: number, where: string): Int32Array {
  const folded = foldZeroPoint(bias, w, perOut, zp, -1);
  for (let o = 0; o < bias.length; o++) {
    let abs = 0;
    for (let k = 0; k < perOut; k++) abs += Math.abs(w[o * perOut + k]);
    if (Math.abs(folded[o]) + 128 * abs + Math.abs(zp) * abs > 2147483647) {
      throw new UserError(`${where}: channel ${o} accumulator may overflow int32 (bias ${bias[o]}, Σ|w| ${abs})`);
    }
  }
  return folded;
}

/**
 * The kernel call: `fn(&<ident>_params, [weights,] inputs…, output[, extra…]);` — the weights
 * argument for layers with constant data, extra arguments after the buffers.
 */
export function kernelCall(fn: string, c: CLayer, io: CBuffers, extra: readonly string[] = []): string {
  const args = [io.params ?? `&${c.ident}_params`, ...(io.weights ? [io.weights] : []), ...io.inputs, io.output, ...extra];
  return `${fn}(${args.join(', ')});`;
}

/** The window of a conv or pool layer as text: kernel 'KHxKW', ' stride SHxSW', ' pads tT lL bB rR'. */
export function windowText(w: { kernel: readonly number[]; strides: readonly number[]; pads: readonly number[] }): { kernel: string; stride: string; pads: string } {
  return {
    kernel: `${w.kernel[0]}x${w.kernel[1]}`,
    stride: ` stride ${w.strides[0]}x${w.strides[1]}`,
    pads: ` pads t${w.pads[0]} l${w.pads[1]} b${w.pads[2]} r${w.pads[3]}`,
  };
}

/** A C struct initializer from designated members, one per line: `{\n    .a = 1,\n    .b = 2\n}`. */
export function designated(members: readonly (readonly [string, string | number])[], indent = '    '): string {
  return `{\n${members.map(([k, v], i) => `${indent}.${k} = ${v}${i + 1 < members.length ? ',' : ''}`).join('\n')}\n${indent.slice(4)}}`;
}
