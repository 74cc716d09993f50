/**
 * convertModel: ONNX file + calibration images → out/<name>/ (model.c/.h, weights, runtime
 * kernels, manifest, report, plan). The stages, top to bottom: import → float passes → calibrate
 * → quantize → emit. Written atomically: a temporary folder renamed at the end; on any error
 * nothing is left behind and an existing `out` is untouched.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { runFloatPasses } from '../../pipeline/index.js';
import { writeDirAtomic } from '../util/atomic_write.js';
import { listImages } from '../images/list.js';
import { DEFAULT_SCALE } from '../images/scale.js';
import { runFloat } from '../graph/interpret.js';
import { importOnnx } from '../onnx/import.js';
import { DEFAULT_METHOD, quantizeFromImages, runInt8 } from '../quant/index.js';
import type { ObserverMethod } from '../quant/observers/index.js';
import type { QuantizedModel } from '../int8/types.js';
import { UserError } from '../util/errors.js';
import { HAVE_SHARED, sharedModels } from '../util/shared.js';
import { emitArtifacts, type Emitted } from './emit.js';

export interface ConvertOptions {
  /** Path of the .onnx model. */
  readonly model: string;
  /** Calibration images: a folder or a CSV list. */
  readonly calib: string;
  /** Output folder (replaced atomically). */
  readonly out: string;
  readonly inputLayout?: 'nhwc' | 'nchw';
  /** Use at most this many calibration images (default all). */
  readonly calibCount?: number;
  /** Calibration observer (default DEFAULT_METHOD of src/quant, 'mse'). */
  readonly method?: ObserverMethod;
  /** The model's float input scaling; default from ../shared/models/models.json, else 'x/127.5-1'. */
  readonly inputScaling?: string;
  /** Class names (default from models.json when the model is one of ../shared's). */
  readonly labels?: readonly string[];
  readonly biasCorrection?: boolean;
  /** Worker threads for the bias correction (default: one per core, up to 4; the model is the same either way). */
  readonly threads?: number;
  readonly progress?: 'auto' | 'bar' | 'lines' | 'none';
  /** Merge in-place depthwise layers in the arena plan (default true). */
  readonly inPlace?: boolean;
}

export interface ConvertResult {
  readonly out: string;
  readonly model: QuantizedModel;
  readonly emitted: Emitted;
  readonly arenaBytes: number;
  readonly flashBytes: number;
  /** Files written (names inside `out`). */
  readonly files: readonly string[];
  /** int8 vs float top-1 agreement on the calibration images. */
  readonly calibration: { readonly images: number; readonly agreement: number };
}

const argmax = (a: ArrayLike<number>) => {
  let best = 0;
  for (let i = 1; i < a.length; i++) if (a[i] > a[best]) best = i;
  return best;
};

export async function convertModel(opts: ConvertOptions): Promise<ConvertResult> {
  const known = HAVE_SHARED ? sharedModels().find((m) => m.file === basename(opts.model)) : undefined;
  const inputScaling = opts.inputScaling ?? known?.input.scale ?? DEFAULT_SCALE;
  const labels = opts.labels ?? known?.labels;

  const graph = runFloatPasses(importOnnx(opts.model));
  if (graph.inputs.length !== 1) throw new UserError(`${opts.model}: convert needs a model with one input (has ${graph.inputs.length})`);
  const inputName = graph.inputs[0];
  const shape = graph.values.get(inputName)!.shape;
  if (shape.length !== 4 || shape[1] !== 3) throw new UserError(`${opts.model}: input '${inputName}' must be [1, 3, H, W] (is [${shape.join(', ')}])`);

  const paths = listImages(opts.calib).slice(0, opts.calibCount ?? Infinity);
  // The model is named after its file (graph names from exporters are often generic, e.g. 'keras_h5_model').
  const name = basename(opts.model).replace(/\.onnx$/i, '');
  const method = opts.method ?? DEFAULT_METHOD;
  const { model: quantized, inputs } = await quantizeFromImages(graph, paths, {
    inputScaling,
    method,
    progress: opts.progress ?? 'auto',
    ...(opts.biasCorrection !== undefined ? { biasCorrection: opts.biasCorrection } : {}),
    ...(opts.threads !== undefined ? { threads: opts.threads } : {}),
  });
  const model: QuantizedModel = { ...quantized, name };

  // int8 (what firmware computes from uint8 pixels) vs float top-1 on the calibration images,
  // both from the same pixels.
  let agree = 0;
  for (const x of inputs) {
    const f = runFloat(graph, { [inputName]: x.float }).get(graph.outputs[0])!.data as Float32Array;
    if (argmax(f) === argmax(runInt8(model, x.int8).output)) agree++;
  }

  const source = {
    model: basename(opts.model),
    model_sha256: createHash('sha256').update(readFileSync(opts.model)).digest('hex'),
    calibration: { images: paths.length, from: basename(opts.calib), method, bias_correction: opts.biasCorrection ?? true },
    input_scaling: inputScaling,
  };
  const emitted = emitArtifacts(model, { inputLayout: opts.inputLayout, labels, source, inPlace: opts.inPlace });
  await writeDirAtomic(opts.out, (tmp) => {
    for (const [name, data] of emitted.files) writeFileSync(join(tmp, name), data);
  });
  const flashBytes = Object.values(emitted.flash).reduce((a, b) => a + b, 0);
  return {
    out: opts.out,
    model,
    emitted,
    arenaBytes: emitted.runner.plan.peakBytes,
    flashBytes,
    files: [...emitted.files.keys()],
    calibration: { images: paths.length, agreement: paths.length ? agree / paths.length : 0 },
  };
}
