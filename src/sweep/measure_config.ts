/**
 * One configuration of the sweep, measured: the model (the pretrained ImageNet one of ../shared
 * for this α × ρ, else MobileNet v1 generated with seeded weights), converted into its folder as
 * `onnx2mcu convert` does it (report.html included), then
 *   - MACs and parameters (manifest.json, as inspect counts them), flash constants, RAM (the
 *     arena plus the caller's input buffer);
 *   - host instructions of one inference: callgrind around exactly one model_run (the benchmark's
 *     driver and counting, bench/c/run.ts);
 *   - Cortex-M4 instructions of one inference (src/target: QEMU mps2-an386 and the counting
 *     plugin, output checked against the integer reference) when arm-none-eabi-gcc and
 *     qemu-system-arm are installed; the per-layer counts go into the folder's report.html;
 *   - float and int8 top-1 on ../shared/images/imagenet-samples, for the real models only.
 * A step that cannot run leaves its figure null and says why in `notes`.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runPipeline } from '../../pipeline/index.js';
import { hostInstructions } from '../../bench/host/instructions.js';
import { readManifest } from '../artifacts/manifest.js';
import { writeSyntheticImages } from '../generate/images.js';
import { generateMobileNetV1 } from '../generate/mobilenet.js';
import { listImages, readImageCsv } from '../images/list.js';
import { loadPixelsUint8 } from '../images/load.js';
import { resolveModelSource } from '../model_source/model_source.js';
import { exportOnnx } from '../onnx/export.js';
import { evaluate } from '../quant/evaluate.js';
import { addCortexM4Cost } from '../report/m4_cost.js';
import { writeDirAtomic, writeFileAtomic } from '../util/atomic_write.js';
import { sharedModel, sharedPath } from '../util/shared.js';
import { fmtWidth, type SweepConfig } from './grid.js';

/** One row of sweep.json: the fields first, then what else was measured. */
export interface SweepRow {
  readonly width: number;
  readonly resolution: number;
  readonly macs: number;
  readonly params: number;
  /** Constant data in flash (weights, biases, requantization, layer structs), as manifest.json; kernel code apart. */
  readonly flashBytes: number;
  /** The arena plus the caller's input buffer. */
  readonly ramBytes: number;
  readonly hostInstructions: number | null;
  readonly m4Instructions: number | null;
  /** On imagenet-samples, for the pretrained models (null for generated weights). */
  readonly top1: { readonly float: number; readonly int8: number } | null;
  readonly details: SweepRowDetails;
}

export interface SweepRowDetails {
  /** The model file (../shared's name) or 'generated (seed 1)'. */
  readonly model: string;
  readonly classes: number;
  readonly arenaBytes: number;
  readonly inputBytes: number;
  readonly calibrationImages: number;
  /** int8 vs float top-1 agreement on the calibration images. */
  readonly calibrationAgreement: number;
  /** Images top-1 was measured on (0 for generated models). */
  readonly top1Images: number;
  /** Cortex-M4 kernel code bytes (link map), when the M4 run happened. */
  readonly m4CodeBytes: number | null;
  readonly seconds: { readonly convert: number; readonly host: number; readonly m4: number; readonly top1: number; readonly total: number };
  /** Why a figure is null, one line each. */
  readonly notes: readonly string[];
}

export interface MeasureOptions {
  /** The configuration's converted folder (created; must not exist or be ours). */
  readonly out: string;
  /** Scratch folder of this configuration (generated model, images, builds). */
  readonly work: string;
  /** Run on the emulated Cortex-M4 when the tools are there. */
  readonly m4: boolean;
  /** Count host instructions under callgrind when valgrind is there (default true). */
  readonly host?: boolean;
  /** At most this many imagenet-samples images for top-1 (default all 1000). */
  readonly top1Images?: number;
  /** Calibration images: generated models use this many synthetic ones (default 8); real ones the first N of imagenet-val128 (default all 50). */
  readonly calibCount?: number;
}

const GENERATED_SEED = 1;
const SYNTHETIC_IMAGES = 8;
const KEY_SCALE = 'x/127.5-1';

