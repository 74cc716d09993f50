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
import { streamedPlace } from '../memory/stream.js';
import { cComment } from '../cgen/c_writer.js';
import { dimsInit } from '../cgen/c_layer.js';
import type { CDims, CLayer, LoweredModel } from '../lower/lower.js';
import type { CBuffers } from '../cgen/c_layer.js';
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
    ...(r.stream
      ? [
        ` * int8 inference, no malloc, no floating point. The first ${r.stream.layers.length} layers run row by row, so the input is`,
        ` * never whole in the arena: ${p}_run_rows(read_row, ctx, output) asks for it a row at a time (a camera`,
        ` * delivers it so), ${p}_run(input, output) reads the rows from a buffer of the caller's. The input is`,
      ]
      : [
        ` * int8 inference, no malloc, no floating point. The input lives in the arena, as TFLite Micro's:`,
        ` * write it at ${p}_input() (${p}_input_from_pixels does it from camera pixels), then call`,
        ` * ${p}_invoke(output). ${p}_run(input, output) copies a buffer of the caller's there first. The input is`,
      ]),
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
    ...(r.stream
      ? [
        `#define ${P}_ARENA_SIZE ${r.plan.peakBytes} /* bytes: every activation, the input rows and the kernels' scratch */`,
        `#define ${P}_STREAMED_LAYERS ${r.stream.layers.length} /* the first layers run row by row; the input is read a row at a time */`,
        `#define ${P}_INPUT_ROW_BYTES ${inDims.w * inDims.c} /* one input row as a row reader writes it: W x C, channels last */`,
      ]
      : [
        `#define ${P}_ARENA_SIZE ${r.plan.peakBytes} /* bytes: every activation, the input and the kernels' scratch */`,
        `#define ${P}_INPUT_OFFSET ${r.plan.offsets.get(r.inputTensor)} /* where the input sits in the arena */`,
      ]),
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
    ...(r.stream ? streamedApi(m) : arenaInputApi(m)),

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
    ...(r.stream
      ? [
        `/* One row of camera pixels (W x C uint8) to one input row for a row reader (W x C int8, channels last). */`,
        `void ${p}_input_row_from_pixels(const uint8_t *pixel_row, int8_t *row);`,
        '',
      ]
      : []),
    `#endif /* ${P}_H */`,
    '',
  ];
  return lines.join('\n');
}

/** The entry points of a runner whose input lives in the arena (declarations). */
function arenaInputApi(m: LoweredModel): string[] {
  const n = cNames(m.prefix);
  const { P } = n;
  const p = m.prefix;
  return [
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
  ];
}

/** The entry points of a runner that streams its first layers (declarations): no input in the arena. */
function streamedApi(m: LoweredModel): string[] {
  const n = cNames(m.prefix);
  const { P } = n;
  const p = m.prefix;
  return [
    `/*`,
    ` * A row reader: writes input row \`row\` (0 .. ${P}_INPUT_H - 1, asked for in order, each at most once:`,
    ` * a row no output needs is skipped) to \`dst\`,`,
    ` * ${P}_INPUT_ROW_BYTES int8 values, channels last whatever the input layout (${p}_input_row_from_pixels`,
    ` * converts a row of camera pixels).`,
    ` */`,
    `typedef void (*${p}_read_row_fn)(void *ctx, int32_t row, int8_t *dst);`,
    '',
    `/* Runs the network on rows from read_row(ctx, ...), weights in flash, static arena. Returns ${P}_OK. */`,
    `int ${p}_run_rows(${p}_read_row_fn read_row, void *ctx, int8_t *output);`,
    '',
    `/* The same with weights from ${p}_load_blob (or any ${n.weightsType}) and a caller-owned arena of at least */`,
    `/* ${P}_ARENA_SIZE bytes, aligned to ${P}_ARENA_ALIGNMENT. */`,
    `int ${p}_run_rows_with_weights(const ${n.weightsType} *weights, ${p}_read_row_fn read_row, void *ctx, int8_t *output,`,
    `    int8_t *arena, size_t arena_bytes);`,
    '',
    `/* ${p}_run*: the input is a buffer of the caller's (${P}_INPUT_SIZE bytes, the model's input layout), read a row at a time; */`,
    `/* it must not lie in the arena (the windows would overwrite it). */`,
    `int ${p}_run(const int8_t *input, int8_t *output);`,
    `int ${p}_run_with_arena(const int8_t *input, int8_t *output, int8_t *arena, size_t arena_bytes);`,
    `int ${p}_run_with_weights(const ${n.weightsType} *weights, const int8_t *input, int8_t *output,`,
    `    int8_t *arena, size_t arena_bytes);`,
    '',
  ];
}

