/**
 * The CMSIS-NN peer: C source that runs the very same quantized model (our int8 weights, biases,
 * per-channel multipliers and shifts, zero points, clamps) through Arm's CMSIS-NN kernels, called
 * the way TensorFlow Lite Micro calls them for MobileNet v1 int8 (../shared/peers/README.md):
 *
 *   conv2d (first 3x3, and the 1x1)  arm_convolve_wrapper_s8 (dispatches to arm_convolve_s8 /
 *                                    arm_convolve_1x1_s8_fast / ...), filter OHWI
 *   depthwise_conv2d                 arm_depthwise_conv_wrapper_s8, filter [1, H, W, C*mult]
 *   average_pool, global_average_pool arm_avgpool_s8 (TFLite: padded positions not counted)
 *   fully_connected                  arm_fully_connected_s8 when every channel has the same
 *                                    multiplier and shift, else arm_fully_connected_per_channel_s8;
 *                                    filter [O, K] with K in the channels-last flatten order
 *
 * with input_offset = -zp_in, output_offset = zp_out, activation = [act_min, act_max], padding =
 * (top, left) (bottom/right follow from the output size, as TFLite 'SAME' does), the unfolded
 * int32 bias (QuantizedModel keeps it unfolded: CMSIS-NN applies input_offset itself, which matters
 * at padded borders). Activations are channels-last int8 in a TFLM-style ping-pong arena: layer i
 * writes at the bottom of the arena when i is even, at the top when odd, so a layer's input and
 * output never overlap; its size is the largest input + output pair. The model input is read from
 * the caller's buffer and the last layer writes the caller's output, as our runner does.
 *
 * What TFLM does once in Prepare is done once in peer_model_init(), outside the measured region:
 * querying the scratch sizes with the *_get_buffer_size functions (one scratch buffer, the largest)
 * and, where the fully connected kernel needs them (MVE), the kernel sums
 * (arm_vector_sum_s8: bias + input_offset * sum of each weight row), kept in a persistent buffer.
 */
import type { QuantizedModel } from './repo.js';
import { viewLayer } from './layer_view.js';
import { TargetError } from './tools.js';

export interface PeerLayerInfo {
  readonly name: string;
  readonly op: string;
  /** The CMSIS-NN function called. */
  readonly call: string;
}

export interface PeerProgram {
  /** peer_model.h */
  readonly header: string;
  /** peer_model.c */
  readonly source: string;
  readonly layers: readonly PeerLayerInfo[];
  /** Ping-pong activation buffers (the arena without scratch). */
  readonly pingPongBytes: number;
  /** Static scratch capacity: an upper bound over every CPU; init checks the actual need against it. */
  readonly scratchCapacity: number;
  /** Persistent kernel-sum buffers (only used where the fully connected kernel needs them: MVE). */
  readonly kernelSumBytes: number;
  readonly inputSize: number;
  readonly outputSize: number;
}

const align16 = (n: number) => (n + 15) & ~15;
const prod = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** C array initializer, 16 values per line. */
function cArray(values: ArrayLike<number>): string {
  const lines: string[] = [];
  for (let i = 0; i < values.length; i += 16) lines.push('    ' + Array.from({ length: Math.min(16, values.length - i) }, (_, k) => String(values[i + k])).join(', '));
  return `{\n${lines.join(',\n')}\n}`;
}

/** NCHW (or [N, K]) shape → CMSIS-NN dims {n, h, w, c}. */
function nhwc(shape: readonly number[]): [number, number, number, number] {
  if (shape.length === 4) return [shape[0], shape[2], shape[3], shape[1]];
  if (shape.length === 2) return [shape[0], 1, 1, shape[1]];
  throw new TargetError(`peer: unsupported tensor rank ${shape.length} ([${shape}])`);
}

const dims = (d: readonly number[]) => `{ ${d[0]}, ${d[1]}, ${d[2]}, ${d[3]} }`;
const tile = (w: number, h: number) => `{ ${w}, ${h} }`;

/** OIHW → OHWI (CMSIS-NN conv filter layout). */
function toOhwi(w: Int8Array, [O, I, kh, kw]: readonly number[]): Int8Array {
  const out = new Int8Array(w.length);
  for (let o = 0; o < O; o++) for (let i = 0; i < I; i++) for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) out[((o * kh + y) * kw + x) * I + i] = w[((o * I + i) * kh + y) * kw + x];
  return out;
}

