/**
 * model.h / model.c: the generated runner. One call runs the network on channels-last buffers in
 * one arena; every layer's parameters are a `static const` struct named after the layer with a
 * comment tying it to its ONNX node(s), shapes, fused activation and arena offsets. The
 * per-kernel parts (params struct, description, call) come from the layer's emitter, which its op
 * file (src/ops/<op>.ts) attached when lowering it.
 */
import type { ArenaPlan } from '../memory/plan.js';
import { cComment } from '../cgen/c_writer.js';
import { dimsInit } from '../cgen/c_layer.js';
import type { CDims, CLayer, LoweredModel } from '../lower/lower.js';
import { hasData } from './weights.js';

export interface RunnerPlan {
  readonly plan: ArenaPlan;
  readonly inPlaceSteps: ReadonlySet<string>;
  /** Tensors outside the arena: the caller's input (nhwc layout) and output. */
  readonly external: ReadonlySet<string>;
}

const fmtShape = (s: readonly number[]) => `[${s.join(', ')}]`;
const fmtDims = (d: CDims) => `${d.h}x${d.w}x${d.c}`;
const real = (x: number) => Number(x.toPrecision(9)).toString();

function activationNote(c: CLayer): string {
  const q = c.layer.outputQ;
  const lo = q.scale * (c.layer.actMin - q.zeroPoint);
  const hi = q.scale * (c.layer.actMax - q.zeroPoint);
  return `clamp [${c.layer.actMin}, ${c.layer.actMax}] = real [${real(lo)}, ${real(hi)}]`;
}

