/**
 * <prefix>.h / <prefix>.c: the generated runner. One call runs the network on channels-last
 * buffers in one arena; every layer's parameters are a `static const` struct named after the layer
 * (C99 designated initializers) with a comment tying it to its source node(s), shapes, fused
 * activation and arena offsets. The per-kernel parts (params struct, description, call) come from
 * the layer's emitter, which its op file (src/ops/<op>.ts) attached when lowering it.
 *
 * Every public symbol, type and macro carries the model's prefix (`model` by default), so two
 * models converted with different prefixes link into one firmware image.
 */
import type { RunnerPlan } from '../memory/plan_memory.js';
import { cComment } from '../cgen/c_writer.js';
import { dimsInit } from '../cgen/c_layer.js';
import type { CDims, CLayer, LoweredModel } from '../lower/lower.js';
import { prefixedName, withPrefix } from '../runtime/runtime_files.js';
import type { Provenance } from '../artifacts/manifest.js';
import { UserError } from '../util/errors.js';
import { blobBounds, blobBoundsInit, checkBlobValues, type BlobBounds } from './blob_bounds.js';

const fmtShape = (s: readonly number[]) => `[${s.join(', ')}]`;
const fmtDims = (d: CDims) => `${d.h}x${d.w}x${d.c}`;
const real = (x: number) => Number(x.toPrecision(9)).toString();

/** The layers with constant data, in order (their index is their slot in <prefix>_weights_t). */
export const dataLayers = (m: LoweredModel): CLayer[] => m.layers.filter((c) => c.data !== undefined);

/** The names of a model's generated files and public symbols. */
export function cNames(prefix: string) {
  const P = prefix.toUpperCase();
  return {
    P,
    header: `${prefix}.h`,
    source: `${prefix}.c`,
    weightsHeader: `${prefix}_weights.h`,
    weightsSource: `${prefix}_weights.c`,
    weightsType: `${prefix}_weights_t`,
    flashWeights: `${prefix}_flash_weights`,
    /** A runtime file or symbol ('onnx2mcu_…') in this model's namespace. */
    runtime: (name: string) => prefixedName(name, prefix),
  };
}

function activationNote(c: CLayer): string {
  const q = c.layer.outputQ;
  const lo = q.scale * (c.layer.actMin - q.zeroPoint);
  const hi = q.scale * (c.layer.actMax - q.zeroPoint);
  return `clamp [${c.layer.actMin}, ${c.layer.actMax}] = real [${real(lo)}, ${real(hi)}]`;
}

/** How the input scaling was decided, for the header comment ('' when not recorded). */
function scalingNote(source: Provenance | undefined): string {
  if (!source) return '';
  const how: Record<string, string> = {
    sha256: 'the known model recognised by its sha256',
    'file name': 'the known model recognised by its file name',
    '--scale': 'given with --scale',
    assumed: 'ASSUMED: the model is not a known one and no --scale was given; check it',
  };
  return ` (scaling: ${how[source.input_scaling_source] ?? source.input_scaling_source})`;
}