/** (C*mult, 1, kh, kw) → [1, kh, kw, C*mult] (CMSIS-NN depthwise filter layout). */
function toDepthwise(w: Int8Array, [O, , kh, kw]: readonly number[]): Int8Array {
  const out = new Int8Array(w.length);
  for (let o = 0; o < O; o++) for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) out[(y * kw + x) * O + o] = w[(o * kh + y) * kw + x];
  return out;
}

/** FC weights [O, K] with K in NCHW flatten order → K in NHWC flatten order of the input tensor. */
function toFcNhwc(w: Int8Array, O: number, inputShape: readonly number[]): Int8Array {
  if (inputShape.length !== 4 || inputShape[2] * inputShape[3] === 1 || inputShape[1] === 1) return w;
  const [, C, H, W] = inputShape;
  const K = C * H * W;
  const out = new Int8Array(w.length);
  for (let o = 0; o < O; o++) for (let c = 0; c < C; c++) for (let p = 0; p < H * W; p++) out[o * K + p * C + c] = w[o * K + c * H * W + p];
  return out;
}

function uniform(a: Int32Array): boolean {
  return a.every((v) => v === a[0]);
}

export function generateCmsisNnPeer(model: QuantizedModel): PeerProgram {
  const layers = model.layers.map((l) => viewLayer(l));
  const L = layers.length;
  if (L === 0) throw new TargetError('peer: the model has no layers');
  // A chain: each layer reads the previous layer's output (MobileNet v1 is one).
  layers.forEach((l, i) => {
    const want = i === 0 ? model.input.name : layers[i - 1].output;
    if (l.input !== want) throw new TargetError(`peer: layer '${l.name}' reads '${l.input}', not the previous output '${want}' (only chains are supported)`);
  });
  if (layers[L - 1].output !== model.output.name) throw new TargetError(`peer: the last layer does not write the model output '${model.output.name}'`);

  const bytes = (shape: readonly number[]) => prod(shape);
  // Ping-pong: output of layer i at the bottom (i even) or the top (i odd) of the arena.
  let pingPong = 16;
  layers.forEach((l, i) => {
    const inB = i > 0 ? align16(bytes(l.inputShape)) : 0;
    const outB = i < L - 1 ? align16(bytes(l.outputShape)) : 0;
    pingPong = Math.max(pingPong, inB + outB);
  });
  const place = (i: number) => (i % 2 === 0 ? 'peer_arena' : `peer_arena + ${pingPong - align16(bytes(layers[i].outputShape))}`);
  const inPtr = (i: number) => (i === 0 ? 'input' : place(i - 1));
  const outPtr = (i: number) => (i === L - 1 ? 'output' : place(i));

  const defs: string[] = [];
  const inits: string[] = [];
  const calls: string[] = [];
  const infos: PeerLayerInfo[] = [];
  let scratchCapacity = 16;
  let kernelSumBytes = 0;

  layers.forEach((l, i) => {
    const id = `l${i}`;
    const inD = nhwc(l.inputShape);
    const outD = nhwc(l.outputShape);
    const zpIn = l.inputQ.zeroPoint;
    const zpOut = l.outputQ.zeroPoint;
    const act = `{ ${l.actMin}, ${l.actMax} }`;
    const [pt, pl] = l.pads ?? [0, 0, 0, 0];
    const [sh, sw] = l.strides ?? [1, 1];
    const [dh, dw] = l.dilations ?? [1, 1];
    const comment = [`/* Layer ${i}: ${l.name.replace(/\*\//g, '* /')} (${l.op}) input [${inD}] NHWC, output [${outD}] NHWC, zero points ${zpIn} -> ${zpOut}, clamp [${l.actMin}, ${l.actMax}] */`];
    const weightsAndParams = (w: Int8Array) => {
      defs.push(`static const int8_t ${id}_weights[${w.length}] PEER_ALIGNED = ${cArray(w)};`);
      defs.push(`static const int32_t ${id}_bias[${l.bias!.length}] PEER_ALIGNED = ${cArray(l.bias!)};`);
      defs.push(`static const int32_t ${id}_multiplier[${l.multiplier!.length}] PEER_ALIGNED = ${cArray(l.multiplier!)};`);
      defs.push(`static const int32_t ${id}_shift[${l.shift!.length}] PEER_ALIGNED = ${cArray(l.shift!)};`);
      defs.push(`static const cmsis_nn_per_channel_quant_params ${id}_quant = { (int32_t *)${id}_multiplier, (int32_t *)${id}_shift };`);
    };
    defs.push(...comment);
    defs.push(`static const cmsis_nn_dims ${id}_input_dims = ${dims(inD)};`, `static const cmsis_nn_dims ${id}_output_dims = ${dims(outD)};`);
    if (l.op === 'conv2d') {
      const [O, I, kh, kw] = l.weightShape!;
      if (I !== inD[3]) throw new TargetError(`peer: layer '${l.name}': grouped convolution (${inD[3]} input channels, ${I} per group) has no CMSIS-NN s8 wrapper here`);
      weightsAndParams(toOhwi(l.weights!, l.weightShape!));
      defs.push(`static const cmsis_nn_dims ${id}_filter_dims = { ${O}, ${kh}, ${kw}, ${I} };`, `static const cmsis_nn_dims ${id}_bias_dims = { 1, 1, 1, ${O} };`);
      defs.push(`static const cmsis_nn_conv_params ${id}_params = { ${-zpIn}, ${zpOut}, ${tile(sw, sh)}, ${tile(pl, pt)}, ${tile(dw, dh)}, ${act} };`);
      inits.push(`    need = arm_convolve_wrapper_s8_get_buffer_size(&${id}_params, &${id}_input_dims, &${id}_filter_dims, &${id}_output_dims);`, '    scratch = need > scratch ? need : scratch;');
      calls.push(`    status |= arm_convolve_wrapper_s8(&ctx, &${id}_params, &${id}_quant, &${id}_input_dims, ${inPtr(i)}, &${id}_filter_dims, ${id}_weights, &${id}_bias_dims, ${id}_bias, &${id}_output_dims, ${outPtr(i)});`);
      const K = kh * kw * I;
      scratchCapacity = Math.max(scratchCapacity, 4 * Math.ceil(K / 16) * 16 + 4 * (K + 4) + 2 * (kw * I + 16) * 2);
      infos.push({ name: l.name, op: l.op, call: 'arm_convolve_wrapper_s8' });
    } else if (l.op === 'depthwise_conv2d') {
      const [O, , kh, kw] = l.weightShape!;
      weightsAndParams(toDepthwise(l.weights!, l.weightShape!));
      defs.push(`static const cmsis_nn_dims ${id}_filter_dims = { 1, ${kh}, ${kw}, ${O} };`, `static const cmsis_nn_dims ${id}_bias_dims = { 1, 1, 1, ${O} };`);
      defs.push(`static const cmsis_nn_dw_conv_params ${id}_params = { ${-zpIn}, ${zpOut}, ${l.depthMultiplier ?? 1}, ${tile(sw, sh)}, ${tile(pl, pt)}, ${tile(dw, dh)}, ${act} };`);
      inits.push(`    need = arm_depthwise_conv_wrapper_s8_get_buffer_size(&${id}_params, &${id}_input_dims, &${id}_filter_dims, &${id}_output_dims);`, '    scratch = need > scratch ? need : scratch;');
      calls.push(`    status |= arm_depthwise_conv_wrapper_s8(&ctx, &${id}_params, &${id}_quant, &${id}_input_dims, ${inPtr(i)}, &${id}_filter_dims, ${id}_weights, &${id}_bias_dims, ${id}_bias, &${id}_output_dims, ${outPtr(i)});`);
      // DSP: C*kh*kw int16; MVE: 4 * CH_IN_BLOCK_MVE (124) * kh*kw; the 1-input-channel MVE path converts to a conv.
      scratchCapacity = Math.max(scratchCapacity, inD[3] * kh * kw * 2 + 4 * 124 * kh * kw + 4 * Math.ceil((kh * kw) / 16) * 16 + O * kh * kw);
      infos.push({ name: l.name, op: l.op, call: 'arm_depthwise_conv_wrapper_s8' });
    } else if (l.op === 'average_pool' || l.op === 'global_average_pool') {
      const [kh, kw] = l.kernel!;
      const pads = l.pads ?? [0, 0, 0, 0];
      if (l.op === 'average_pool' && (l.countIncludePad ?? 0) === 1 && pads.some((p) => p !== 0)) {
        throw new TargetError(`peer: layer '${l.name}': average pool counting padded positions has no CMSIS-NN equivalent (TFLite does not count them)`);
      }
      if (l.inputQ.scale !== l.outputQ.scale || zpIn !== zpOut) throw new TargetError(`peer: layer '${l.name}': arm_avgpool_s8 needs the same input and output quantization`);
      defs.push(`static const cmsis_nn_dims ${id}_filter_dims = { 1, ${kh}, ${kw}, 1 };`);
      defs.push(`static const cmsis_nn_pool_params ${id}_params = { ${tile(sw, sh)}, ${tile(pl, pt)}, ${act} };`);
      inits.push(`    need = arm_avgpool_s8_get_buffer_size(${outD[2]}, ${inD[3]});`, '    scratch = need > scratch ? need : scratch;');
      calls.push(`    status |= arm_avgpool_s8(&ctx, &${id}_params, &${id}_input_dims, ${inPtr(i)}, &${id}_filter_dims, &${id}_output_dims, ${outPtr(i)});`);
      scratchCapacity = Math.max(scratchCapacity, 4 * inD[3]);
      infos.push({ name: l.name, op: l.op, call: 'arm_avgpool_s8' });
    } else if (l.op === 'fully_connected') {
      const [O, K] = l.weightShape!;
      if (K !== prod(l.inputShape.slice(1))) throw new TargetError(`peer: layer '${l.name}': ${K} weights per row for an input of [${l.inputShape}]`);
      weightsAndParams(toFcNhwc(l.weights!, O, l.inputShape));
      const perTensor = uniform(l.multiplier!) && uniform(l.shift!);
      defs.push(`static const cmsis_nn_dims ${id}_filter_dims = { ${K}, 1, 1, ${O} };`, `static const cmsis_nn_dims ${id}_bias_dims = { 1, 1, 1, ${O} };`);
      defs.push(`static const cmsis_nn_fc_params ${id}_params = { ${-zpIn}, 0, ${zpOut}, ${act} };`);
      defs.push(`static int32_t ${id}_kernel_sums[${O}]; /* MVE only (arm_fully_connected_s8_get_buffer_size > 0) */`, `static cmsis_nn_context ${id}_ctx = { 0, 0 };`);
      inits.push(
        `    need = arm_fully_connected_s8_get_buffer_size(&${id}_filter_dims);`,
        '    if (need > 0) {',
        `        if (need > (int32_t)sizeof ${id}_kernel_sums) {`,
        '            return -1;',
        '        }',
        `        (void)arm_vector_sum_s8(${id}_kernel_sums, ${K}, ${O}, ${id}_weights, ${-zpIn}, 0, ${id}_bias);`,
        `        ${id}_ctx.buf = ${id}_kernel_sums;`,
        `        ${id}_ctx.size = need;`,
        '        persistent += need;',
        '    }',
      );
      if (perTensor) {
        defs.push(`static const cmsis_nn_per_tensor_quant_params ${id}_tensor_quant = { ${l.multiplier![0]}, ${l.shift![0]} };`);
        calls.push(`    status |= arm_fully_connected_s8(&${id}_ctx, &${id}_params, &${id}_tensor_quant, &${id}_input_dims, ${inPtr(i)}, &${id}_filter_dims, ${id}_weights, &${id}_bias_dims, ${id}_bias, &${id}_output_dims, ${outPtr(i)});`);
      } else {
        calls.push(`    status |= arm_fully_connected_per_channel_s8(&${id}_ctx, &${id}_params, &${id}_quant, &${id}_input_dims, ${inPtr(i)}, &${id}_filter_dims, ${id}_weights, &${id}_bias_dims, ${id}_bias, &${id}_output_dims, ${outPtr(i)});`);
      }
      kernelSumBytes += 4 * O;
      infos.push({ name: l.name, op: l.op, call: perTensor ? 'arm_fully_connected_s8' : 'arm_fully_connected_per_channel_s8' });
    } else {
      throw new TargetError(`peer: layer '${l.name}': op '${l.op}' has no CMSIS-NN mapping here`);
    }
    calls.push(`    PEER_DUMP(${i}, ${outPtr(i)}, ${bytes(l.outputShape)});`, `    MODEL_LAYER_HOOK(${i});`);
    defs.push('');
  });
  scratchCapacity = align16(scratchCapacity);

  const inputSize = prod(model.input.shape);
  const outputSize = prod(model.output.shape);
  const [, inC, inH, inW] = model.input.shape;
  const header = `/* peer_model.h - ${model.name}: the same int8 model through CMSIS-NN (generated by onnx2mcu src/target/cmsis_nn_peer.ts) */
#ifndef PEER_MODEL_H
#define PEER_MODEL_H

#include <stdint.h>

#define PEER_INPUT_H ${inH}
#define PEER_INPUT_W ${inW}
#define PEER_INPUT_C ${inC}
#define PEER_INPUT_SIZE ${inputSize} /* channels-last int8 */
#define PEER_OUTPUT_SIZE ${outputSize}
#define PEER_PIXEL_OFFSET ${model.input.pixelOffset} /* int8 = uint8 pixel - offset */
#define PEER_PINGPONG_BYTES ${pingPong}
#define PEER_SCRATCH_CAPACITY ${scratchCapacity}

/* Once, before any run (TFLM's Prepare): scratch sizes, MVE kernel sums. Returns the scratch bytes
 * needed, or -1 when the scratch capacity is too small. */
int32_t peer_model_init(void);
/* After peer_model_init: bytes of the persistent kernel-sum buffers in use (MVE fully connected). */
int32_t peer_model_persistent_bytes(void);
/* One inference: channels-last int8 input, ${outputSize} int8 outputs. Returns 0, or -1 when a kernel refused its arguments. */
int peer_model_run(const int8_t *input, int8_t *output);
/* H x W x C uint8 pixels to the int8 input (pixel - offset). */
void peer_input_from_pixels(const uint8_t *pixels, int8_t *input);

#endif /* PEER_MODEL_H */
`;
  const source = `/* peer_model.c - ${model.name}: the same int8 model through CMSIS-NN, called as TFLite Micro calls it
 * (generated by onnx2mcu src/target/cmsis_nn_peer.ts; weights, biases, multipliers and shifts are the
 * converted folder's, in CMSIS-NN layouts). */
#include <stddef.h>
#include <stdint.h>
#include "arm_nnfunctions.h"
#include "peer_model.h"

#ifndef MODEL_LAYER_HOOK
#define MODEL_LAYER_HOOK(layer) ((void)0)
#endif

/* -DPEER_DUMP_LAYERS prints every layer's output (channels-last, hex) for layer-by-layer checks. */
#ifdef PEER_DUMP_LAYERS
#include <stdio.h>
static void peer_dump(int layer, const int8_t *p, int32_t n)
{
    static const char hex[] = "0123456789abcdef";
    int32_t i;
    printf("layer %d ", layer);
    for (i = 0; i < n; ++i) {
        putchar(hex[(uint8_t)p[i] >> 4]);
        putchar(hex[(uint8_t)p[i] & 15u]);
    }
    putchar('\\n');
}
#define PEER_DUMP(layer, p, n) peer_dump((layer), (p), (n))
#else
#define PEER_DUMP(layer, p, n) ((void)0)
#endif

#if defined(__GNUC__) || defined(__clang__)
#define PEER_ALIGNED __attribute__((aligned(16)))
#else
#define PEER_ALIGNED
#endif

${defs.join('\n')}
/* Ping-pong activation buffers and the one scratch buffer (its capacity is an upper bound for every
 * CPU; peer_model_init checks the need that the *_get_buffer_size functions report on this one). */
static int8_t peer_arena[PEER_PINGPONG_BYTES] PEER_ALIGNED;
static int8_t peer_scratch[PEER_SCRATCH_CAPACITY] PEER_ALIGNED;
static int32_t peer_scratch_bytes;
static int32_t peer_persistent_bytes;

int32_t peer_model_init(void)
{
    int32_t need, scratch = 0, persistent = 0;
${inits.join('\n')}
    if (scratch > PEER_SCRATCH_CAPACITY) {
        return -1;
    }
    peer_scratch_bytes = scratch;
    peer_persistent_bytes = persistent;
    return scratch;
}

int32_t peer_model_persistent_bytes(void)
{
    return peer_persistent_bytes;
}

int peer_model_run(const int8_t *input, int8_t *output)
{
    cmsis_nn_context ctx;
    int status = ARM_CMSIS_NN_SUCCESS;
    ctx.buf = peer_scratch;
    ctx.size = peer_scratch_bytes;
${calls.join('\n')}
    return status == ARM_CMSIS_NN_SUCCESS ? 0 : -1;
}

void peer_input_from_pixels(const uint8_t *pixels, int8_t *input)
{
    int32_t i;
    for (i = 0; i < PEER_INPUT_SIZE; ++i) {
        input[i] = (int8_t)((int32_t)pixels[i] - PEER_PIXEL_OFFSET);
    }
}
`;
  return { header, source, layers: infos, pingPongBytes: pingPong, scratchCapacity, kernelSumBytes, inputSize, outputSize };
}