const seconds = (t0: number) => Math.round((performance.now() - t0) / 100) / 10;
const has = (cmd: string) => spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0;
const oneLine = (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\n').map((s) => s.trim()).filter(Boolean).join(' ').slice(0, 300);
const round4 = (x: number) => Math.round(x * 1e4) / 1e4;

/** The model and calibration images of a configuration. */
async function modelFor(c: SweepConfig, o: MeasureOptions): Promise<{ model: string; calib: string; calibCount?: number; scale: string; name: string; classes: number }> {
  if (c.realModel) {
    const known = sharedModel(c.realModel.split('/').pop()!);
    return { model: c.realModel, calib: sharedPath('images', 'imagenet-val128'), ...(o.calibCount ? { calibCount: o.calibCount } : {}), scale: known.input.scale, name: known.file, classes: known.classes };
  }
  const model = join(o.work, `mobilenet_v1_${fmtWidth(c.width)}_${c.resolution}.onnx`);
  writeFileAtomic(model, exportOnnx(generateMobileNetV1({ width: c.width, resolution: c.resolution, seed: GENERATED_SEED })));
  const calib = join(o.work, 'calib');
  await writeSyntheticImages(calib, o.calibCount ?? SYNTHETIC_IMAGES, [c.resolution, c.resolution], GENERATED_SEED);
  return { model, calib, scale: KEY_SCALE, name: `generated (seed ${GENERATED_SEED})`, classes: 1000 };
}

export async function measureConfig(c: SweepConfig, o: MeasureOptions): Promise<SweepRow> {
  const start = performance.now();
  mkdirSync(o.work, { recursive: true });
  const notes: string[] = [];
  const m = await modelFor(c, o);

  // As `onnx2mcu convert` does it: the pipeline to 'emit' (report.html and its quality figures
  // included), the folder written atomically.
  let t0 = performance.now();
  const source = resolveModelSource(m.model, m.scale);
  const calibration = listImages(m.calib).slice(0, m.calibCount ?? Infinity);
  const r = await runPipeline({ source, calibration, calibrationFrom: m.calib, options: { progress: 'none' } }, 'emit');
  await writeDirAtomic(o.out, (tmp) => {
    for (const [name, data] of r.emit.files) writeFileSync(join(tmp, name), data);
  });
  const convertSeconds = seconds(t0);
  const manifest = readManifest(o.out);
  const macs = manifest.layers.reduce((s, l) => s + l.macs, 0);
  const params = manifest.layers.reduce((s, l) => s + l.params, 0);
  const inputBytes = manifest.input.shape_nchw.reduce((a, b) => a * b, 1);
  const firstImage = listImages(m.calib).slice(0, 1);

  // Host: one inference of the runner on the first calibration image, under callgrind.
  t0 = performance.now();
  let host: number | null = null;
  if (o.host === false) notes.push('host instructions: not run (--no-host)');
  else if (!has('valgrind')) notes.push('host instructions: valgrind not installed');
  else {
    try {
      const pixels = join(o.work, 'input.rgb');
      writeFileSync(pixels, (await loadPixelsUint8(firstImage[0], [c.resolution, c.resolution])).data);
      host = hostInstructions(o.out, pixels, join(o.work, 'host'));
    } catch (e) {
      notes.push(`host instructions: ${oneLine(e)}`);
    }
  }
  const hostSeconds = seconds(t0);

  // Cortex-M4 under QEMU: the same image, checked against the integer reference; per layer into report.html.
  t0 = performance.now();
  let m4: number | null = null;
  let m4CodeBytes: number | null = null;
  if (!o.m4) notes.push('Cortex-M4: not run (--no-m4)');
  else if (!has('arm-none-eabi-gcc') || !has('qemu-system-arm')) notes.push('Cortex-M4: arm-none-eabi-gcc or qemu-system-arm not installed');
  else {
    try {
      const run = await addCortexM4Cost(o.out, { images: firstImage, model: r.quantize, work: join(o.work, 'm4') });
      m4 = run.instructions.total;
      m4CodeBytes = run.codeBytes;
    } catch (e) {
      notes.push(`Cortex-M4: ${oneLine(e)}`);
    }
  }
  const m4Seconds = seconds(t0);

  // Top-1 on imagenet-samples: real ImageNet weights only (random weights have no accuracy to speak of).
  t0 = performance.now();
  let top1: SweepRow['top1'] = null;
  let top1Images = 0;
  if (c.realModel) {
    // Labels: the 'index' column (ImageNet class order, as the Keras models are), as `eval` reads it.
    const items = readImageCsv(sharedPath('images', 'imagenet-samples', 'labels.csv')).slice(0, o.top1Images ?? Infinity)
      .map((row) => ({ path: row.path, label: Number(row.fields.index) }));
    const ev = await evaluate(r.passes, r.quantize, items, { inputScaling: m.scale, progress: 'none' });
    top1 = { float: round4(ev.float.top1), int8: round4(ev.int8.top1) };
    top1Images = ev.images;
  } else notes.push('top-1: generated weights (no pretrained ImageNet model of this width and resolution in ../shared)');
  const top1Seconds = seconds(t0);

  return {
    width: c.width,
    resolution: c.resolution,
    macs,
    params,
    flashBytes: manifest.flash.total,
    ramBytes: manifest.arena.bytes, // the input lives in the arena
    hostInstructions: host,
    m4Instructions: m4,
    top1,
    details: {
      model: m.name,
      classes: m.classes,
      arenaBytes: manifest.arena.bytes,
      inputBytes,
      calibrationImages: calibration.length,
      calibrationAgreement: round4(r.emit.quality?.agreement ?? 0),
      top1Images,
      m4CodeBytes,
      seconds: { convert: convertSeconds, host: hostSeconds, m4: m4Seconds, top1: top1Seconds, total: seconds(start) },
      notes,
    },
  };
}
