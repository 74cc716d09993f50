/**
 * The command handlers behind src/cli/app.ts. Each resolves the model once (model_source.ts:
 * format, input scaling, labels; a warning when the scaling is assumed) and asks the pipeline for
 * the stages it needs, up to the one `--dump-after` names if that is later.
 */
import { runPipeline, dumpStage, laterStage, type StageArtifacts, type StageName } from '../../pipeline/index.js';
import type { Graph } from '../ir/graph.js';
import { listImages } from '../images/list.js';
import { importModel, resolveModelSource, scaleWarning, type ModelSource } from '../model_source/model_source.js';
import { sizeOf } from '../ir/tensor.js';
import { UserError } from '../util/errors.js';
import { checkOutputFile, checkOutputFolder } from '../util/output_paths.js';
import { terminalSafeLine } from '../util/terminal_text.js';
import { pipelineOptions, positiveInt, prefixOption, UsageError, type CalibrationArgs, type DumpArgs } from './options.js';

export interface CliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

const CALIBRATED: readonly StageName[] = ['calibrate', 'quantize', 'lower', 'plan', 'emit'];

/** Prints a warning on stderr as one line (a name in it may hold a newline: escaped). */
const warner = (io: CliIo) => (message: string) => io.err(`onnx2mcu: warning: ${terminalSafeLine(message)}\n`);

/** The model (the pipeline warns when calibration uses an assumed input scaling). */
function source(model: string, scale: string | undefined): ModelSource {
  return resolveModelSource(model, scale);
}

/** Runs the pipeline to `needed` (or further for --dump-after), with calibration images when a stage needs them. */
async function stages(s: ModelSource, needed: StageName, a: Partial<CalibrationArgs> & DumpArgs, progress: 'auto' | 'none', allowCalibration: string, io: CliIo): Promise<Partial<StageArtifacts> & Pick<StageArtifacts, 'import'>> {
  const until = laterStage(needed, dumpStage(a['dump-after']));
  const calibrated = CALIBRATED.includes(until);
  if (calibrated && a.calib === undefined) {
    throw new UsageError(needed === until ? `${allowCalibration} needs --calib DIR|CSV (calibration images)` : `--dump-after ${a['dump-after']} needs calibration: ${allowCalibration} with --calib DIR|CSV`);
  }
  if (a['dump-after'] !== undefined) checkOutputFolder(a['dump-dir'] ?? 'out/dump', { option: '--dump-dir', inputs: [s.path, ...(a.calib ? [a.calib] : [])] });
  const calibration = calibrated ? listImages(a.calib!).slice(0, positiveInt('calib-count', a['calib-count']) ?? Infinity) : undefined;
  const options = a['bias-correction'] !== undefined ? pipelineOptions(a as CalibrationArgs, progress) : { progress };
  return runPipeline({ source: s, calibration, calibrationFrom: a.calib, options, warn: warner(io) }, until, { dumpAfter: a['dump-after'], dumpDir: a['dump-dir'] });
}

export interface InspectArgs extends DumpArgs, Partial<CalibrationArgs> { model: string; json: boolean; stage: string }

export async function inspectCommand(a: InspectArgs, io: CliIo): Promise<void> {
  const s = source(a.model, a.scale);
  const r = await stages(s, a.stage === 'folded' ? 'passes' : 'import', a, a.json ? 'none' : 'auto', 'inspect', io);
  const g: Graph = a.stage === 'folded' ? r.passes! : r.import;
  const { inspectGraph, inspectJson, inspectTable } = await import('./inspect.js');
  const report = inspectGraph(g);
  const what = a.stage === 'folded' ? 'after float passes' : 'as imported';
  const version = s.format === 'onnx' ? `opset ${g.meta.opset ?? '?'}` : `TF.js graph model${g.meta.producer ? `, ${g.meta.producer}` : ''}`;
  if (a.json) io.out(inspectJson(report) + '\n');
  else io.out(inspectTable(report, `${a.model} (${what}, ${version})`));
}

export interface RunArgs extends DumpArgs, Partial<CalibrationArgs> { model: string; input: string[]; top: number; json: boolean; stage: string }