export function modelH(m: LoweredModel, r: RunnerPlan, banner: string): string {
  const q = m.model;
  const inDims = m.tensorDims.get(m.inputTensor)!;
  const inShape = q.input.shape;
  const outSize = q.output.shape.reduce((a, b) => a * b, 1);
  const inSize = inShape.reduce((a, b) => a * b, 1);
  const dataLayers = m.layers.filter(hasData);
  const lines = [
    `/*`,
    ` * model.h - ${cComment(q.name)} (${banner})`,
    ` *`,
    ` * int8 inference, no malloc, no floating point. Call model_run(input, output): the input is`,
    ` * ${m.inputLayout === 'nhwc' ? `channels-last (H x W x C = ${fmtDims(inDims)})` : `NCHW (C x H x W = ${inDims.c}x${inDims.h}x${inDims.w})`} int8, the output ${outSize} int8 values`,
    ` * (${q.output.softmax ? 'logits: softmax(scale * (raw - zero_point)) gives probabilities' : 'the model output'}).`,
    ` * What to feed: ${cComment(q.input.pixelMapping)} (model_input_from_pixels does it); the float model`,
    ` * was trained on ${cComment(q.input.floatScaling)}.${q.input.note && q.input.note !== 'exact' ? '' : ''}`,
    ...(q.input.note && q.input.note !== 'exact' ? [` * Note: ${cComment(q.input.note)}`] : []),
    ` */`,
    '#ifndef MODEL_H',
    '#define MODEL_H',
    '',
    '#include <stddef.h>',
    '#include <stdint.h>',
    '#include "onnx2mcu_kernels.h"',
    '',
    `#define MODEL_INPUT_LAYOUT_NHWC ${m.inputLayout === 'nhwc' ? 1 : 0}`,
    `#define MODEL_INPUT_H ${inDims.h}`,
    `#define MODEL_INPUT_W ${inDims.w}`,
    `#define MODEL_INPUT_C ${inDims.c}`,
    `#define MODEL_INPUT_SIZE ${inSize}`,
    `#define MODEL_INPUT_SCALE ${real(q.input.q.scale)}f /* real = scale * (q - zero_point); documentation only */`,
    `#define MODEL_INPUT_ZERO_POINT ${q.input.q.zeroPoint}`,
    `#define MODEL_INPUT_PIXEL_OFFSET ${q.input.pixelOffset} /* int8 = uint8 pixel - offset */`,
    `#define MODEL_OUTPUT_SIZE ${outSize}`,
    `#define MODEL_OUTPUT_SCALE ${real(q.output.q.scale)}f`,
    `#define MODEL_OUTPUT_ZERO_POINT ${q.output.q.zeroPoint}`,
    `#define MODEL_ARENA_SIZE ${r.plan.peakBytes} /* bytes, kernel scratch included */`,
    '',
    '#define MODEL_OK 0',
    '#define MODEL_ERR_NULL (-1)      /* a null pointer argument */',
    '#define MODEL_ERR_ARENA (-2)     /* the caller-owned arena is smaller than MODEL_ARENA_SIZE */',
    '#define MODEL_ERR_BLOB (-3)      /* weights.bin failed validation (see onnx2mcu_blob.h) */',
    '',
    '/* Per-layer constant data: flash arrays (model_flash_weights in weights.h) or a loaded blob. */',
    'typedef struct {',
    ...(dataLayers.length ? dataLayers.map((c) => `    onnx2mcu_layer_data ${c.ident};`) : ['    int unused;']),
    '} model_weights_t;',
    '',
    '/* Runs the network with the weights in flash and the runner\'s static arena. Returns MODEL_OK. */',
    'int model_run(const int8_t *input, int8_t *output);',
    '',
    '/* The same with a caller-owned arena of at least MODEL_ARENA_SIZE bytes (no alignment needed). */',
    'int model_run_with_arena(const int8_t *input, int8_t *output, int8_t *arena, size_t arena_bytes);',
    '',
    '/* The same with weights from model_load_blob (or any model_weights_t). */',
    'int model_run_with_weights(const model_weights_t *weights, const int8_t *input, int8_t *output,',
    '                           int8_t *arena, size_t arena_bytes);',
    '',
    '/*',
    ' * Points `weights` into a weights.bin image (4-byte aligned, kept alive by the caller) after',
    ' * validating its magic, version, size, CRC32 and every tensor. Returns MODEL_OK, or',
    ' * MODEL_ERR_BLOB with the loader\'s code (ONNX2MCU_BLOB_ERR_*) in *detail when detail is not null.',
    ' */',
    'int model_load_blob(const uint8_t *blob, uint32_t blob_bytes, model_weights_t *weights, int *detail);',
    '',
    '/*',
    ' * Camera pixels to the model input: `pixels` is H x W x C interleaved uint8 (RGB for a color',
    ` * model), MODEL_INPUT_SIZE bytes; writes int8 = pixel - ${q.input.pixelOffset} in the model's input layout.`,
    ' */',
    'void model_input_from_pixels(const uint8_t *pixels, int8_t *input);',
    '',
    '#endif /* MODEL_H */',
    '',
  ];
  return lines.join('\n');
}