/** Where each tensor lives in the runner: its pointer expression and a description for comments. */
function buffers(m: LoweredModel, r: RunnerPlan) {
  const { plan, external } = r;
  const bufferBytes = new Map<string, number>();
  for (const b of plan.buffers) for (const t of b.members) bufferBytes.set(t, b.size);
  return {
    ptr(t: string, _mutable: boolean): string {
      if (t === m.outputTensor) return 'output';
      const streamed = streamedWhere(m, r, t);
      if (streamed) throw new Error(`emit: tensor '${t}' is streamed (${streamed}), not in the arena whole`);
      if (external.has(t)) throw new Error(`emit: tensor '${t}' is outside the arena`);
      const o = plan.offsets.get(t);
      if (o === undefined) throw new Error(`emit: tensor '${t}' has no arena offset`);
      return `arena + ${o}`;
    },
    where(t: string): string {
      if (t === m.outputTensor) return 'caller output';
      const streamed = streamedWhere(m, r, t);
      if (streamed) return streamed;
      const o = plan.offsets.get(t)!;
      return `arena [${o}, ${o + (m.tensorBytes.get(t) ?? bufferBytes.get(t)!)})`;
    },
  };
}

/** Where a tensor of a streamed plan's first layers is (undefined: not one of those). */
function streamedWhere(m: LoweredModel, r: RunnerPlan, t: string): string | undefined {
  return r.stream ? streamedPlace(r.stream, t, m.inputNchwTensor) : undefined;
}

/**
 * One layer: its comment and params struct (into `out`), and its kernel call (returned). A streamed
 * layer's call is given its buffers (`rowIo`) and a copy of its params, `p`, with the window's rows.
 */
function layerBlock(m: LoweredModel, r: RunnerPlan, c: CLayer, i: number, slot: number | undefined, out: string[], rowIo?: CBuffers): string {
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
  if (rowIo) {
    const call = n.runtime(c.emitter.call(c, rowIo));
    if (!call.startsWith(`${n.runtime(c.emitter.fn)}(${rowIo.params},`)) throw new Error(`emit: layer '${l.name}': its kernel call does not take the row params (${call})`);
    return call;
  }
  const inputs = c.inputs.map((t) => ptr(t, false));
  const weights = slot !== undefined ? `&w->layer[${slot}]` : undefined;
  // In place (only layers lowered with inPlaceScratch): the output overwrites the input, two saved rows in the arena.
  const scratchAt = r.plan.offsets.get(`scratch:${c.ident}`);
  const scratch = scratchAt !== undefined ? { scratch: `arena + ${scratchAt}` } : {};
  const io = inPlace ? { inputs, output: inputs[0], weights, ...scratch } : { inputs, output: ptr(c.output, true), weights, ...scratch };
  return n.runtime(c.emitter.call(c, io));
}

/** The checks of an entry point that runs in a given arena: null pointers, its size, its alignment. */
function arenaGuard(P: string, nulls: string): string[] {
  return [
    `    if (${nulls}) {`,
    `        return ${P}_ERR_NULL;`,
    '    }',
    `    if (arena_bytes < ${P}_ARENA_SIZE) {`,
    `        return ${P}_ERR_ARENA;`,
    '    }',
    `    if (((uintptr_t)arena % ${P}_ARENA_ALIGNMENT) != 0) {`,
    `        return ${P}_ERR_ALIGN;`,
    '    }',
  ];
}

/** <prefix>_run_with_arena (the flash weights), then the static arena the static entry points use. */
function runWithArenaAndStaticArena(m: LoweredModel): string[] {
  const n = cNames(m.prefix);
  const { P } = n;
  const p = m.prefix;
  return [
    `int ${p}_run_with_arena(const int8_t *input, int8_t *output, int8_t *arena, size_t arena_bytes)`,
    '{',
    `    return ${p}_run_with_weights(&${n.flashWeights}, input, output, arena, arena_bytes);`,
    '}',
    '',
    `/* The one arena: int32 words, so it is aligned to ${P}_ARENA_ALIGNMENT (4) on every target. */`,
    `static int32_t ${p}_arena[(${P}_ARENA_SIZE + 3) / 4 + 1];`,
    '',
  ];
}

