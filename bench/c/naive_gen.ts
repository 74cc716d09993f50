/**
 * naive_gen: QuantizedModel → naive_model.c / naive_model.h, the benchmark's naive loop-nest version
 * of the same int8 network the generated runner executes (bench/c/naive/naive_ops.c does the loops).
 *
 * The constants come straight from the QuantizedModel in the IR's layouts (conv OIHW, depthwise
 * (C·mult)1HW, fully connected (O, K)), with the bias NOT folded and the multipliers/shifts as
 * quantized: nothing is shared with src/emit's layout changes, bias folding or memory plan, so an
 * equal output is an independent check. Every activation gets its own static buffer.
 *
 * CLI: npx tsx bench/c/naive_gen.ts out/NAME [--to DIR]   (model rebuilt from the out/ folder's
 * manifest.json + weights.bin; writes DIR/naive_model.c and .h, DIR defaults to out/NAME/naive)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { QuantizedModel, QuantParams } from '../../src/int8/types.js';

/** A MobileNet layer's fields as the naive version reads them (one input). */
interface NaiveLayer {
  readonly name: string;
  readonly op: 'conv2d' | 'depthwise_conv2d' | 'fully_connected' | 'average_pool' | 'global_average_pool';
  readonly input: string;
  readonly output: string;
  readonly inputShape: readonly number[];
  readonly outputShape: readonly number[];
  readonly inputQ: QuantParams;
  readonly outputQ: QuantParams;
  readonly actMin: number;
  readonly actMax: number;
  readonly weights?: Int8Array;
  readonly weightShape?: readonly number[];
  readonly bias?: Int32Array;
  readonly multiplier?: Int32Array;
  readonly shift?: Int32Array;
  readonly kernel?: readonly number[];
  readonly strides?: readonly number[];
  readonly pads?: readonly number[];
  readonly dilations?: readonly number[];
  readonly depthMultiplier?: number;
  readonly countIncludePad?: number;
}

export type InputLayout = 'nhwc' | 'nchw';

interface Dims {
  readonly h: number;
  readonly w: number;
  readonly c: number;
}

/** NCHW ([1,C,H,W]) or [1,K] shape → NHWC dims of one batch-1 activation. */
function dimsOf(shape: readonly number[], what: string): Dims {
  if (shape[0] !== 1) throw new Error(`naive_gen: ${what}: batch must be 1 (shape [${shape.join(', ')}])`);
  if (shape.length === 4) return { h: shape[2], w: shape[3], c: shape[1] };
  if (shape.length === 2) return { h: 1, w: 1, c: shape[1] };
  throw new Error(`naive_gen: ${what}: unsupported rank ${shape.length} (shape [${shape.join(', ')}])`);
}

const cInt = (v: number) => (v === -2147483648 ? '(-2147483647 - 1)' : String(v));

function cArray(type: string, name: string, values: ArrayLike<number>): string {
  const lines: string[] = [];
  for (let i = 0; i < values.length; i += 20) {
    lines.push('    ' + Array.from({ length: Math.min(20, values.length - i) }, (_, j) => cInt(values[i + j])).join(', '));
  }
  return `static const ${type} ${name}[${values.length}] = {\n${lines.join(',\n')}\n};\n`;
}

function expectLength(layer: NaiveLayer, what: string, actual: number | undefined, expected: number): void {
  if (actual !== expected) throw new Error(`naive_gen: layer '${layer.name}': ${what} has ${actual} values, expected ${expected}`);
}

const NAIVE_FN: Record<NaiveLayer['op'], string> = {
  conv2d: 'naive_conv2d',
  depthwise_conv2d: 'naive_depthwise_conv2d',
  fully_connected: 'naive_fully_connected',
  average_pool: 'naive_average_pool',
  global_average_pool: 'naive_global_average_pool',
};

export interface NaiveSources {
  readonly 'naive_model.c': string;
  readonly 'naive_model.h': string;
}