export function modelH(m: LoweredModel, r: RunnerPlan, banner: string, source?: Provenance): string {
  const q = m.model;
  const n = cNames(m.prefix);
  const p = m.prefix;
  const P = n.P;
  const inDims = m.tensorDims.get(m.inputTensor)!;
  const outSize = q.output.shape.reduce((a, b) => a * b, 1);
  const inSize = q.input.shape.reduce((a, b) => a * b, 1);
  const slots = dataLayers(m).length;
  const lines = [
    `/*`,
    ` * ${n.header} - ${cComment(q.name)} (${banner})`,
    ` *`,
    ` * int8 inference, no malloc, no floating point. The input lives in the arena, as TFLite Micro's:`,
    ` * write it at ${p}_input() (${p}_input_from_pixels does it from camera pixels), then call`,
    ` * ${p}_invoke(output). ${p}_run(input, output) copies a buffer of the caller's there first. The input is`,
    ` * ${m.inputLayout === 'nhwc' ? `channels-last (H x W x C = ${fmtDims(inDims)})` : `NCHW (C x H x W = ${inDims.c}x${inDims.h}x${inDims.w})`} int8, the output ${outSize} int8 values`,
    ` * (${q.output.softmax ? 'logits: softmax(scale * (raw - zero_point)) gives probabilities' : 'the model output'}).`,
    ` * What to feed: ${cComment(q.input.pixelMapping)} (${p}_input_from_pixels does it); the float model`,
    ` * was trained on ${cComment(q.input.floatScaling)}${scalingNote(source)}.`,
    ...(q.input.note && !q.input.note.startsWith('exact') ? [` * Note: ${cComment(q.input.note)}`] : []),
    ` * Every symbol of this model starts with ${p}_ (macros ${P}_), so models converted with other`,
    ` * prefixes (onnx2mcu convert --prefix NAME) link into the same image.`,
    ` */`,
    `#ifndef ${P}_H`,
    `#define ${P}_H`,
    '',
    '#include <stddef.h>',
    '#include <stdint.h>',
    `#include "${n.runtime('onnx2mcu_types.h')}"`,
    '',
    `#define ${P}_INPUT_LAYOUT_NHWC ${m.inputLayout === 'nhwc' ? 1 : 0}`,
    `#define ${P}_INPUT_H ${inDims.h}`,
    `#define ${P}_INPUT_W ${inDims.w}`,
    `#define ${P}_INPUT_C ${inDims.c}`,
    `#define ${P}_INPUT_SIZE ${inSize}`,
    `#define ${P}_INPUT_SCALE ${real(q.input.q.scale)}f /* real = scale * (q - zero_point); documentation only */`,
    `#define ${P}_INPUT_ZERO_POINT ${q.input.q.zeroPoint}`,
    `#define ${P}_INPUT_PIXEL_OFFSET ${q.input.pixelOffset} /* int8 = uint8 pixel - offset */`,
    `#define ${P}_OUTPUT_SIZE ${outSize}`,
    `#define ${P}_OUTPUT_SCALE ${real(q.output.q.scale)}f`,
    `#define ${P}_OUTPUT_ZERO_POINT ${q.output.q.zeroPoint}`,
    `#define ${P}_ARENA_SIZE ${r.plan.peakBytes} /* bytes: every activation, the input and the kernels' scratch */`,
    `#define ${P}_INPUT_OFFSET ${r.plan.offsets.get(r.inputTensor)} /* where the input sits in the arena */`,
    `#define ${P}_ARENA_ALIGNMENT ${r.alignment} /* a caller-owned arena must start at a multiple of this */`,
    '',
    `#define ${P}_OK 0`,
    `#define ${P}_ERR_NULL (-1)      /* a null pointer argument */`,
    `#define ${P}_ERR_ARENA (-2)     /* the caller-owned arena is smaller than ${P}_ARENA_SIZE */`,
    `#define ${P}_ERR_BLOB (-3)      /* weights.bin failed validation (see ${n.runtime('onnx2mcu_blob.h')}) */`,
    `#define ${P}_ERR_ALIGN (-4)     /* the caller-owned arena is not aligned to ${P}_ARENA_ALIGNMENT */`,
    '',
    '/* Constant data of every layer that has some: flash arrays or a loaded weights.bin. */',
    'typedef struct {',
    `    ${n.runtime('onnx2mcu_layer_data')} layer[${Math.max(slots, 1)}];`,
    `} ${n.weightsType};`,
    '',
    `/* Where to write the input (${P}_INPUT_SIZE bytes) in the runner's static arena. */`,
    `int8_t *${p}_input(void);`,
    '',
    `/* Runs the network on the input at ${p}_input(), weights in flash, static arena. Returns ${P}_OK. */`,
    `int ${p}_invoke(int8_t *output);`,
    '',
    `/* The same with a caller-owned arena of at least ${P}_ARENA_SIZE bytes, aligned to ${P}_ARENA_ALIGNMENT: */`,
    `/* the input goes at ${p}_arena_input(arena) = arena + ${P}_INPUT_OFFSET. */`,
    `int8_t *${p}_arena_input(int8_t *arena);`,
    `int ${p}_invoke_with_arena(int8_t *output, int8_t *arena, size_t arena_bytes);`,
    '',
    `/* The same with weights from ${p}_load_blob (or any ${n.weightsType}). */`,
    `int ${p}_invoke_with_weights(const ${n.weightsType} *weights, int8_t *output, int8_t *arena, size_t arena_bytes);`,
    '',
    `/* ${p}_run*: copy \`input\` (${P}_INPUT_SIZE bytes, any buffer) into the arena, then invoke. */`,
    `int ${p}_run(const int8_t *input, int8_t *output);`,
    `int ${p}_run_with_arena(const int8_t *input, int8_t *output, int8_t *arena, size_t arena_bytes);`,
    `int ${p}_run_with_weights(const ${n.weightsType} *weights, const int8_t *input, int8_t *output,`,
    `    int8_t *arena, size_t arena_bytes);`,
    '',
    '/*',
    ' * Points `weights` into a weights.bin image (4-byte aligned, kept alive by the caller) after',
    ` * validating its magic, version, size, CRC32, every tensor and every value a kernel relies on`,
    ` * (multipliers, shifts, biases against the accumulator bound). Returns ${P}_OK, or`,
    ` * ${P}_ERR_BLOB with the loader's code (${P}_BLOB_ERR_*) in *detail when detail is not null.`,
    ' */',
    `int ${p}_load_blob(const uint8_t *blob, uint32_t blob_bytes, ${n.weightsType} *weights, int *detail);`,
    '',
    '/*',
    ' * Camera pixels to the model input: `pixels` is H x W x C interleaved uint8 (RGB for a color',
    ` * model), ${P}_INPUT_SIZE bytes; writes int8 = pixel - ${q.input.pixelOffset} in the model's input layout.`,
    ' */',
    `void ${p}_input_from_pixels(const uint8_t *pixels, int8_t *input);`,
    '',
    `#endif /* ${P}_H */`,
    '',
  ];
  return lines.join('\n');
}