/** <prefix>_run: flash weights, static arena. */
function runStatic(p: string): string[] {
  return [
    `int ${p}_run(const int8_t *input, int8_t *output)`,
    '{',
    `    return ${p}_run_with_arena(input, output, (int8_t *)${p}_arena, sizeof ${p}_arena);`,
    '}',
    '',
  ];
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
    ...arenaGuard(P, 'weights == 0 || output == 0 || arena == 0'),
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
    ...runWithArenaAndStaticArena(m),
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
    ...runStatic(m.prefix),
  ];
}

export function modelC(m: LoweredModel, r: RunnerPlan, banner: string): string {
  const n = cNames(m.prefix);
  const { P } = n;
  const { ptr, where } = buffers(m, r);
  // a streamed runner's row reader does the NCHW transpose itself
  const headers = [...m.layers.map((c) => c.emitter.runtime.header), ...(m.inputNchwTensor && !r.stream ? ['onnx2mcu_transpose_s8.h'] : [])];
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
  const slot = new Map(dataLayers(m).map((c, i) => [c, i]));
  const streamed = r.stream ? r.stream.layers.length : 0;
  if (r.stream) calls.push(...streamLayers(m, r, slot, out));
  else if (m.inputNchwTensor) {
    out.push(`/* input_nchw_to_nhwc: the NCHW input (${where(m.inputNchwTensor)}) to channels-last, ${where(m.inputTensor)} */`);
    out.push(`static const ${n.runtime('onnx2mcu_dims')} input_dims = ${dimsInit(m.tensorDims.get(m.inputTensor)!)};`, '');
    calls.push(`    ${n.runtime('onnx2mcu_nchw_to_nhwc_s8')}(&input_dims, ${ptr(m.inputNchwTensor, false)}, ${ptr(m.inputTensor, true)});`);
  }
  m.layers.forEach((c, i) => {
    if (i >= streamed) calls.push(`    ${layerBlock(m, r, c, i, slot.get(c), out)}`, `    ${P}_LAYER_HOOK(${i});`);
  });
  if (r.stream) {
    out.push(`static void run_layers(const ${n.weightsType} *w, ${m.prefix}_read_row_fn read_row, void *ctx, int8_t *output, int8_t *arena)`, '{');
    out.push(`    ${m.prefix}_stream_state s;`, '    int32_t oy;');
  } else {
    out.push(`static void run_layers(const ${n.weightsType} *w, int8_t *output, int8_t *arena)`, '{');
  }
  if (!calls.some((c) => c.includes('arena'))) out.push('    (void)arena;');
  if (!calls.some((c) => c.includes('&w->') || c.includes('s.w = w'))) out.push('    (void)w;');
  out.push(...calls, '}', '');
  out.push(...(r.stream ? streamedEntryPoints(m) : entryPoints(m)));
  out.push(...blobLoader(m), '');
  out.push(...inputFromPixels(m), '');
  if (r.stream) out.push(...inputRowFromPixels(m), '');
  return out.join('\n');
}

/**
 * The streamed first layers (src/memory/stream.ts): one function per layer that computes a band of
 * its output rows from its window, asking the layer before (or the row reader) for the rows the
 * window lacks; and the start of run_layers, which asks the last of them for its output band by band.
 */