export function modelC(m: LoweredModel, r: RunnerPlan, banner: string): string {
  const { plan, inPlaceSteps, external } = r;
  const q = m.model;
  const ptr = (t: string, mutable: boolean): string => {
    if (t === m.outputTensor) return 'output';
    if (external.has(t)) {
      if (mutable) throw new Error(`emit: tensor '${t}' is the caller's input and cannot be written`);
      return 'input';
    }
    const o = plan.offsets.get(t);
    if (o === undefined) throw new Error(`emit: tensor '${t}' has no arena offset`);
    return `arena + ${o}`;
  };
  const bufferBytes = new Map<string, number>();
  for (const b of plan.buffers) for (const t of b.members) bufferBytes.set(t, b.size);
  const where = (t: string) => {
    if (t === m.outputTensor) return 'caller output';
    if (external.has(t)) return 'caller input';
    const o = plan.offsets.get(t)!;
    return `arena [${o}, ${o + (m.tensorBytes.get(t) ?? bufferBytes.get(t)!)})`;
  };
  const out: string[] = [];
  out.push(`/* model.c - ${cComment(q.name)} (${banner}) */`);
  out.push('#include "model.h"', '#include "weights.h"', '#include "onnx2mcu_blob.h"', '');
  out.push(
    '/* Build hook: define MODEL_LAYER_HOOK(layer) to observe the end of each layer (benchmarks count',
    ' * instructions per layer with it). Does nothing by default. */',
    '#ifndef MODEL_LAYER_HOOK',
    '#define MODEL_LAYER_HOOK(layer) ((void)0)',
    '#endif',
    '',
  );

  if (m.inputNchwTensor) {
    out.push(`/* input_nchw_to_nhwc: the caller's NCHW input to channels-last, ${where(m.inputTensor)} */`);
    out.push(`static const onnx2mcu_dims input_dims = ${dimsInit(m.tensorDims.get(m.inputTensor)!)};`, '');
  }
  const calls: string[] = [];
  if (m.inputNchwTensor) calls.push(`    onnx2mcu_nchw_to_nhwc_s8(&input_dims, input, ${ptr(m.inputTensor, true)});`);
  m.layers.forEach((c, i) => {
    const l = c.layer;
    const ps = c.emitter.params(c);
    const inPlace = inPlaceSteps.has(c.ident);
    out.push('/*');
    out.push(` * Layer ${i}: ${cComment(l.name)} - ${c.emitter.describe(c)}${inPlace ? ', in place' : ''}`);
    out.push(` * ONNX node(s): ${cComment(l.origin.join(', ') || l.name)}`);
    out.push(` * input  ${cComment(l.input)} ${fmtShape(l.inputShape)} NCHW = ${fmtDims(c.inDims)} NHWC, scale ${real(l.inputQ.scale)} zp ${l.inputQ.zeroPoint}, ${where(c.input)}`);
    out.push(` * output ${cComment(l.output)} ${fmtShape(l.outputShape)} NCHW = ${fmtDims(c.outDims)} NHWC, scale ${real(l.outputQ.scale)} zp ${l.outputQ.zeroPoint}, ${where(c.output)}`);
    if (c.weights) out.push(` * weights ${cComment(l.weightShape ? fmtShape(l.weightShape) : '')} per-channel int8; MACs ${c.macs}; fused activation: ${activationNote(c)}`);
    else out.push(` * fused activation: ${activationNote(c)}`);
    if (inPlace) out.push(` * runs in place: output rows overwrite input rows; two saved input rows at ${where(`scratch:${c.ident}`)}`);
    out.push(' */');
    out.push(`static const ${ps.type} ${c.ident}_params = ${ps.init};`, '');
    const inP = ptr(c.input, false);
    const outP = ptr(c.output, true);
    // In place (only layers lowered with inPlaceScratch): the output overwrites the input, two saved rows in the arena.
    const io = inPlace ? { input: inP, output: inP, scratch: `arena + ${plan.offsets.get(`scratch:${c.ident}`)}` } : { input: inP, output: outP };
    calls.push(`    ${c.emitter.call(c, io)}`, `    MODEL_LAYER_HOOK(${i});`);
  });

  const usesArena = calls.some((c) => c.includes('arena'));
  const usesW = calls.some((c) => c.includes('&w->'));
  out.push('static void run_layers(const model_weights_t *w, const int8_t *input, int8_t *output, int8_t *arena)');
  out.push('{');
  if (!usesArena) out.push('    (void)arena;');
  if (!usesW) out.push('    (void)w;');
  out.push(...calls);
  out.push('}', '');

  out.push(
    'int model_run_with_weights(const model_weights_t *weights, const int8_t *input, int8_t *output,',
    '                           int8_t *arena, size_t arena_bytes)',
    '{',
    '    if (weights == 0 || input == 0 || output == 0 || (arena == 0 && MODEL_ARENA_SIZE > 0)) {',
    '        return MODEL_ERR_NULL;',
    '    }',
    '    if (arena_bytes < MODEL_ARENA_SIZE) {',
    '        return MODEL_ERR_ARENA;',
    '    }',
    '    run_layers(weights, input, output, arena);',
    '    return MODEL_OK;',
    '}',
    '',
    'int model_run_with_arena(const int8_t *input, int8_t *output, int8_t *arena, size_t arena_bytes)',
    '{',
    '    return model_run_with_weights(&model_flash_weights, input, output, arena, arena_bytes);',
    '}',
    '',
    '/* The one arena: int32 words so that it is 4-byte aligned on every target. */',
    'static int32_t model_arena[(MODEL_ARENA_SIZE + 3) / 4 + 1];',
    '',
    'int model_run(const int8_t *input, int8_t *output)',
    '{',
    '    return model_run_with_arena(input, output, (int8_t *)model_arena, sizeof model_arena);',
    '}',
    '',
  );

  const dataLayers = m.layers.filter(hasData);
  out.push('int model_load_blob(const uint8_t *blob, uint32_t blob_bytes, model_weights_t *weights, int *detail)', '{');
  out.push('    onnx2mcu_blob b;', '    int rc;');
  if (dataLayers.length) out.push('    model_weights_t w;');
  out.push('    if (detail != 0) {', '        *detail = ONNX2MCU_BLOB_OK;', '    }', '    if (weights == 0) {', '        return MODEL_ERR_NULL;', '    }');
  out.push('    rc = onnx2mcu_blob_open(blob, blob_bytes, &b);', '    if (rc != ONNX2MCU_BLOB_OK) {', '        if (detail != 0) {', '            *detail = rc;', '        }', '        return MODEL_ERR_BLOB;', '    }');
  for (const c of dataLayers) {
    const O = c.bias!.length;
    out.push(`    w.${c.ident}.weights = (const int8_t *)onnx2mcu_blob_find(&b, "${c.ident}.weights", ONNX2MCU_DTYPE_INT8, ${c.weights!.length}u);`);
    out.push(`    w.${c.ident}.bias = (const int32_t *)onnx2mcu_blob_find(&b, "${c.ident}.bias", ONNX2MCU_DTYPE_INT32, ${4 * O}u);`);
    out.push(`    w.${c.ident}.multiplier = (const int32_t *)onnx2mcu_blob_find(&b, "${c.ident}.multiplier", ONNX2MCU_DTYPE_INT32, ${4 * O}u);`);
    out.push(`    w.${c.ident}.shift = (const int32_t *)onnx2mcu_blob_find(&b, "${c.ident}.shift", ONNX2MCU_DTYPE_INT32, ${4 * O}u);`);
    out.push(`    if (w.${c.ident}.weights == 0 || w.${c.ident}.bias == 0 || w.${c.ident}.multiplier == 0 || w.${c.ident}.shift == 0) {`);
    out.push('        if (detail != 0) {', '            *detail = ONNX2MCU_BLOB_ERR_MISSING;', '        }', '        return MODEL_ERR_BLOB;', '    }');
  }
  if (dataLayers.length) out.push('    *weights = w;');
  out.push('    return MODEL_OK;', '}', '');

  const inDims = m.tensorDims.get(m.inputTensor)!;
  out.push('void model_input_from_pixels(const uint8_t *pixels, int8_t *input)', '{');
  if (m.inputLayout === 'nhwc') {
    out.push('    int32_t i;', '    for (i = 0; i < MODEL_INPUT_SIZE; ++i) {', '        input[i] = (int8_t)((int32_t)pixels[i] - MODEL_INPUT_PIXEL_OFFSET);', '    }');
  } else {
    out.push('    int32_t p, c;', `    const int32_t pixel_count = ${inDims.h * inDims.w};`);
    out.push('    for (p = 0; p < pixel_count; ++p) {', '        for (c = 0; c < MODEL_INPUT_C; ++c) {');
    out.push('            input[c * pixel_count + p] = (int8_t)((int32_t)pixels[p * MODEL_INPUT_C + c] - MODEL_INPUT_PIXEL_OFFSET);');
    out.push('        }', '    }');
  }
  out.push('}', '');
  return out.join('\n');
}