/**
 * The naive C for `model`. `inputLayout` is the generated runner's input layout (manifest.json
 * input.layout) so both programs take the same input bytes.
 */
export function generateNaiveModel(model: QuantizedModel, inputLayout: InputLayout = 'nhwc'): NaiveSources {
  const inDims = dimsOf(model.input.shape, `input '${model.input.name}'`);
  const outDims = dimsOf(model.output.shape, `output '${model.output.name}'`);
  const inSize = inDims.h * inDims.w * inDims.c;
  const outSize = outDims.h * outDims.w * outDims.c;

  // One static NHWC buffer per activation tensor (the input's only when it must be transposed).
  const buffers = new Map<string, { ident: string; dims: Dims }>();
  const decls: string[] = [];
  const bufferFor = (tensor: string, shape: readonly number[]) => {
    let b = buffers.get(tensor);
    if (!b) {
      b = { ident: `act_${buffers.size}`, dims: dimsOf(shape, `tensor '${tensor}'`) };
      buffers.set(tensor, b);
      decls.push(`static int8_t ${b.ident}[${b.dims.h * b.dims.w * b.dims.c}]; /* ${tensor}: ${b.dims.h}x${b.dims.w}x${b.dims.c} NHWC */`);
    }
    return b;
  };
  const inputBuffer = inputLayout === 'nhwc' ? undefined : bufferFor(model.input.name, model.input.shape);

  const consts: string[] = [];
  const calls: string[] = [];
  model.layers.forEach((ql, i) => {
    // The naive version covers MobileNet's single-input ops; their fields, loosely typed.
    if (ql.inputs.length !== 1) throw new Error(`naive_gen: layer '${ql.name}' reads ${ql.inputs.length} tensors (unsupported)`);
    const layer = { ...ql, input: ql.inputs[0], inputShape: ql.inputShapes[0], inputQ: ql.inputQ[0] } as unknown as NaiveLayer;
    const id = `layer${i}`;
    const inD = dimsOf(layer.inputShape, `layer '${layer.name}' input`);
    const outD = dimsOf(layer.outputShape, `layer '${layer.name}' output`);
    let src: string;
    if (layer.input === model.input.name) src = inputBuffer ? inputBuffer.ident : 'input';
    else {
      const b = buffers.get(layer.input);
      if (!b) throw new Error(`naive_gen: layer '${layer.name}' reads '${layer.input}', which no earlier layer writes`);
      src = b.ident;
    }
    if (buffers.has(layer.output) || layer.output === model.input.name) throw new Error(`naive_gen: tensor '${layer.output}' written twice`);
    const dst = bufferFor(layer.output, layer.outputShape).ident;

    const f: Record<string, number | string> = {
      in_h: inD.h, in_w: inD.w, in_c: inD.c, out_h: outD.h, out_w: outD.w, out_c: outD.c,
      kernel_h: 0, kernel_w: 0, stride_h: 0, stride_w: 0, dilation_h: 0, dilation_w: 0,
      pad_top: 0, pad_left: 0, pad_bottom: 0, pad_right: 0, depth_multiplier: 0, count_include_pad: 0,
      in_zp: layer.inputQ.zeroPoint, out_zp: layer.outputQ.zeroPoint, act_min: layer.actMin, act_max: layer.actMax,
      weights: '0', bias: '0', multiplier: '0', shift: '0',
    };
    if (layer.op === 'conv2d' || layer.op === 'depthwise_conv2d' || layer.op === 'average_pool') {
      const [kh, kw] = layer.kernel!;
      const [sh, sw] = layer.strides ?? [1, 1];
      const [pt, pl, pb, pr] = layer.pads ?? [0, 0, 0, 0];
      const [dh, dw] = layer.dilations ?? [1, 1];
      Object.assign(f, { kernel_h: kh, kernel_w: kw, stride_h: sh, stride_w: sw, dilation_h: dh, dilation_w: dw, pad_top: pt, pad_left: pl, pad_bottom: pb, pad_right: pr });
    }
    if (layer.op === 'depthwise_conv2d') f.depth_multiplier = layer.depthMultiplier ?? outD.c / inD.c;
    if (layer.op === 'average_pool') f.count_include_pad = layer.countIncludePad ?? 0;
    if (layer.op === 'average_pool' || layer.op === 'global_average_pool') {
      // TFLite pooling keeps the input's quantization; the naive op reads zero point from in_zp.
      if (layer.inputQ.zeroPoint !== layer.outputQ.zeroPoint || layer.inputQ.scale !== layer.outputQ.scale) {
        throw new Error(`naive_gen: pooling layer '${layer.name}' changes quantization (unsupported)`);
      }
    }
    if (layer.op === 'conv2d' || layer.op === 'depthwise_conv2d' || layer.op === 'fully_connected') {
      const O = outD.c;
      const taps = Number(f.kernel_h) * Number(f.kernel_w);
      const perOut = layer.op === 'conv2d' ? inD.c * taps : layer.op === 'depthwise_conv2d' ? taps : inD.h * inD.w * inD.c;
      expectLength(layer, 'weights', layer.weights?.length, O * perOut);
      expectLength(layer, 'bias', layer.bias?.length, O);
      expectLength(layer, 'multiplier', layer.multiplier?.length, O);
      expectLength(layer, 'shift', layer.shift?.length, O);
      consts.push(`/* ${id}: ${layer.name} (${layer.op}), weights [${layer.weightShape?.join(', ')}] */\n` +
        cArray('int8_t', `${id}_weights`, layer.weights!) + cArray('int32_t', `${id}_bias`, layer.bias!) +
        cArray('int32_t', `${id}_multiplier`, layer.multiplier!) + cArray('int32_t', `${id}_shift`, layer.shift!));
      Object.assign(f, { weights: `${id}_weights`, bias: `${id}_bias`, multiplier: `${id}_multiplier`, shift: `${id}_shift` });
    }
    const init = Object.entries(f).map(([k, v]) => `.${k} = ${v}`);
    // C99 designated initializers: every field named, so the table reads on its own.
    const rows: string[] = [];
    for (let k = 0; k < init.length; k += 6) rows.push('    ' + init.slice(k, k + 6).join(', '));
    consts.push(`static const naive_layer ${id} = {\n${rows.join(',\n')}\n};\n`);
    calls.push(`    ${NAIVE_FN[layer.op]}(&${id}, ${src}, ${dst}); /* ${layer.name} */`);
  });

  const layerOutputs = model.layers.map((l) => buffers.get(l.output)!);
  const outBuf = buffers.get(model.output.name);
  if (!outBuf) throw new Error(`naive_gen: output '${model.output.name}' is not written by any layer`);

  const inputCopy = inputBuffer
    ? [
        '    /* caller input is NCHW: to NHWC */',
        `    for (c = 0; c < ${inDims.c}; c++) for (y = 0; y < ${inDims.h}; y++) for (x = 0; x < ${inDims.w}; x++)`,
        `        ${inputBuffer.ident}[(y * ${inDims.w} + x) * ${inDims.c} + c] = input[(c * ${inDims.h} + y) * ${inDims.w} + x];`,
      ]
    : [];
  const header = `/* naive_model.h - ${model.name}: naive loop-nest baseline of the generated runner (bench/c/naive_gen.ts; do not edit) */
#ifndef NAIVE_MODEL_H
#define NAIVE_MODEL_H

#include <stdint.h>

#define NAIVE_INPUT_LAYOUT_${inputLayout.toUpperCase()} 1
#define NAIVE_INPUT_H ${inDims.h}
#define NAIVE_INPUT_W ${inDims.w}
#define NAIVE_INPUT_C ${inDims.c}
#define NAIVE_INPUT_SIZE ${inSize}
#define NAIVE_OUTPUT_SIZE ${outSize}
#define NAIVE_PIXEL_OFFSET ${model.input.pixelOffset}

/* input: ${inputLayout.toUpperCase()} int8 (as the generated runner's); output: ${outSize} int8 values, NCHW order. */
int naive_model_run(const int8_t *input, int8_t *output);

/* For checks: layer i's output buffer (NHWC) after a run and its size; 0 when i is out of range. */
#define NAIVE_LAYER_COUNT ${model.layers.length}
const int8_t *naive_model_layer_output(int32_t i, int32_t *bytes);

/* H x W x C interleaved uint8 pixels → int8 = pixel - NAIVE_PIXEL_OFFSET in the input layout. */
void naive_input_from_pixels(const uint8_t *pixels, int8_t *input);

#endif /* NAIVE_MODEL_H */
`;
  const pixelIndex = inputLayout === 'nhwc' ? '(y * NAIVE_INPUT_W + x) * NAIVE_INPUT_C + c' : '(c * NAIVE_INPUT_H + y) * NAIVE_INPUT_W + x';
  const source = `/* naive_model.c - ${model.name}: naive loop-nest baseline of the generated runner (bench/c/naive_gen.ts; do not edit) */
#include "naive_model.h"
#include "naive_ops.h"

${decls.join('\n')}

${consts.join('\n')}
int naive_model_run(const int8_t *input, int8_t *output)
{
    int32_t c, y, x;
${inputCopy.join('\n')}
${calls.join('\n')}
    /* NHWC buffer → output in NCHW order (the same bytes when H = W = 1) */
    for (c = 0; c < ${outDims.c}; c++) for (y = 0; y < ${outDims.h}; y++) for (x = 0; x < ${outDims.w}; x++)
        output[(c * ${outDims.h} + y) * ${outDims.w} + x] = ${outBuf.ident}[(y * ${outDims.w} + x) * ${outDims.c} + c];
    return 0;
}

static int8_t *const layer_outputs[${layerOutputs.length}] = { ${layerOutputs.map((b) => b.ident).join(', ')} };
static const int32_t layer_output_bytes[${layerOutputs.length}] = { ${layerOutputs.map((b) => b.dims.h * b.dims.w * b.dims.c).join(', ')} };

const int8_t *naive_model_layer_output(int32_t i, int32_t *bytes)
{
    if (i < 0 || i >= ${layerOutputs.length}) {
        return 0;
    }
    *bytes = layer_output_bytes[i];
    return layer_outputs[i];
}

void naive_input_from_pixels(const uint8_t *pixels, int8_t *input)
{
    int32_t c, y, x;
    for (y = 0; y < NAIVE_INPUT_H; y++) for (x = 0; x < NAIVE_INPUT_W; x++) for (c = 0; c < NAIVE_INPUT_C; c++)
        input[${pixelIndex}] = (int8_t)((int32_t)pixels[(y * NAIVE_INPUT_W + x) * NAIVE_INPUT_C + c] - NAIVE_PIXEL_OFFSET);
}
`;
  return { 'naive_model.c': source, 'naive_model.h': header };
}

/** Writes naive_model.c/.h into `dir` (created) and returns their paths. */
export function writeNaiveModel(model: QuantizedModel, dir: string, inputLayout: InputLayout = 'nhwc'): string[] {
  mkdirSync(dir, { recursive: true });
  const files = generateNaiveModel(model, inputLayout);
  return Object.entries(files).map(([name, text]) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  });
}

async function cli(argv: string[]): Promise<void> {
  const outDir = argv[0];
  if (!outDir || outDir.startsWith('-')) {
    console.error('usage: npx tsx bench/c/naive_gen.ts out/NAME [--to DIR]');
    process.exit(2);
  }
  const toIdx = argv.indexOf('--to');
  const to = toIdx >= 0 ? argv[toIdx + 1] : join(outDir, 'naive');
  const { reconstructModel, readManifest } = await import('../../src/verify/verify.js');
  const model = reconstructModel(outDir);
  const written = writeNaiveModel(model, to, readManifest(outDir).input.layout);
  console.log(`naive_gen: ${model.layers.length} layers → ${written.join(', ')}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  await cli(process.argv.slice(2));
}