/** Where each tensor lives in the runner: its pointer expression and a description for comments. */
function buffers(m: LoweredModel, r: RunnerPlan) {
  const { plan, external } = r;
  const bufferBytes = new Map<string, number>();
  for (const b of plan.buffers) for (const t of b.members) bufferBytes.set(t, b.size);
  return {
    ptr(t: string, _mutable: boolean): string {
      if (t === m.outputTensor) return 'output';
      if (external.has(t)) throw new Error(`emit: tensor '${t}' is outside the arena`);
      const o = plan.offsets.get(t);
      if (o === undefined) throw new Error(`emit: tensor '${t}' has no arena offset`);
      return `arena + ${o}`;
    },
    where(t: string): string {
      if (t === m.outputTensor) return 'caller output';
      const o = plan.offsets.get(t)!;
      return `arena [${o}, ${o + (m.tensorBytes.get(t) ?? bufferBytes.get(t)!)})`;
    },
  };
}

/** One layer: its comment and params struct (into `out`), and its kernel call (returned). */
function layerBlock(m: LoweredModel, r: RunnerPlan, c: CLayer, i: number, slot: number | undefined, out: string[]): string {
  const n = cNames(m.prefix);
  const { ptr, where } = buffers(m, r);
  const l = c.layer;
  const ps = c.emitter.params(c);
  const inPlace = r.inPlaceSteps.has(c.ident);
  out.push('/*');
  out.push(` * Layer ${i}: ${cComment(l.name)} - ${cComment(c.emitter.describe(c))}${inPlace ? ', in place' : ''}`);
  out.push(` * source node(s): ${cComment(l.origin.join(', ') || l.name)}`);
  l.inputs.forEach((t, k) => {
    const label = l.inputs.length > 1 ? `input ${k}` : 'input ';
    out.push(` * ${label} ${cComment(t)} ${fmtShape(l.inputShapes[k])} NCHW = ${fmtDims(c.inDims[k])} NHWC, scale ${real(l.inputQ[k].scale)} zp ${l.inputQ[k].zeroPoint}, ${where(c.inputs[k])}`);
  });
  out.push(` * output ${cComment(l.output)} ${fmtShape(l.outputShape)} NCHW = ${fmtDims(c.outDims)} NHWC, scale ${real(l.outputQ.scale)} zp ${l.outputQ.zeroPoint}, ${where(c.output)}`);
  if (c.data) out.push(` * weights ${fmtShape((l as { weightShape?: readonly number[] }).weightShape ?? [])} per-channel int8 (${c.data.layout.name} in flash); MACs ${c.macs}; fused activation: ${activationNote(c)}`);
  else out.push(` * fused activation: ${activationNote(c)}`);
  if (inPlace) out.push(` * runs in place: output rows overwrite input rows the kernel has consumed (its order is replayed by the planner)`);
  const overlap = r.plan.overlaps.find((o) => r.steps[o.step]?.name === c.ident);
  if (overlap) out.push(` * output over consumed input: output offset - input offset = ${overlap.shift} bytes (the kernel's order, replayed by the planner, allows it)`);
  if (r.lowRamSteps.has(c.ident)) out.push(' * kernel variant with less scratch, chosen by the memory plan (this layer set the arena peak)');
  out.push(' */');
  out.push(`static const ${n.runtime(ps.type)} ${c.ident}_params = ${ps.init};`, '');
  const inputs = c.inputs.map((t) => ptr(t, false));
  const weights = slot !== undefined ? `&w->layer[${slot}]` : undefined;
  // In place (only layers lowered with inPlaceScratch): the output overwrites the input, two saved rows in the arena.
  const scratchAt = r.plan.offsets.get(`scratch:${c.ident}`);
  const scratch = scratchAt !== undefined ? { scratch: `arena + ${scratchAt}` } : {};
  const io = inPlace ? { inputs, output: inputs[0], weights, ...scratch } : { inputs, output: ptr(c.output, true), weights, ...scratch };
  return n.runtime(c.emitter.call(c, io));
}

