/**
 * The quantization API for the CLI and the pipeline:
 *   loadImageInputs(paths, …)           images → float and int8 inputs from the same uint8 pixels
 *   quantizeModel(graph, calib, …)     calibrate + quantizeGraph
 *   runInt8(model, int8Input)          the integer reference (interpret_int8.ts)
 *   evaluate(graph, model, items, …)   float vs int8 top-1/top-5, agreement, SQNR
 *
 * Both paths see the same pixels: an image is decoded, cropped and resized once, rounded to uint8
 * (what a camera delivers), then scaled to float for the float graph and mapped to
 * int8 = pixel − 128 for the int8 model.
 */
import type { Graph } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import { floatTensor } from '../ir/tensor.js';
import { runFloat } from '../graph/interpret.js';
import { loadPixelsUint8 } from '../images/load.js';
import { parseScale, scaleToNchw } from '../images/scale.js';
import { UserError } from '../util/errors.js';
import { calibrateAsync, type CalibrationOptions, type CalibrationStats } from './calibrate.js';
import { createOrtEngine, type FloatEngine } from './ort_engine.js';
import { dequantize, int8Outputs, pixelsToInt8Nchw, runInt8, type Int8RunResult } from './interpret_int8.js';
import { Int8WorkerPool } from './int8_pool.js';
import { resolveThreads } from './workers.js';
import { quantizeGraphParallel } from './parallel.js';
import { Progress, type ProgressMode } from './progress.js';
import type { QuantizedModel } from '../int8/types.js';

export type { QuantizedModel, QuantizedLayer, QuantParams } from '../int8/types.js';
export type { CalibrationOptions, CalibrationStats } from './calibrate.js';
export type { ObserverMethod } from './observers/index.js';
export { OBSERVER_METHODS } from './observers/index.js';
export { calibrate, calibrateAsync, Calibrator, DEFAULT_METHOD } from './calibrate.js';
export { createOrtEngine, canonicalToOnnxGraph } from './ort_engine.js';
export { quantizeGraph, inputQuantization, chooseActivationParams } from './quantize.js';
export { runInt8, runLayerInt8, dequantize, pixelsToInt8Nchw } from './interpret_int8.js';
export { saturatingRoundingDoublingHighMul, roundingDivideByPOT, multiplyByQuantizedMultiplier, quantizeMultiplier } from '../int8/arith.js';

/** One image as both paths see it. */
export interface ImageInput {
  readonly path: string;
  /** Float NCHW [1, 3, H, W]: the model's scaling applied to the uint8 pixels. */
  readonly float: Tensor;
  /** int8 NCHW: uint8 pixel − 128. */
  readonly int8: Int8Array;
}

/** The graph's input [H, W] (NCHW, 3 channels). */
export function inputSize(g: Graph): [number, number] {
  const info = g.values.get(g.inputs[0]);
  if (!info || info.shape.length !== 4 || info.shape[1] !== 3) {
    throw new UserError(`graph '${g.name}': image input needs an NCHW [N, 3, H, W] input, got [${info?.shape ?? ''}]`);
  }
  return [info.shape[2], info.shape[3]];
}

export async function loadImageInput(path: string, size: readonly [number, number], scaling: string): Promise<ImageInput> {
  const px = await loadPixelsUint8(path, size);
  const scale = parseScale(scaling);
  return {
    path,
    float: floatTensor([1, 3, px.h, px.w], scaleToNchw(px.data, px.h, px.w, scale)),
    int8: pixelsToInt8Nchw(px.data, px.h, px.w),
  };
}

export async function loadImageInputs(paths: readonly string[], size: readonly [number, number], scaling: string): Promise<ImageInput[]> {
  const out: ImageInput[] = [];
  for (const p of paths) out.push(await loadImageInput(p, size, scaling));
  return out;
}

export interface QuantizeModelOptions extends CalibrationOptions {
  /** Float engine for calibration: 'ort' (default) or 'ts'. */
  readonly engine?: 'ort' | 'ts';
  /** The model's float input scaling ('x/127.5-1', 'x/255', …). */
  readonly inputScaling: string;
  /** Bias correction (default: 'empirical', with calibrationInt8 or else derived from the float inputs; see quantize.ts). */
  readonly biasCorrection?: boolean | 'float' | 'empirical';
  /** The same calibration inputs as int8 (needed by 'empirical' bias correction). */
  readonly calibrationInt8?: readonly Int8Array[];
  /**
   * Worker threads for the empirical bias correction (parallel.ts): 'auto' (default) one per core
   * up to 4 with at least 8 inputs each; 1 runs it in this thread. The model is the same either way.
   */
  readonly threads?: number | 'auto';
}

