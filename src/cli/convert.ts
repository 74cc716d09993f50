/**
 * `convert`: a thin I/O shell around the pipeline. It resolves the model (format, input scaling,
 * labels), checks the output folder may be written (src/util/output_paths.ts) before any work,
 * lists the calibration images, asks the pipeline for everything up to 'emit', measures the int8
 * vs float top-1 agreement on the calibration images, and writes the folder atomically (a
 * temporary folder renamed at the end): on any error nothing is left behind and an existing
 * output is untouched.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runPipeline, type PipelineOptions, type StageArtifacts } from '../../pipeline/index.js';
import { runFloat } from '../graph/interpret.js';
import { listImages } from '../images/list.js';
import type { QuantizedModel } from '../int8/types.js';
import { resolveModelSource, type ModelSource } from '../model_source/model_source.js';
import { runInt8 } from '../quant/interpret_int8.js';
import { writeDirAtomic } from '../util/atomic_write.js';
import { checkOutputDir, checkOutputFolder } from '../util/output_paths.js';

export interface ConvertOptions extends PipelineOptions {
  /** Path of the model: an .onnx file, or a TF.js model.json (or its folder). */
  readonly model: string;
  /** Calibration images: a folder or a CSV list. */
  readonly calib: string;
  /** Output folder (replaced atomically; see output_paths.ts for what may be replaced). */
  readonly out: string;
  /** Use at most this many calibration images (default all). */
  readonly calibCount?: number;
  /** The model's float input scaling; default: the known model's, else x/127.5-1 (assumed). */
  readonly inputScaling?: string;
  /** Replace an output folder onnx2mcu did not write. */
  readonly force?: boolean;
  readonly dumpAfter?: string;
  readonly dumpDir?: string;
  /** Where warnings go (default: none). */
  readonly warn?: (message: string) => void;
}

export interface ConvertResult {
  readonly out: string;
  readonly source: ModelSource;
  readonly model: QuantizedModel;
  readonly artifacts: StageArtifacts['emit'];
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

/** int8 (what firmware computes from uint8 pixels) vs float top-1 on the calibration images, both from the same pixels. */
export function calibrationAgreement(r: Pick<StageArtifacts, 'passes' | 'calibrate' | 'quantize'>): number {
  const g = r.passes;
  let agree = 0;
  for (const x of r.calibrate.images) {
    const f = runFloat(g, { [g.inputs[0]]: x.float }).get(g.outputs[0])!.data as Float32Array;
    if (argmax(f) === argmax(runInt8(r.quantize, x.int8).output)) agree++;
  }
  return r.calibrate.images.length ? agree / r.calibrate.images.length : 0;
}

export async function convertModel(opts: ConvertOptions): Promise<ConvertResult> {
  const source = resolveModelSource(opts.model, opts.inputScaling);
  checkOutputDir(opts.out, { option: '--out', inputs: [opts.model, opts.calib], force: opts.force });
  if (opts.dumpAfter !== undefined) checkOutputFolder(opts.dumpDir ?? join('out', 'dump'), { option: '--dump-dir', inputs: [opts.model, opts.calib] });
  const paths = listImages(opts.calib).slice(0, opts.calibCount ?? Infinity);
  const r = await runPipeline({ source, calibration: paths, calibrationFrom: opts.calib, options: opts, warn: opts.warn }, 'emit', { dumpAfter: opts.dumpAfter, dumpDir: opts.dumpDir });
  // The emit stage measured it for report.html (float and int8 on every calibration image).
  const agreement = r.emit.quality?.agreement ?? calibrationAgreement(r);
  const files = r.emit.files;
  await writeDirAtomic(opts.out, (tmp) => {
    for (const [name, data] of files) writeFileSync(join(tmp, name), data);
  });
  return {
    out: opts.out,
    source,
    model: r.quantize,
    artifacts: r.emit,
    arenaBytes: r.plan.plan.peakBytes,
    flashBytes: r.emit.manifest.flash.total,
    files: [...files.keys()],
    calibration: { images: paths.length, agreement },
  };
}