export async function runCommand(a: RunArgs, io: CliIo): Promise<void> {
  positiveInt('top', a.top);
  if (a.stage !== 'int8') {
    for (const opt of ['calib', 'method', 'threads', 'calib-count'] as const) if (a[opt] !== undefined) throw new UsageError(`--${opt} is only used with --stage int8`);
  }
  const s = source(a.model, a.scale);
  const { isNpyPath, loadModelInput, runFloatOutput, runResult, runResultJson, runResultText } = await import('./run.js');
  const emit = (r: import('./run.js').RunResult, raw?: ArrayLike<number>) => io.out(a.json ? runResultJson(r, raw) + '\n' : runResultText(r));
  if (a.stage === 'int8') {
    const npy = a.input.find(isNpyPath);
    if (npy) throw new UserError(`${npy}: --stage int8 runs on images (uint8 pixels), not .npy tensors`);
    const r = await stages(s, 'quantize', a, a.json ? 'none' : 'auto', '--stage int8', io);
    const { inputSize, loadImageInput } = await import('../quant/images.js');
    const { runInt8 } = await import('../quant/interpret_int8.js');
    for (const path of a.input) {
      const x = await loadImageInput(path, inputSize(r.passes!), s.scale);
      const out = runInt8(r.quantize!, x.int8);
      emit(runResult(path, out.output, a.top, s.labels), out.raw);
    }
    return;
  }
  const r = await stages(s, a.stage === 'folded' ? 'passes' : 'import', a, a.json ? 'none' : 'auto', '--stage int8', io);
  const g: Graph = a.stage === 'folded' ? r.passes! : r.import;
  for (const path of a.input) emit(runResult(path, runFloatOutput(g, await loadModelInput(g, path, s.scale)), a.top, s.labels));
  const warning = scaleWarning(s);
  if (warning && !a.input.every(isNpyPath)) warner(io)(warning);
}

/** The number of classes a model outputs: the values of its first output, batch 1. */
function classCount(g: Graph): number {
  const shape = g.values.get(g.outputs[0])?.shape ?? [];
  return sizeOf(shape) / (shape[0] || 1);
}

export interface EvalArgs extends DumpArgs, CalibrationArgs { model: string; images: string; labels?: string; 'label-column'?: string; limit?: number; 'per-layer': boolean; json: boolean }

export async function evalCommand(a: EvalArgs, io: CliIo): Promise<void> {
  const limit = positiveInt('limit', a.limit);
  const s = source(a.model, a.scale);
  const { evalItems, evalJson, evalText } = await import('./eval.js');
  const items = evalItems(a.images, a.labels, a['label-column'], limit, classCount(importModel(s)));
  const r = await stages(s, 'quantize', a, a.json ? 'none' : 'auto', 'eval', io);
  const { evaluate } = await import('../quant/evaluate.js');
  const res = await evaluate(r.passes!, r.quantize!, items, {
    inputScaling: s.scale,
    perLayer: a['per-layer'],
    progress: a.json ? 'none' : 'auto',
    ...(a.threads !== undefined ? { threads: a.threads } : {}),
  });
  io.out(a.json ? evalJson(res) + '\n' : evalText(res, items.filter((i) => i.label !== undefined).length));
}

export interface ConvertArgs extends DumpArgs, CalibrationArgs { model: string; out: string; 'input-layout': string; prefix?: string; 'ram-limit'?: number; force: boolean; json: boolean }

export async function convertCommand(a: ConvertArgs, io: CliIo): Promise<void> {
  const prefix = prefixOption(a.prefix);
  const ramLimit = positiveInt('ram-limit', a['ram-limit']);
  const options = pipelineOptions(a, a.json ? 'none' : 'auto');
  const { convertModel } = await import('./convert.js');
  const r = await convertModel({
    warn: warner(io),
    ...options,
    model: a.model,
    calib: a.calib!,
    out: a.out,
    force: a.force,
    inputLayout: a['input-layout'] as 'nhwc' | 'nchw',
    ...(prefix ? { prefix } : {}),
    ...(ramLimit !== undefined ? { ramLimit } : {}),
    ...(a['calib-count'] !== undefined ? { calibCount: a['calib-count'] } : {}),
    ...(a.scale !== undefined ? { inputScaling: a.scale } : {}),
    dumpAfter: a['dump-after'],
    dumpDir: a['dump-dir'],
  });
  if (a.json) {
    io.out(JSON.stringify({ out: r.out, files: r.files, arenaBytes: r.arenaBytes, flashBytes: r.flashBytes, calibration: r.calibration }) + '\n');
    return;
  }
  const m = r.artifacts.manifest;
  io.out([
    `wrote ${r.out}/ (${r.files.length} files: ${m.prefix}.c/.h, weights, kernels, manifest.json, report.md)`,
    m.arena.stream
      ? `arena: ${r.arenaBytes.toLocaleString('en-US')} bytes, scratch included; the first ${m.arena.stream.layers.length} layers run row by row, the input is read a row at a time (not in the arena)   flash: ${r.flashBytes.toLocaleString('en-US')} bytes`
      : `arena: ${r.arenaBytes.toLocaleString('en-US')} bytes, input and scratch included (largest tensor ${m.arena.largest_buffer.toLocaleString('en-US')}: no whole-tensor plan needs less)   flash: ${r.flashBytes.toLocaleString('en-US')} bytes`,
    `int8 vs float top-1 agreement on the ${r.calibration.images} calibration images: ${(100 * r.calibration.agreement).toFixed(1)}%`,
  ].join('\n') + '\n');
}