/** Calibrate the canonical float graph on `calib` (float inputs) and quantize it. */
export async function quantizeModel(
  g: Graph,
  calib: readonly Tensor[],
  opts: QuantizeModelOptions,
): Promise<{ model: QuantizedModel; stats: CalibrationStats }> {
  const stats = await calibrateAsync(g, calib, opts);
  const calibrationInt8 = opts.calibrationInt8 ?? calib.map((t) => floatToInt8Input(t, opts.inputScaling));
  const model = await quantizeGraphParallel(g, stats, { inputScaling: opts.inputScaling, biasCorrection: opts.biasCorrection, calibrationInt8 }, opts.threads ?? 'auto');
  return { model, stats };
}

/**
 * The one quantization path of `run --stage int8`, `eval` and `convert`: load the calibration
 * images once (uint8 pixels → float for calibration, int8 = pixel − 128 for bias correction),
 * calibrate and quantize. Returns the loaded inputs too, for callers that measure on them.
 */
export async function quantizeFromImages(
  g: Graph,
  calibPaths: readonly string[],
  opts: Omit<QuantizeModelOptions, 'calibrationInt8'>,
): Promise<{ model: QuantizedModel; stats: CalibrationStats; inputs: ImageInput[] }> {
  if (calibPaths.length === 0) throw new UserError('calibration: no JPEG/PNG images given');
  const inputs = await loadImageInputs(calibPaths, inputSize(g), opts.inputScaling);
  const { model, stats } = await quantizeModel(g, inputs.map((x) => x.float), { ...opts, calibrationInt8: inputs.map((x) => x.int8) });
  return { model, stats, inputs };
}

/**
 * The int8 input firmware would feed for a float input made from uint8 pixels:
 * pixel = round(x·std + mean) clamped to 0..255, int8 = pixel − 128 (exact for inputs that
 * came from pixels, as the calibration images do).
 */
export function floatToInt8Input(t: Tensor, scaling: string): Int8Array {
  const s = parseScale(scaling);
  const x = t.data as Float32Array;
  if (t.shape.length !== 4 || t.shape[1] !== 3) throw new UserError(`int8 input: expected a [N, 3, H, W] image tensor, got [${t.shape}]`);
  const plane = t.shape[2] * t.shape[3];
  const out = new Int8Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const c = Math.floor(i / plane) % 3;
    const p = Math.round(x[i] * s.std[c] + s.mean[c]);
    out[i] = Math.min(255, Math.max(0, p)) - 128;
  }
  return out;
}

export interface EvalItem {
  readonly path: string;
  /** The true class index, or undefined when unlabelled (then only agreement counts). */
  readonly label?: number;
}

export interface EvalOptions {
  /** The model's float input scaling. */
  readonly inputScaling: string;
  /** SQNR of every int8 activation against float. */
  readonly perLayer?: boolean;
  readonly progress?: ProgressMode;
  /** Float engine: 'ort' (default, onnxruntime-node; see ort_engine.ts) or 'ts' (the TypeScript interpreter). */
  readonly engine?: 'ort' | 'ts';
  /** Worker threads for the integer reference (default 'auto'; 1 with perLayer). The result is the same. */
  readonly threads?: number | 'auto';
}

export interface TopK { readonly top1: number; readonly top5: number }

export interface EvalResult {
  readonly images: number;
  readonly float: TopK;
  readonly int8: TopK;
  /** Share of images where float and int8 top-1 agree. */
  readonly agreement: number;
  /** SQNR (dB) of the dequantized int8 output (logits) against float, over all images. */
  readonly outputSqnr: number;
  /** Per layer output: SQNR in dB (with perLayer). */
  readonly perLayer?: readonly { readonly layer: string; readonly tensor: string; readonly sqnr: number }[];
}

function topK(v: ArrayLike<number>, k: number): number[] {
  const idx = Array.from({ length: v.length }, (_, i) => i);
  idx.sort((a, b) => v[b] - v[a] || a - b);
  return idx.slice(0, k);
}

/** 10·log10(signal energy / noise energy); Infinity when exact. */
export function sqnrDb(signal: number, noise: number): number {
  return noise === 0 ? Infinity : 10 * Math.log10(signal / noise);
}

/** One image's outcome, kept until all are in so that the sums run in image order whatever the threads. */
interface ItemOutcome {
  readonly floatTop: number[];
  readonly int8Top: number[];
  readonly label?: number;
  readonly signal: number;
  readonly noise: number;
}