function streamLayers(m: LoweredModel, r: RunnerPlan, slot: ReadonlyMap<CLayer, number>, out: string[]): string[] {
  const st = r.stream!;
  const n = cNames(m.prefix);
  const { P } = n;
  const p = m.prefix;
  // Names in the model's own namespace (no layer identifier starts with it) or with the suffix _rows
  // (as _params: no two layers' names can meet): nothing here can collide with a layer's.
  const T = { state: `${p}_stream_state`, window: `${p}_stream_window`, keep: `${p}_keep_rows` };
  const fn = (j: number) => `${st.layers[j].name}_rows`;
  const layerOf = (j: number) => m.layers.find((c) => c.ident === st.layers[j].name)!;
  const scratch = `s->arena + ${st.streamOffset + st.scratchOffset}`;
  const B = st.band;
  out.push(
    '/*',
    ` * Layers 0-${st.layers.length - 1} run row by row, up to ${B} output row${B > 1 ? 's' : ''} per kernel call: each keeps a window of the`,
    ' * input rows under its next rows and asks the layer before (or the row reader) for the rest; windows',
    ' * only move forward, so every row is computed once, and the input and the tensors between these',
    ` * layers are never whole in the arena. Windows and the kernels' scratch: arena [${st.streamOffset}, ${st.streamOffset + st.blockBytes}).`,
    ' */',
    'typedef struct {',
    '    int32_t first; /* the input row in the window\'s first slot */',
    '    int32_t count; /* rows the window holds */',
    `} ${T.window};`,
    '',
    'typedef struct {',
    `    const ${n.weightsType} *w;`,
    '    int8_t *arena;',
    `    ${p}_read_row_fn read_row;`,
    '    void *ctx;',
    `    ${T.window} window[${st.layers.length}];`,
    `} ${T.state};`,
    '',
    '/* Keeps the window\'s rows from `lo` on: drops those above and moves the rest to its start. */',
    `static void ${T.keep}(${T.window} *win, int8_t *rows, int32_t lo, int32_t row_bytes)`,
    '{',
    '    const int32_t drop = lo - win->first;',
    '    if (drop <= 0) {',
    '        return;',
    '    }',
    '    if (drop >= win->count) {',
    '        win->count = 0;',
    '    } else {',
    '        win->count -= drop;',
    '        memmove(rows, rows + drop * row_bytes, (size_t)(win->count * row_bytes));',
    '    }',
    '    win->first = lo;',
    '}',
    '',
  );
  st.layers.forEach((sl, j) => {
    const c = layerOf(j);
    const g = sl.rows;
    const at = st.streamOffset + sl.windowOffset;
    const call = layerBlock(m, r, c, j, slot.get(c), out, {
      params: '&p', inputs: ['window'], output: 'out', ...(slot.get(c) !== undefined ? { weights: `&s->w->layer[${slot.get(c)}]` } : {}),
      ...(st.scratchBytes ? { scratch } : {}),
    });
    const f = c.rows!.convField;
    const reach = (g.kernelH - 1) * g.dilationH;
    const win = `s->window[${j}]`;
    // the first layer's rows come one at a time from the reader; the others' up to a band at once
    const fill = j === 0
      ? [`    for (; ${win}.first + ${win}.count <= hi; ++${win}.count) {`,
        `        s->read_row(s->ctx, ${win}.first + ${win}.count, window + ${win}.count * ${g.inRowBytes});`, '    }']
      : [`    while (${win}.first + ${win}.count <= hi) {`,
        `        const int32_t next = ${win}.first + ${win}.count;`,
        `        int32_t m = ${sl.windowRows} - ${win}.count; /* room in the window */`,
        `        m = m < ${B} ? m : ${B};`,
        `        m = m < ${g.inH} - next ? m : ${g.inH} - next;`,
        `        ${fn(j - 1)}(s, next, m, window + ${win}.count * ${g.inRowBytes});`,
        `        ${win}.count += m;`, '    }'];
    out.push(
      `/* ${cComment(c.layer.name)}: output rows oy .. oy + rows - 1 (rows <= ${B}, ${g.outRowBytes} bytes each) from input rows oy * ${g.strideH} - ${g.padTop} .. + ${(B > 1 ? `(rows - 1) * ${g.strideH} + ` : '')}${reach}, window of ${sl.windowRows} rows at arena [${at}, ${at + sl.windowBytes}) */`,
      `static void ${fn(j)}(${T.state} *s, int32_t oy, int32_t rows, int8_t *out)`,
      '{',
      `    int8_t *const window = s->arena + ${at};`,
      `    const int32_t top = oy * ${g.strideH} - ${g.padTop};`,
      `    const int32_t end = top + (rows - 1) * ${g.strideH} + ${reach}; /* the last input row the rows read */`,
      '    const int32_t lo = top > 0 ? top : 0;',
      `    const int32_t hi = end < ${g.inH - 1} ? end : ${g.inH - 1};`,
      `    ${n.runtime(c.emitter.params(c).type)} p = ${c.ident}_params;`,
      `    ${T.keep}(&${win}, window, lo, ${g.inRowBytes});`,
      ...fill,
      `    p.${f}input.h = hi - lo + 1;`,
      `    p.${f}output.h = rows;`,
      `    p.${f}pad_top = lo - top;`,
      `    ${call}`,
      '}',
      '',
    );
  });
  const last = st.layers[st.layers.length - 1];
  const outAt = r.plan.offsets.get(st.output)!;
  return [
    '    s.w = w;',
    '    s.arena = arena;',
    '    s.read_row = read_row;',
    '    s.ctx = ctx;',
    '    memset(s.window, 0, sizeof s.window);',
    `    for (oy = 0; oy < ${last.rows.outH}; oy += ${B}) {`,
    `        ${fn(st.layers.length - 1)}(&s, oy, ${last.rows.outH} - oy < ${B} ? ${last.rows.outH} - oy : ${B}, arena + ${outAt} + oy * ${last.rows.outRowBytes});`,
    '    }',
    ...st.layers.map((_, j) => `    ${P}_LAYER_HOOK(${j});${j === 0 ? ' /* the streamed layers end together */' : ''}`),
  ];
}