/**
 * The public entry points: invoke on the input in the arena (with weights, with a caller-owned
 * arena, with the static arena), and run (copy a caller's input buffer in, then invoke).
 */
function entryPoints(m: LoweredModel): string[] {
  const n = cNames(m.prefix);
  const { P } = n;
  const p = m.prefix;
  return [
    `int ${p}_invoke_with_weights(const ${n.weightsType} *weights, int8_t *output, int8_t *arena, size_t arena_bytes)`,
    '{',
    `    if (weights == 0 || output == 0 || arena == 0) {`,
    `        return ${P}_ERR_NULL;`,
    '    }',
    `    if (arena_bytes < ${P}_ARENA_SIZE) {`,
    `        return ${P}_ERR_ARENA;`,
    '    }',
    `    if (((uintptr_t)arena % ${P}_ARENA_ALIGNMENT) != 0) {`,
    `        return ${P}_ERR_ALIGN;`,
    '    }',
    '    run_layers(weights, output, arena);',
    `    return ${P}_OK;`,
    '}',
    '',
    `int8_t *${p}_arena_input(int8_t *arena)`,
    '{',
    `    return arena == 0 ? 0 : arena + ${P}_INPUT_OFFSET;`,
    '}',
    '',
    `int ${p}_invoke_with_arena(int8_t *output, int8_t *arena, size_t arena_bytes)`,
    '{',
    `    return ${p}_invoke_with_weights(&${n.flashWeights}, output, arena, arena_bytes);`,
    '}',
    '',
    `int ${p}_run_with_weights(const ${n.weightsType} *weights, const int8_t *input, int8_t *output,`,
    '    int8_t *arena, size_t arena_bytes)',
    '{',
    `    if (input == 0 || arena == 0) {`,
    `        return ${P}_ERR_NULL;`,
    '    }',
    `    if (arena_bytes < ${P}_ARENA_SIZE) {`,
    `        return ${P}_ERR_ARENA;`,
    '    }',
    `    if (input != arena + ${P}_INPUT_OFFSET) {`,
    `        memmove(arena + ${P}_INPUT_OFFSET, input, ${P}_INPUT_SIZE); /* the caller's buffer may even be in the arena */`,
    '    }',
    `    return ${p}_invoke_with_weights(weights, output, arena, arena_bytes);`,
    '}',
    '',
    `int ${p}_run_with_arena(const int8_t *input, int8_t *output, int8_t *arena, size_t arena_bytes)`,
    '{',
    `    return ${p}_run_with_weights(&${n.flashWeights}, input, output, arena, arena_bytes);`,
    '}',
    '',
    `/* The one arena: int32 words, so it is aligned to ${P}_ARENA_ALIGNMENT (4) on every target. */`,
    `static int32_t ${p}_arena[(${P}_ARENA_SIZE + 3) / 4 + 1];`,
    '',
    `int8_t *${p}_input(void)`,
    '{',
    `    return (int8_t *)${p}_arena + ${P}_INPUT_OFFSET;`,
    '}',
    '',
    `int ${p}_invoke(int8_t *output)`,
    '{',
    `    return ${p}_invoke_with_arena(output, (int8_t *)${p}_arena, sizeof ${p}_arena);`,
    '}',
    '',
    `int ${p}_run(const int8_t *input, int8_t *output)`,
    '{',
    `    return ${p}_run_with_arena(input, output, (int8_t *)${p}_arena, sizeof ${p}_arena);`,
    '}',
    '',
  ];
}