function itemOutcome(item: EvalItem, floatOut: Float32Array, floatLogits: Float32Array | undefined, q: Omit<Int8RunResult, 'tensors'>): ItemOutcome {
  let signal = 0, noise = 0;
  if (floatLogits) for (let i = 0; i < floatLogits.length; i++) { signal += floatLogits[i] ** 2; noise += (floatLogits[i] - q.dequantized[i]) ** 2; }
  return { floatTop: topK(floatOut, 5), int8Top: topK(q.output, 5), label: item.label, signal, noise };
}

/**
 * Float vs int8 over labelled images. The main thread loads each image and runs float (onnxruntime
 * by default); the integer reference runs on `threads` worker threads (default one per core, up
 * to 4, with at least 8 images each; in this thread with --per-layer, which needs every tensor).
 */
export async function evaluate(g: Graph, model: QuantizedModel, items: readonly EvalItem[], opts: EvalOptions): Promise<EvalResult> {
  const size = inputSize(g);
  const inputName = g.inputs[0];
  const logitsName = model.output.name;
  const layerSig = new Map<string, number>();
  const layerNoise = new Map<string, number>();
  const outcomes: ItemOutcome[] = new Array(items.length);
  const progress = new Progress('evaluating', items.length, opts.progress ?? 'auto');
  const threads = opts.perLayer ? 1 : resolveThreads(opts.threads, items.length);
  const engine: FloatEngine = (opts.engine ?? 'ort') === 'ort'
    ? await createOrtEngine(g)
    : { run: async (x) => runFloat(g, { [inputName]: x }, { keep: 'all' }), release: async () => {} };
  const pool = threads > 1 ? new Int8WorkerPool(model, threads) : undefined;
  const inFlight: Promise<void>[] = [];
  let failure: unknown;
  try {
    for (const [i, item] of items.entries()) {
      if (failure) throw failure;
      const input = await loadImageInput(item.path, size, opts.inputScaling);
      const fl = await engine.run(input.float);
      const floatOut = fl.get(model.output.floatOutput)!.data as Float32Array;
      const floatLogits = fl.get(logitsName)?.data as Float32Array | undefined;
      if (pool) {
        // At most `threads` images wait for their int8 run while the next ones load.
        if (inFlight.length >= threads) await Promise.race(inFlight);
        const job: Promise<void> = pool.run(input.int8)
          .then((raw) => { outcomes[i] = itemOutcome(item, floatOut, floatLogits, int8Outputs(model, raw)); progress.tick(); })
          .catch((e: unknown) => { failure ??= e; })
          .finally(() => inFlight.splice(inFlight.indexOf(job), 1));
        inFlight.push(job);
        continue;
      }
      const res = runInt8(model, input.int8, { keep: opts.perLayer ? 'all' : 'outputs' });
      outcomes[i] = itemOutcome(item, floatOut, floatLogits, res);
      if (opts.perLayer && res.tensors) {
        for (const l of model.layers) {
          const f = fl.get(l.output)?.data as Float32Array | undefined;
          const qd = dequantize(res.tensors.get(l.output)!, l.outputQ);
          if (!f) continue;
          let s = 0, n = 0;
          for (let k = 0; k < f.length; k++) { s += f[k] * f[k]; n += (f[k] - qd[k]) ** 2; }
          layerSig.set(l.name, (layerSig.get(l.name) ?? 0) + s);
          layerNoise.set(l.name, (layerNoise.get(l.name) ?? 0) + n);
        }
      }
      progress.tick();
    }
    await Promise.all(inFlight);
    if (failure) throw failure;
  } finally {
    await engine.release();
    await pool?.close();
  }
  progress.done();
  let f1 = 0, f5 = 0, q1 = 0, q5 = 0, agree = 0, labelled = 0, sig = 0, noise = 0;
  for (const o of outcomes) {
    if (o.floatTop[0] === o.int8Top[0]) agree++;
    if (o.label !== undefined) {
      labelled++;
      if (o.floatTop[0] === o.label) f1++;
      if (o.floatTop.includes(o.label)) f5++;
      if (o.int8Top[0] === o.label) q1++;
      if (o.int8Top.includes(o.label)) q5++;
    }
    sig += o.signal;
    noise += o.noise;
  }
  const n = items.length;
  const d = Math.max(labelled, 1);
  return {
    images: n,
    float: { top1: f1 / d, top5: f5 / d },
    int8: { top1: q1 / d, top5: q5 / d },
    agreement: agree / Math.max(n, 1),
    outputSqnr: sqnrDb(sig, noise),
    ...(opts.perLayer
      ? { perLayer: model.layers.map((l) => ({ layer: l.name, tensor: l.output, sqnr: sqnrDb(layerSig.get(l.name) ?? 0, layerNoise.get(l.name) ?? 0) })) }
      : {}),
  };
}