/** The public entry points of a streamed runner: rows from a reader, or from the caller's buffer. */
function streamedEntryPoints(m: LoweredModel): string[] {
  const n = cNames(m.prefix);
  const { P } = n;
  const p = m.prefix;
  const readRow = m.inputLayout === 'nhwc'
    ? [`    memcpy(dst, b->input + row * ${P}_INPUT_ROW_BYTES, ${P}_INPUT_ROW_BYTES);`]
    : [
      '    int32_t x, c;',
      `    for (x = 0; x < ${P}_INPUT_W; ++x) {`,
      `        for (c = 0; c < ${P}_INPUT_C; ++c) {`,
      `            dst[x * ${P}_INPUT_C + c] = b->input[(c * ${P}_INPUT_H + row) * ${P}_INPUT_W + x]; /* NCHW to channels last */`,
      '        }',
      '    }',
    ];
  return [
    `int ${p}_run_rows_with_weights(const ${n.weightsType} *weights, ${p}_read_row_fn read_row, void *ctx, int8_t *output,`,
    '    int8_t *arena, size_t arena_bytes)',
    '{',
    ...arenaGuard(P, 'weights == 0 || read_row == 0 || output == 0 || arena == 0'),
    '    run_layers(weights, read_row, ctx, output, arena);',
    `    return ${P}_OK;`,
    '}',
    '',
    '/* The row reader of a caller\'s whole input buffer. */',
    'typedef struct {',
    '    const int8_t *input;',
    `} ${p}_buffer_rows;`,
    '',
    `static void ${p}_read_buffer_row(void *ctx, int32_t row, int8_t *dst)`,
    '{',
    `    const ${p}_buffer_rows *b = (const ${p}_buffer_rows *)ctx;`,
    ...readRow,
    '}',
    '',
    `int ${p}_run_with_weights(const ${n.weightsType} *weights, const int8_t *input, int8_t *output,`,
    '    int8_t *arena, size_t arena_bytes)',
    '{',
    `    ${p}_buffer_rows b;`,
    '    if (input == 0) {',
    `        return ${P}_ERR_NULL;`,
    '    }',
    '    b.input = input;',
    `    return ${p}_run_rows_with_weights(weights, ${p}_read_buffer_row, &b, output, arena, arena_bytes);`,
    '}',
    '',
    ...runWithArenaAndStaticArena(m),
    `int ${p}_run_rows(${p}_read_row_fn read_row, void *ctx, int8_t *output)`,
    '{',
    `    return ${p}_run_rows_with_weights(&${n.flashWeights}, read_row, ctx, output, (int8_t *)${p}_arena, sizeof ${p}_arena);`,
    '}',
    '',
    ...runStatic(m.prefix),
  ];
}

function inputRowFromPixels(m: LoweredModel): string[] {
  const { P } = cNames(m.prefix);
  return [
    `void ${m.prefix}_input_row_from_pixels(const uint8_t *pixel_row, int8_t *row)`,
    '{',
    '    int32_t i;',
    `    for (i = 0; i < ${P}_INPUT_ROW_BYTES; ++i) {`,
    `        row[i] = (int8_t)((int32_t)pixel_row[i] - ${P}_INPUT_PIXEL_OFFSET);`,
    '    }',
    '}',
  ];
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
export function runtimeFiles(m: LoweredModel, r: RunnerPlan, common: readonly string[], read: (name: string) => string): Map<string, string> {
  const names = new Set<string>(common);
  for (const c of m.layers) {
    names.add(c.emitter.runtime.header);
    for (const s of c.emitter.runtime.sources) names.add(s);
  }
  if (m.inputNchwTensor && !r.stream) {
    names.add('onnx2mcu_transpose_s8.h');
    names.add('onnx2mcu_transpose_s8.c');
  }
  return new Map([...names].sort().map((f) => [prefixedName(f, m.prefix), withPrefix(read(f), m.prefix)]));
}