export function modelC(m: LoweredModel, r: RunnerPlan, banner: string): string {
  const n = cNames(m.prefix);
  const { P } = n;
  const { ptr, where } = buffers(m, r);
  const headers = [...m.layers.map((c) => c.emitter.runtime.header), ...(m.inputNchwTensor ? ['onnx2mcu_transpose_s8.h'] : [])];
  const out: string[] = [];
  out.push(`/* ${n.source} - ${cComment(m.model.name)} (${banner}) */`);
  out.push('#include <string.h>', `#include "${n.header}"`, `#include "${n.weightsHeader}"`, `#include "${n.runtime('onnx2mcu_blob.h')}"`);
  for (const h of [...new Set(headers)].sort()) out.push(`#include "${n.runtime(h)}"`);
  out.push(
    '',
    `/* Build hook: define ${P}_LAYER_HOOK(layer) to observe the end of each layer (benchmarks count`,
    ' * instructions per layer with it). Does nothing by default. */',
    `#ifndef ${P}_LAYER_HOOK`,
    `#define ${P}_LAYER_HOOK(layer) ((void)0)`,
    '#endif',
    '',
  );
  const calls: string[] = [];
  if (m.inputNchwTensor) {
    out.push(`/* input_nchw_to_nhwc: the NCHW input (${where(m.inputNchwTensor)}) to channels-last, ${where(m.inputTensor)} */`);
    out.push(`static const ${n.runtime('onnx2mcu_dims')} input_dims = ${dimsInit(m.tensorDims.get(m.inputTensor)!)};`, '');
    calls.push(`    ${n.runtime('onnx2mcu_nchw_to_nhwc_s8')}(&input_dims, ${ptr(m.inputNchwTensor, false)}, ${ptr(m.inputTensor, true)});`);
  }
  const slot = new Map(dataLayers(m).map((c, i) => [c, i]));
  m.layers.forEach((c, i) => calls.push(`    ${layerBlock(m, r, c, i, slot.get(c), out)}`, `    ${P}_LAYER_HOOK(${i});`));
  out.push(`static void run_layers(const ${n.weightsType} *w, int8_t *output, int8_t *arena)`, '{');
  if (!calls.some((c) => c.includes('arena'))) out.push('    (void)arena;');
  if (!calls.some((c) => c.includes('&w->'))) out.push('    (void)w;');
  out.push(...calls, '}', '');
  out.push(...entryPoints(m));
  out.push(...blobLoader(m), '');
  out.push(...inputFromPixels(m), '');
  return out.join('\n');
}

/**
 * A layer's blob bounds, after checking its own constants are within them: the flash arrays and a
 * weights.bin written from them must both pass what the loader checks (else a one-line error here).
 */
function checkedBounds(c: CLayer): BlobBounds {
  const bounds = blobBounds(c);
  const problem = checkBlobValues(bounds, c.data!);
  if (problem) throw new UserError(`layer '${c.layer.name}': ${problem}; its kernel cannot take these values`);
  return bounds;
}

/**
 * <prefix>_load_blob: a table of the tensors each data layer needs (name in weights.bin) with the
 * bounds of its values (src/emit/blob_bounds.ts), and one loop that finds and checks them.
 */