export interface VerifyArgs { dir: string; images?: string; 'image-limit'?: number; random: number; json: boolean }

export async function verifyCommand(a: VerifyArgs, io: CliIo): Promise<void> {
  if (!Number.isInteger(a.random) || a.random < 0) throw new UsageError(`--random ${a.random}: must be a non-negative integer`);
  const { verifyArtifacts } = await import('../verify/verify.js');
  const r = await verifyArtifacts(a.dir, {
    random: a.random,
    ...(a.images !== undefined ? { images: a.images } : {}),
    ...(positiveInt('image-limit', a['image-limit']) !== undefined ? { imageLimit: a['image-limit'] } : {}),
    progress: a.json ? 'none' : 'auto',
  });
  if (a.json) io.out(JSON.stringify({ images: r.images, random: r.random, mismatches: r.mismatches, compilers: r.compilers }) + '\n');
  else io.out([...r.builds, `${r.images} images, ${r.random} random inputs, ${r.compilers.join(' + ')}: ${r.mismatches} mismatches`].join('\n') + '\n');
  if (r.mismatches > 0) throw new UserError(`verify ${a.dir}: ${r.mismatches} outputs differ from the TypeScript integer reference`);
}

/** "96" or "96x128" (height × width). */
export function parseSize(text: string): [number, number] {
  const m = /^(\d+)(?:x(\d+))?$/i.exec(text.trim());
  const size: [number, number] | undefined = m ? [Number(m[1]), Number(m[2] ?? m[1])] : undefined;
  if (!size || size.some((d) => d < 1)) throw new UsageError(`--size '${text}': expected N or HxW, e.g. 96 or 96x128`);
  return size;
}

export async function pixelsCommand(a: { image: string; size: string; out: string; force: boolean }, io: CliIo): Promise<void> {
  const size = parseSize(a.size);
  checkOutputFile(a.out, { option: '--out', inputs: [a.image], force: a.force, extensions: ['.rgb', '.raw', '.bin'] });
  const { loadPixelsUint8 } = await import('../images/load.js');
  const { writeFileAtomic } = await import('../util/atomic_write.js');
  const px = await loadPixelsUint8(a.image, size);
  writeFileAtomic(a.out, px.data);
  io.out(`wrote ${a.out}: ${px.h}×${px.w}×3 uint8 RGB pixels, interleaved (${px.data.length} bytes)\n`);
}

export interface GenerateArgs { width: number; resolution: number; classes: number; seed: number; head: string; out: string; 'calib-out'?: string; 'calib-count': number; force: boolean }

export async function generateCommand(a: GenerateArgs, io: CliIo): Promise<void> {
  const count = positiveInt('calib-count', a['calib-count'])!;
  checkOutputFile(a.out, { option: '--out', force: a.force, extensions: ['.onnx'] });
  if (a['calib-out'] !== undefined) checkOutputFolder(a['calib-out'], { option: '--calib-out', inputs: [a.out] });
  const { generateModelFile } = await import('./generate.js');
  io.out(generateModelFile({ width: a.width, resolution: a.resolution, classes: a.classes, seed: a.seed, head: a.head as 'conv' | 'gemm' }, a.out) + '\n');
  if (a['calib-out'] !== undefined) {
    const { writeSyntheticImages } = await import('../generate/images.js');
    await writeSyntheticImages(a['calib-out'], count, [a.resolution, a.resolution], a.seed);
    io.out(`wrote ${count} synthetic calibration images to ${a['calib-out']}\n`);
  }
}