function blobLoader(m: LoweredModel): string[] {
  const n = cNames(m.prefix);
  const { P } = n;
  const p = m.prefix;
  const layers = dataLayers(m);
  const out: string[] = [];
  if (layers.length) {
    out.push(
      '/*',
      ' * Per layer with data (the order of weights->layer): its tensors\' names in weights.bin, and the',
      ' * bounds its kernel relies on, which every loaded value is checked against (a blob that passes',
      ` * the CRC may still hold any value): { weight_count, channels, channel_stride, input_zero_point,`,
      ' * output_zero_point, acc_limit, shift_min, shift_max }.',
      ' */',
      'static const struct {',
      '    const char *weights;',
      '    const char *bias;',
      '    const char *multiplier;',
      '    const char *shift;',
      `    ${n.runtime('onnx2mcu_blob_bounds')} bounds;`,
      `} blob_layers[${layers.length}] = {`,
      ...layers.map((c, i) => `    { "${c.ident}.weights", "${c.ident}.bias", "${c.ident}.multiplier", "${c.ident}.shift", ${blobBoundsInit(checkedBounds(c))} }${i + 1 < layers.length ? ',' : ''}`),
      '};',
      '',
    );
  }
  out.push(`int ${p}_load_blob(const uint8_t *blob, uint32_t blob_bytes, ${n.weightsType} *weights, int *detail)`, '{');
  out.push(`    ${n.runtime('onnx2mcu_blob')} b;`, '    int rc;');
  if (layers.length) out.push('    uint32_t i;', `    ${n.weightsType} w;`);
  out.push(
    '    if (detail != 0) {',
    `        *detail = ${P}_BLOB_OK;`,
    '    }',
    '    if (weights == 0) {',
    `        return ${P}_ERR_NULL;`,
    '    }',
    `    rc = ${p}_blob_open(blob, blob_bytes, &b);`,
    `    if (rc != ${P}_BLOB_OK) {`,
    '        if (detail != 0) {',
    '            *detail = rc;',
    '        }',
    `        return ${P}_ERR_BLOB;`,
    '    }',
  );
  if (layers.length) {
    out.push(
      `    for (i = 0; i < ${layers.length}u; ++i) {`,
      `        ${n.runtime('onnx2mcu_layer_data')} *l = &w.layer[i];`,
      `        const uint32_t channel_bytes = 4u * blob_layers[i].bounds.channels;`,
      `        l->weights = (const int8_t *)${p}_blob_find(&b, blob_layers[i].weights, ${P}_DTYPE_INT8, blob_layers[i].bounds.weight_count);`,
      `        l->bias = (const int32_t *)${p}_blob_find(&b, blob_layers[i].bias, ${P}_DTYPE_INT32, channel_bytes);`,
      `        l->multiplier = (const int32_t *)${p}_blob_find(&b, blob_layers[i].multiplier, ${P}_DTYPE_INT32, channel_bytes);`,
      `        l->shift = (const int32_t *)${p}_blob_find(&b, blob_layers[i].shift, ${P}_DTYPE_INT32, channel_bytes);`,
      '        if (l->weights == 0 || l->bias == 0 || l->multiplier == 0 || l->shift == 0) {',
      '            if (detail != 0) {',
      `                *detail = ${P}_BLOB_ERR_MISSING;`,
      '            }',
      `            return ${P}_ERR_BLOB;`,
      '        }',
      `        rc = ${p}_blob_check_layer(&blob_layers[i].bounds, l);`,
      `        if (rc != ${P}_BLOB_OK) {`,
      '            if (detail != 0) {',
      '                *detail = rc;',
      '            }',
      `            return ${P}_ERR_BLOB;`,
      '        }',
      '    }',
      '    *weights = w;',
    );
  }
  out.push(`    return ${P}_OK;`, '}');
  return out;
}

function inputFromPixels(m: LoweredModel): string[] {
  const { P } = cNames(m.prefix);
  const inDims = m.tensorDims.get(m.inputTensor)!;
  const out = [`void ${m.prefix}_input_from_pixels(const uint8_t *pixels, int8_t *input)`, '{'];
  if (m.inputLayout === 'nhwc') {
    out.push('    int32_t i;', `    for (i = 0; i < ${P}_INPUT_SIZE; ++i) {`, `        input[i] = (int8_t)((int32_t)pixels[i] - ${P}_INPUT_PIXEL_OFFSET);`, '    }');
  } else {
    out.push('    int32_t p, c;', `    const int32_t pixel_count = ${inDims.h * inDims.w};`);
    out.push('    for (p = 0; p < pixel_count; ++p) {', `        for (c = 0; c < ${P}_INPUT_C; ++c) {`);
    out.push(`            input[c * pixel_count + p] = (int8_t)((int32_t)pixels[p * ${P}_INPUT_C + c] - ${P}_INPUT_PIXEL_OFFSET);`);
    out.push('        }', '    }');
  }
  out.push('}');
  return out;
}

/** The kernel C of a model: the runtime files its layers need, in its namespace (file name → text). */
export function runtimeFiles(m: LoweredModel, common: readonly string[], read: (name: string) => string): Map<string, string> {
  const names = new Set<string>(common);
  for (const c of m.layers) {
    names.add(c.emitter.runtime.header);
    for (const s of c.emitter.runtime.sources) names.add(s);
  }
  if (m.inputNchwTensor) {
    names.add('onnx2mcu_transpose_s8.h');
    names.add('onnx2mcu_transpose_s8.c');
  }
  return new Map([...names].sort().map((f) => [prefixedName(f, m.prefix), withPrefix(read(f), m.prefix)]));
}
